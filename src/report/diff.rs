//! What `diff` reports at its end.

use serde::Serialize;

/// The end of a `diff`.
#[derive(Debug, Serialize)]
pub struct Diffed<'a> {
    /// The old version as given (`REF:path` for `--base`).
    pub old: &'a str,
    /// The new version as given.
    pub new: &'a str,
    /// Whether there is any difference (the exit code says it too).
    pub differs: bool,
    /// The counts.
    #[serde(flatten)]
    pub counts: crate::diff::DiffCounts,
    /// What `send` would do with the new version, given the campaign's journal (when it
    /// has one): "create 2, replace 4 (time 10:00 → 11:00), remove 2".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send: Option<&'a str>,
}
