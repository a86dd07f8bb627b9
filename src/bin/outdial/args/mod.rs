//! Command-line arguments: the clap definitions, the lowest layer of the binary (they import
//! nothing of it but the exit codes, for the help). The global options and the commands are
//! here; each command's own arguments are in the file of its kind, the groups several share
//! in [`groups`], the values that are not paths in [`values`], the environment in [`env`].

mod env;
mod groups;
mod network;
mod offline;
mod results;
mod values;

use clap::{Parser, Subcommand};

pub use self::env::{LISTEN_CREDENTIAL_VARS, LISTEN_TOKEN_VAR, environment};
pub use self::groups::{NetArgs, Target};
pub use self::network::{ActionArgs, QueryArgs, ResolveArgs, SendArgs, SoundsArgs};
pub use self::offline::{CheckArgs, CompileArgs, CompletionsArgs, DiffArgs, ManArgs, PlanArgs};
pub use self::results::{ListenArgs, ReportArgs, SandboxArgs, StateCommand};
pub use self::values::{DEFAULT_TIMEOUT, Format, LogFormat, parse_duration};

/// Campaigns as code for outbound phone calls: validate a campaign file, check its audio,
/// compile it to its provider's requests, send them safely.
#[derive(Debug, Parser)]
#[command(name = "outdial", version = env!("OUTDIAL_VERSION"), about, max_term_width = 100)]
pub struct Cli {
    /// Output: human text (diagnostics on stderr), JSON Lines on stdout, CSV (`query`,
    /// `report`) or Markdown (`plan`, `diff`).
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print only problems, no summaries.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Trace what outdial does on stderr: -v loading, validating and each HTTP exchange
    /// (URL with credentials scrubbed, status, size, time; never a header or a body); -vv
    /// more detail (planning, git); -vvv everything, the libraries' events too.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The moment posts are written for (RFC 3339, e.g. 2026-12-01T14:00:00Z) in `compile`,
    /// `plan` and `--dry-run`, past times are measured from, and `report --html` is dated;
    /// default: now. (Voicent schedules in minutes from the request.)
    #[arg(long, global = true, value_name = "TIME")]
    pub now: Option<jiff::Timestamp>,
    /// Where journals and locks are kept: `local` (files next to the campaign, the default)
    /// or a PostgreSQL URL (postgres://USER@HOST/DB, or postgresql:///DB?host=/socket/dir);
    /// the password from the URL or PGPASSWORD, never printed.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "OUTDIAL_STATE",
        hide_env_values = true
    )]
    pub state: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// The command-line definition with the help that is computed: the environment variables
