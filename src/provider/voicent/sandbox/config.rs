//! How the sandbox behaves: where it listens, how long its minutes and attempts last, and
//! the faults it injects.

use std::net::SocketAddr;
use std::time::Duration;

use super::faults::Faults;

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
