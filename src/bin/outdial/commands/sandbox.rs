//! `sandbox`: a local provider-compatible server; serves until killed or
//! `POST /_sandbox/shutdown`.

use outdial::diagnostic::Problem;
use outdial::provider::voiceshot::sandbox::{Sandbox, SandboxConfig};
use outdial::report::{Message, SandboxUrl};

use crate::exit::Exit;
use crate::output::Report;

/// Starts the sandbox, reports its URL and serves.
pub fn run(config: &SandboxConfig, out: &dyn Report) -> Result<(), Exit> {
    let sandbox = Sandbox::start(config.clone()).map_err(|e| {
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
