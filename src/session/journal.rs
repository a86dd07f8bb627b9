//! Where a session's journal lives and how it is read, opened and guarded: the local file or
//! the campaign's journal in the state store; a path that cannot hold one is refused with
//! what to do, before the journal is read or opened.

use std::fs;
use std::path::Path;

use super::error::{Error, Kind};
use super::value::{Session, Sink};
use crate::diagnostic::Problem;
use crate::journal::{self, Journal, JournalError, JournalState, LinesAt};
use crate::prepared::Prepared;
use crate::provider::Lookup;
use crate::report::{Message, Settled};
use crate::state::StateLocation;

impl Session {
    /// The journal's state, read without locking (so it works during a send); `help` is the
    /// advice when it cannot be read.
    pub fn journal_state(&self, help: Option<&str>) -> Result<JournalState, Error> {
        let campaign = &self.campaign;
        let path = &self.settings.journal;
        let StateLocation::Postgres(pg) = &self.settings.state else {
            return read(path, help);
        };
        let provider = campaign.provider().name();
        let endpoint = self.first_endpoint();
        let state =
            journal::read_state_in_store(pg, &campaign.name, provider, &endpoint).map_err(|e| {
                let problem = with_help(Problem::error("journal::read", e.to_string()), help);
                match e {
                    JournalError::Store(e) => Error::problem(problem, Kind::State(e)),
                    _ => Error::problem(problem, Kind::Invalid),
                }
            })?;
        // Nothing in the store, a file here: a campaign sent before the store was named.
        // Reading it is safe (a `send` refuses instead, through the missing-journal guard).
        if state.lines() == 0 && path.is_file() {
            return read(path, help);
        }
        Ok(state)
    }

    /// Where the journal [`Session::journal_state`] reads is read again (for the old side of
    /// the calls a plan shows): the file, or the campaign's journal in the state store. (A
    /// campaign whose journal was taken from the file, the store having none, shows no old
    /// sides.)
    pub fn lines_at(&self) -> LinesAt<'_> {
        let campaign = &self.campaign;
        match &self.settings.state {
            StateLocation::Postgres(pg) => LinesAt::in_store(
                pg,
                &campaign.name,
                campaign.provider().name(),
                &self.first_endpoint(),
            ),
            _ => LinesAt::File(&self.settings.journal),
        }
    }

    /// `resolve`: settles calls in doubt in the journal from what a person found in the
    /// provider's own records (`sent` found, `not_sent` not found: only of posts at least
    /// `settle` old). Emits what was settled.
    pub fn resolve(
        &self,
        sent: &[String],
        not_sent: &[String],
        settle: std::time::Duration,
        sink: Sink<'_>,
    ) -> Result<(), Error> {
        let mut journal = self.open_journal()?;
        let clock = crate::submit::SettleClock {
            now: self.now(),
            settle,
        };
        match crate::submit::settle(&mut journal, sent, not_sent, clock) {
            Ok(settled) => {
                sink(Message::Settled(Settled {
                    campaign: &self.campaign.name,
                    sent: settled.sent,
                    not_sent: settled.not_sent,
                    in_doubt: journal.state().in_doubt(),
                }));
                Ok(())
            }
            Err(e) => {
                let in_doubt = journal.state().in_doubt();
                let help = if in_doubt.is_empty() {
                    "the journal has no calls in doubt".to_string()
                } else {
                    format!("calls in doubt: {}", in_doubt.join(" "))
                };
                Err(Error::problem(
                    Problem::error("resolve::refused", e.to_string()).help(help),
                    Kind::Usage,
                ))
            }
        }
    }

    /// Opens and locks the campaign's journal (the file, or the campaign's in the state
    /// store); a journal that was changed by hand is refused with what to do about it, which
    /// depends on whether the provider can be asked.
    pub(crate) fn open_journal(&self) -> Result<Journal, Error> {
        let (campaign, path) = (&self.campaign, &self.settings.journal);
        let provider = campaign.provider();
        let endpoint = self.first_endpoint();
        let opened = match &self.settings.state {
            StateLocation::Local => {
                ensure_usable(path)?;
                Journal::open(path, &campaign.name, provider.name(), &endpoint)
            }
            StateLocation::Postgres(pg) => {
                Journal::open_in_store(pg, &campaign.name, provider.name(), &endpoint)
            }
        };
        opened.map_err(|e| {
            let problem =
                Problem::error("journal::open", e.to_string()).help(open_help(&e, campaign));
            match e {
                JournalError::Store(e) => Error::problem(problem, Kind::State(e)),
                _ => Error::problem(problem, Kind::Invalid),
            }
        })
    }
}

/// What to do about a journal that cannot be opened.
fn open_help(e: &JournalError, campaign: &Prepared) -> String {
    let provider = campaign.provider();
    let name = provider.name().display();
    match (e, provider.lookup()) {
        (JournalError::Tampered { .. }, Lookup::ByCallId { .. }) => format!(
            "move the journal aside (rename it) and run again: outdial then asks {name} which calls it already holds and sends only the others"
        ),
        (JournalError::Tampered { .. }, Lookup::None) => format!(
            "{name} cannot be asked which calls it holds: restore the journal from a backup, or check the calls in {name}'s own records before sending again"
        ),
        (JournalError::Store(_), _) => {
            "nothing was sent; run the command again once the state store is reachable".to_string()
        }
        (JournalError::StoreBusy { .. } | JournalError::CampaignBusy { .. }, _) => {
            "wait for the other send to finish, then run again: it resumes from the journal"
                .to_string()
        }
        _ => "the journal records what was sent; see `--journal`".to_string(),
    }
}

fn with_help(problem: Problem, help: Option<&str>) -> Problem {
    match help {
        Some(help) => problem.help(help),
        None => problem,
    }
}

/// Refuses a campaign with a call id given by hand that another campaign already posted to
/// its provider, naming each ([`Kind::Refused`]); [`Kind::State`] when the state store cannot
/// be read. What `send` refuses with, and `plan` and `check` show: one computation for all
/// three.
pub fn refuse_callids_elsewhere(campaign: &Prepared, state: &StateLocation) -> Result<(), Error> {
    use crate::state::callids::{self, GuardError};
    match callids::find(campaign, state) {
        Ok(clashes) => match clashes.problem(campaign) {
            Some(problem) => Err(Error::problem(problem, Kind::Refused)),
            None => Ok(()),
        },
        Err(GuardError::Store(e)) => Err(Error::problem(
            Problem::error(
                "state::callid-elsewhere",
                format!("call ids cannot be compared with other campaigns': {e}"),
            )
            .help("run again once the state store is reachable; nothing was sent"),
            Kind::State(e),
        )),
        Err(GuardError::Plan(problem)) => Err(problem.into()),
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

/// Refuses a path that cannot be a journal (see [`unusable`]).
pub fn ensure_usable(path: &Path) -> Result<(), Error> {
    match unusable(path) {
        Some(problem) => Err(problem.into()),
        None => Ok(()),
    }
}

/// The journal's state at `path`, read without locking; `help` is the advice when it cannot
/// be read.
fn read(path: &Path, help: Option<&str>) -> Result<JournalState, Error> {
    ensure_usable(path)?;
    journal::read_state(path)
        .map_err(|e| with_help(Problem::error("journal::read", e.to_string()), help).into())
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
