//! How a sandbox behaves: where it listens, its state file, its outcomes, faults and
//! credentials.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use super::faults::Faults;

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
