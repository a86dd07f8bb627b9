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
mod call;
mod config;
mod faults;
mod server;
mod shared;
mod sim;
mod state;
mod store;
mod summaries;
#[cfg(test)]
mod tests;

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

pub use call::{CallStatus, SandboxCall, SandboxPrompt};
pub use config::SandboxConfig;
pub use faults::{Faults, FaultsParseError};

use crate::http_server::{self, Stop};
use server::{LIMITS, route};
use shared::{Shared, lock};
use state::State;

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
