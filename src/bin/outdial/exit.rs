//! The exit codes, and which errors end in which.

use std::process::ExitCode;

use outdial::journal::JournalError;
use outdial::results::{ResultsError, StoreError};
use outdial::state::StateError;
use outdial::submit::SubmitError;

/// How the process ends: one meaning per code, whatever the command (the table in `--help`
/// and in docs/reference.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok,
    /// A campaign (or a file it names) is invalid, or output could not be written.
    Invalid,
    /// The command line is wrong, or asks for what this command or provider cannot do:
    /// 64, sysexits' `EX_USAGE`, so that 2 keeps meaning "differs" (the parser's own errors
    /// end in it too, see `main`).
    Usage,
    /// `plan --detailed-exitcode`: `send` has something to send (terraform's 2).
    Pending,
    /// `diff`: the two versions differ (like terraform's 2, so that 1 stays "error" as for
    /// every other command).
    Differ,
    /// The provider rejected a post.
    Rejected,
    /// The network failed after every retry, or the state store cannot be reached; running
    /// the command again resumes.
    Transport,
    /// The provider refused this host or account, or `send` refused what a store shows (a
    /// missing journal of a campaign sent before, a call id another campaign used).
    Refused,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Invalid => 1,
            Exit::Pending | Exit::Differ => 2,
            Exit::Rejected => 3,
            Exit::Transport => 4,
            Exit::Refused => 5,
            Exit::Usage => USAGE,
        }
    }
}

/// The code of a usage error (sysexits' `EX_USAGE`).
pub const USAGE: u8 = 64;

/// The exit codes as `--help` lists them (docs/reference.md's table says the same).
pub const TABLE: &[(u8, &str)] = &[
    (
        0,
        "ok; `diff`: no differences; `plan --detailed-exitcode`: nothing to send",
    ),
    (
        1,
        "invalid campaign, unreadable or unwritable file, declined send, any other error",
    ),
    (
        2,
        "`diff`: the versions differ; `plan --detailed-exitcode`: something to send (never an error)",
    ),
    (3, "the provider rejected a post"),
    (
        4,
        "the network failed after every retry, or the state store cannot be reached; running the command again resumes",
    ),
    (
        5,
        "the provider refused this host or account; or `send` refused a campaign whose journal is missing but which was sent before, or one with a call id another campaign used",
    ),
    (
        USAGE,
        "usage error: a wrong option or value, or a command this provider cannot do; nothing was sent",
    ),
];

/// The exit code table for `--help`.
pub fn help() -> String {
    let mut text = String::from("Exit codes:\n");
    for (code, meaning) in TABLE {
        text.push_str(&format!("  {code:<2}  {meaning}\n"));
    }
    text
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// A command's result: `Err` carries the exit code of a failure already reported.
impl From<Result<(), Exit>> for Exit {
    fn from(result: Result<(), Exit>) -> Self {
        result.err().unwrap_or(Exit::Ok)
    }
}

impl From<&SubmitError> for Exit {
    fn from(err: &SubmitError) -> Self {
        match err {
            SubmitError::Rejected { .. } if err.is_refusal() => Exit::Refused,
            SubmitError::Rejected { .. } => Exit::Rejected,
            SubmitError::Transport { .. } | SubmitError::InDoubt { .. } => Exit::Transport,
            // The state store lost mid-send: posts may be in doubt, a re-run resumes.
            SubmitError::Journal(JournalError::Store(e)) => Exit::from(e),
            SubmitError::Changed { .. }
            | SubmitError::Journal(_)
            | SubmitError::Render(_)
            | SubmitError::Io(_)
            | SubmitError::Plan(_) => Exit::Invalid,
        }
    }
}

/// The results store could not be read or written: a file problem, as for a journal; or a
/// PostgreSQL store, as the state store.
impl From<&StoreError> for Exit {
    fn from(err: &StoreError) -> Self {
        match err {
            StoreError::State(e) => Exit::from(e),
            _ => Exit::Invalid,
        }
    }
}

/// The state store: a wrong location is a usage error; one that cannot be reached is like
/// the network (running again resumes); a database of a newer outdial is not ours to write.
impl From<&StateError> for Exit {
    fn from(err: &StateError) -> Self {
        match err {
            StateError::NotAUrl { .. } | StateError::BadUrl { .. } => Exit::Usage,
            StateError::Unreachable { .. } | StateError::Query { .. } => Exit::Transport,
            StateError::Newer { .. } => Exit::Invalid,
        }
    }
}

/// A report could not be made: the store, the recipients (a CSV changed since it was
/// checked) or writing its rows.
impl From<&ResultsError> for Exit {
    fn from(_: &ResultsError) -> Self {
        Exit::Invalid
    }
}

#[cfg(test)]
mod tests {
    use outdial::plan::PostKind;
    use outdial::provider::Rejection;
    use outdial::submit::{Failure, SendSummary};

    use super::*;

    fn rejected(refusal: bool) -> SubmitError {
        SubmitError::Rejected {
            seq: 1,
            kind: PostKind::Send,
            rejection: Rejection {
                code: "4".into(),
                code_name: "errorid",
                message: String::new(),
                refusal,
                help: None,
                provider_message: None,
            },
        }
    }

    #[test]
    fn every_code_is_in_the_help() {
        for exit in [
            Exit::Ok,
            Exit::Invalid,
            Exit::Usage,
            Exit::Pending,
            Exit::Differ,
            Exit::Rejected,
            Exit::Transport,
            Exit::Refused,
        ] {
            assert!(
                TABLE.iter().any(|(code, _)| *code == exit.code()),
                "{exit:?}"
            );
        }
        assert!(help().contains("  5   the provider refused"));
        // One meaning per code: no code is listed twice, and usage is not "differs".
        let mut codes: Vec<u8> = TABLE.iter().map(|(code, _)| *code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len());
        assert_ne!(Exit::Usage.code(), Exit::Differ.code());
        assert_eq!(
            Exit::Pending.code(),
            Exit::Differ.code(),
            "both mean \"differs\""
        );
    }

    #[test]
    fn submit_errors_end_in_the_documented_codes() {
        assert_eq!(
            Exit::from(&rejected(true)).code(),
            5,
            "host or account refused"
        );
        assert_eq!(Exit::from(&rejected(false)).code(), 3);
        let transport = SubmitError::Transport {
            seq: 1,
            kind: PostKind::Send,
            failure: Failure {
                maybe_sent: true,
                message: "reset".into(),
                endpoint: "http://127.0.0.1:1/".into(),
            },
        };
        assert_eq!(Exit::from(&transport).code(), 4);
        let changed = SubmitError::Changed {
            changes: Vec::new(),
            orphaned: 0,
            taken: 0,
        };
        assert_eq!(Exit::from(&changed).code(), 1);
        let in_doubt = SubmitError::InDoubt {
            seq: 1,
            calls: 0,
            list: Vec::new(),
            summary: SendSummary::default(),
        };
        assert_eq!(Exit::from(&in_doubt).code(), 4);
        assert_eq!(Exit::from(Err(Exit::Usage)).code(), 64);
        assert_eq!(Exit::from(Ok(())).code(), 0);
    }
}
