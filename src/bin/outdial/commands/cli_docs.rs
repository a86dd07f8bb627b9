//! `completions` and `man`: generated from the clap definition, so they never drift from it.

use std::io;

use outdial::diagnostic::Problem;
use outdial::report::{Completions, ManPage, Message};

use crate::args;
use crate::exit::Exit;
use crate::output::Report;

/// Reports the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell, out: &dyn Report) -> Result<(), Exit> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut args::command(), "outdial", &mut script);
    let script = String::from_utf8_lossy(&script);
    emit(
        Message::Completions(Completions {
            shell: &shell.to_string(),
            script: &script,
        }),
        out,
    )
}

/// Reports the man page (roff).
pub fn man(out: &dyn Report) -> Result<(), Exit> {
    let mut page = Vec::new();
    clap_mangen::Man::new(args::command())
        .render(&mut page)
        .map_err(|e| failed(&e, out))?;
    let roff = String::from_utf8_lossy(&page);
    emit(Message::Man(ManPage { roff: &roff }), out)
}

/// The generated text is the product: failing to write it fails the command (a closed pipe
/// aside, as for `outdial man | head`).
fn emit(message: Message<'_>, out: &dyn Report) -> Result<(), Exit> {
    match out.report(message) {
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
