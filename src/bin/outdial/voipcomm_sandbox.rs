//! `outdial sandbox --provider voipcomm`: the voip-communications.net stand-in on loopback.
//! Kept apart from `net.rs` so the hook into the command list stays a few lines.

use std::io::Write;
use std::time::Duration;

use outdial::diagnostic::Problem;
use outdial::provider::voipcomm::CREDENTIAL_VARS;
use outdial::provider::voipcomm::sandbox::{Faults, Sandbox, SandboxConfig};
use serde_json::json;

use crate::args::Format;
use crate::commands::Exit;
use crate::output::Output;

/// Serves until `POST /_sandbox/shutdown`. With `VOIPCOMM_API_KEY` and
/// `VOIPCOMM_API_PASSWORD` set, requests must carry them (Basic auth); the values are never
/// printed. `faults` is the VoiceShot sandbox's spec, read by the stand-in's own parser.
pub fn run(port: u16, dial_delay: Duration, faults: &impl std::fmt::Display, out: &Output) -> Exit {
    let faults: Faults = match faults.to_string().parse() {
        Ok(f) => f,
        Err(e) => {
            out.problem(&Problem::error("usage::faults", e.to_string()));
            return Exit::Usage;
        }
    };
    let credentials = match (
        std::env::var(CREDENTIAL_VARS.0),
        std::env::var(CREDENTIAL_VARS.1),
    ) {
        (Ok(key), Ok(password)) if !key.is_empty() && !password.is_empty() => Some((key, password)),
        _ => None,
    };
    let cfg = SandboxConfig {
        addr: (std::net::Ipv4Addr::LOCALHOST, port).into(),
        credentials,
        faults,
        dial_delay,
    };
    let sb = match Sandbox::start(cfg) {
        Ok(sb) => sb,
        Err(e) => {
            out.problem(
                &Problem::error("sandbox::start", format!("cannot start the sandbox: {e}"))
                    .help("pick another --port, or --port 0 for a free one"),
            );
            return Exit::Usage;
        }
    };
    if out.format() == Format::Json {
        out.event(&json!({"type": "sandbox", "url": sb.url()}));
    } else {
        // Scripts read this line to learn the port, so it is printed even with -q.
        let _ = writeln!(std::io::stdout().lock(), "{}", sb.url());
    }
    sb.wait();
    Exit::Ok
}
