//! Where the journal lives: a path that cannot hold one is refused with what to do, before
//! the journal is read or opened.

use std::fs;
use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::journal::{self, JournalError, JournalState, LinesAt};
use outdial::prepared::Prepared;
use outdial::report::Message;
use outdial::state::StateLocation;

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Where state is kept (`--state`), or the problem reported.
pub fn location(config: &Config, out: &dyn Report) -> Result<StateLocation, Exit> {
    config.state().map_err(|e| {
        out.show(Message::Problem(&Problem::error(
            "state::location",
            e.to_string(),
        )));
        Exit::from(&e)
    })
}

/// The state store a command needs (`state push`, `state pull`): refused with what to do when
/// `--state` names none.
pub fn store(config: &Config, out: &dyn Report) -> Result<outdial::state::PgLocation, Exit> {
    match location(config, out)? {
        StateLocation::Postgres(pg) => Ok(*pg),
        StateLocation::Local => {
            out.show(Message::Problem(
                &Problem::error(
                    "state::none",
                    "this command copies between the local journal and a state store, and none is named",
                )
                .help("give --state postgres://USER@HOST/DB, or set OUTDIAL_STATE"),
            ));
            Err(Exit::Usage)
        }
    }
}

/// Refuses (exit 5) a campaign with a call id given by hand that another campaign already
/// posted to its provider, naming each; exit 4 when the state store cannot be read. What
/// `send` refuses with, and `plan` and `check` show: one computation for all three.
pub fn refuse_callids_elsewhere(
    campaign: &Prepared,
    state: &StateLocation,
    out: &dyn Report,
) -> Result<(), Exit> {
    use outdial::state::callids::{self, GuardError};
    match callids::find(campaign, state) {
        Ok(clashes) => match clashes.problem(campaign) {
            Some(problem) => {
                out.show(Message::Problem(&problem));
                Err(Exit::Refused)
            }
            None => Ok(()),
        },
        Err(GuardError::Store(e)) => {
            out.show(Message::Problem(
                &Problem::error(
                    "state::callid-elsewhere",
                    format!("call ids cannot be compared with other campaigns': {e}"),
                )
                .help("run again once the state store is reachable; nothing was sent"),
            ));
            Err(Exit::from(&e))
        }
        Err(GuardError::Plan(problem)) => {
            out.show(Message::Problem(&problem));
            Err(Exit::Invalid)
        }
    }
}

/// Reports a refused `state push` / `pull` and gives its exit code: the store unreachable is
/// 4, like the network; anything else (a conflict, a damaged journal) 1.
pub fn transfer_failed(e: &outdial::journal::TransferError, out: &dyn Report) -> Exit {
    use outdial::journal::TransferError;
    let help = match e {
        TransferError::Conflict { .. } => {
            "the two journals record different sends of this campaign: keep the one that is right (see `outdial plan`), move the other aside, and copy again"
        }
        TransferError::Journal(JournalError::Store(_)) => {
            "run again once the state store is reachable; nothing was changed that a re-run does not finish"
        }
        _ => "the journal records what was sent; see `--journal`",
    };
    out.show(Message::Problem(
        &Problem::error("state::transfer", e.to_string()).help(help),
    ));
    match e {
        TransferError::Journal(JournalError::Store(s)) => Exit::from(s),
        _ => Exit::Invalid,
    }
}

/// The journal's state of `campaign` sent to `endpoint`: the file at `path`, or the
/// campaign's journal in the state store; read without locking.
pub fn read_at(
    state: &StateLocation,
    path: &Path,
    campaign: &Prepared,
    endpoint: &str,
    help: Option<&str>,
    out: &dyn Report,
) -> Result<JournalState, Exit> {
    let StateLocation::Postgres(pg) = state else {
        return read(path, help, out);
    };
    let provider = campaign.provider().name();
    let state =
        journal::read_state_in_store(pg, &campaign.name, provider, endpoint).map_err(|e| {
            let mut problem = Problem::error("journal::read", e.to_string());
            if let Some(help) = help {
                problem = problem.help(help);
            }
            out.show(Message::Problem(&problem));
            match &e {
                JournalError::Store(e) => Exit::from(e),
                _ => Exit::Invalid,
            }
        })?;
    // Nothing in the store, a file here: a campaign sent before the store was named. Reading
    // it is safe (a `send` refuses instead, through the missing-journal guard).
    if state.lines() == 0 && path.is_file() {
        return read(path, help, out);
    }
    Ok(state)
}

