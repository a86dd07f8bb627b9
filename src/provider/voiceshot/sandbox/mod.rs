//! A local VoiceShot-compatible server for demos, end-to-end and fault tests.
//!
//! It speaks HTTP/1.1 on a `std::net::TcpListener` (a thread per connection), takes raw XML
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
mod http;
mod sim;
mod state;
mod store;
mod summaries;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::io::{self, BufReader, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub use faults::{Faults, FaultsParseError};
pub use state::{CallStatus, SandboxCall, SandboxPrompt};

use http::{BodyKind, Head, HttpError};
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

/// How long a kept-alive connection may sit idle; bounds threads left by vanished clients.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

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
    /// Paired with `stop_cv` so fault delays end early on shutdown.
    stop_lock: Mutex<()>,
    stop_cv: Condvar,
    /// Call Summaries delivered, and given up on after every retry.
    summaries_posted: AtomicU64,
    summaries_failed: AtomicU64,
    /// A clone of every open connection, so shutdown can unblock their reads.
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
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
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            summaries_posted: AtomicU64::new(0),
            summaries_failed: AtomicU64::new(0),
        });
        if let Some(url) = shared.cfg.summary_url.clone() {
            summaries::start(&shared, url)?;
        }
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("sandbox-accept".into())
                .spawn(move || accept_loop(&shared, listener))?
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

    /// Stops accepting, closes open connections and joins every thread.
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
        // `accept` only returns on a connection, so make one.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Sleeps `d`, or less if the sandbox is stopping.
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

fn accept_loop(shared: &Arc<Shared>, listener: TcpListener) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else {
            // Out of descriptors and the like: back off instead of spinning.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
        lock(&shared.conns).insert(id, clone);
        workers.retain(|w| !w.is_finished());
        let worker_shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("sandbox-conn".into())
            .spawn(move || {
                serve_connection(&worker_shared, stream);
                lock(&worker_shared.conns).remove(&id);
            });
        match spawned {
            Ok(handle) => workers.push(handle),
            Err(_) => drop(lock(&shared.conns).remove(&id)),
        }
    }
    drop(listener);
    for conn in lock(&shared.conns).values() {
        let _ = conn.shutdown(Shutdown::Both);
    }
    for worker in workers {
        let _ = worker.join();
    }
}

/// What to do with the connection after a request.
enum Next {
    KeepAlive,
    Close,
    /// Close with RST instead of FIN.
    Reset,
}

fn serve_connection(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let next = match http::read_head(&mut reader) {
            Ok(Some(head)) if !shared.stopping() => route(shared, head, &mut reader, &mut writer),
            Ok(_) | Err(HttpError::Io) => Next::Close,
            Err(HttpError::Status(status, why)) => {
                let _ =
                    http::write_response(&mut writer, status, "text/plain", why.as_bytes(), false);
                Next::Close
            }
        };
        match next {
            Next::KeepAlive => continue,
            Next::Close => break,
            Next::Reset => {
                // SO_LINGER 0 makes the close send RST; every fd of the socket must go for
                // that to happen, including the registry's clone (removed by the caller).
                let _ = socket2::SockRef::from(&writer).set_linger(Some(Duration::ZERO));
                break;
            }
        }
    }
}

