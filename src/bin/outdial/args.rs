//! Command-line arguments.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use outdial::plan::Action;

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

/// The environment variables outdial reads and what for, for `--help` and the man pages;
/// a provider without credentials is a remark with no variable.
pub fn environment() -> Vec<(Option<String>, String)> {
    let mut vars = Vec::new();
    for provider in outdial::provider::ProviderName::ALL {
        vars.push(match provider.credential_vars() {
            Some((user, password)) => (
                Some(format!("{user}, {password}")),
                format!(
                    "credentials for {} ({})",
                    provider.display(),
                    provider.credential_commands()
                ),
            ),
            None => (None, format!("{} takes no credentials", provider.display())),
        });
    }
    let (user, password) = crate::config::LISTEN_CREDENTIAL_VARS;
    vars.push((
        Some(format!("{user}, {password}")),
        "the credentials posts to `listen` must carry (or use the token)".to_owned(),
    ));
    vars.push((
        Some(crate::config::LISTEN_TOKEN_VAR.to_owned()),
        format!(
            "a secret of at least {} letters, digits, '-' or '_': `listen` also takes posts to ROUTE/TOKEN",
            outdial::results::listen::MIN_TOKEN_LEN
        ),
    ));
    vars.push((
        Some(outdial::state::STATE_VAR.to_owned()),
        "where journals and locks are kept when --state does not say (a PostgreSQL URL)".to_owned(),
    ));
    vars.push((
        Some("PGPASSWORD".to_owned()),
        "the database password when the state URL has none".to_owned(),
    ));
    vars.push((
        Some("NO_COLOR".to_owned()),
        "set: no colour in diagnostics".to_owned(),
    ));
    vars.push((
        Some("COLUMNS".to_owned()),
        "the width diagnostics are wrapped to (default 100; a help line is never wrapped)"
            .to_owned(),
    ));
    vars
}

/// How `listen` writes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// JSON objects, one per line.
    Json,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text; diagnostics with source excerpts.
    Human,
    /// JSON Lines; the first line is a version record.
    Json,
    /// CSV on stdout (`query` and `report`): one row per recipient, with a header row.
    Csv,
    /// Markdown on stdout (`plan` and `diff` only): a short stable summary for a pull request
    /// comment.
    Markdown,
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

/// `--timeout` when not given (also what `resolve` takes send's settle time to follow from).
pub const DEFAULT_TIMEOUT: &str = "60s";

/// `500ms`, `2s`, `1.5s`, `1m30s` (jiff's friendly format, through the library's one reader).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    outdial::schedule::parse_duration(text)
        .ok_or_else(|| format!("\"{text}\" is not a duration like 500ms, 2s or 1m30s"))
}

