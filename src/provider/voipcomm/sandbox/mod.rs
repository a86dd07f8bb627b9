//! A local stand-in for the voip-communications.net make-calls API, for demos, end-to-end
//! and fault tests. Loopback only.
//!
//! - `POST /api-v2/index.php/pcall/call`: Basic auth (when credentials are configured), the
//!   page's validation (HTTP 400 with `code_desc`), JSON replies with unique callids.
//! - `GET|POST /api-v2/index.php/pcall/scheduled`: the scheduled calls,
//!   `{"data": [{"callid", "to", "call_date"}]}`; `GET|POST …/pcall/scheduled/delete` with
//!   `callid=…` (in the query or a form body) deletes one. Both requests are recorded with
//!   their method ([`Sandbox::scheduled_requests`]). The vendor documents that these exist but not their shape: these
//!   paths and shapes are the stand-in's assumption, which outdial's settings point at.
//! - Calls without `call_date` end after `dial_delay` with an outcome chosen by the last digit
//!   of `to` (7: machine, 8: no answer, 9: busy, else a person), then the stand-in POSTs
//!   `callid`, `to`, `status` (Person, Machine, NoAnswer, Busy) and `billed_seconds` as a form
//!   to the call's `callback_url` (loopback URLs only; the shape `listen` reads, see
//!   [`super::callback`]), retrying a failed post a few times. Scheduled calls wait until
//!   deleted.
//! - `GET /_sandbox/calls` (JSON array of [`SandboxCall`]), `POST /_sandbox/shutdown`.
//!
//! Every call is stored before any reply is written, so a fault after that point leaves the
//! client exactly the ambiguity a real one faces.

mod api;
mod calls;
mod dialler;
mod faults;
mod server;
mod state;
mod validate;

use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

pub use calls::{CallStatus, Outcome, SandboxCall};
pub use faults::{Faults, FaultsParseError, Route};
pub use server::{CALL_PATH, DELETE_PATH, LIST_PATH};
pub use state::SandboxConfig;

use crate::http_server::{self, Stop};
use dialler::dial_loop;
use server::{LIMITS, serve};
use state::{Shared, lock};

/// A running stand-in. Dropping it shuts it down.
#[derive(Debug)]
pub struct Sandbox {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds the listener and starts serving.
    pub fn start(cfg: SandboxConfig) -> io::Result<Sandbox> {
        let listener = TcpListener::bind(cfg.addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults: Mutex::new((cfg.faults.clone(), 0)),
            cfg,
            addr,
            calls: Mutex::new(Vec::new()),
            requests: AtomicU32::new(0),
            scheduled_requests: Mutex::new(Vec::new()),
            stop: Stop::default(),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            // Faults can be injected after the start (`inject`): every connection can be
            // reset.
            let resets = true;
            let stop = shared.stop.clone();
            http_server::spawn(
                "voipcomm-http",
                listener,
                LIMITS,
                resets,
                stop,
                move |reset, request| serve(Arc::clone(&shared), reset, request),
            )?
        };
        let dialler = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("voipcomm-dial".into())
                .spawn(move || dial_loop(&shared))?
        };
        Ok(Sandbox {
            shared,
            threads: vec![acceptor, dialler],
        })
    }

    /// The make-calls URL, `http://127.0.0.1:PORT/api-v2/index.php/pcall/call`.
    pub fn url(&self) -> String {
        self.url_of(CALL_PATH)
    }

    /// The URL of `path` on this stand-in.
    pub fn url_of(&self, path: &str) -> String {
        format!("http://{}{path}", self.shared.addr)
    }

    /// Every call accepted so far, in order.
    pub fn calls(&self) -> Vec<SandboxCall> {
        lock(&self.shared.calls).clone()
    }

    /// "METHOD path" of every scheduled-call list and delete request so far, in order.
    pub fn scheduled_requests(&self) -> Vec<String> {
        lock(&self.shared.scheduled_requests).clone()
    }

    /// Injects `faults` from now on, numbering requests from 1 again (the calls already
    /// taken stay): a test sets up clean, then faults what follows.
    pub fn inject(&self, faults: Faults) {
        *lock(&self.shared.faults) = (faults, 0);
    }

    /// How many requests the faults have numbered since the start or the last
    /// [`inject`](Self::inject).
    pub fn numbered(&self) -> u32 {
        lock(&self.shared.faults).1
    }

    /// How many make-calls POSTs have arrived (faulted ones included).
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Blocks until `POST /_sandbox/shutdown`.
    pub fn wait(mut self) {
        self.join();
    }

    fn join(&mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.shared.stop.stop();
            self.join();
        }
    }
}