fn route(
    shared: &Shared,
    head: Head,
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Next {
    let keep = head.keep_alive;
    let reply = |w: &mut TcpStream, status: u16, ctype: &str, body: &[u8], keep: bool| {
        match http::write_response(w, status, ctype, body, keep) {
            Ok(()) if keep => Next::KeepAlive,
            _ => Next::Close,
        }
    };
    if head.path == "/ivrapi.asp" && head.method == "POST" {
        return post_ivrapi(shared, head, reader, writer);
    }
    // Other routes carry no meaningful body, but it must be consumed to keep the stream framed.
    match http::read_body(reader, head.body, shared.cfg.max_body) {
        Ok(_) => {}
        Err(HttpError::Status(status, why)) => {
            return reply(writer, status, "text/plain", why.as_bytes(), false);
        }
        Err(HttpError::Io) => return Next::Close,
    }
    match (head.method.as_str(), head.path.as_str()) {
        (_, "/ivrapi.asp") => reply(writer, 405, "text/plain", b"POST the XML document", keep),
        ("GET", "/_sandbox/calls") => {
            let body = serde_json::to_vec(&shared.snapshot()).unwrap_or_default();
            reply(writer, 200, "application/json", &body, keep)
        }
        ("GET", "/_sandbox/health") => {
            let calls = lock(&shared.state).calls.len();
            let mut body = serde_json::json!({
                "status": "ok",
                "requests": shared.requests.load(Ordering::SeqCst),
                "calls": calls,
            });
            // Summary counts only where summaries are posted at all.
            if shared.cfg.summary_url.is_some() {
                body["summaries_posted"] = shared.summaries_posted.load(Ordering::SeqCst).into();
                body["summaries_failed"] = shared.summaries_failed.load(Ordering::SeqCst).into();
            }
            reply(
                writer,
                200,
                "application/json",
                body.to_string().as_bytes(),
                keep,
            )
        }
        (_, "/_sandbox/recorder") => {
            // Where redirect faults point: anything arriving here followed a redirect.
            shared.recorded.fetch_add(1, Ordering::SeqCst);
            reply(
                writer,
                200,
                "text/xml",
                br#"<campaign errorid="0" comment="ok"/>"#,
                keep,
            )
        }
        ("POST", "/_sandbox/shutdown") => {
            let _ = http::write_response(writer, 200, "text/plain", b"stopping", false);
            shared.request_stop();
            Next::Close
        }
        _ => reply(writer, 404, "text/plain", b"not found", keep),
    }
}

fn post_ivrapi(
    shared: &Shared,
    head: Head,
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Next {
    let faults = &shared.cfg.faults;
    let k = shared.requests.fetch_add(1, Ordering::SeqCst) + 1;
    if faults.reset_before.contains(&k) {
        return Next::Reset;
    }
    if head.expect_continue
        && head.body != BodyKind::None
        && writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").is_err()
    {
        return Next::Close;
    }
    let body = match http::read_body(reader, head.body, shared.cfg.max_body) {
        Ok(body) => body,
        Err(HttpError::Status(status, why)) => {
            let _ = http::write_response(writer, status, "text/plain", why.as_bytes(), false);
            return Next::Close;
        }
        Err(HttpError::Io) => return Next::Close,
    };
    if faults.redirect.contains(&k) {
        let status = match faults.redirect_status {
            0 => 307,
            s => s,
        };
        let location = format!("http://{}/_sandbox/recorder", shared.addr);
        let _ = http::write_redirect(writer, status, &location);
        return Next::Close;
    }
    if faults.late.contains(&k) {
        shared.sleep(faults.late_by);
    }
    let (status, text) = if k <= faults.fail_first {
        (500, "simulated failure: nothing was stored".to_owned())
    } else {
        match shared.apply(&body, k) {
            Ok(_) if faults.drop_after.contains(&k) => return Next::Close,
            Ok(_) if faults.error_after.contains(&k) => {
                (500, "simulated failure after storing the post".to_owned())
            }
            Ok(_) if faults.garbage_after.contains(&k) => {
                (200, "<html><body>Service busy</body></html>".to_owned())
            }
            Ok(xml) => (200, xml),
            Err(e) => (500, format!("sandbox state could not be saved: {e}")),
        }
    };
    if !faults.delay.is_zero() {
        shared.sleep(faults.delay);
    }
    let ctype = if status == 200 {
        "text/xml"
    } else {
        "text/plain"
    };
    match http::write_response(writer, status, ctype, text.as_bytes(), head.keep_alive) {
        Ok(()) if head.keep_alive => Next::KeepAlive,
        _ => Next::Close,
    }
}