/// An `http://` or `https://` URL with a host: anything else is a usage error before any
/// campaign is read or any request is made.
pub fn parse_url(text: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(text)
        .map_err(|e| format!("\"{text}\" is not a URL ({e}); give one like https://host/path"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "\"{text}\" is not an http:// or https:// URL with a host; give one like https://host/path"
        ));
    }
    Ok(text.to_owned())
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

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate campaign files: numbers, ids, templates, times, audio, every CSV row. No network.
    #[command(after_help = "Example:\n  outdial check campaigns/*.toml")]
    Check {
        /// Campaign files (`-` reads one from standard input; paths in it resolve against the
        /// current folder).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Calls scheduled in the past are errors, not warnings.
        #[arg(long)]
        deny_past: bool,
    },
    /// Show what `send` would do: rows read, valid, invalid, duplicates, suppressed, recipients
    /// to call, posts and bytes. No network.
    #[command(
        after_help = "Example:\n  outdial --format markdown plan campaigns/outage.toml --out plan.json"
    )]
    Plan {
        /// Campaign file.
        file: PathBuf,
        /// Calls scheduled in the past are errors, not warnings.
        #[arg(long)]
        deny_past: bool,
        /// Save the plan here (versioned JSON: the hash of every post and of every input
        /// file, the counts, the provider and the endpoint) for `send --plan`.
        #[arg(long, value_name = "PLAN")]
        out: Option<PathBuf>,
        /// Exit 0 when `send` has nothing to send (the journal shows it all sent), 2 when it
        /// has something, 1 on any error (terraform's -detailed-exitcode).
        #[arg(long)]
        detailed_exitcode: bool,
        /// The endpoint the plan is for (as `send --endpoint`; default: the campaign's).
        #[arg(long, value_name = "URL", value_parser = parse_url)]
        endpoint: Option<String>,
        /// Do not ask the provider whether the calls to replace or remove are still pending:
        /// judge from the journal and the calls' times (`send` asks it).
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        journal: JournalArgs,
    },
    /// Write the posts an action would send, one document per post (VoiceShot XML, Voicent
    /// and voip-communications.net form bodies).
    #[command(after_help = "Example:\n  outdial compile examples/outage-alert.toml -o posts/")]
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
    /// Compare two versions of a campaign: settings, prompts, schedule and calling rules, and
    /// every recipient added, removed or called differently (text as spoken, time, caller
    /// ID). Exit 0 when they are the same, 2 when they differ; an error is never 2. No network.
    #[command(
        after_help = "Example:\n  outdial --format markdown diff campaigns/outage.toml --base origin/main"
    )]
    Diff {
        /// The old campaign file; with --base, the campaign file to compare with its
        /// committed version.
        old: PathBuf,
        /// The new campaign file.
        #[arg(required_unless_present = "base", conflicts_with = "base")]
        new: Option<PathBuf>,
        /// Compare the campaign file (given as OLD) with its version at this git ref (`git show
        /// REF:FILE`); the CSV, suppression lists and audio it names are read at the ref too
        /// when they are in the repository.
        #[arg(long, value_name = "REF")]
        base: Option<String>,
    },
    /// Print the campaign file's JSON Schema.
    #[command(after_help = "Example:\n  outdial schema > campaign.schema.json")]
    Schema,
    /// Print a shell completion script (e.g. `outdial completions bash >
    /// /etc/bash_completion.d/outdial`).
    #[command(after_help = "Example:\n  outdial completions bash > /etc/bash_completion.d/outdial")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff), or write one per command with --dir.
    #[command(
        after_help = "Example:\n  outdial man --dir /usr/local/share/man/man1\n  outdial man send > outdial-send.1 && man -l outdial-send.1"
    )]
    Man {
        /// The command whose page to print (default: outdial's own, outdial.1).
        #[arg(value_name = "COMMAND", conflicts_with = "dir")]
        command: Option<String>,
        /// Write outdial.1 and outdial-COMMAND.1 for every command into this folder.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Upload the campaign's sounds, then send its call batches; a re-run resumes.
    #[command(after_help = "Example:\n  outdial send campaigns/outage.toml --plan plan.json --yes")]
    Send {
        /// Deprecated, no effect: an edited campaign converges (pending calls are replaced or
        /// removed, calls already dialled stay as they were); accepted so scripts keep working.
        #[arg(long, hide = true)]
        allow_changed: bool,
        /// Post again the calls in doubt that the provider cannot be asked about, as if they
        /// had not been taken (they may then be called twice).
        #[arg(long)]
        resend_in_doubt: bool,
        /// Send although the campaign's journal is empty and there are signs it was sent
        /// before (a journal of it under another path, stored results): only when you know it
        /// never was, since everyone in it is called again otherwise.
        #[arg(long)]
        i_know_it_was_never_sent: bool,
        /// Send without asking first. Required when stdin is not a terminal (CI, scripts).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Call posts in flight at once. The journal stays exact and nobody is called twice
        /// either way; more than 1 helps only when the provider is slow to reply.
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        /// Send only if the campaign still compiles to exactly the posts of this saved plan
        /// (`plan --out`), for the same provider and endpoint; otherwise refuse (exit 1) and
        /// name the inputs that changed.
        #[arg(long, value_name = "PLAN")]
        plan: Option<PathBuf>,
        // Last: its network settings end the help under their own heading.
        #[command(flatten)]
        target: Target,
    },
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
    Resolve {
        /// Campaign file.
        file: PathBuf,
        /// Call ids found at the provider: never sent again.
        #[arg(long, value_name = "ID", num_args = 1..)]
        sent: Vec<String>,
        /// Call ids not found at the provider: the next `send` posts them.
        #[arg(long, value_name = "ID", num_args = 1..)]
        not_sent: Vec<String>,
        /// The endpoint the campaign is sent to, if not its own (one outdial at a time works
        /// on a campaign at an endpoint).
        #[arg(long, value_name = "URL", value_parser = parse_url)]
        endpoint: Option<String>,
        /// How old a post must be before its calls may be settled as not sent: one that got
        /// no answer can still reach the provider (default: 2m, send's settle time with its
        /// default --timeout; give send's --settle if it had another).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        settle: Option<Duration>,
        #[command(flatten)]
        journal: JournalArgs,
    },
    /// Pause the campaign's pending calls at the provider (action 7).
    #[command(after_help = "Example:\n  outdial pause campaigns/outage.toml --yes")]
    Pause {
        #[command(flatten)]
        yes: Yes,
        // Last: its network settings end the help under their own heading.
        #[command(flatten)]
        target: Target,
    },
    /// Un-pause paused calls (action 8).
    #[command(after_help = "Example:\n  outdial resume campaigns/outage.toml --yes")]
    Resume {
        #[command(flatten)]
        yes: Yes,
        #[command(flatten)]
        target: Target,
    },
    /// Delete this campaign's calls not yet dialled, by call id (action 2).
    #[command(after_help = "Example:\n  outdial delete campaigns/outage.toml --dry-run")]
    Delete {
        #[command(flatten)]
        yes: Yes,
        #[command(flatten)]
        target: Target,
    },
    /// Who was reached, who was not, who is pending (action 3); the results are kept in the
    /// results store for `report`.
    #[command(
        after_help = "Example:\n  outdial --format csv query campaigns/outage.toml > results.csv"
    )]
    Query {
        /// The results store (default `.outdial/results.db` next to the campaign file).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Every call the provider holds for the campaign, not only the ones this campaign
        /// sent: calls placed elsewhere (the provider's screens, another tool) are marked
        /// "not sent by outdial". VoiceShot only (one Call Query with callid="").
        #[arg(long)]
        all: bool,
        // Last: its network settings end the help under their own heading.
        #[command(flatten)]
        target: Target,
    },
    /// Who was reached, not reached, pending, in doubt or never sent: the campaign's
    /// recipients joined with its journal and the results store (`listen`, `query`). No
    /// network.
    #[command(
        after_help = "Example:\n  outdial report campaigns/outage.toml --html report.html --retry retry.csv"
    )]
    Report {
        /// Campaign file.
        file: PathBuf,
        /// The results store (default `.outdial/results.db` next to the campaign file).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Also write the report as one self-contained HTML page with charts.
        #[arg(long, value_name = "PATH")]
        html: Option<PathBuf>,
        /// Write the recipients to try again (not reached, never sent) here, as a contacts
        /// CSV a campaign's `csv` can name.
        #[arg(long, value_name = "PATH")]
        retry: Option<PathBuf>,
        /// List instead the posts `listen` kept because they named no call of a campaign it
        /// serves (an unknown call id or number, a provider's test post).
        #[arg(long, conflicts_with_all = ["html", "retry"])]
        unmatched: bool,
        #[command(flatten)]
        journal: JournalArgs,
    },
    /// Upload the campaign's sound files (action 1), or delete them with --delete.
    #[command(after_help = "Example:\n  outdial sounds campaigns/reminder.toml")]
    Sounds {
        /// Delete the files from the account instead.
        #[arg(long)]
        delete: bool,
        #[command(flatten)]
        yes: Yes,
        // Last: its network settings end the help under their own heading.
        #[command(flatten)]
        target: Target,
    },
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
    Listen {
        /// Campaign files whose posts are accepted.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Address to listen on (port 0 picks a free one; the URL is printed).
        #[arg(
            long,
            value_name = "ADDR",
            default_value = "127.0.0.1:8080",
            env = "OUTDIAL_LISTEN_BIND"
        )]
        bind: std::net::SocketAddr,
        /// The results store (default: .outdial/results.db beside the first campaign file).
        #[arg(long, value_name = "PATH", env = "OUTDIAL_LISTEN_DB")]
        db: Option<PathBuf>,
        /// Largest request body accepted, in bytes (voicemail arrives inside summaries).
        #[arg(
            long,
            value_name = "BYTES",
            default_value_t = outdial::results::listen::DEFAULT_MAX_BODY,
            env = "OUTDIAL_LISTEN_MAX_BODY"
        )]
        max_body: usize,
        /// How the log on stderr is written: text for people, or json (one object per line,
        /// with a timestamp and a level, for a log collector). The URL stays on stdout.
        #[arg(
            long,
            value_enum,
            value_name = "FORMAT",
            default_value_t = LogFormat::Text,
            env = "OUTDIAL_LOG_FORMAT"
        )]
        log_format: LogFormat,
        /// Serve posts without credentials or token (loopback only; for trying things out):
        /// anyone who can reach the port can then forge results.
        #[arg(long)]
        insecure_no_auth: bool,
    },
    /// Run a local stand-in of a provider (VoiceShot by default; --provider voicent or
    /// voipcomm) on 127.0.0.1 for demos and tests. With the provider's credential variables
    /// set, it refuses posts that do not carry them (to rehearse an authentication failure).
    #[command(after_help = "Example:\n  outdial sandbox --port 0 --faults fail-first=2")]
    Sandbox {
        /// Which provider's API to stand in for.
        #[arg(long, default_value = "voiceshot", value_parser = ["voiceshot", "voicent", "voipcomm"])]
        provider: String,
        /// Port (0 picks a free one; the URL is printed).
        #[arg(long, default_value_t = 8765)]
        port: u16,
        /// Keep accepted calls in this JSON file across restarts. (Not `--state`: that is
        /// the global option naming where journals and locks are kept.)
        #[arg(long, value_name = "FILE")]
        calls_file: Option<PathBuf>,
        /// Share of dialled calls that are answered (0 to 1).
        #[arg(long, default_value_t = 0.9)]
        success_rate: f64,
        /// Time from acceptance to an outcome.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "2s")]
        dial_delay: Duration,
        /// Injected faults, e.g. "fail-first=2,reset=3,drop=5,error=6,delay=200ms" (voicent
        /// also: noreqid=K, slow=K, on=call+status+remove; voipcomm also: slow=K,
        /// on=call+list+delete).
        #[arg(long, value_name = "SPEC", default_value = "")]
        faults: String,
        /// Seed of the simulated outcomes.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// POST a Call Summary (VoiceShot) to this URL for every call that ends, e.g.
        /// http://127.0.0.1:8080/voiceshot/summary (voipcomm posts to each call's callback_url).
        #[arg(long, value_name = "URL", value_parser = parse_url)]
        summary_url: Option<String>,
    },
}

