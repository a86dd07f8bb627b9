//! `listen`'s log as JSON lines (`--log-format json`), through the JSON tracing layer that
//! [`crate::output::trace`] sets up.

use std::io::{self, Write};

use outdial::results::listen::ListenEvent;

/// `listen`'s log as JSON lines (`--log-format json`): each event a tracing event whose
/// fields are the event's own, written by the JSON layer [`crate::output::trace`] set up. The URL still
/// goes to stdout first, as in text, for whoever started the server to read.
pub fn event(event: &ListenEvent) {
    use tracing::{error, info, warn};
    match event {
        ListenEvent::Listening {
            url,
            db,
            campaigns,
            auth,
            token,
            connections,
        } => {
            let _ = writeln!(io::stdout().lock(), "{url}");
            let campaigns = campaigns.join(",");
            info!(
                event = "listening",
                url,
                store = db,
                campaigns,
                auth,
                token,
                connections
            );
        }
        ListenEvent::Stored {
            route,
            campaign,
            callid,
            fresh,
            verdict,
            command,
        } => info!(
            event = "stored",
            route,
            campaign,
            callid,
            fresh,
            verdict = verdict.unwrap_or_default(),
            command
        ),
        ListenEvent::Unmatched { route, callid, why } => {
            info!(event = "unmatched", route, callid, why);
        }
        ListenEvent::Recording { path, problem } => {
            let problem = problem.as_deref().unwrap_or_default();
            info!(event = "recording", path, problem);
        }
        ListenEvent::Rejected { route, status, why } if *status >= 500 => {
            error!(event = "rejected", route, status, why);
        }
        ListenEvent::Rejected { route, status, why } => {
            warn!(event = "rejected", route, status, why);
        }
        ListenEvent::Stopped { stored, rejected } => {
            info!(event = "stopped", stored, rejected);
        }
    }
}
