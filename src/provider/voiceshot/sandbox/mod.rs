//! A local VoiceShot-compatible server for demos, end-to-end and fault tests.
//!
//! It speaks HTTP/1.1 through hyper (on a runtime of its own, on a background thread), takes raw XML
//! posts on `POST /ivrapi.asp` with VoiceShot's actions 0, 1, 2, 3, 6, 7 and 8 and its errorid
//! replies, simulates call outcomes deterministically, and can inject transport faults.
//!
//! Every accepted post is applied to the state (and persisted, with a state file) *before*
//! the reply is written, so a fault after that point leaves exactly the ambiguity a real
//! client faces: the calls exist, the client never heard back. Tests count calls through
//! [`Sandbox::calls`] or `GET /_sandbox/calls`.
//!
//! With a summary URL, every call that ends is posted there as a Call Summary (see
//! `summaries`).
//!
//! Inspection endpoints: `GET /_sandbox/calls` (JSON array of [`SandboxCall`]),
//! `GET /_sandbox/health` (JSON object with `status`, `requests`, `calls`, and with a summary
//! URL `summaries_posted` and `summaries_failed`),
//! `POST /_sandbox/shutdown` (stops the server; [`Sandbox::wait`] then returns).

mod api;
mod faults;
mod sim;
mod state;
mod store;
mod summaries;
#[cfg(test)]
mod tests;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};

pub use faults::{Faults, FaultsParseError};
pub use state::{CallStatus, SandboxCall, SandboxPrompt};

use crate::http_server::{
    self, BodyError, HangUp, Limits, Reply, Resetter, Stop, closing, response,
};
use state::State;

/// How the sandbox behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen; default `127.0.0.1:0` (a free loopback port).
    pub addr: SocketAddr,
    /// Persist the state here as JSON after every change, and load it at start.
    pub state_file: Option<PathBuf>,
    /// Share of dialled calls that are answered, `0.0..=1.0`; default 0.9.
    pub success_rate: f64,
    /// Time from acceptance (or resume) to a final outcome; default 2 s.
    pub dial_delay: Duration,
    /// Seed of the outcome simulation; outcomes depend only on it, the callid and the number.
    pub seed: u64,
    /// Injected transport faults.
    pub faults: Faults,
    /// When set, posts must carry these `username`/`password` root attributes, else errorid 1.
    pub credentials: Option<(String, String)>,
    /// Answer every post with errorid 1, as for a host whose IP is not registered.
    pub refuse_all: bool,
    /// Largest request body accepted; larger gets HTTP 413. Default 64 MiB.
    pub max_body: u64,
    /// POST a Call Summary here for every call that ends (loopback `http` URLs only, so the
    /// sandbox never reaches out to the network).
    pub summary_url: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state_file: None,
            success_rate: 0.9,
            dial_delay: Duration::from_secs(2),
            seed: 0,
            faults: Faults::default(),
            credentials: None,
            refuse_all: false,
            max_body: 64 * 1024 * 1024,
            summary_url: None,
        }
    }
}

/// How long a kept-alive connection may sit idle, and a client may take over a request head
/// or body: bounds connections left by vanished clients.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How connections are served: kept alive, as VoiceShot's server does.
const LIMITS: Limits = Limits::sandbox(true, IDLE_TIMEOUT);

