//! The exit codes, and which errors end in which.

use std::process::ExitCode;

use outdial::submit::SubmitError;

/// How the process ends (the table in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok,
    /// A campaign (or a file it names) is invalid, or output could not be written.
    Invalid,
    /// The command line is wrong (clap uses 2 as well).
    Usage,
    /// `plan --detailed-exitcode`: `send` has something to send (terraform's 2).
    Pending,
    /// `diff`: the two versions differ (like terraform's 2, so that 1 stays "error" as for
    /// every other command).
    Differ,
    /// The provider rejected a post.
    Rejected,
    /// The network failed after every retry; running the command again resumes.
    Transport,
    /// The provider refused this host or account.
    Refused,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Invalid => 1,
            Exit::Usage | Exit::Pending | Exit::Differ => 2,
            Exit::Rejected => 3,
            Exit::Transport => 4,
            Exit::Refused => 5,
        }
    }
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
            SubmitError::Changed { .. }
            | SubmitError::Journal(_)
            | SubmitError::Render(_)
            | SubmitError::Io(_)
            | SubmitError::Plan(_) => Exit::Invalid,
        }
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
            },
        }
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
        assert_eq!(Exit::from(Err(Exit::Usage)).code(), 2);
        assert_eq!(Exit::from(Ok(())).code(), 0);
    }
}
