//! `completions` and `man`: generated from the clap definition, so they never drift from it.

use std::io;
use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::report::{Completions, ManPage, Message, Note};

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

/// Reports the man page of `command`, or outdial's own.
pub fn man(command: Option<&str>, out: &dyn Report) -> Result<(), Exit> {
    let page = match command {
        None => super::man::pages()
            .map(|pages| pages.into_iter().next())
            .map_err(|e| failed(&e, out))?,
        Some(command) => super::man::page_of(command).map_err(|e| failed(&e, out))?,
    };
    let Some(page) = page else {
        out.show(Message::Problem(
            &Problem::error(
                "usage::command",
                format!("there is no command {:?}", command.unwrap_or_default()),
            )
            .help("`outdial --help` lists the commands"),
        ));
        return Err(Exit::Usage);
    };
    emit(Message::Man(ManPage { roff: &page.roff }), out)
}

/// Writes `outdial.1` and `outdial-COMMAND.1` for every command into `dir`.
pub fn man_dir(dir: &Path, out: &dyn Report) -> Result<(), Exit> {
    let pages = super::man::pages().map_err(|e| failed(&e, out))?;
    std::fs::create_dir_all(dir).map_err(|e| failed(&e, out))?;
    for page in pages {
        let path = dir.join(&page.file);
        std::fs::write(&path, &page.roff).map_err(|e| {
            failed(
                &io::Error::new(e.kind(), format!("{}: {e}", path.display())),
                out,
            )
        })?;
        out.show(Message::Note(Note::WroteFile {
            what: "a man page",
            path: &path,
        }));
    }
    Ok(())
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
