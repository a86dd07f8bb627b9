//! The sandbox's HTTP side: hyper on a thread of its own, one request per connection
//! (`Connection: close`), form bodies or query strings, the three handlers.

use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hyper::body::{Bytes, Incoming};
use hyper::header;
use hyper::{Method, Request, StatusCode};

use super::config::SandboxConfig;
use super::faults::{Faults, Route};
use super::records::{Record, State, Taken, gateway_time};
use crate::http_server::{
    self, BodyError, HangUp, Limits, Reply, Resetter, Stop, closing, response,
};
use crate::provider::voicent::{CALL_PATH, REMOVE_PATH, STATUS_PATH};

/// Longest request body accepted.
const MAX_REQUEST: usize = 1 << 20;

/// Time a client has to send its request head, and its body.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// One request per connection, as the gateway serves them.
const LIMITS: Limits = Limits::sandbox(false, READ_TIMEOUT);

pub(super) fn spawn(
    listener: TcpListener,
    cfg: SandboxConfig,
    state: Arc<Mutex<State>>,
    stop: Stop,
) -> io::Result<JoinHandle<()>> {
    // Faults can be injected after the start (`Sandbox::inject`): every connection can be
    // reset.
    let resets = true;
    let server = Arc::new(Server {
        cfg,
        state,
        stop: stop.clone(),
    });
    http_server::spawn(
        "voicent-http",
        listener,
        LIMITS,
        resets,
        stop,
        move |reset, request| serve(Arc::clone(&server), reset, request),
    )
}

struct Server {
    cfg: SandboxConfig,
    state: Arc<Mutex<State>>,
    stop: Stop,
}

fn respond(code: StatusCode, body: impl Into<Bytes>) -> Reply {
    Ok(closing(response(code, "text/html; charset=UTF-8", body)))
}

/// Serves one request.
async fn serve(server: Arc<Server>, reset: Resetter, request: Request<Incoming>) -> Reply {
    let (cfg, state) = (&server.cfg, &server.state);
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST as u64) {
        return respond(StatusCode::PAYLOAD_TOO_LARGE, "too large");
    }
    let path = parts.uri.path();
    let query = parts.uri.query().unwrap_or("");
    let route = match path {
        CALL_PATH => Some(Route::Call),
        STATUS_PATH => Some(Route::Status),
        REMOVE_PATH => Some(Route::Remove),
        _ => None,
    };
    let (faults, k) = number(state, route);
    if k > 0 && faults.reset_before.contains(&k) {
        // The connection is reset (RST), not closed: the client sees a failure mid-request.
        reset.arm();
        return Err(HangUp);
    }
    let body = match http_server::read_body(&parts.headers, body, MAX_REQUEST, READ_TIMEOUT).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => return respond(StatusCode::PAYLOAD_TOO_LARGE, "too large"),
        Err(BodyError::TimedOut | BodyError::Broken(_)) => return Err(HangUp),
    };
    let form = form_of(&parts.method, query, &body);
    if k > 0 && k <= faults.fail_first {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><body>Internal error</body></html>",
        );
    }
    if k > 0 && faults.late.contains(&k) {
        // Held past the client's patience, then applied: it gave up on a request that holds.
        server.stop.sleep(faults.late_by).await;
    }
    let page = match route {
        Some(route) => match apply(cfg, state, route, &faults, k, &form) {
            Ok(page) => page,
            // Refused or unreadable: nothing was stored, and no fault follows.
            Err(page) => return respond(StatusCode::OK, page),
        },
        None => return respond(StatusCode::NOT_FOUND, "<html><body>Not found</body></html>"),
    };
    after_applying(&server, &faults, k, page).await
}

/// The faults injected now, and the number `K` of this request among those they count (0:
/// not counted, so not faulted).
fn number(state: &Mutex<State>, route: Option<Route>) -> (Faults, u32) {
    let mut s = state.lock().expect("sandbox state");
    if route == Some(Route::Call) {
        s.call_requests += 1;
    }
    let faults = s.faults.clone();
    let k = match route {
        Some(r) if faults.counts(r) => {
            s.faulted += 1;
            s.faulted
        }
        _ => 0,
    };
    (faults, k)
}

