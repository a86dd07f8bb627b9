//! What the serving commands run with: `listen` (its credentials from the environment) and
//! `sandbox`.

use std::path::PathBuf;
use std::time::Duration;

use outdial::provider::ProviderName;
use outdial::results;
use outdial::results::listen::BasicAuth;

use crate::args::{self, LISTEN_CREDENTIAL_VARS, LISTEN_TOKEN_VAR};

/// What `listen` serves.
#[derive(Debug)]
pub struct Listen {
    /// Campaign files.
    pub files: Vec<PathBuf>,
    /// Where to listen.
    pub bind: std::net::SocketAddr,
    /// The results store.
    pub db: PathBuf,
    /// Largest body.
    pub max_body: usize,
    /// From OUTDIAL_LISTEN_USER / OUTDIAL_LISTEN_PASSWORD (Debug redacts them).
    pub basic: Option<BasicAuth>,
    /// From OUTDIAL_LISTEN_TOKEN, not yet checked.
    pub token: Option<Secret>,
    /// `--insecure-no-auth`.
    pub insecure_no_auth: bool,
    /// `--log-format json`: the log as JSON lines.
    pub json_log: bool,
}

/// A secret as given, whose Debug print never shows it.
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The local stand-in `sandbox` runs. Each provider's stand-in reads `faults` with its own
/// parser, so the spec is kept as given.
#[derive(Debug)]
pub struct Sandbox {
    /// Which provider's API.
    pub provider: ProviderName,
    /// Where to listen.
    pub addr: std::net::SocketAddr,
    /// Accepted calls kept across restarts (VoiceShot).
    pub state: Option<PathBuf>,
    /// Share of dialled calls answered (VoiceShot).
    pub success_rate: f64,
    /// From acceptance to an outcome.
    pub dial_delay: Duration,
    /// Injected faults.
    pub faults: String,
    /// Seed of the simulated outcomes (VoiceShot).
    pub seed: u64,
    /// Where to post Call Summaries (VoiceShot).
    pub summary_url: Option<String>,
}

impl Listen {
    /// What `listen` serves: the arguments, and the credentials and token from the
    /// environment.
    pub(super) fn from_env(a: args::ListenArgs) -> Listen {
        let db = a.db.unwrap_or_else(|| {
            a.files.first().map_or_else(
                || PathBuf::from(".outdial/results.db"),
                |f| results::default_db(f),
            )
        });
        let (user, password) = LISTEN_CREDENTIAL_VARS;
        let basic = match (std::env::var(user), std::env::var(password)) {
            (Ok(user), Ok(password)) if !user.is_empty() && !password.is_empty() => {
                Some(BasicAuth { user, password })
            }
            _ => None,
        };
        let token = std::env::var(LISTEN_TOKEN_VAR)
            .ok()
            .filter(|t| !t.is_empty())
            .map(Secret);
        Listen {
            files: a.files,
            bind: a.bind,
            db,
            max_body: a.max_body,
            basic,
            token,
            insecure_no_auth: a.insecure_no_auth,
            json_log: a.log_format == args::LogFormat::Json,
        }
    }
}

impl From<args::SandboxArgs> for Sandbox {
    fn from(a: args::SandboxArgs) -> Self {
        Sandbox {
            provider: match a.provider.as_str() {
                "voicent" => ProviderName::Voicent,
                "voipcomm" => ProviderName::Voipcomm,
                _ => ProviderName::Voiceshot,
            },
            addr: (std::net::Ipv4Addr::LOCALHOST, a.port).into(),
            state: a.calls_file,
            success_rate: a.success_rate,
            dial_delay: a.dial_delay,
            faults: a.faults,
            seed: a.seed,
            summary_url: a.summary_url,
        }
    }
}
