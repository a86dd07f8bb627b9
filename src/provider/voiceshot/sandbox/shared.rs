//! What the server's handlers, the summary thread and the [`super::Sandbox`] handle share:
//! the configuration, the state under its lock, the counters, and the stop.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::api;
use super::call::SandboxCall;
use super::config::SandboxConfig;
use super::sim;
use super::state::State;
use crate::http_server::Stop;

/// The sandbox's state and counters.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) cfg: SandboxConfig,
    pub(super) addr: SocketAddr,
    pub(super) state: Mutex<State>,
    /// POSTs to /ivrapi.asp so far: the K of the fault spec.
    pub(super) requests: AtomicU32,
    /// Requests that followed a redirect to `/_sandbox/recorder`.
    pub(super) recorded: AtomicU32,
    pub(super) stopping: AtomicBool,
    /// Paired with `stop_cv` so the summary thread's waits end early on shutdown.
    pub(super) stop_lock: Mutex<()>,
    pub(super) stop_cv: Condvar,
    /// The server's stop, which also ends fault delays early.
    pub(super) stop: Stop,
    /// Call Summaries delivered, and given up on after every retry.
    pub(super) summaries_posted: AtomicU64,
    pub(super) summaries_failed: AtomicU64,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler thread must not take the whole sandbox (and the test) down with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(super) fn request_stop(&self) {
        if self.stopping.swap(true, Ordering::SeqCst) {
            return;
        }
        drop(lock(&self.stop_lock));
        self.stop_cv.notify_all();
        self.stop.stop();
    }

    pub(super) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Sleeps `d`, or less if the sandbox is stopping (for the summary thread; handlers use
    /// [`Stop::sleep`]).
    pub(super) fn sleep(&self, d: Duration) {
        let guard = lock(&self.stop_lock);
        let _ = self
            .stop_cv
            .wait_timeout_while(guard, d, |_| !self.stopping());
    }

    pub(super) fn persist(&self, state: &State) -> io::Result<()> {
        match &self.cfg.state_file {
            Some(path) => state.save(path, self.cfg.seed, self.cfg.success_rate, sim::now_ms()),
            None => Ok(()),
        }
    }

    /// Every call as a query would show it now. Outcomes are worked out as calls are read,
    /// never stored: they depend only on the seed, the call and its due time.
    pub(super) fn snapshot(&self) -> Vec<SandboxCall> {
        let state = lock(&self.state);
        state
            .views(self.cfg.seed, self.cfg.success_rate, sim::now_ms())
            .expect("the sandbox's call store is readable")
    }

    /// Applies one post under the state lock and persists it before anyone replies.
    pub(super) fn apply(&self, body: &[u8], request: u32) -> io::Result<String> {
        let mut state = lock(&self.state);
        let handled = api::handle(&self.cfg, &mut state, body, request, sim::now_ms())?;
        if handled.changed {
            self.persist(&state)?;
        }
        Ok(handled.reply)
    }
}
