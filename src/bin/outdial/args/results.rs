//! The arguments of the commands around the results and the state: `report`, `listen`,
//! `sandbox`, `state push` / `pull`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;

use super::groups::JournalArgs;
use super::values::{LogFormat, parse_duration, parse_url};

/// The campaign `report` joins with its results, and the files it writes.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Campaign file.
    pub file: PathBuf,
    /// The results store (default `.outdial/results.db` next to the campaign file).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page with charts.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write the recipients to try again (not reached, never sent) here, as a contacts
    /// CSV a campaign's `csv` can name.
    #[arg(long, value_name = "PATH")]
    pub retry: Option<PathBuf>,
    /// List instead the posts `listen` kept because they named no call of a campaign it
    /// serves (an unknown call id or number, a provider's test post).
    #[arg(long, conflicts_with_all = ["html", "retry"])]
    pub unmatched: bool,
    #[command(flatten)]
    pub journal: JournalArgs,
}

/// What `listen` serves, where and how.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Campaign files whose posts are accepted.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Address to listen on (port 0 picks a free one; the URL is printed).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "OUTDIAL_LISTEN_BIND"
    )]
    pub bind: std::net::SocketAddr,
    /// The results store (default: .outdial/results.db beside the first campaign file).
    #[arg(long, value_name = "PATH", env = "OUTDIAL_LISTEN_DB")]
    pub db: Option<PathBuf>,
    /// Largest request body accepted, in bytes (voicemail arrives inside summaries).
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = outdial::results::listen::DEFAULT_MAX_BODY,
        env = "OUTDIAL_LISTEN_MAX_BODY"
    )]
    pub max_body: usize,
    /// How the log on stderr is written: text for people, or json (one object per line,
    /// with a timestamp and a level, for a log collector). The URL stays on stdout.
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value_t = LogFormat::Text,
        env = "OUTDIAL_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
    /// Serve posts without credentials or token (loopback only; for trying things out):
    /// anyone who can reach the port can then forge results.
    #[arg(long)]
    pub insecure_no_auth: bool,
}

/// The stand-in `sandbox` runs.
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Which provider's API to stand in for.
    #[arg(long, default_value = "voiceshot", value_parser = ["voiceshot", "voicent", "voipcomm"])]
    pub provider: String,
    /// Port (0 picks a free one; the URL is printed).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Keep accepted calls in this JSON file across restarts. (Not `--state`: that is
    /// the global option naming where journals and locks are kept.)
    #[arg(long, value_name = "FILE")]
    pub calls_file: Option<PathBuf>,
    /// Share of dialled calls that are answered (0 to 1).
    #[arg(long, default_value_t = 0.9)]
    pub success_rate: f64,
    /// Time from acceptance to an outcome.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "2s")]
    pub dial_delay: Duration,
    /// Injected faults, e.g. "fail-first=2,reset=3,drop=5,error=6,delay=200ms" (voicent
    /// also: noreqid=K, slow=K, on=call+status+remove; voipcomm also: slow=K,
    /// on=call+list+delete).
    #[arg(long, value_name = "SPEC", default_value = "")]
    pub faults: String,
    /// Seed of the simulated outcomes.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// POST a Call Summary (VoiceShot) to this URL for every call that ends, e.g.
    /// http://127.0.0.1:8080/voiceshot/summary (voipcomm posts to each call's callback_url).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub summary_url: Option<String>,
}

/// `state push` / `state pull`.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Copy the records of the campaign's local journal that the state store lacks into it.
    /// Records both hold must be the same; running it again copies nothing.
    Push(Transfer),
    /// Copy the records of the campaign's journal in the state store that the local journal
    /// lacks into it (made if missing). Records both hold must be the same.
    Pull(Transfer),
}

/// The campaign whose journal `state push` / `pull` copies.
#[derive(Debug, Clone, clap::Args)]
pub struct Transfer {
    /// Campaign file.
    pub file: PathBuf,
    /// The endpoint the campaign is sent to, if not its own (the store keeps a journal per
    /// campaign and endpoint).
    #[arg(long, value_name = "URL", value_parser = parse_url)]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub journal: JournalArgs,
}
