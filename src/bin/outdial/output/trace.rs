//! The tracing of a run on stderr (`-v`, `listen --log-format json`): the library's events,
//! not its messages.

use std::io::{self, IsTerminal};

/// Sends the library's tracing events to stderr, as many as `-v` asks for (none without it,
/// so stderr stays the diagnostics' own). Events of outdial itself only, up to `-vvv`.
/// `json` (`listen --log-format json`): as JSON lines with a timestamp, from the info level
/// on, so that `listen`'s log (see [`crate::listen_log`]) is written even without `-v`.
pub fn trace(verbose: u8, json: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let level = match verbose {
        0 if json => LevelFilter::INFO,
        0 => return,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let targets = if verbose >= 3 {
        Targets::new().with_default(level)
    } else {
        Targets::new().with_target("outdial", level)
    };
    if json {
        let layer = tracing_subscriber::fmt::layer()
            .json()
            .with_writer(io::stderr)
            .with_current_span(false)
            .with_span_list(false)
            .flatten_event(true)
            .with_target(false);
        let _ = tracing_subscriber::registry()
            .with(layer.with_filter(targets))
            .try_init();
        return;
    }
    let ansi =
        io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(io::stderr)
        .with_ansi(ansi)
        .without_time()
        .with_target(false);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
}
