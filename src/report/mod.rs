//! What a command reports, as typed values: the library says what happened, a front end
//! decides how to show it.
//!
//! Every line the `outdial` binary prints is a [`Message`]. The binary picks one printer per
//! output format (human text, JSON Lines, CSV) and hands it each message in turn. For JSON
//! Lines, [`Message::json`] gives the record: an object with a `type` field, the keys of every
//! object sorted, one line. That is the event stream of version [`EVENT_SCHEMA`]; consumers
//! ignore fields they do not know. [`Note`]s are for people only and have no record.

mod check;
mod diff;
mod fields;
mod meta;
mod note;
mod plan;
mod results;
mod send;
#[cfg(test)]
mod tests;

use std::io;

use serde::Serialize;
use serde::Serializer;

pub use check::Checked;
pub use diff::Diffed;
pub use meta::{Completions, EVENT_SCHEMA, ManPage, SandboxUrl, Schema, Version};
pub use note::Note;
pub use plan::{
    Document, Example, Intent, JournalCounts, PlanReport, Plays, PostEvent, SpokenPrompt,
};
pub use results::{QuerySummary, ResultRow, UnmatchedPost};
pub use send::{Done, Failed, Progress, Removed, Sent, Settled, Transferred};

use crate::diagnostic::Problem;

/// One thing a command reports.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Message<'a> {
    /// The first record of every JSON Lines stream.
    Version(Version),
    /// A problem in a campaign, a file it names, or the command line.
    Problem(#[serde(serialize_with = "problem_record")] &'a Problem),
    /// The outcome of checking one campaign file (also reported when loading fails).
    Checked(Checked<'a>),
    /// One post compiled, written to a file, or shown by a dry run.
    Post(PostEvent<'a>),
    /// What `send` would do.
    Plan(PlanReport<'a>),
    /// What `send` did.
    Sent(Sent<'a>),
    /// A command other than `send` and `query` finished.
    Done(Done<'a>),
    /// Calls removed one by one by the provider's own ids (`delete` at the Voicent Gateway).
    #[serde(rename = "done")]
    Removed(Removed<'a>),
    /// `resolve` settled calls in doubt.
    #[serde(rename = "resolved")]
    Settled(Settled<'a>),
    /// A submission stopped; `exit` is the process exit code.
    Failed(Failed<'a>),
    /// One recipient's Call Query result: the same record as a report's recipient.
    #[serde(rename = "result")]
    Call(ResultRow<'a>),
    /// The counts of a Call Query.
    Query(QuerySummary),
    /// One recipient of a results report (`report`), with the prompts of the campaign (the
    /// CSV's keypress columns).
    #[serde(rename = "result")]
    Recipient(ResultRow<'a>),
    /// The counts of a results report.
    #[serde(rename = "report")]
    Results(&'a crate::results::Summary),
    /// The local sandbox is listening.
    Sandbox(SandboxUrl<'a>),
    /// What `listen` did: its log, one event a line.
    Listen(&'a crate::results::listen::ListenEvent),
    /// A post `listen` kept because it named no call it serves (`report --unmatched`).
    Unmatched(UnmatchedPost<'a>),
    /// The campaign file's JSON Schema.
    Schema(Schema),
    /// A shell completion script (`completions`).
    Completions(Completions<'a>),
    /// The man page (`man`).
    Man(ManPage<'a>),
    /// One difference between two versions of a campaign (`diff`).
    Change(&'a crate::diff::Change),
    /// The end of a `diff`: what was compared, and how many differences of each kind.
    Diff(Diffed<'a>),
    /// `state push` or `state pull` copied a campaign's journal.
    #[serde(rename = "state")]
    Transferred(Transferred<'a>),
    /// For people only; no JSON record.
    #[serde(skip_serializing)]
    Note(Note<'a>),
    /// Progress of a submission (its record carries its own `type`).
    #[serde(untagged)]
    Submit(Progress<'a>),
}

impl Message<'_> {
    /// The JSON Lines record (without the line break), or `None` for a [`Note`]. Fails when a
    /// [`Document`] cannot be rendered.
    pub fn json(&self) -> io::Result<Option<String>> {
        if let Message::Note(_) = self {
            return Ok(None);
        }
        // Through `Value`, whose objects keep their keys sorted: the order is the same whatever
        // order the fields are declared in.
        let value = serde_json::to_value(self)?;
        Ok(Some(value.to_string()))
    }
}

fn problem_record<S: Serializer>(problem: &&Problem, s: S) -> Result<S::Ok, S::Error> {
    problem.record().serialize(s)
}
