//! The command a run carries out, with its own settings, made from its arguments.

use std::path::PathBuf;
use std::time::Duration;

use outdial::plan::Action;
pub use outdial::session::Network;
use outdial::submit::SubmitOptions;

use super::serve::{Listen, Sandbox};
use crate::args::{self, NetArgs};

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

/// The old version `diff` compares with.
#[derive(Debug)]
pub enum Old {
    /// A campaign file.
    File(PathBuf),
    /// The new file as committed at a git ref.
    Base(String),
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

/// What a command's arguments say besides the command: the configuration keeps it beside the
/// command, as it shapes how campaigns are loaded and where journals are.
#[derive(Default)]
pub(super) struct Given {
    /// `--deny-past`.
    pub(super) deny_past: bool,
    /// `--journal`.
    pub(super) journal: Option<PathBuf>,
}

impl Command {
    /// The command the arguments ask for; what else they say goes to `given`.
    pub(super) fn new(command: args::Command, given: &mut Given) -> Command {
        match command {
            args::Command::Check(a) => {
                given.deny_past = a.deny_past;
                Command::Check { files: a.files }
            }
            args::Command::Plan(a) => plan(a, given),
            args::Command::Compile(a) => {
                given.deny_past = a.deny_past;
                Command::Compile {
                    file: a.file,
                    action: a.action.into(),
                    out_dir: a.out_dir,
                }
            }
            args::Command::Diff(a) => diff(a),
            args::Command::Schema => Command::Schema,
            args::Command::Completions(a) => Command::Completions(a.shell),
            args::Command::Man(a) => Command::Man {
                command: a.command,
                dir: a.dir,
            },
            args::Command::Send(a) => send(a, given),
            args::Command::State(sub) => state(sub, given),
            args::Command::Resolve(a) => resolve(a, given),
            // `--yes` changes nothing for them: they do not ask (see `args::Yes`).
            args::Command::Pause(a) => action(a.target, Action::Pause, given),
            args::Command::Resume(a) => action(a.target, Action::Resume, given),
            args::Command::Delete(a) => action(a.target, Action::Delete, given),
            args::Command::Ping(t) => action(t, Action::Ping, given),
            args::Command::Sounds(a) => {
                let sounds = if a.delete {
                    Action::SoundsDelete
                } else {
                    Action::Sounds
                };
                action(a.target, sounds, given)
            }
            args::Command::Query(a) => Command::Query {
                target: Target::new(a.target, given),
                db: a.db,
                all: a.all,
            },
            args::Command::Report(a) => report(a, given),
            args::Command::Sandbox(a) => Command::Sandbox(Sandbox::from(a)),
            args::Command::Listen(a) => Command::Listen(Listen::from_env(a)),
        }
    }

    /// Whether the command works without the network (and so writes for `--now`).
    pub(super) fn offline(&self) -> bool {
        matches!(
            self,
            Command::Check { .. }
                | Command::Plan { .. }
                | Command::Compile { .. }
                | Command::Report { .. }
                | Command::Diff { .. }
        )
    }

    /// Whether the command rings no one (only what does is held to the calling hours; see
    /// `LoadOptions`).
    pub(super) fn rings_no_one(&self) -> bool {
        match self {
            Command::Action { action, .. } | Command::Compile { action, .. } => {
                *action != Action::Send
            }
            Command::Query { .. } => true,
            _ => false,
        }
    }
}

fn plan(a: args::PlanArgs, given: &mut Given) -> Command {
    given.deny_past = a.deny_past;
    given.journal = a.journal.journal;
    Command::Plan {
        file: a.file,
        out: a.out,
        endpoint: a.endpoint,
        offline: a.offline,
        detailed_exitcode: a.detailed_exitcode,
    }
}

fn diff(a: args::DiffArgs) -> Command {
    match (a.new, a.base) {
        (Some(new), _) => Command::Diff {
            old: Old::File(a.old),
            new,
        },
        // clap makes sure one of them is given.
        (None, base) => Command::Diff {
            old: Old::Base(base.unwrap_or_default()),
            new: a.old,
        },
    }
}

fn send(a: args::SendArgs, given: &mut Given) -> Command {
    Command::Send {
        target: Target::new(a.target, given),
        allow_changed: a.allow_changed,
        resend_in_doubt: a.resend_in_doubt,
        never_sent: a.i_know_it_was_never_sent,
        yes: a.yes,
        concurrency: a.concurrency,
        plan: a.plan,
    }
}

fn resolve(a: args::ResolveArgs, given: &mut Given) -> Command {
    given.journal = a.journal.journal;
    Command::Resolve {
        file: a.file,
        sent: a.sent,
        not_sent: a.not_sent,
        endpoint: a.endpoint,
        settle: a.settle.unwrap_or_else(|| {
            let timeout = args::parse_duration(args::DEFAULT_TIMEOUT).unwrap_or_default();
            SubmitOptions::default_settle(timeout)
        }),
    }
}

fn state(sub: args::StateCommand, given: &mut Given) -> Command {
    let (push, t) = match sub {
        args::StateCommand::Push(t) => (true, t),
        args::StateCommand::Pull(t) => (false, t),
    };
    given.journal = t.journal.journal;
    Command::State {
        push,
        file: t.file,
        endpoint: t.endpoint,
    }
}

fn action(t: args::Target, action: Action, given: &mut Given) -> Command {
    Command::Action {
        target: Target::new(t, given),
        action,
    }
}

fn report(a: args::ReportArgs, given: &mut Given) -> Command {
    given.journal = a.journal.journal;
    Command::Report {
        file: a.file,
        db: a.db,
        html: a.html,
        retry: a.retry,
        unmatched: a.unmatched,
    }
}

impl Target {
    /// The target of a network command; its `--journal` goes to `given`.
    fn new(t: args::Target, given: &mut Given) -> Self {
        given.journal.clone_from(&t.net.journal.journal);
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
