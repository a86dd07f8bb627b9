//! The configuration of one run, built once from the arguments; the commands read it and
//! derive nothing from the arguments themselves.

use std::path::{Path, PathBuf};
use std::time::Duration;

use outdial::campaign::LoadOptions;
use outdial::journal;
use outdial::plan::Action;
use outdial::provider::ProviderName;
use outdial::results;
use outdial::results::listen::BasicAuth;
use outdial::state::{StateError, StateLocation};
use outdial::submit::SubmitOptions;

use crate::args::{self, Cli, Format, NetArgs};

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

/// The command with its own settings.
#[derive(Debug)]
pub enum Command {
    /// `check`.
    Check {
        /// Campaign files.
        files: Vec<PathBuf>,
    },
    /// `plan`.
    Plan {
        /// Campaign file.
        file: PathBuf,
        /// Save the plan here.
        out: Option<PathBuf>,
        /// The endpoint the plan is for, instead of the campaign's.
        endpoint: Option<String>,
        /// Never ask the provider whether a call is still pending.
        offline: bool,
        /// 0 nothing to send, 2 something, 1 an error.
        detailed_exitcode: bool,
    },
    /// `compile`.
    Compile {
        /// Campaign file.
        file: PathBuf,
        /// Which posts.
        action: Action,
        /// One file per post here instead of stdout.
        out_dir: Option<PathBuf>,
    },
    /// `diff`.
    Diff {
        /// The old version.
        old: Old,
        /// The new campaign file.
        new: PathBuf,
    },
    /// `schema`.
    Schema,
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `man [COMMAND]`, or `man --dir DIR`.
    Man {
        /// The command whose page to print.
        command: Option<String>,
        /// Write every page here.
        dir: Option<PathBuf>,
    },
    /// `send`.
    Send {
        /// Campaign and network.
        target: Target,
        /// Send only call ids never sent although posts changed.
        allow_changed: bool,
        /// Post calls in doubt again.
        resend_in_doubt: bool,
        /// Send although an empty journal's campaign shows signs of an earlier send.
        never_sent: bool,
        /// Do not ask before sending.
        yes: bool,
        /// Call posts in flight at once.
        concurrency: u16,
        /// Send only if the campaign compiles to this saved plan's posts.
        plan: Option<PathBuf>,
    },
    /// `resolve`.
    Resolve {
        /// Campaign file.
        file: PathBuf,
        /// Call ids found at the provider.
        sent: Vec<String>,
        /// Call ids not found at the provider.
        not_sent: Vec<String>,
        /// The endpoint the campaign is sent to, instead of its own.
        endpoint: Option<String>,
        /// How old a post must be before its calls may be settled as not sent.
        settle: Duration,
    },
    /// `state push` (`push`) or `state pull`.
    State {
        /// Push (file to store), else pull.
        push: bool,
        /// Campaign file.
        file: PathBuf,
        /// The endpoint the campaign is sent to, instead of its own.
        endpoint: Option<String>,
    },
    /// `pause`, `resume`, `delete`, `sounds [--delete]`, `ping`: one action's posts.
    Action {
        /// Campaign and network.
        target: Target,
        /// The action.
        action: Action,
    },
    /// `query`.
    Query {
        /// Campaign and network.
        target: Target,
        /// The results store, instead of the one next to the campaign file.
        db: Option<PathBuf>,
        /// Every call the provider holds for the campaign (`--all`).
        all: bool,
    },
    /// `report`.
    Report {
        /// Campaign file.
        file: PathBuf,
        /// The results store, instead of the one next to the campaign file.
        db: Option<PathBuf>,
        /// The HTML page to write too.
        html: Option<PathBuf>,
        /// The retry CSV to write.
        retry: Option<PathBuf>,
        /// `--unmatched`: list the unmatched posts instead.
        unmatched: bool,
    },
    /// `sandbox`.
    Sandbox(Sandbox),
    /// `listen`.
    Listen(Listen),
}

/// What `listen` serves.
#[derive(Debug)]
pub struct Listen {
    /// Campaign files.
    pub files: Vec<PathBuf>,
    /// Where to listen.
    pub bind: std::net::SocketAddr,
    /// The results store.
    pub db: PathBuf,
    /// Largest body.
    pub max_body: usize,
    /// From OUTDIAL_LISTEN_USER / OUTDIAL_LISTEN_PASSWORD (Debug redacts them).
    pub basic: Option<BasicAuth>,
    /// From OUTDIAL_LISTEN_TOKEN, not yet checked.
    pub token: Option<Secret>,
    /// `--insecure-no-auth`.
    pub insecure_no_auth: bool,
    /// `--log-format json`: the log as JSON lines.
    pub json_log: bool,
}