/// The request's fields: the query of a GET (or of a POST without a body), else the form
/// body.
fn form_of(method: &Method, query: &str, body: &[u8]) -> Vec<(String, String)> {
    let text = if *method == Method::GET || body.is_empty() {
        query.to_owned()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Applies a request and answers it; `Err` carries the page of a call request refused or
/// unreadable (nothing stored).
fn apply(
    cfg: &SandboxConfig,
    state: &Mutex<State>,
    route: Route,
    faults: &Faults,
    k: u32,
    form: &[(String, String)],
) -> Result<String, String> {
    match route {
        Route::Call => call(cfg, state, faults, k, form),
        Route::Status => Ok(match reqid(form) {
            Some(id) => {
                state
                    .lock()
                    .expect("sandbox state")
                    .status(id, Instant::now(), cfg.dial_delay)
            }
            None => "ERROR: no such call record: ".to_owned(),
        }),
        Route::Remove => Ok(remove(cfg, state, reqid(form))),
    }
}

/// The faults that strike once request `k` is applied: from here on every fault leaves the
/// client without a clear answer.
async fn after_applying(server: &Server, faults: &Faults, k: u32, page: String) -> Reply {
    if k > 0 && faults.drop_after.contains(&k) {
        return Err(HangUp);
    }
    if k > 0 && faults.error_after.contains(&k) {
        return respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><body>Internal error</body></html>",
        );
    }
    if k > 0 && faults.garbage_after.contains(&k) {
        return respond(
            StatusCode::OK,
            "<html><body>Service temporarily unavailable</body></html>",
        );
    }
    if k > 0 && faults.is_slow(k) {
        server.stop.sleep(faults.delay).await;
    }
    respond(StatusCode::OK, page)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn reqid(form: &[(String, String)]) -> Option<u64> {
    field(form, "reqid").and_then(|id| id.trim().parse::<u64>().ok())
}

/// A call request: `Ok` with the page once the call is scheduled, `Err` with the page of a
/// request refused (nothing stored).
fn call(
    cfg: &SandboxConfig,
    state: &Mutex<State>,
    faults: &Faults,
    k: u32,
    form: &[(String, String)],
) -> Result<String, String> {
    let field = |name: &str| field(form, name);
    if k > 0 && faults.no_reqid.contains(&k) {
        return Err("<html><body><h1>Call Scheduler</h1><p>The request could not be processed.</p></body></html>".into());
    }
    let kinds = [
        "txt",
        "audiofile",
        "startapp",
        "startexec",
        "startvxml",
        "starturl",
    ];
    let given = kinds.iter().filter(|k| field(k).is_some()).count();
    let phoneno = field("phoneno").unwrap_or("").trim().to_owned();
    if k > 0 && faults.refuse.contains(&k) {
        return Err("<html><body><p>Invalid call request: the line for this number is out of service.</p></body></html>".into());
    }
    if phoneno.is_empty() || given != 1 {
        return Err("<html><body><p>Invalid call request: phoneno and one of txt, audiofile, startapp, startexec, startvxml, starturl are required.</p></body></html>".into());
    }
    let minutes: u32 = if field("schedule") == Some("t") {
        field("calltime").and_then(|m| m.parse().ok()).unwrap_or(0)
    } else {
        0
    };
    let now = jiff::Timestamp::now();
    let mut s = state.lock().expect("sandbox state");
    let id = (now.as_millisecond().max(0) as u64).max(s.last_reqid + 1);
    s.last_reqid = id;
    let taken = Taken {
        reqid: id.to_string(),
        phoneno,
        form: form.to_vec(),
    };
    s.taken.push(taken.clone());
    s.records.insert(
        id,
        Record {
            taken,
            due: Instant::now() + cfg.minute * minutes,
            selfdelete: field("selfdelete") == Some("1"),
            // An IVR app or a VoiceXML application collects answers.
            ivr: ["startapp", "startvxml", "starturl"]
                .iter()
                .any(|k| field(k).is_some()),
            requested: gateway_time(now),
        },
    );
    Ok(format!(
        "<html><body>Your call is scheduled for {}. [ReqId={id}]</body></html>",
        now.strftime("%a %b %d %H:%M:%S UTC %Y")
    ))
}

/// "Remove a call if this call is not in progress": an attempt under way is refused, in
/// words outdial does not take for a removal.
fn remove(cfg: &SandboxConfig, state: &Mutex<State>, reqid: Option<u64>) -> String {
    let mut s = state.lock().expect("sandbox state");
    let now = Instant::now();
    let ringing = |r: &Record| r.due <= now && now < r.due + cfg.dial_delay;
    match reqid {
        Some(id) if s.records.get(&id).is_some_and(ringing) => {
            format!("ERROR: call in progress: {id}")
        }
        Some(id) if s.records.remove(&id).is_some() => "[removed]".to_owned(),
        Some(id) => format!("ERROR: no such call record: {id}"),
        None => "ERROR: no such call record: ".to_owned(),
    }
}
