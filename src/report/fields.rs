//! How some record fields are written: a path as text, an action by its name, an error
//! by its message.

use std::path::Path;

use serde::Serializer;

use crate::plan::Action;
use crate::submit::SubmitError;

/// A path, as text.
pub(super) fn display<S: Serializer>(path: &&Path, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&path.display())
}

/// An action, by its name (`send`, `delete` …).
pub(super) fn action_name<S: Serializer>(action: &Action, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(action.name())
}

/// A submission's error, by its message.
pub(super) fn error_text<S: Serializer>(error: &&SubmitError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(error)
}
