//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Campaigns as code for outbound phone calls: validate a campaign file, check its audio,
/// compile it to VoiceShot XML.
#[derive(Debug, Parser)]
#[command(name = "outdial", version, about, max_term_width = 100)]
pub struct Cli {
    /// Output: human text (diagnostics on stderr) or JSON Lines on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only problems, no summaries.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text; diagnostics with source excerpts.
    Human,
    /// JSON Lines; the first line is a version record.
    Json,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate campaign files: numbers, ids, templates, times, audio, every CSV row. No network.
    Check {
        /// Campaign files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Calls scheduled in the past are errors, not warnings.
        #[arg(long)]
        deny_past: bool,
    },
    /// Show what `send` would do: rows read, valid, invalid, duplicates, suppressed, recipients
    /// to call, posts and bytes. No network.
    Plan {
        /// Campaign file.
        file: PathBuf,
        /// Calls scheduled in the past are errors, not warnings.
        #[arg(long)]
        deny_past: bool,
    },
    /// Write the XML posts an action would send, one document per post.
    Compile {
        /// Campaign file.
        file: PathBuf,
        /// Which posts to write.
        #[arg(long, short, value_enum, default_value_t = ActionArg::Send)]
        action: ActionArg,
        /// Write one file per post into this folder instead of printing to stdout.
        #[arg(long, short = 'o', value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Calls scheduled in the past are errors, not warnings.
        #[arg(long)]
        deny_past: bool,
    },
    /// Print the campaign file's JSON Schema.
    Schema,
}

/// The actions `compile` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionArg {
    /// Upload audio (action 1), then the call batches (action 0).
    Send,
    /// Upload the campaign's audio files (action 1, save).
    Sounds,
    /// Delete the campaign's audio files (action 1, delete).
    SoundsDelete,
    /// Delete this campaign's pending calls by call id (action 2).
    Delete,
    /// Query this campaign's calls by call id (action 3).
    Query,
    /// Query every call of the VoiceShot campaign (action 3, callid="").
    QueryAll,
    /// Test the configuration (action 6).
    Ping,
    /// Pause pending calls (action 7).
    Pause,
    /// Un-pause paused calls (action 8).
    Resume,
}

impl From<ActionArg> for outdial::plan::Action {
    fn from(arg: ActionArg) -> Self {
        use outdial::plan::Action;
        match arg {
            ActionArg::Send => Action::Send,
            ActionArg::Sounds => Action::Sounds,
            ActionArg::SoundsDelete => Action::SoundsDelete,
            ActionArg::Delete => Action::Delete,
            ActionArg::Query => Action::Query,
            ActionArg::QueryAll => Action::QueryAll,
            ActionArg::Ping => Action::Ping,
            ActionArg::Pause => Action::Pause,
            ActionArg::Resume => Action::Resume,
        }
    }
}
