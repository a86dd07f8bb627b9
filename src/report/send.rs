//! What the commands that post report: a submission's progress, what `send` did, what the
//! other commands did, calls removed by id, calls settled by `resolve`, a submission that
//! stopped, and what `state push` / `state pull` copied.

use std::path::Path;

use serde::{Serialize, Serializer};

use super::fields::{action_name, display, error_text};
use crate::plan::Action;
use crate::submit::{Event, Removal, SendSummary, SubmitError};

/// One event of a submission, with the provider it concerns (named to people only); its
/// record is the event's own.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// What happened.
    pub event: &'a Event,
    /// The provider's name as people know it (`VoiceShot`).
    pub provider: &'a str,
}

impl Serialize for Progress<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.event.serialize(s)
    }
}

/// What `send` did.
#[derive(Debug, Serialize)]
pub struct Sent<'a> {
    /// The campaign's name (shown to people only).
    #[serde(skip)]
    pub campaign: &'a str,
    /// The provider's name as people know it (shown to people only).
    #[serde(skip)]
    pub provider: &'a str,
    /// The counts.
    #[serde(flatten)]
    pub summary: &'a SendSummary,
    /// The journal.
    #[serde(serialize_with = "display")]
    pub journal: &'a Path,
}

/// A command other than `send` and `query` finished.
#[derive(Debug, Serialize)]
pub struct Done<'a> {
    /// The campaign's name (shown to people only).
    #[serde(skip)]
    pub campaign: &'a str,
    /// The provider's name as people know it (shown to people only).
    #[serde(skip)]
    pub provider: &'a str,
    /// The command.
    #[serde(serialize_with = "action_name")]
    pub action: Action,
    /// Posts made.
    pub posts: usize,
}

/// What `state push` / `state pull` copied.
#[derive(Debug, Serialize)]
pub struct Transferred<'a> {
    /// The campaign's name.
    pub campaign: &'a str,
    /// `push` (file to store) or `pull` (store to file).
    pub direction: &'static str,
    /// The local journal file.
    pub file: &'a std::path::Path,
    /// The state store, redacted.
    pub store: &'a str,
    /// Records copied, already on both sides, and only on the side copied to.
    #[serde(flatten)]
    pub counts: crate::journal::Transfer,
    /// The campaign's results (call rows) copied, alike on both sides, and kept where they
    /// were copied to.
    pub results: crate::results::Moved,
}

/// Calls removed one by one, by the ids the provider gave them.
#[derive(Debug, Serialize)]
pub struct Removed<'a> {
    /// The campaign's name (shown to people only).
    #[serde(skip)]
    pub campaign: &'a str,
    /// The provider's name as people know it (shown to people only).
    #[serde(skip)]
    pub provider: &'a str,
    /// The command.
    #[serde(serialize_with = "action_name")]
    pub action: Action,
    /// What became of the calls.
    #[serde(flatten)]
    pub removal: &'a Removal,
}

/// What `resolve` recorded: calls in doubt settled from a person's answer.
#[derive(Debug, Serialize)]
pub struct Settled<'a> {
    /// The campaign's name (shown to people only).
    #[serde(skip)]
    pub campaign: &'a str,
    /// Calls now known as taken: never sent again.
    pub sent: usize,
    /// Calls now known as not taken: the next `send` posts them.
    pub not_sent: usize,
    /// The call ids still in doubt.
    pub in_doubt: Vec<&'a str>,
}

/// A submission stopped.
#[derive(Debug, Serialize)]
pub struct Failed<'a> {
    /// The process exit code.
    pub exit: u8,
    /// Why.
    #[serde(serialize_with = "error_text")]
    pub error: &'a SubmitError,
    /// The provider's own words, verbatim and scrubbed, when it refused the post.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_message: Option<&'a str>,
}
