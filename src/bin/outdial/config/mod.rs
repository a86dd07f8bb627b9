//! The configuration of one run, built once from the arguments; the commands read it and
//! derive nothing from the arguments themselves.

mod command;
mod serve;

use std::path::{Path, PathBuf};

use outdial::campaign::LoadOptions;
use outdial::journal;
use outdial::results;
use outdial::state::{StateError, StateLocation};

use self::command::Given;
pub use self::command::{Command, Old, Target};
pub use self::serve::{Listen, Sandbox};
use crate::args::{Cli, Format};

/// Everything a run needs to know.
#[derive(Debug)]
pub struct Config {
    /// How results are shown.
    pub format: Format,
    /// Problems only, no summaries.
    pub quiet: bool,
    /// `-v` count: how much tracing goes to stderr.
    pub verbose: u8,
    /// How campaign files are loaded.
    pub load: LoadOptions,
    /// `--now`: the moment posts are written for, instead of now.
    pub now: Option<jiff::Timestamp>,
    /// `--journal`: the journal file instead of the one next to the campaign file.
    pub journal: Option<PathBuf>,
    /// `--state` / `OUTDIAL_STATE` as given (it may hold a password): read with
    /// [`Config::state`].
    state: Option<String>,
    /// What to do.
    pub command: Command,
}

impl Config {
    /// The configuration the arguments ask for.
    pub fn new(cli: Cli) -> Config {
        let mut given = Given::default();
        let command = Command::new(cli.command, &mut given);
        let load = load_options(&command, given.deny_past, cli.now, cli.state.as_deref());
        Config {
            format: cli.format,
            quiet: cli.quiet,
            verbose: cli.verbose,
            load,
            now: cli.now,
            journal: given.journal,
            state: cli.state,
            command,
        }
    }

    /// Where state is kept: `--state` / `OUTDIAL_STATE`, else local files.
    pub fn state(&self) -> Result<StateLocation, StateError> {
        match &self.state {
            Some(text) => StateLocation::parse(text, |k| std::env::var(k).ok()),
            None => Ok(StateLocation::Local),
        }
    }

    /// The results store of the campaign in `file`: `db` (`--db`), else the default next to it.
    pub fn db_path(file: &Path, db: Option<&Path>) -> PathBuf {
        db.map_or_else(|| results::default_db(file), Path::to_path_buf)
    }

    /// The journal of the campaign `name` in `file`: `--journal`, else the default next to it.
    pub fn journal_path(&self, file: &Path, name: &str) -> PathBuf {
        self.journal
            .clone()
            .unwrap_or_else(|| journal::default_path(file, name))
    }
}

/// How the command loads campaign files: whether past calls are errors, the moment they are
/// measured from, which calls are held to the calling hours, where state is kept.
fn load_options(
    command: &Command,
    deny_past: bool,
    now: Option<jiff::Timestamp>,
    state: Option<&str>,
) -> LoadOptions {
    LoadOptions {
        rings_no_one: command.rings_no_one(),
        deny_past,
        // The network commands measure past times from the real now, as they send now;
        // `--now` only sets the moment their `--dry-run` writes posts for.
        now: now.filter(|_| command.offline()),
        // A location that does not parse is refused before any command runs.
        state: state
            .and_then(|text| StateLocation::parse(text, |k| std::env::var(k).ok()).ok())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
