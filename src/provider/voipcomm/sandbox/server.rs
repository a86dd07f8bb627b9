//! The stand-in's HTTP side: routes each request, numbers the faulted ones and injects
//! their faults around the API's answer, and serves its own `/_sandbox/` requests.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::header;
use hyper::{Method, Request, StatusCode};

use super::api::{Page, apply, auth_refusal, respond};
use super::faults::{Faults, Route};
use super::state::{Shared, lock};
use crate::http_server::{self, BodyError, HangUp, Limits, Reply, Resetter};

/// The make-calls path, as on the real host.
pub const CALL_PATH: &str = "/api-v2/index.php/pcall/call";
/// The stand-in's scheduled-calls list.
pub const LIST_PATH: &str = "/api-v2/index.php/pcall/scheduled";
/// The stand-in's scheduled-call delete.
pub const DELETE_PATH: &str = "/api-v2/index.php/pcall/scheduled/delete";

/// Longest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// Time a client has to send its request head, and its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One request per connection: every reply closes it.
pub(super) const LIMITS: Limits = Limits::sandbox(false, READ_TIMEOUT);

/// Serves one request.
pub(super) async fn serve(
    shared: Arc<Shared>,
    reset: Resetter,
    request: Request<Incoming>,
) -> Reply {
    let (parts, body) = request.into_parts();
    let (method, path) = (&parts.method, parts.uri.path());
    let route = match (method.as_str(), path) {
        ("POST", CALL_PATH) => Some(Route::Call),
        ("GET" | "POST", LIST_PATH) => Some(Route::List),
        ("GET" | "POST", DELETE_PATH) => Some(Route::Delete),
        _ => None,
    };
    let call_no = if route == Some(Route::Call) {
        shared.requests.fetch_add(1, Ordering::SeqCst) + 1
    } else {
        0
    };
    let (faults, k) = number(&shared, route);
    if k > 0 && faults.reset_before.contains(&k) {
        // The connection is reset (RST), not closed: the client sees a failure mid-request.
        reset.arm();
        return Err(HangUp);
    }
    let body = match http_server::read_body(&parts.headers, body, MAX_BODY, READ_TIMEOUT).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return Ok(respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain",
                "too large",
            ));
        }
        Err(BodyError::TimedOut | BodyError::Broken(_)) => return Err(HangUp),
    };
    if k > 0 && k <= faults.fail_first {
        return Ok(respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "simulated failure: nothing was stored",
        ));
    }
    if k > 0 && faults.late.contains(&k) {
        // Held past the client's patience, then applied: it gave up on a request that holds.
        shared.stop.sleep(faults.late_by).await;
    }
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if path == LIST_PATH || path == DELETE_PATH {
        lock(&shared.scheduled_requests).push(format!("{method} {path}"));
    }
    if let Some(refusal) = route.and_then(|_| auth_refusal(&shared, authorization)) {
        return Ok(refusal);
    }
    let page = match route {
        Some(route) => match apply(&shared, route, parts.uri.query(), &body, call_no) {
            (page, true) => page,
            // Refused by the page's rules: nothing stored, and no fault follows.
            (page, false) => return Ok(page),
        },
        None => return Ok(other(&shared, method, path)),
    };
    after_applying(&shared, &faults, k, page).await
}

/// The faults injected now, and the number `K` of this request among those they count (0:
/// not counted, so not faulted).
fn number(shared: &Shared, route: Option<Route>) -> (Faults, u32) {
    let mut f = lock(&shared.faults);
    let k = match route {
        Some(r) if f.0.counts(r) => {
            f.1 += 1;
            f.1
        }
        _ => 0,
    };
    (f.0.clone(), k)
}

/// The faults that strike once request `k` is applied: from here on every fault leaves the
/// client without a clear answer.
async fn after_applying(shared: &Shared, faults: &Faults, k: u32, page: Page) -> Reply {
    if k > 0 && faults.drop_after.contains(&k) {
        return Err(HangUp);
    }
    if k > 0 && faults.is_slow(k) {
        shared.stop.sleep(faults.delay).await;
    }
    if k > 0 && faults.error_after.contains(&k) {
        return Ok(respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "simulated failure after storing the call",
        ));
    }
    if k > 0 && faults.garbage_after.contains(&k) {
        return Ok(respond(
            StatusCode::OK,
            "text/html",
            "<html><body>OK</body></html>",
        ));
    }
    Ok(page)
}

/// The stand-in's own requests, and anything else.
fn other(shared: &Shared, method: &Method, path: &str) -> Page {
    match (method.as_str(), path) {
        ("GET", "/_sandbox/calls") => {
            let calls = lock(&shared.calls).clone();
            respond(
                StatusCode::OK,
                "application/json",
                serde_json::to_string(&calls).unwrap_or_default(),
            )
        }
        ("POST", "/_sandbox/shutdown") => {
            // The server lets this reply out before it stops.
            shared.stop.stop();
            respond(StatusCode::OK, "text/plain", "stopping")
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found"),
    }
}
