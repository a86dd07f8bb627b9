//! The argument groups several commands share: the journal, the network settings of the
//! commands that post, the campaign they post for, and `--yes`.

use std::path::PathBuf;
use std::time::Duration;

use super::values::{DEFAULT_TIMEOUT, parse_duration, parse_url};

/// The journal of the commands that read or write it (`plan` and those that post).
#[derive(Debug, Clone, clap::Args)]
pub struct JournalArgs {
    /// The journal file (default `.outdial/<campaign>.jsonl` next to the campaign file).
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
}

/// Settings of the commands that post to the provider; given after the command
/// (`outdial send FILE --endpoint URL`).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Network")]
pub struct NetArgs {
    /// Post here instead of the campaign's `endpoint` (no fallback unless
    /// --fallback-endpoint is given too).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub endpoint: Option<String>,
    /// Where to post when the endpoint cannot be reached.
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub fallback_endpoint: Option<String>,
    #[command(flatten)]
    pub journal: JournalArgs,
    /// Time allowed for one whole request, reply included (e.g. 60s, 500ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = DEFAULT_TIMEOUT)]
    pub timeout: Duration,
    /// Time allowed to connect.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    pub connect_timeout: Duration,
    /// Extra rounds over the endpoints when a request fails.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Wait before the first retry round; doubles each round (up to a minute), each wait plus
    /// up to as much again at random.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "500ms")]
    pub backoff: Duration,
    /// Allow credentials over plain http:// to a host other than this machine.
    #[arg(long)]
    pub allow_insecure: bool,
    /// Look up at the provider only the calls the journal holds in doubt, not every call it
    /// has not seen accepted. Safe only while this journal is the campaign's only record.
    #[arg(long)]
    pub trust_journal: bool,
    /// Wait this long after a call post before looking its calls up (default: the longer of
    /// 30s and twice --timeout).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub settle: Option<Duration>,
}

/// A campaign file and whether to only show what would be posted.
#[derive(Debug, Clone, clap::Args)]
pub struct Target {
    /// Campaign file (`-` reads it from standard input).
    pub file: PathBuf,
    /// Print exactly what would be posted (credentials redacted); send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

/// `--yes` of the commands that change something at the provider besides `send`: they never
/// call anyone, so they do not ask, but they take the flag as `send` does, so that a script
/// can pass `--yes` to every command that changes something.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Yes {
    /// Do it without asking (these commands do not ask; accepted as `send` takes it).
    #[arg(long, short = 'y')]
    pub yes: bool,
}