/// Where the journal [`read_at`] reads is read again (for the old side of the calls a plan
/// shows): the file, or the campaign's journal in the state store. (A campaign whose journal
/// `read_at` took from the file, the store having none, shows no old sides.)
pub fn lines_at<'a>(
    state: &'a StateLocation,
    path: &'a Path,
    campaign: &Prepared,
    endpoint: &str,
) -> LinesAt<'a> {
    match state {
        StateLocation::Postgres(pg) => {
            LinesAt::in_store(pg, &campaign.name, campaign.provider().name(), endpoint)
        }
        _ => LinesAt::File(path),
    }
}

/// Why `path` cannot be a journal, if it cannot: a folder on its way is a file (`.outdial`
/// left as a file, say), or the path itself is not a regular file (`/dev/null`, a FIFO, a
/// folder).
pub fn unusable(path: &Path) -> Option<Problem> {
    for dir in path.ancestors().skip(1) {
        if dir.as_os_str().is_empty() {
            break;
        }
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                return Some(
                    Problem::error(
                        "journal::folder",
                        format!(
                            "{} is a file, not a folder, so the journal {} cannot be kept in it",
                            dir.display(),
                            path.display()
                        ),
                    )
                    .help(format!(
                        "move or rename the file {} (outdial creates the folder), or keep the journal elsewhere with --journal PATH",
                        dir.display()
                    )),
                );
            }
            Err(_) => {}
        }
    }
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Some(
            Problem::error(
                "journal::not-a-file",
                format!(
                    "journal {} is not a regular file (it is a {}): it cannot keep the record of what was sent, so a re-run could call people twice",
                    path.display(),
                    if meta.is_dir() { "folder" } else { "device, FIFO or socket" }
                ),
            )
            .help("point --journal at a regular file (created if missing), or leave --journal out to keep it in .outdial/ next to the campaign file"),
        ),
        _ => None,
    }
}

/// Reports why `path` cannot be a journal, if it cannot.
pub fn ensure_usable(path: &Path, out: &dyn Report) -> Result<(), Exit> {
    match unusable(path) {
        Some(problem) => {
            out.show(Message::Problem(&problem));
            Err(Exit::Invalid)
        }
        None => Ok(()),
    }
}

/// The journal's state at `path`, read without locking (so it works during a send); `help`
/// is the advice when it cannot be read.
pub fn read(path: &Path, help: Option<&str>, out: &dyn Report) -> Result<JournalState, Exit> {
    ensure_usable(path, out)?;
    journal::read_state(path).map_err(|e| {
        let mut problem = Problem::error("journal::read", e.to_string());
        if let Some(help) = help {
            problem = problem.help(help);
        }
        out.show(Message::Problem(&problem));
        Exit::Invalid
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_way_or_a_device_is_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join(".outdial");
        fs::write(&blocker, "").unwrap();
        let problem = unusable(&blocker.join("c.jsonl")).expect("refused");
        assert_eq!(problem.code(), "journal::folder");
        assert!(problem.message().contains("is a file, not a folder"));
        let problem = unusable(Path::new("/dev/null")).expect("refused");
        assert_eq!(problem.code(), "journal::not-a-file");
        assert!(unusable(dir.path()).is_some(), "a folder is no journal");
        assert!(unusable(&dir.path().join("new/c.jsonl")).is_none());
        assert!(unusable(Path::new("c.jsonl")).is_none());
    }
}
