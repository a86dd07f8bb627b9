//! The commands' way to the library's [`Session`]: one is built from the configuration (the
//! campaign loaded, its warnings shown), its events are shown as they come, and its errors end
//! in the process's exit codes.

use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::prepared::Prepared;
use outdial::report::{Failed, Message};
use outdial::session::{self, CredentialSource, Error, Kind, Session, Settings};
use outdial::state::StateLocation;
use outdial::submit::SubmitError;

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Loads the campaign in `file` and builds its session, posting as `network` says;
/// credentials come from the environment.
pub fn open(
    file: &Path,
    network: session::Network,
    config: &Config,
    out: &dyn Report,
) -> Result<Session, Exit> {
    let (campaign, _) = super::load::campaign(file, config, out)?;
    let settings = settings(file, &campaign.name, network, config, out)?;
    Ok(Session::new(campaign, settings))
}

/// The settings of the campaign `name` in `file`, from the configuration: its journal
/// (`--journal`, else next to the file), the state location (`--state`), the present
/// (`--now`); credentials from the environment.
pub fn settings(
    file: &Path,
    name: &str,
    network: session::Network,
    config: &Config,
    out: &dyn Report,
) -> Result<Settings, Exit> {
    Ok(Settings {
        file: file.to_path_buf(),
        journal: config.journal_path(file, name),
        state: super::journal::location(config, out)?,
        network,
        now: config.now,
        credentials: CredentialSource::Environment,
    })
}

/// The settings of a command that only reads, or asks (`plan`): posts would go to `endpoint`
/// (`--endpoint`), else the provider's.
pub fn asking(endpoint: Option<&str>) -> session::Network {
    session::Network::question(endpoint.map(str::to_owned))
}

/// Refuses (exit 5) a campaign with a call id given by hand that another campaign already
/// posted to its provider, naming each; exit 4 when the state store cannot be read. What
/// `send` refuses with, and `plan` and `check` show: one computation for all three.
pub fn refuse_callids_elsewhere(
    campaign: &Prepared,
    state: &StateLocation,
    out: &dyn Report,
) -> Result<(), Exit> {
    outdial::session::refuse_callids_elsewhere(campaign, state).map_err(|e| fail(e, out))
}

/// Shows a session's error and gives its exit code.
pub fn fail(err: Error, out: &dyn Report) -> Exit {
    match err {
        Error::Problem(problem, kind) => {
            out.show(Message::Problem(&problem));
            match kind {
                Kind::Invalid => Exit::Invalid,
                Kind::Usage => Exit::Usage,
                Kind::Refused => Exit::Refused,
                Kind::State(e) => Exit::from(&e),
                Kind::Store(e) => Exit::from(&e),
            }
        }
        Error::Submit(err, journal) => failed(&err, journal.as_deref(), out),
        // The answer was shown on the terminal.
        Error::Declined => Exit::Invalid,
    }
}

/// Shows a failed submission (its record, then the problem with the error's own advice) and
/// gives its exit code. `journal` is the journal a re-run resumes from.
fn failed(err: &SubmitError, journal: Option<&Path>, out: &dyn Report) -> Exit {
    let exit = Exit::from(err);
    if let SubmitError::Plan(problem) = err {
        out.show(Message::Problem(problem));
        return exit;
    }
    out.show(Message::Failed(Failed {
        exit: exit.code(),
        error: err,
        provider_message: err.provider_message(),
    }));
    out.show(Message::Problem(
        &Problem::error("send::failed", err.to_string()).help(err.help(journal)),
    ));
    exit
}
