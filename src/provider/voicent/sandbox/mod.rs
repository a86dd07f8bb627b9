//! A local Voicent-compatible Call Scheduler for tests and demos: the three handlers,
//! reqIds, attempts over time, IVR responses, selfdelete, removal, and injected faults.
//!
//! Outcomes are decided by the last digit of the number dialled, so tests can pick them:
//! 0–5 made ("Call succeeded"; an IVR call answers `confirm=1`), 6 made on an answering
//! machine, 7 a retry ("No answer. Try in 1 minute ") then made, 8 failed ("Line Busy"),
//! 9 failed ("No Answer"). A call is due `calltime` sandbox minutes after its request
//! ([`SandboxConfig::minute`]); each attempt takes [`SandboxConfig::dial_delay`].

mod config;
mod faults;
mod records;
mod server;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub use config::SandboxConfig;
pub use faults::{Faults, FaultsParseError, Route};
pub use records::Taken;

use crate::http_server::Stop;
use records::State;

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