/// (from each provider's own list) and the exit codes (from [`crate::exit`]).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut env = String::from("Environment:\n");
    for (names, meaning) in environment() {
        match names {
            Some(names) => env.push_str(&format!("  {names}\n      {meaning}\n")),
            None => env.push_str(&format!("  ({meaning})\n")),
        }
    }
    let text = format!("{env}\n{}", crate::exit::help());
    Cli::command().after_long_help(text)
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate campaign files: numbers, ids, templates, times, audio, every CSV row. No network.
    #[command(after_help = "Example:\n  outdial check campaigns/*.toml")]
    Check(CheckArgs),
    /// Show what `send` would do: rows read, valid, invalid, duplicates, suppressed, recipients
    /// to call, posts and bytes. No network.
    #[command(
        after_help = "Example:\n  outdial --format markdown plan campaigns/outage.toml --out plan.json"
    )]
    Plan(PlanArgs),
    /// Write the posts an action would send, one document per post (VoiceShot XML, Voicent
    /// and voip-communications.net form bodies).
    #[command(after_help = "Example:\n  outdial compile examples/outage-alert.toml -o posts/")]
    Compile(CompileArgs),
    /// Compare two versions of a campaign: settings, prompts, schedule and calling rules, and
    /// every recipient added, removed or called differently (text as spoken, time, caller
    /// ID). Exit 0 when they are the same, 2 when they differ; an error is never 2. No network.
    #[command(
        after_help = "Example:\n  outdial --format markdown diff campaigns/outage.toml --base origin/main"
    )]
    Diff(DiffArgs),
    /// Print the campaign file's JSON Schema.
    #[command(after_help = "Example:\n  outdial schema > campaign.schema.json")]
    Schema,
    /// Print a shell completion script (e.g. `outdial completions bash >
    /// /etc/bash_completion.d/outdial`).
    #[command(after_help = "Example:\n  outdial completions bash > /etc/bash_completion.d/outdial")]
    Completions(CompletionsArgs),
    /// Print a man page (roff), or write one per command with --dir.
    #[command(
        after_help = "Example:\n  outdial man --dir /usr/local/share/man/man1\n  outdial man send > outdial-send.1 && man -l outdial-send.1"
    )]
    Man(ManArgs),
    /// Upload the campaign's sounds, then send its call batches; a re-run resumes.
    #[command(after_help = "Example:\n  outdial send campaigns/outage.toml --plan plan.json --yes")]
    Send(SendArgs),
    /// Copy a campaign's journal between its local file and the state store (--state or
    /// OUTDIAL_STATE): `push` to move a campaign to PostgreSQL, `pull` to keep a local copy.
    #[command(
        subcommand,
        after_help = "Example:\n  outdial state push campaigns/outage.toml --state postgres://ci@db.example/outdial"
    )]
    State(StateCommand),
    /// Settle calls in doubt after looking them up in the provider's own records (for
    /// providers that cannot be asked, such as the Voicent Gateway).
    #[command(
        after_help = "Example:\n  outdial resolve campaigns/outage.toml --sent outage8185550100 --not-sent outage8185550117"
    )]
    Resolve(ResolveArgs),
    /// Pause the campaign's pending calls at the provider (action 7).
    #[command(after_help = "Example:\n  outdial pause campaigns/outage.toml --yes")]
    Pause(ActionArgs),
    /// Un-pause paused calls (action 8).
    #[command(after_help = "Example:\n  outdial resume campaigns/outage.toml --yes")]
    Resume(ActionArgs),
    /// Delete this campaign's calls not yet dialled, by call id (action 2).
    #[command(after_help = "Example:\n  outdial delete campaigns/outage.toml --dry-run")]
    Delete(ActionArgs),
    /// Who was reached, who was not, who is pending (action 3); the results are kept in the
    /// results store for `report`.
    #[command(
        after_help = "Example:\n  outdial --format csv query campaigns/outage.toml > results.csv"
    )]
    Query(QueryArgs),
    /// Who was reached, not reached, pending, in doubt or never sent: the campaign's
    /// recipients joined with its journal and the results store (`listen`, `query`). No
    /// network.
    #[command(
        after_help = "Example:\n  outdial report campaigns/outage.toml --html report.html --retry retry.csv"
    )]
    Report(ReportArgs),
    /// Upload the campaign's sound files (action 1), or delete them with --delete.
    #[command(after_help = "Example:\n  outdial sounds campaigns/reminder.toml")]
    Sounds(SoundsArgs),
    /// Test the configuration: can the provider be reached, is this host registered (action 6).
    #[command(after_help = "Example:\n  outdial ping campaigns/outage.toml")]
    Ping(Target),
    /// Receive what providers post back (VoiceShot Call Summaries and Call Events,
    /// voip-communications callbacks) into the results store, answering keypresses with the
    /// campaigns' Call Commands. Posts must carry the credentials in OUTDIAL_LISTEN_USER and
    /// OUTDIAL_LISTEN_PASSWORD, or end their route in the token in OUTDIAL_LISTEN_TOKEN
    /// (/voiceshot/summary/TOKEN); --insecure-no-auth serves without. Stops on SIGINT/SIGTERM
    /// once accepted posts are stored. Also serves GET /healthz (the process answers),
    /// GET /readyz (the store answers; 503 if not) and GET /metrics (Prometheus, with the
    /// posts' credentials or token: /metrics/TOKEN). Each option can come from the
    /// environment variable named beside it.
    #[command(
        after_help = "Example:\n  outdial listen campaigns/outage.toml --bind 127.0.0.1:8080"
    )]
    Listen(ListenArgs),
    /// Run a local stand-in of a provider (VoiceShot by default; --provider voicent or
    /// voipcomm) on 127.0.0.1 for demos and tests. With the provider's credential variables
    /// set, it refuses posts that do not carry them (to rehearse an authentication failure).
    #[command(after_help = "Example:\n  outdial sandbox --port 0 --faults fail-first=2")]
    Sandbox(SandboxArgs),
}