/// A running sandbox. Dropping it shuts it down.
#[derive(Debug)]
pub struct Sandbox {
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

/// Stops a running sandbox from another thread (e.g. a signal handler in the CLI).
#[derive(Clone, Debug)]
pub struct ShutdownHandle(Arc<Shared>);

impl ShutdownHandle {
    /// Asks the sandbox to stop; [`Sandbox::wait`] returns once it has.
    pub fn shutdown(&self) {
        self.0.request_stop();
    }
}

#[derive(Debug)]
struct Shared {
    cfg: SandboxConfig,
    addr: SocketAddr,
    state: Mutex<State>,
    /// POSTs to /ivrapi.asp so far: the K of the fault spec.
    requests: AtomicU32,
    /// Requests that followed a redirect to `/_sandbox/recorder`.
    recorded: AtomicU32,
    stopping: AtomicBool,
    /// Paired with `stop_cv` so the summary thread's waits end early on shutdown.
    stop_lock: Mutex<()>,
    stop_cv: Condvar,
    /// The server's stop, which also ends fault delays early.
    stop: Stop,
    /// Call Summaries delivered, and given up on after every retry.
    summaries_posted: AtomicU64,
    summaries_failed: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler thread must not take the whole sandbox (and the test) down with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sandbox {
    /// Binds the listener, loads the state file if any, and starts serving.
    pub fn start(cfg: SandboxConfig) -> io::Result<Sandbox> {
        if let Some(url) = &cfg.summary_url {
            let loopback = reqwest::Url::parse(url).is_ok_and(|u| {
                u.scheme() == "http"
                    && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
            });
            if !loopback {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the summary URL must be a loopback http URL",
                ));
            }
        }
        if !(0.0..=1.0).contains(&cfg.success_rate) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "success_rate must be within 0..=1",
            ));
        }
        let state = match &cfg.state_file {
            Some(path) => State::load(path)?,
            None => State::default(),
        };
        let listener = TcpListener::bind(cfg.addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            cfg,
            addr,
            state: Mutex::new(state),
            requests: AtomicU32::new(0),
            recorded: AtomicU32::new(0),
            stopping: AtomicBool::new(false),
            stop_lock: Mutex::new(()),
            stop_cv: Condvar::new(),
            stop: Stop::default(),
            summaries_posted: AtomicU64::new(0),
            summaries_failed: AtomicU64::new(0),
        });
        if let Some(url) = shared.cfg.summary_url.clone() {
            summaries::start(&shared, url)?;
        }
        let acceptor = {
            let shared = Arc::clone(&shared);
            let resets = !shared.cfg.faults.reset_before.is_empty();
            let stop = shared.stop.clone();
            http_server::spawn(
                "sandbox-http",
                listener,
                LIMITS,
                resets,
                stop,
                move |reset, request| route(Arc::clone(&shared), reset, request),
            )?
        };
        Ok(Sandbox {
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The API endpoint, `http://127.0.0.1:PORT/ivrapi.asp`.
    pub fn url(&self) -> String {
        format!("http://{}/ivrapi.asp", self.shared.addr)
    }

    /// A snapshot of every call ever accepted, in acceptance order, with outcomes brought up
    /// to date. Deleted calls are included (status [`CallStatus::Deleted`]).
    pub fn calls(&self) -> Vec<SandboxCall> {
        self.shared.snapshot()
    }

    /// Rings the pending calls with this call id now, whatever their time: from then on they
    /// are dialled, and a delete leaves them be.
    pub fn ring(&self, menuid: &str, callid: &str) {
        let mut state = lock(&self.shared.state);
        let now = sim::now_ms();
        let found = state
            .calls
            .with_callids(menuid, &[callid])
            .expect("the sandbox's call store is readable");
        for i in found {
            state.calls.ring_at(i, now);
        }
    }

    /// Names of the stored sound files.
    pub fn sound_files(&self) -> Vec<String> {
        lock(&self.shared.state).files.keys().cloned().collect()
    }

    /// How many POSTs to `/ivrapi.asp` have arrived (including faulted ones).
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// How many requests followed a redirect fault to the recorder (a client that follows
    /// redirects would re-post there).
    pub fn recorded(&self) -> u32 {
        self.shared.recorded.load(Ordering::SeqCst)
    }

    /// Call Summaries delivered so far, and given up on after every retry.
    pub fn summaries(&self) -> (u64, u64) {
        (
            self.shared.summaries_posted.load(Ordering::SeqCst),
            self.shared.summaries_failed.load(Ordering::SeqCst),
        )
    }

    /// A handle that stops this sandbox from elsewhere.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(Arc::clone(&self.shared))
    }

    /// Stops accepting, lets requests under way finish (closing idle connections) and joins
    /// the server's thread.
    pub fn shutdown(mut self) {
        self.shared.request_stop();
        self.join();
    }

    /// Blocks until the sandbox is stopped by a [`ShutdownHandle`] or `POST /_sandbox/shutdown`.
    pub fn wait(mut self) {
        self.join();
    }

    fn join(&mut self) {
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if self.acceptor.is_some() {
            self.shared.request_stop();
            self.join();
        }
    }
}

impl Shared {
    fn request_stop(&self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        drop(lock(&self.stop_lock));
        self.stop_cv.notify_all();
        self.stop.stop();
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Sleeps `d`, or less if the sandbox is stopping (for the summary thread; handlers use
    /// [`Stop::sleep`]).
    fn sleep(&self, d: Duration) {
        let guard = lock(&self.stop_lock);
        let _ = self
            .stop_cv
            .wait_timeout_while(guard, d, |_| !self.stopping());
    }

    fn persist(&self, state: &State) -> io::Result<()> {
        match &self.cfg.state_file {
            Some(path) => state.save(path, self.cfg.seed, self.cfg.success_rate, sim::now_ms()),
            None => Ok(()),
        }
    }

    /// Every call as a query would show it now. Outcomes are worked out as calls are read,
    /// never stored: they depend only on the seed, the call and its due time.
    fn snapshot(&self) -> Vec<SandboxCall> {
        let state = lock(&self.state);
        state
            .views(self.cfg.seed, self.cfg.success_rate, sim::now_ms())
            .expect("the sandbox's call store is readable")
    }

    /// Applies one post under the state lock and persists it before anyone replies.
    fn apply(&self, body: &[u8], request: u32) -> io::Result<String> {
        let mut state = lock(&self.state);
        let handled = api::handle(&self.cfg, &mut state, body, request, sim::now_ms())?;
        if handled.changed {
            self.persist(&state)?;
        }
        Ok(handled.reply)
    }
}

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

async fn route(shared: Arc<Shared>, reset: Resetter, request: Request<Incoming>) -> Reply {
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