/// The values of `compile --action`: [`Action`]s by name. (The variant docs are its help.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionArg {
    /// Upload the campaign's audio, then send call batches (actions 1 then 0).
    Send,
    /// Upload the campaign's audio files (action 1, `save`).
    Sounds,
    /// Delete the campaign's audio files from the account (action 1, `delete`).
    SoundsDelete,
    /// Delete this campaign's calls not yet dialled, by call id (action 2).
    Delete,
    /// Query this campaign's calls by call id (action 3).
    Query,
    /// Query every call of the provider campaign (action 3 with an empty call id).
    QueryAll,
    /// Test the configuration (action 6).
    Ping,
    /// Pause pending calls (action 7).
    Pause,
    /// Un-pause paused calls (action 8).
    Resume,
}

impl From<ActionArg> for Action {
    fn from(arg: ActionArg) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Action::name` is what events, file names and the journal say; `compile --action` must
    /// accept exactly those names, each for its own action.
    #[test]
    fn action_values_are_the_action_names() {
        let values = ActionArg::value_variants();
        assert_eq!(values.len(), Action::ALL.len());
        for arg in values {
            let value = arg.to_possible_value().expect("every action is a value");
            assert_eq!(value.get_name(), Action::from(*arg).name());
        }
        for action in Action::ALL {
            let arg = ActionArg::from_str(action.name(), false).expect("accepted by clap");
            assert_eq!(Action::from(arg), action);
        }
    }

    #[test]
    fn endpoints_must_be_http_urls_with_a_host() {
        assert!(parse_url("http://127.0.0.1:8765/api").is_ok());
        assert!(parse_url("https://api.example.com/x").is_ok());
        for bad in [
            "not-a-url",
            "ftp://host/x",
            "http://",
            "127.0.0.1:8765",
            "mailto:a@b",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
