//! A local Voicent-compatible Call Scheduler for tests and demos: the three handlers,
//! reqIds, attempts over time, IVR responses, selfdelete, removal, and injected faults.
//!
//! Outcomes are decided by the last digit of the number dialled, so tests can pick them:
//! 0–5 made ("Call succeeded"; an IVR call answers `confirm=1`), 6 made on an answering
//! machine, 7 a retry ("No answer. Try in 1 minute ") then made, 8 failed ("Line Busy"),
//! 9 failed ("No Answer"). A call is due `calltime` sandbox minutes after its request
//! ([`SandboxConfig::minute`]); each attempt takes [`SandboxConfig::dial_delay`].

mod faults;
mod server;

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use faults::{Faults, FaultsParseError, Route};

use crate::http_server::Stop;

/// How the sandbox behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// How long a gateway minute (`calltime`) lasts here.
    pub minute: Duration,
    /// How long one attempt takes from the moment the call is due.
    pub dial_delay: Duration,
    /// Injected faults.
    pub faults: Faults,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: (std::net::Ipv4Addr::LOCALHOST, 0).into(),
            minute: Duration::from_secs(60),
            dial_delay: Duration::from_secs(2),
            faults: Faults::default(),
        }
    }
}

/// A call request the sandbox took (kept after removal, for tests to count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The reqId it got.
    pub reqid: String,
    /// `phoneno` as sent.
    pub phoneno: String,
    /// The form fields as received, in order.
    pub form: Vec<(String, String)>,
}

impl Taken {
    /// The value of form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
struct Record {
    taken: Taken,
    due: Instant,
    selfdelete: bool,
    ivr: bool,
    /// The wall-clock minute of the request, as the gateway writes times.
    requested: String,
}

#[derive(Debug, Default)]
struct State {
    records: BTreeMap<u64, Record>,
    taken: Vec<Taken>,
    call_requests: u32,
    last_reqid: u64,
    /// The faults injected now, and how many requests they have numbered.
    faults: Faults,
    faulted: u32,
}

/// A running sandbox; stops when dropped.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Stop,
    thread: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds and starts serving on a background thread.
    pub fn start(cfg: SandboxConfig) -> io::Result<Sandbox> {
        let listener = std::net::TcpListener::bind(cfg.addr)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            faults: cfg.faults.clone(),
            ..State::default()
        }));
        let stop = Stop::default();
        let thread = server::spawn(listener, cfg, Arc::clone(&state), stop.clone())?;
        Ok(Sandbox {
            addr,
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// The gateway's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every call request taken, in order, including removed ones.
    pub fn taken(&self) -> Vec<Taken> {
        self.state.lock().expect("sandbox state").taken.clone()
    }

    /// How many call requests arrived (taken or not).
    pub fn call_requests(&self) -> u32 {
        self.state.lock().expect("sandbox state").call_requests
    }

    /// Injects `faults` from now on, numbering requests from 1 again (the calls already
    /// taken stay): a test sets up clean, then faults what follows.
    pub fn inject(&self, faults: Faults) {
        let mut state = self.state.lock().expect("sandbox state");
        state.faults = faults;
        state.faulted = 0;
    }

    /// How many requests the faults have numbered since the start or the last
    /// [`inject`](Self::inject).
    pub fn numbered(&self) -> u32 {
        self.state.lock().expect("sandbox state").faulted
    }

    /// The reqIds of records still held.
    pub fn records(&self) -> Vec<String> {
        let state = self.state.lock().expect("sandbox state");
        state.records.keys().map(u64::to_string).collect()
    }

    /// Serves until the process ends or [`Sandbox::stop`] is called from elsewhere.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops serving.
    pub fn stop(&self) {
        self.stop.stop();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `YYYY M D H m` with the month counted from 0, as the gateway's Java `Calendar` writes it.
fn gateway_time(at: jiff::Timestamp) -> String {
    let t = at.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{} {} {} {} {}",
        t.year(),
        t.month() - 1,
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// One attempt record: ten fields, each ending in `^`.
fn record(status: &str, at: &str, requested: &str, reason: &str, responses: &str) -> String {
    format!("0^null^{status}^{at}^{requested}^{reason}^^^{responses}^^")
}

impl State {
    /// The status page of `reqid` at `now`, deleting self-deleting records once final.
    fn status(&mut self, reqid: u64, now: Instant, dial: Duration) -> String {
        let Some(r) = self.records.get(&reqid) else {
            return format!("ERROR: no such call record: {reqid}");
        };
        let wall = |at: Instant| {
            let ago = now.saturating_duration_since(at);
            gateway_time(
                jiff::Timestamp::now() - jiff::SignedDuration::try_from(ago).unwrap_or_default(),
            )
        };
        let first = r.due + dial;
        if now < first {
            return "<html><body>[\n]</body></html>".into();
        }
        let digit = r.taken.phoneno.bytes().last().unwrap_or(b'0');
        let answer = if r.ivr { "confirm=1" } else { "" };
        let mut attempts = Vec::new();
        let final_ = match digit {
            b'6' => {
                attempts.push(record(
                    "made",
                    &wall(first),
                    &r.requested,
                    "Message left on answering machine",
                    "",
                ));
                true
            }
            b'7' => {
                attempts.push(record(
                    "retry",
                    &wall(first),
                    &r.requested,
                    "No answer. Try in 1 minute ",
                    "",
                ));
                let second = first + dial;
                if now >= second {
                    attempts.push(record(
                        "made",
                        &wall(second),
                        &r.requested,
                        "Call succeeded",
                        answer,
                    ));
                    true
                } else {
                    false
                }
            }
            b'8' => {
                attempts.push(record(
                    "failed",
                    &wall(first),
                    &r.requested,
                    "Line Busy",
                    "",
                ));
                true
            }
            b'9' => {
                attempts.push(record(
                    "failed",
                    &wall(first),
                    &r.requested,
                    "No Answer",
                    "",
                ));
                true
            }
            _ => {
                attempts.push(record(
                    "made",
                    &wall(first),
                    &r.requested,
                    "Call succeeded",
                    answer,
                ));
                true
            }
        };
        if final_ && r.selfdelete {
            self.records.remove(&reqid);
            return format!("ERROR: no such call record: {reqid}");
        }
        format!("<html><body>[{}\n]</body></html>", attempts.concat())
    }
}
