//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use outdial::plan::Action;

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
    /// Validate campaign files: numbers, ids, templates, times, audio. No network.
    Check {
        /// Campaign files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write the XML posts an action would send, one document per post.
    Compile {
        /// Campaign file.
        file: PathBuf,
        /// Which posts to write.
        #[arg(long, short, value_enum, default_value_t = Action::Send)]
        action: Action,
        /// Write one file per post into this folder instead of printing to stdout.
        #[arg(long, short = 'o', value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print the campaign file's JSON Schema.
    Schema,
}