/// The variables `listen` takes its credentials from.
pub const LISTEN_CREDENTIAL_VARS: (&str, &str) = ("OUTDIAL_LISTEN_USER", "OUTDIAL_LISTEN_PASSWORD");
/// The variable `listen` takes its path token from.
pub const LISTEN_TOKEN_VAR: &str = "OUTDIAL_LISTEN_TOKEN";

/// A secret as given, whose Debug print never shows it.
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The old version `diff` compares with.
#[derive(Debug)]
pub enum Old {
    /// A campaign file.
    File(PathBuf),
    /// The new file as committed at a git ref.
    Base(String),
}

/// The local stand-in `sandbox` runs. Each provider's stand-in reads `faults` with its own
/// parser, so the spec is kept as given.
#[derive(Debug)]
pub struct Sandbox {
    /// Which provider's API.
    pub provider: ProviderName,
    /// Where to listen.
    pub addr: std::net::SocketAddr,
    /// Accepted calls kept across restarts (VoiceShot).
    pub state: Option<PathBuf>,
    /// Share of dialled calls answered (VoiceShot).
    pub success_rate: f64,
    /// From acceptance to an outcome.
    pub dial_delay: Duration,
    /// Injected faults.
    pub faults: String,
    /// Seed of the simulated outcomes (VoiceShot).
    pub seed: u64,
    /// Where to post Call Summaries (VoiceShot).
    pub summary_url: Option<String>,
}

/// The campaign a network command works on, and how it reaches the provider.
#[derive(Debug)]
pub struct Target {
    /// Campaign file.
    pub file: PathBuf,
    /// Show the posts; send nothing.
    pub dry_run: bool,
    /// How to reach the provider.
    pub network: Network,
}

/// How to reach the provider.
#[derive(Debug, Clone)]
pub struct Network {
    /// Instead of the campaign's endpoint.
    pub endpoint: Option<String>,
    /// When the endpoint cannot be reached.
    pub fallback_endpoint: Option<String>,
    /// One whole request.
    pub timeout: Duration,
    /// Connecting.
    pub connect_timeout: Duration,
    /// Extra rounds over the endpoints.
    pub retries: u32,
    /// Before the first retry round; doubles.
    pub backoff: Duration,
    /// Credentials over plain http to another host.
    pub allow_insecure: bool,
    /// Look up only the calls the journal holds in doubt.
    pub trust_journal: bool,
    /// After a call post, before its calls are looked up.
    pub settle: Duration,
}

