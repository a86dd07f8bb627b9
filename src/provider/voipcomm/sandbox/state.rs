//! What the stand-in's threads share: its configuration, the calls it took, the request
//! counters and the faults injected now.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU32;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::calls::SandboxCall;
use super::faults::Faults;
use crate::http_server::Stop;

/// How the stand-in behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen; default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// When set, requests must carry these as HTTP Basic credentials, else 401.
    pub credentials: Option<(String, String)>,
    /// Injected faults.
    pub faults: Faults,
    /// Time from acceptance to the end of an immediate call; default 200 ms.
    pub dial_delay: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: None,
            faults: Faults::default(),
            dial_delay: Duration::from_millis(200),
        }
    }
}

/// The state every request and the dialler read and change.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) cfg: SandboxConfig,
    pub(super) addr: SocketAddr,
    pub(super) calls: Mutex<Vec<SandboxCall>>,
    pub(super) requests: AtomicU32,
    /// The faults injected now, and how many requests they have numbered.
    pub(super) faults: Mutex<(Faults, u32)>,
    /// "METHOD path" of every list and delete request.
    pub(super) scheduled_requests: Mutex<Vec<String>>,
    pub(super) stop: Stop,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
