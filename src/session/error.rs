//! Why a session's step stopped: a problem to show (of a kind the front end turns into its
//! own exit status), or a submission that failed. The session shows neither: it returns them.

use std::path::PathBuf;

use crate::diagnostic::Problem;
use crate::results::StoreError;
use crate::state::StateError;
use crate::submit::SubmitError;

/// Why a step stopped. Everything the step did before is already in the events it emitted;
/// nothing after the failure was done.
#[derive(Debug)]
pub enum Error {
    /// A problem to show (what is wrong and what to do), of this kind.
    Problem(Box<Problem>, Kind),
    /// A submission stopped; the path is the journal a re-run resumes from, when there is one
    /// to name.
    Submit(Box<SubmitError>, Option<PathBuf>),
    /// The person asked did not confirm the send: nothing to show, nothing was sent.
    Declined,
}

/// What kind of failure a [`Error::Problem`] is.
#[derive(Debug)]
pub enum Kind {
    /// An input is invalid, or a file cannot be read or written.
    Invalid,
    /// The command asks for what this provider or this command cannot do.
    Usage,
    /// Refused on what a store shows (a journal missing for a campaign sent before, a call id
    /// another campaign used).
    Refused,
    /// The state store failed.
    State(StateError),
    /// The results store failed.
    Store(StoreError),
}

impl Error {
    /// A problem of `kind`.
    pub(crate) fn problem(problem: Problem, kind: Kind) -> Error {
        Error::Problem(Box::new(problem), kind)
    }

    /// An error problem with this code and message, of kind [`Kind::Invalid`].
    pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> Error {
        Error::problem(Problem::error(code, message), Kind::Invalid)
    }

    /// A submission that stopped; `journal` is where a re-run resumes from.
    pub(crate) fn submit(error: SubmitError, journal: Option<PathBuf>) -> Error {
        Error::Submit(Box::new(error), journal)
    }
}

/// A planning problem stops the step as invalid input.
impl From<Problem> for Error {
    fn from(problem: Problem) -> Self {
        Error::problem(problem, Kind::Invalid)
    }
}

/// A planning problem stops the step as invalid input.
impl From<Box<Problem>> for Error {
    fn from(problem: Box<Problem>) -> Self {
        Error::Problem(problem, Kind::Invalid)
    }
}
