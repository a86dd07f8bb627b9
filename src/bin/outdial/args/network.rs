//! The arguments of the commands that post to the provider or settle what was posted:
//! `send`, `resolve`, `pause`, `resume`, `delete`, `query`, `sounds`.

use std::path::PathBuf;
use std::time::Duration;

use super::groups::{JournalArgs, Target, Yes};
use super::values::{parse_duration, parse_url};

/// How `send` sends: what it may post again, whether to ask, how many posts at once.
#[derive(Debug, clap::Args)]
pub struct SendArgs {
    /// Deprecated, no effect: an edited campaign converges (pending calls are replaced or
    /// removed, calls already dialled stay as they were); accepted so scripts keep working.
    #[arg(long, hide = true)]
    pub allow_changed: bool,
    /// Post again the calls in doubt that the provider cannot be asked about, as if they
    /// had not been taken (they may then be called twice).
    #[arg(long)]
    pub resend_in_doubt: bool,
    /// Send although the campaign's journal is empty and there are signs it was sent
    /// before (a journal of it under another path, stored results): only when you know it
    /// never was, since everyone in it is called again otherwise.
    #[arg(long)]
    pub i_know_it_was_never_sent: bool,
    /// Send without asking first. Required when stdin is not a terminal (CI, scripts).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Call posts in flight at once. The journal stays exact and nobody is called twice
    /// either way; more than 1 helps only when the provider is slow to reply.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Send only if the campaign still compiles to exactly the posts of this saved plan
    /// (`plan --out`), for the same provider and endpoint; otherwise refuse (exit 1) and
    /// name the inputs that changed.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    // Last: its network settings end the help under their own heading.
    #[command(flatten)]
    pub target: Target,
}

/// The calls in doubt `resolve` settles, and how.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// Campaign file.
    pub file: PathBuf,
    /// Call ids found at the provider: never sent again.
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub sent: Vec<String>,
    /// Call ids not found at the provider: the next `send` posts them.
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub not_sent: Vec<String>,
    /// The endpoint the campaign is sent to, if not its own (one outdial at a time works
    /// on a campaign at an endpoint).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub endpoint: Option<String>,
    /// How old a post must be before its calls may be settled as not sent: one that got
    /// no answer can still reach the provider (default: 2m, send's settle time with its
    /// default --timeout; give send's --settle if it had another).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub settle: Option<Duration>,
    #[command(flatten)]
    pub journal: JournalArgs,
}

/// The campaign `pause`, `resume` and `delete` post for.
#[derive(Debug, clap::Args)]
pub struct ActionArgs {
    #[command(flatten)]
    pub yes: Yes,
    // Last: its network settings end the help under their own heading.
    #[command(flatten)]
    pub target: Target,
}

/// The campaign `query` asks about, and where the answers are stored.
#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    /// The results store (default `.outdial/results.db` next to the campaign file).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Every call the provider holds for the campaign, not only the ones this campaign
    /// sent: calls placed elsewhere (the provider's screens, another tool) are marked
    /// "not sent by outdial". VoiceShot only (one Call Query with callid="").
    #[arg(long)]
    pub all: bool,
    // Last: its network settings end the help under their own heading.
    #[command(flatten)]
    pub target: Target,
}

/// The campaign `sounds` uploads the sound files of (or deletes them).
#[derive(Debug, clap::Args)]
pub struct SoundsArgs {
    /// Delete the files from the account instead.
    #[arg(long)]
    pub delete: bool,
    #[command(flatten)]
    pub yes: Yes,
    // Last: its network settings end the help under their own heading.
    #[command(flatten)]
    pub target: Target,
}
