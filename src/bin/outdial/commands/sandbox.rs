//! `sandbox`: a local stand-in of a provider; serves until killed or
//! `POST /_sandbox/shutdown`. The one module that starts the providers' stand-ins.

use std::io;

use outdial::diagnostic::Problem;
use outdial::provider::{ProviderName, voicent, voiceshot, voipcomm};
use outdial::report::{Message, SandboxUrl};

use crate::config::Sandbox;
use crate::exit::Exit;
use crate::output::Report;

/// A stand-in that is serving.
trait Serving {
    fn url(&self) -> String;
    fn wait(self: Box<Self>);
}

macro_rules! serving {
    ($($t:ty),*) => {$(
        impl Serving for $t {
            fn url(&self) -> String {
                <$t>::url(self)
            }
            fn wait(self: Box<Self>) {
                <$t>::wait(*self)
            }
        }
    )*};
}
serving!(
    voiceshot::sandbox::Sandbox,
    voicent::sandbox::Sandbox,
    voipcomm::sandbox::Sandbox
);

/// Starts the provider's stand-in, reports its URL and serves.
pub fn run(config: &Sandbox, out: &dyn Report) -> Result<(), Exit> {
    let started = match config.provider {
        ProviderName::Voiceshot => start_voiceshot(config, out)?,
        ProviderName::Voicent => start_voicent(config, out)?,
        ProviderName::Voipcomm => start_voipcomm(config, out)?,
    };
    let sandbox = started.map_err(|e| {
        out.show(Message::Problem(
            &Problem::error("sandbox::start", format!("cannot start the sandbox: {e}"))
                .help("pick another --port, or --port 0 for a free one"),
        ));
        Exit::Usage
    })?;
    out.show(Message::Sandbox(SandboxUrl {
        url: &sandbox.url(),
    }));
    sandbox.wait();
    Ok(())
}

type Started = io::Result<Box<dyn Serving>>;

/// `--faults` read by the stand-in's own parser; a spec it does not take is a usage error.
fn faults<F: std::str::FromStr>(spec: &str, out: &dyn Report) -> Result<F, Exit>
where
    F::Err: std::fmt::Display,
{
    spec.parse().map_err(|e: F::Err| {
        out.show(Message::Problem(&Problem::error(
            "usage::faults",
            e.to_string(),
        )));
        Exit::Usage
    })
}

fn start_voiceshot(config: &Sandbox, out: &dyn Report) -> Result<Started, Exit> {
    use voiceshot::sandbox::{Sandbox, SandboxConfig};
    let cfg = SandboxConfig {
        addr: config.addr,
        state_file: config.state.clone(),
        success_rate: config.success_rate,
        dial_delay: config.dial_delay,
        seed: config.seed,
        faults: faults(&config.faults, out)?,
        summary_url: config.summary_url.clone(),
        credentials: env_credentials(ProviderName::Voiceshot),
        ..SandboxConfig::default()
    };
    Ok(Sandbox::start(cfg).map(|s| Box::new(s) as Box<dyn Serving>))
}

fn start_voicent(config: &Sandbox, out: &dyn Report) -> Result<Started, Exit> {
    use voicent::sandbox::{Sandbox, SandboxConfig};
    let cfg = SandboxConfig {
        addr: config.addr,
        dial_delay: config.dial_delay,
        faults: faults(&config.faults, out)?,
        ..SandboxConfig::default()
    };
    Ok(Sandbox::start(cfg).map(|s| Box::new(s) as Box<dyn Serving>))
}

/// The provider's credentials when both of its variables are set: a stand-in given them
/// refuses requests that do not carry them, so that an authentication failure can be
/// rehearsed. The values are never printed.
fn env_credentials(provider: ProviderName) -> Option<(String, String)> {
    let (user, pass) = provider.credential_vars()?;
    match (std::env::var(user), std::env::var(pass)) {
        (Ok(user), Ok(password)) if !user.is_empty() && !password.is_empty() => {
            Some((user, password))
        }
        _ => None,
    }
}

/// With the provider's credential variables set, requests must carry them (Basic auth).
fn start_voipcomm(config: &Sandbox, out: &dyn Report) -> Result<Started, Exit> {
    use voipcomm::sandbox::{Sandbox, SandboxConfig};
    let cfg = SandboxConfig {
        addr: config.addr,
        credentials: env_credentials(ProviderName::Voipcomm),
        faults: faults(&config.faults, out)?,
        dial_delay: config.dial_delay,
    };
    Ok(Sandbox::start(cfg).map(|s| Box::new(s) as Box<dyn Serving>))
}
