//! The arguments of the commands that only read files (`check`, `plan`, `compile`, `diff`)
//! and of those that print outdial's own documents (`completions`, `man`).

use std::path::PathBuf;

use super::groups::JournalArgs;
use super::values::{ActionArg, parse_url};

/// The campaign files `check` validates.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Campaign files (`-` reads one from standard input; paths in it resolve against the
    /// current folder).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Calls scheduled in the past are errors, not warnings.
    #[arg(long)]
    pub deny_past: bool,
}

/// The campaign `plan` shows the sending of, and where the plan goes.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Campaign file.
    pub file: PathBuf,
    /// Calls scheduled in the past are errors, not warnings.
    #[arg(long)]
    pub deny_past: bool,
    /// Save the plan here (versioned JSON: the hash of every post and of every input
    /// file, the counts, the provider and the endpoint) for `send --plan`.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// Exit 0 when `send` has nothing to send (the journal shows it all sent), 2 when it
    /// has something, 1 on any error (terraform's -detailed-exitcode).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// The endpoint the plan is for (as `send --endpoint`; default: the campaign's).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub endpoint: Option<String>,
    /// Do not ask the provider whether the calls to replace or remove are still pending:
    /// judge from the journal and the calls' times (`send` asks it).
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub journal: JournalArgs,
}

/// The campaign `compile` writes the posts of, and where they go.
#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// Campaign file.
    pub file: PathBuf,
    /// Which posts to write.
    #[arg(long, short, value_enum, default_value_t = ActionArg::Send)]
    pub action: ActionArg,
    /// Write one file per post into this folder instead of printing to stdout.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Calls scheduled in the past are errors, not warnings.
    #[arg(long)]
    pub deny_past: bool,
}

/// The two versions `diff` compares.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old campaign file; with --base, the campaign file to compare with its
    /// committed version.
    pub old: PathBuf,
    /// The new campaign file.
    #[arg(required_unless_present = "base", conflicts_with = "base")]
    pub new: Option<PathBuf>,
    /// Compare the campaign file (given as OLD) with its version at this git ref (`git show
    /// REF:FILE`); the CSV, suppression lists and audio it names are read at the ref too
    /// when they are in the repository.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
}

/// The shell `completions` writes a script for.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The page `man` prints, or the folder it writes every page to.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The command whose page to print (default: outdial's own, outdial.1).
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Option<String>,
    /// Write outdial.1 and outdial-COMMAND.1 for every command into this folder.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
