//! `completions` and `man`: generated from the clap definition, so they never drift from it.

use std::io::{self, Write};

use outdial::diagnostic::Problem;
use outdial::report::Message;

use crate::args;
use crate::exit::Exit;
use crate::output::Report;

/// Writes the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell, out: &dyn Report) -> Result<(), Exit> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut args::command(), "outdial", &mut script);
    emit(&script, out)
}

/// Writes the man page (roff) to stdout.
pub fn man(out: &dyn Report) -> Result<(), Exit> {
    let mut page = Vec::new();
    clap_mangen::Man::new(args::command())
        .render(&mut page)
        .map_err(|e| failed(&e, out))?;
    emit(&page, out)
}

fn emit(bytes: &[u8], out: &dyn Report) -> Result<(), Exit> {
    match io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(failed(&e, out)),
        _ => Ok(()),
    }
}

fn failed(e: &io::Error, out: &dyn Report) -> Exit {
    out.show(Message::Problem(&Problem::error(
        "output::write",
        format!("cannot write: {e}"),
    )));
    Exit::Invalid
}