impl Config {
    /// The configuration the arguments ask for.
    pub fn new(cli: Cli) -> Config {
        let mut deny_past = false;
        let mut journal = None;
        let command = match cli.command {
            args::Command::Check {
                files,
                deny_past: d,
            } => {
                deny_past = d;
                Command::Check { files }
            }
            args::Command::Plan {
                file,
                deny_past: d,
                out,
                endpoint,
                detailed_exitcode,
                offline,
                journal: j,
            } => {
                deny_past = d;
                journal = j.journal;
                Command::Plan {
                    file,
                    out,
                    endpoint,
                    offline,
                    detailed_exitcode,
                }
            }
            args::Command::Compile {
                file,
                action,
                out_dir,
                deny_past: d,
            } => {
                deny_past = d;
                Command::Compile {
                    file,
                    action: action.into(),
                    out_dir,
                }
            }
            args::Command::Diff { old, new, base } => match (new, base) {
                (Some(new), _) => Command::Diff {
                    old: Old::File(old),
                    new,
                },
                // clap makes sure one of them is given.
                (None, base) => Command::Diff {
                    old: Old::Base(base.unwrap_or_default()),
                    new: old,
                },
            },
            args::Command::Schema => Command::Schema,
            args::Command::Completions { shell } => Command::Completions(shell),
            args::Command::Man { command, dir } => Command::Man { command, dir },
            args::Command::Send {
                target: t,
                allow_changed,
                resend_in_doubt,
                i_know_it_was_never_sent,
                yes,
                concurrency,
                plan,
            } => Command::Send {
                target: Target::new(t, &mut journal),
                allow_changed,
                resend_in_doubt,
                never_sent: i_know_it_was_never_sent,
                yes,
                concurrency,
                plan,
            },
            args::Command::Resolve {
                file,
                sent,
                not_sent,
                endpoint,
                settle,
                journal: j,
            } => {
                journal = j.journal;
                Command::Resolve {
                    file,
                    sent,
                    not_sent,
                    endpoint,
                    settle: settle.unwrap_or_else(|| {
                        let timeout =
                            args::parse_duration(args::DEFAULT_TIMEOUT).unwrap_or_default();
                        SubmitOptions::default_settle(timeout)
                    }),
                }
            }
            args::Command::State(sub) => {
                let (push, t) = match sub {
                    args::StateCommand::Push(t) => (true, t),
                    args::StateCommand::Pull(t) => (false, t),
                };
                journal = t.journal.journal;
                Command::State {
                    push,
                    file: t.file,
                    endpoint: t.endpoint,
                }
            }
            // `--yes` changes nothing for them: they do not ask (see `args::Yes`).
            args::Command::Pause { target: t, yes: _ } => Command::Action {
                target: Target::new(t, &mut journal),
                action: Action::Pause,
            },
            args::Command::Resume { target: t, yes: _ } => Command::Action {
                target: Target::new(t, &mut journal),
                action: Action::Resume,
            },
            args::Command::Delete { target: t, yes: _ } => Command::Action {
                target: Target::new(t, &mut journal),
                action: Action::Delete,
            },
            args::Command::Ping(t) => Command::Action {
                target: Target::new(t, &mut journal),
                action: Action::Ping,
            },
            args::Command::Sounds {
                target: t,
                delete,
                yes: _,
            } => Command::Action {
                target: Target::new(t, &mut journal),
                action: if delete {
                    Action::SoundsDelete
                } else {
                    Action::Sounds
                },
            },
            args::Command::Query { target: t, db, all } => Command::Query {
                target: Target::new(t, &mut journal),
                db,
                all,
            },
            args::Command::Report {
                file,
                db,
                html,
                retry,
                unmatched,
                journal: j,
            } => {
                journal = j.journal;
                Command::Report {
                    file,
                    db,
                    html,
                    retry,
                    unmatched,
                }
            }
            args::Command::Sandbox {
                provider,
                port,
                calls_file,
                success_rate,
                dial_delay,
                faults,
                seed,
                summary_url,
            } => Command::Sandbox(Sandbox {
                provider: match provider.as_str() {
                    "voicent" => ProviderName::Voicent,
                    "voipcomm" => ProviderName::Voipcomm,
                    _ => ProviderName::Voiceshot,
                },
                addr: (std::net::Ipv4Addr::LOCALHOST, port).into(),
                state: calls_file,
                success_rate,
                dial_delay,
                faults,
                seed,
                summary_url,
            }),
            args::Command::Listen {
                files,
                bind,
                db,
                max_body,
                log_format,
                insecure_no_auth,
            } => {
                let db = db.unwrap_or_else(|| {
                    files.first().map_or_else(
                        || PathBuf::from(".outdial/results.db"),
                        |f| results::default_db(f),
                    )
                });
                let (user, password) = LISTEN_CREDENTIAL_VARS;
                let basic = match (std::env::var(user), std::env::var(password)) {
                    (Ok(user), Ok(password)) if !user.is_empty() && !password.is_empty() => {
                        Some(BasicAuth { user, password })
                    }
                    _ => None,
                };
                let token = std::env::var(LISTEN_TOKEN_VAR)
                    .ok()
                    .filter(|t| !t.is_empty())
                    .map(Secret);
                Command::Listen(Listen {
                    files,
                    bind,
                    db,
                    max_body,
                    basic,
                    token,
                    insecure_no_auth,
                    json_log: log_format == args::LogFormat::Json,
                })
            }
        };
        let offline = matches!(
            command,
            Command::Check { .. }
                | Command::Plan { .. }
                | Command::Compile { .. }
                | Command::Report { .. }
                | Command::Diff { .. }
        );
        // Only what rings someone is held to the calling hours (see LoadOptions).
        let rings_no_one = match &command {
            Command::Action { action, .. } | Command::Compile { action, .. } => {
                *action != Action::Send
            }
            Command::Query { .. } => true,
            _ => false,
        };
        Config {
            format: cli.format,
            quiet: cli.quiet,
            verbose: cli.verbose,
            // The network commands measure past times from the real now, as they send now;
            // `--now` only sets the moment their `--dry-run` writes posts for.
            load: LoadOptions {
                rings_no_one,
                deny_past,
                now: cli.now.filter(|_| offline),
                // A location that does not parse is refused before any command runs.
                state: cli
                    .state
                    .as_deref()
                    .and_then(|text| StateLocation::parse(text, |k| std::env::var(k).ok()).ok())
                    .unwrap_or_default(),
            },
            now: cli.now,
            journal,
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

impl Target {
    /// The target of a network command; its `--journal` goes to `journal`.
    fn new(t: args::Target, journal: &mut Option<PathBuf>) -> Self {
        journal.clone_from(&t.net.journal.journal);
        Target {
            file: t.file,
            dry_run: t.dry_run,
            network: Network::from(t.net),
        }
    }
}

impl From<NetArgs> for Network {
    fn from(net: NetArgs) -> Self {
        Network {
            endpoint: net.endpoint,
            fallback_endpoint: net.fallback_endpoint,
            timeout: net.timeout,
            connect_timeout: net.connect_timeout,
            retries: net.retries,
            backoff: net.backoff,
            allow_insecure: net.allow_insecure,
            trust_journal: net.trust_journal,
            settle: net
                .settle
                .unwrap_or_else(|| SubmitOptions::default_settle(net.timeout)),
        }
    }
}
