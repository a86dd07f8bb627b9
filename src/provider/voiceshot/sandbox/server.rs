//! The sandbox's HTTP side: `POST /ivrapi.asp` with its injected faults, and the
//! `/_sandbox/` requests.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

use super::shared::{Shared, lock};
use crate::http_server::{self, BodyError, HangUp, Limits, Reply, Resetter, closing, response};

/// How long a kept-alive connection may sit idle, and a client may take over a request head
/// or body: bounds connections left by vanished clients.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How connections are served: kept alive, as VoiceShot's server does.
pub(super) const LIMITS: Limits = Limits::sandbox(true, IDLE_TIMEOUT);

/// Runs `f`, which takes the state lock, off the server's thread: a post being applied and
/// persisted must not hold up the other connections.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, HangUp> {
    // A handler that panicked gets its connection closed, as before.
    tokio::task::spawn_blocking(f).await.map_err(|_| HangUp)
}

/// Reads a request body within the cap; the refusal to reply when it cannot be.
async fn body_of(
    shared: &Shared,
    headers: &header::HeaderMap,
    body: Incoming,
) -> Result<Bytes, Reply> {
    let cap = usize::try_from(shared.cfg.max_body).unwrap_or(usize::MAX);
    match http_server::read_body(headers, body, cap, IDLE_TIMEOUT).await {
        Ok(body) => Ok(body),
        Err(BodyError::TooLarge) => Err(Ok(closing(response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "text/plain",
            "request body too large",
        )))),
        Err(BodyError::Broken(why)) => Err(Ok(closing(response(
            StatusCode::BAD_REQUEST,
            "text/plain",
            why,
        )))),
        Err(BodyError::TimedOut) => Err(Err(HangUp)),
    }
}

/// Serves one request.
pub(super) async fn route(
    shared: Arc<Shared>,
    reset: Resetter,
    request: Request<Incoming>,
) -> Reply {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    if path == "/ivrapi.asp" && parts.method == Method::POST {
        return post_ivrapi(&shared, &reset, &parts.headers, body).await;
    }
    // Other routes carry no meaningful body, but it is read within the cap all the same.
    if let Err(refusal) = body_of(&shared, &parts.headers, body).await {
        return refusal;
    }
    Ok(match (&parts.method, path) {
        (_, "/ivrapi.asp") => {
            let mut response = response(
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain",
                "POST the XML document",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            response
        }
        (&Method::GET, "/_sandbox/calls") => {
            let shared = Arc::clone(&shared);
            let body = blocking(move || serde_json::to_vec(&shared.snapshot()).unwrap_or_default())
                .await?;
            response(StatusCode::OK, "application/json", body)
        }
        (&Method::GET, "/_sandbox/health") => {
            let shared = Arc::clone(&shared);
            let body = blocking(move || {
                let calls = lock(&shared.state).calls.len();
                let mut body = serde_json::json!({
                    "status": "ok",
                    "requests": shared.requests.load(Ordering::SeqCst),
                    "calls": calls,
                });
                // Summary counts only where summaries are posted at all.
                if shared.cfg.summary_url.is_some() {
                    body["summaries_posted"] =
                        shared.summaries_posted.load(Ordering::SeqCst).into();
                    body["summaries_failed"] =
                        shared.summaries_failed.load(Ordering::SeqCst).into();
                }
                body.to_string()
            })
            .await?;
            response(StatusCode::OK, "application/json", body)
        }
        (_, "/_sandbox/recorder") => {
            // Where redirect faults point: anything arriving here followed a redirect.
            shared.recorded.fetch_add(1, Ordering::SeqCst);
            response(
                StatusCode::OK,
                "text/xml",
                r#"<campaign errorid="0" comment="ok"/>"#,
            )
        }
        (&Method::POST, "/_sandbox/shutdown") => {
            // The server lets this reply out before it stops.
            shared.request_stop();
            closing(response(StatusCode::OK, "text/plain", "stopping"))
        }
        _ => response(StatusCode::NOT_FOUND, "text/plain", "not found"),
    })
}

/// A post to the API: applied, then answered, with the faults configured for its number.
async fn post_ivrapi(
    shared: &Arc<Shared>,
    reset: &Resetter,
    headers: &header::HeaderMap,
    body: Incoming,
) -> Reply {
    let faults = &shared.cfg.faults;
    // hyper calls the service as each head is parsed, on one thread: K counts heads in the
    // order they arrive.
    let k = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
    if faults.reset_before.contains(&k) {
        reset.arm();
        return Err(HangUp);
    }
    let body = match body_of(shared, headers, body).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if faults.redirect.contains(&k) {
        let status = match faults.redirect_status {
            0 => 307,
            s => s,
        };
        let location = format!("http://{}/_sandbox/recorder", shared.addr);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
        let mut redirect = closing(response(status, "text/plain", ""));
        if let Ok(location) = HeaderValue::from_str(&location) {
            redirect.headers_mut().insert(header::LOCATION, location);
        }
        return Ok(redirect);
    }
    if faults.late.contains(&k) {
        shared.stop.sleep(faults.late_by).await;
    }
    let (status, text) = if k <= faults.fail_first {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "simulated failure: nothing was stored".to_owned(),
        )
    } else if faults.refuse.contains(&k) {
        (
            StatusCode::OK,
            r#"<campaign errorid="19" comment="Invalid MenuID: campaign not found in this account (deleted 11/30/2026)"/>"#.to_owned(),
        )
    } else {
        let applier = Arc::clone(shared);
        match blocking(move || applier.apply(&body, k)).await? {
            Ok(_) if faults.drop_after.contains(&k) => return Err(HangUp),
            Ok(_) if faults.error_after.contains(&k) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "simulated failure after storing the post".to_owned(),
            ),
            Ok(_) if faults.garbage_after.contains(&k) => (
                StatusCode::OK,
                "<html><body>Service busy</body></html>".to_owned(),
            ),
            Ok(xml) => (StatusCode::OK, xml),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("sandbox state could not be saved: {e}"),
            ),
        }
    };
    if !faults.delay.is_zero() {
        shared.stop.sleep(faults.delay).await;
    }
    let content_type = if status == StatusCode::OK {
        "text/xml"
    } else {
        "text/plain"
    };
    Ok(response(status, content_type, text))
}
