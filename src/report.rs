//! What a command reports, as typed values: the library says what happened, a front end
//! decides how to show it.
//!
//! Every line the `outdial` binary prints is a [`Message`]. The binary picks one printer per
//! output format (human text, JSON Lines, CSV) and hands it each message in turn. For JSON
//! Lines, [`Message::json`] gives the record: an object with a `type` field, the keys of every
//! object sorted, one line. That is the event stream of version [`EVENT_SCHEMA`]; consumers
//! ignore fields they do not know. [`Note`]s are for people only and have no record.

use std::fmt;
use std::io;
use std::path::Path;

use serde::Serialize;
use serde::ser::{Error as _, SerializeStruct, Serializer};

use crate::campaign::RecipientStats;
use crate::diagnostic::Problem;
use crate::plan::{Action, PostKind};
use crate::submit::{Event, Removal, SendSummary, SubmitError};

/// Version of the JSON Lines event stream.
pub const EVENT_SCHEMA: u32 = 2;

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

fn display<S: Serializer>(path: &&Path, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&path.display())
}

/// `{"type":"version","outdial":…,"schema":…}`.
#[derive(Debug, Serialize)]
pub struct Version {
    /// The outdial version.
    pub outdial: &'static str,
    /// [`EVENT_SCHEMA`].
    pub schema: u32,
    /// The git commit this build was made from, when it was built from a checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<&'static str>,
}

impl Version {
    /// This build's version record.
    pub fn current() -> Self {
        Version {
            outdial: env!("CARGO_PKG_VERSION"),
            schema: EVENT_SCHEMA,
            commit: option_env!("OUTDIAL_COMMIT"),
        }
    }
}

/// The outcome of checking one campaign file.
#[derive(Debug)]
pub enum Checked<'a> {
    /// The campaign is valid (warnings aside).
    Valid {
        /// The file as given.
        file: &'a Path,
        /// The campaign's name.
        campaign: &'a str,
        /// Recipients to call.
        recipients: u64,
        /// Prompts.
        prompts: usize,
        /// Sound files to upload.
        sounds: usize,
        /// Call posts a `send` makes.
        call_posts: usize,
        /// Numbers per call post (shown to people only).
        batch_size: usize,
        /// Warnings shown.
        warnings: usize,
        /// `window = "always"`: calls ring at any hour, by choice (said once, here).
        any_hour: bool,
    },
    /// The campaign has errors (all shown before this).
    Invalid {
        /// The file as given.
        file: &'a Path,
        /// Errors shown.
        errors: usize,
        /// Warnings shown.
        warnings: usize,
    },
}

impl Serialize for Checked<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Checked::Valid {
                file,
                campaign,
                recipients,
                prompts,
                sounds,
                call_posts,
                batch_size: _,
                warnings,
                any_hour,
            } => {
                let mut m = s.serialize_struct("Checked", 9)?;
                if *any_hour {
                    m.serialize_field("any_hour", any_hour)?;
                }
                m.serialize_field("file", &file.display().to_string())?;
                m.serialize_field("ok", &true)?;
                m.serialize_field("campaign", campaign)?;
                m.serialize_field("recipients", recipients)?;
                m.serialize_field("prompts", prompts)?;
                m.serialize_field("sounds", sounds)?;
                m.serialize_field("call_posts", call_posts)?;
                m.serialize_field("warnings", warnings)?;
                m.end()
            }
            Checked::Invalid {
                file,
                errors,
                warnings,
            } => {
                let mut m = s.serialize_struct("Checked", 4)?;
                m.serialize_field("file", &file.display().to_string())?;
                m.serialize_field("ok", &false)?;
                m.serialize_field("errors", errors)?;
                m.serialize_field("warnings", warnings)?;
                m.end()
            }
        }
    }
}

/// A post's document, rendered as it is written: people's printers stream it to the output
/// (an upload post carries a whole sound file as base64), the JSON record collects it.
#[derive(Clone, Copy)]
pub struct Document<'a>(pub &'a dyn Fn(&mut dyn io::Write) -> io::Result<()>);

impl Document<'_> {
    /// Writes the document (UTF-8) to `out`.
    pub fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        (self.0)(out)
    }
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Document")
    }
}

/// One post, as `compile` writes it or a dry run shows it (`"type":"post"`).
#[derive(Debug)]
pub enum PostEvent<'a> {
    /// Compiled to stdout: the document itself.
    Compiled {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// Numbers in the post.
        numbers: usize,
        /// The document.
        xml: Document<'a>,
    },
    /// Compiled into a file (`compile -o`); reported as the file is about to be written.
    Written {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// Numbers in the post.
        numbers: usize,
        /// The file.
        path: &'a Path,
    },
    /// What a dry run would post (credentials redacted).
    DryRun {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// The document (UTF-8).
        xml: &'a [u8],
    },
}

impl Serialize for PostEvent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Post", 4)?;
        match self {
            PostEvent::Compiled {
                seq,
                kind,
                numbers,
                xml,
            } => {
                let mut text = Vec::new();
                xml.write_to(&mut text).map_err(S::Error::custom)?;
                m.serialize_field("seq", seq)?;
                m.serialize_field("kind", kind)?;
                m.serialize_field("numbers", numbers)?;
                m.serialize_field("xml", &String::from_utf8_lossy(&text))?;
            }
            PostEvent::Written {
                seq,
                kind,
                numbers,
                path,
            } => {
                m.serialize_field("seq", seq)?;
                m.serialize_field("kind", kind)?;
                m.serialize_field("numbers", numbers)?;
                m.serialize_field("path", &path.display().to_string())?;
            }
            PostEvent::DryRun { seq, kind, xml } => {
                m.serialize_field("seq", seq)?;
                m.serialize_field("kind", kind)?;
                m.serialize_field("dry_run", &true)?;
                m.serialize_field("xml", &String::from_utf8_lossy(xml))?;
            }
        }
        m.end()
    }
}

/// What `send` would do: the campaign's counts, the posts and what the journal says.
#[derive(Debug, Serialize)]
pub struct PlanReport<'a> {
    /// The campaign file as given.
    #[serde(serialize_with = "display")]
    pub file: &'a Path,
    /// The campaign's name.
    pub campaign: &'a str,
    /// Numbers, rows, duplicates, suppressed, recipients.
    #[serde(flatten)]
    pub stats: &'a RecipientStats,
    /// The CSV contact list, if any (shown to people only).
    #[serde(skip)]
    pub contacts: Option<&'a Path>,
    /// Sound uploads.
    pub uploads: usize,
    /// Call posts.
    pub call_posts: u64,
    /// All posts.
    pub posts: usize,
    /// Bytes of the posts as `compile` writes them.
    pub bytes: u64,
    /// What the journal already records.
    pub journal: JournalCounts<'a>,
    /// The provider's name as people know it (shown to people only).
    #[serde(skip)]
    pub provider: &'a str,
    /// Where `send` would post first: `--endpoint`, else the campaign's (shown to people
    /// only).
    #[serde(skip)]
    pub endpoint: &'a str,
    /// The prompts as they will be spoken (shown to people only: `--format markdown`).
    #[serde(skip)]
    pub prompts: Vec<SpokenPrompt>,
    /// What `send` does about each recipient: counts per action and the first rows of each.
    pub changes: &'a crate::converge::Converge,
}

/// One prompt of a plan as it will be played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpokenPrompt {
    /// The API prompt id.
    pub id: u32,
    /// What it plays.
    pub plays: Plays,
    /// For text with placeholders: the text filled for the first recipient, with that
    /// recipient's number and call id.
    pub example: Option<Example>,
}

/// What a prompt plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plays {
    /// Text to speak, as written (placeholders in braces).
    Text(String),
    /// A local sound file, uploaded first.
    Audio(String),
    /// A sound file already in the account.
    Sound(String),
}

/// A template filled for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The recipient's number.
    pub number: String,
    /// Its call id.
    pub callid: String,
    /// The text as it will be spoken.
    pub text: String,
}

/// Recipients of a plan by what the journal records about their call ids.
#[derive(Debug, Serialize)]
pub struct JournalCounts<'a> {
    /// The journal file.
    #[serde(serialize_with = "display")]
    pub path: &'a Path,
    /// Whether the journal has any line (people are shown the counts only then).
    #[serde(skip)]
    pub used: bool,
    /// Accepted by the provider.
    pub accepted: u64,
    /// Posted without a clear answer.
    pub in_doubt: u64,
    /// Neither.
    pub to_send: u64,
}

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

fn action_name<S: Serializer>(action: &Action, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(action.name())
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

fn error_text<S: Serializer>(error: &&SubmitError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(error)
}

/// One recipient of a results report, with the campaign's prompt ids (the record is the
/// result's own).
#[derive(Debug, Clone, Copy)]
pub struct ResultRow<'a> {
    /// The recipient's result.
    pub result: &'a crate::results::RecipientResult,
    /// The campaign's prompt ids, in order (a CSV column each).
    pub prompts: &'a [u32],
}

impl Serialize for ResultRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.result.serialize(s)
    }
}

/// The counts of a Call Query, by the statuses a report uses.
#[derive(Debug, Default, Serialize)]
pub struct QuerySummary {
    /// Recipients queried.
    pub recipients: usize,
    /// Recipients per status.
    #[serde(flatten)]
    pub counts: crate::results::StatusCounts,
}

impl QuerySummary {
    /// Counts `result` too.
    pub fn add(&mut self, result: &crate::results::RecipientResult) {
        self.recipients += 1;
        self.counts.add(result.status);
    }
}

/// A post `listen` could read but not file under a call, as `report --unmatched` shows it.
#[derive(Debug, Serialize)]
pub struct UnmatchedPost<'a> {
    /// When it was stored (RFC 3339, UTC).
    pub received_at: &'a str,
    /// The route it came on.
    pub route: &'a str,
    /// The call id it named ('' for none).
    pub callid: &'a str,
    /// The number it named ('' for none).
    pub number: &'a str,
    /// Why it matched no call.
    pub why: &'a str,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl<'a> UnmatchedPost<'a> {
    /// The row of a stored unmatched post.
    pub fn of(u: &'a crate::results::Unmatched) -> UnmatchedPost<'a> {
        UnmatchedPost {
            received_at: &u.received_at,
            route: &u.route,
            callid: &u.callid,
            number: &u.number,
            why: &u.why,
            body: String::from_utf8_lossy(&u.body).into_owned(),
        }
    }
}

/// Where the local sandbox listens.
#[derive(Debug, Serialize)]
pub struct SandboxUrl<'a> {
    /// Its API URL.
    pub url: &'a str,
}

/// The campaign file's JSON Schema.
#[derive(Debug, Serialize)]
pub struct Schema {
    /// The schema document.
    pub schema: &'static serde_json::Value,
}

impl Schema {
    /// The campaign file's schema.
    pub fn campaign() -> Self {
        Schema {
            schema: crate::campaign::file::json_schema(),
        }
    }

    /// The schema as pretty-printed text with a trailing line break (the checked-in file).
    pub fn text(&self) -> String {
        crate::campaign::file::json_schema_text()
    }
}

/// A shell completion script: people get the script itself, JSON a record that carries it.
#[derive(Debug, Serialize)]
pub struct Completions<'a> {
    /// The shell (`bash`, `zsh`, `fish`).
    pub shell: &'a str,
    /// The script.
    pub script: &'a str,
}

/// The man page: people get the roff itself, JSON a record that carries it.
#[derive(Debug, Serialize)]
pub struct ManPage<'a> {
    /// The page in roff.
    pub roff: &'a str,
}

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

/// What a real `send` is about to do, shown before it asks whether to go on.
#[derive(Debug)]
pub struct Intent<'a> {
    /// The campaign's name.
    pub campaign: &'a str,
    /// The provider's name as people know it.
    pub provider: &'a str,
    /// Recipients in the campaign.
    pub recipients: u64,
    /// Posts in the plan (those the journal shows accepted are skipped).
    pub posts: usize,
    /// Where the posts go, in order of trying.
    pub endpoints: &'a [String],
    /// The journal that records them.
    pub journal: &'a Path,
    /// Nothing records an earlier send of the campaign, and its provider cannot be asked which
    /// calls it holds.
    pub unaskable: bool,
    /// What it changes at the provider, per recipient ("create 3, replace 2 (time 10:00 →
    /// 11:00), remove 1"; "no changes").
    pub changes: &'a str,
}

/// What only a person watching needs: progress and remarks.
#[derive(Debug)]
pub enum Note<'a> {
    /// A submission of this many posts begins (the length of a progress bar).
    Posting {
        /// Posts.
        posts: usize,
    },
    /// One more post is done (where posts have no record of their own).
    Posted,
    /// Posts the report's rows do not show: kept as unmatched, or kept in history because
    /// the stored word outranked them.
    PostsAside {
        /// Unmatched posts of the campaign's provider.
        unmatched: u64,
        /// Posts with a lesser word than the stored one.
        lesser: u64,
        /// Posts with another final word than the stored one.
        conflicts: u64,
    },
    /// `report --unmatched` listed this many posts.
    Unmatched {
        /// Posts listed.
        posts: usize,
    },
    /// `compile` found nothing to post for the action.
    NothingToPost {
        /// The campaign file.
        file: &'a Path,
        /// The action.
        action: Action,
    },
    /// `compile -o` wrote its files.
    Wrote {
        /// Posts written.
        posts: usize,
        /// The folder.
        dir: &'a Path,
    },
    /// A dry `send` found posts that differ from what the journal recorded.
    Changed {
        /// Posts that differ.
        posts: usize,
    },
    /// A dry `send` would skip a post the journal shows accepted.
    AlreadyAccepted {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
    },
    /// A dry `send` would query calls in doubt before posting.
    InDoubt {
        /// Position in the plan.
        seq: usize,
        /// Calls in doubt.
        calls: usize,
    },
    /// The provider answered a `ping` made by its own ids.
    Answered {
        /// The campaign's name.
        campaign: &'a str,
        /// The provider's name as people know it.
        provider: &'a str,
    },
    /// What a `send` changes at the provider, said when it does not ask first (`--yes`).
    Converging {
        /// "create 3, replace 2 (time 10:00 → 11:00), remove 1".
        changes: &'a str,
    },
    /// `report` of a campaign edited since it was sent: what `send` would do about it.
    Unsent {
        /// "create 3, replace 2 (time 10:00 → 11:00), remove 1".
        changes: &'a str,
    },
    /// `plan --out` saved the plan.
    SavedPlan {
        /// The plan file.
        path: &'a Path,
    },
    /// `query` kept its results in the results store.
    Stored {
        /// Rows written.
        rows: usize,
        /// Rows left as they were: a Call Summary or callback had them.
        kept: usize,
        /// The store.
        path: &'a Path,
    },
    /// `report` wrote a file (`--html`, `--retry`).
    WroteFile {
        /// What it holds.
        what: &'a str,
        /// The file.
        path: &'a Path,
    },
    /// Where this campaign's results will come from, when not from where they are posted
    /// ([`crate::provider::Provider::results_note`]).
    ResultsFrom {
        /// The provider's sentence.
        why: &'a str,
    },
    /// A command had no posts to make.
    NothingToDo {
        /// The campaign's name.
        campaign: &'a str,
        /// The action.
        action: Action,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submit::PostStatus;

    fn line(message: Message<'_>) -> String {
        message.json().expect("renders").expect("a record")
    }

    #[test]
    fn records_keep_the_event_stream_format() {
        assert_eq!(
            line(Message::Version(Version {
                outdial: "0.1.0",
                schema: 1,
                commit: None,
            })),
            r#"{"outdial":"0.1.0","schema":1,"type":"version"}"#
        );
        assert_eq!(
            line(Message::Version(Version {
                outdial: "0.1.0",
                schema: 1,
                commit: Some("04959c9"),
            })),
            r#"{"commit":"04959c9","outdial":"0.1.0","schema":1,"type":"version"}"#
        );
        let file = Path::new("c.toml");
        assert_eq!(
            line(Message::Checked(Checked::Valid {
                file,
                campaign: "web",
                recipients: 3,
                prompts: 1,
                sounds: 0,
                call_posts: 1,
                batch_size: 500,
                warnings: 2,
                any_hour: false,
            })),
            r#"{"call_posts":1,"campaign":"web","file":"c.toml","ok":true,"prompts":1,"recipients":3,"sounds":0,"type":"checked","warnings":2}"#
        );
        assert_eq!(
            line(Message::Checked(Checked::Invalid {
                file,
                errors: 5,
                warnings: 0
            })),
            r#"{"errors":5,"file":"c.toml","ok":false,"type":"checked","warnings":0}"#
        );
        let pause = |w: &mut dyn io::Write| w.write_all(b"<campaign action=\"7\"/>");
        assert_eq!(
            line(Message::Post(PostEvent::Compiled {
                seq: 1,
                kind: PostKind::Pause,
                numbers: 0,
                xml: Document(&pause),
            })),
            r#"{"kind":"pause","numbers":0,"seq":1,"type":"post","xml":"<campaign action=\"7\"/>"}"#
        );
        assert_eq!(
            line(Message::Post(PostEvent::Written {
                seq: 2,
                kind: PostKind::Send,
                numbers: 1,
                path: Path::new("o/0002-send.xml"),
            })),
            r#"{"kind":"send","numbers":1,"path":"o/0002-send.xml","seq":2,"type":"post"}"#
        );
        assert_eq!(
            line(Message::Post(PostEvent::DryRun {
                seq: 1,
                kind: PostKind::Ping,
                xml: b"<x/>",
            })),
            r#"{"dry_run":true,"kind":"ping","seq":1,"type":"post","xml":"<x/>"}"#
        );
        assert_eq!(
            line(Message::Done(Done {
                campaign: "web",
                provider: "VoiceShot",
                action: Action::SoundsDelete,
                posts: 2
            })),
            r#"{"action":"sounds-delete","posts":2,"type":"done"}"#
        );
        assert_eq!(
            line(Message::Sandbox(SandboxUrl { url: "http://x/" })),
            r#"{"type":"sandbox","url":"http://x/"}"#
        );
        assert_eq!(
            line(Message::Submit(Progress {
                event: &Event::Resolved {
                    seq: 2,
                    present: 1,
                    missing: 1
                },
                provider: "VoiceShot",
            })),
            r#"{"missing":1,"present":1,"seq":2,"type":"resolved"}"#
        );
        assert_eq!(
            line(Message::Submit(Progress {
                event: &Event::Post {
                    action: Action::Send,
                    seq: 1,
                    kind: PostKind::Send,
                    numbers: 2,
                    sent: 2,
                    status: PostStatus::Accepted,
                    endpoint: None,
                },
                provider: "VoiceShot",
            })),
            r#"{"action":"send","kind":"send","numbers":2,"sent":2,"seq":1,"status":"accepted","type":"post"}"#
        );
    }

    #[test]
    fn submission_records_keep_the_event_stream_format() {
        let summary = SendSummary {
            posts: 3,
            accepted: 2,
            skipped: 1,
            numbers_sent: 3,
            resolved_present: 0,
            ..SendSummary::default()
        };
        assert_eq!(
            line(Message::Sent(Sent {
                campaign: "web",
                provider: "VoiceShot",
                summary: &summary,
                journal: Path::new(".outdial/web.jsonl"),
            })),
            r#"{"accepted":2,"journal":".outdial/web.jsonl","numbers_sent":3,"posts":3,"resolved_present":0,"skipped":1,"type":"sent"}"#
        );
        let result = crate::results::RecipientResult {
            number: "8185550100".into(),
            callid: "web8185550100".into(),
            status: crate::results::Status::NotReached,
            provider_status: Some("No Answer".into()),
            reason: Some("No Answer".into()),
            duration: Some(12),
            answered_by: None,
            attempts: None,
            called_at: Some("2026-01-02T15:00:00Z".into()),
            provider_time: Some("1/2/2026 9:00 AM".into()),
            source: Some("query"),
            keypresses: vec![crate::results::PromptKey {
                prompt: 1,
                keys: "2".into(),
            }],
            responses: [("confirm".to_owned(), "1".to_owned())].into(),
            recording: None,
            not_sent_by_outdial: false,
        };
        // A query's row and a report's row are one record.
        let record = r#"{"answered_by":null,"attempts":null,"called_at":"2026-01-02T15:00:00Z","callid":"web8185550100","duration":12,"keypresses":[{"keys":"2","prompt":1}],"number":"8185550100","provider_status":"No Answer","provider_time":"1/2/2026 9:00 AM","reason":"No Answer","recording":null,"responses":{"confirm":"1"},"source":"query","status":"not-reached","type":"result"}"#;
        let row = ResultRow {
            result: &result,
            prompts: &[1],
        };
        assert_eq!(line(Message::Call(row)), record);
        assert_eq!(line(Message::Recipient(row)), record);
        let mut summary = QuerySummary::default();
        summary.add(&result);
        assert_eq!(
            line(Message::Query(summary)),
            r#"{"in_doubt":0,"never_sent":0,"not_reached":1,"pending":0,"reached":0,"recipients":1,"removed":0,"type":"query","unknown":0}"#
        );
        let err = SubmitError::Rejected {
            seq: 1,
            kind: PostKind::Send,
            rejection: crate::provider::Rejection {
                code: "1".into(),
                code_name: "errorid",
                message: "no".into(),
                refusal: true,
                help: None,
                provider_message: None,
            },
        };
        assert_eq!(
            line(Message::Failed(Failed {
                exit: 5,
                error: &err,
                provider_message: err.provider_message(),
            })),
            r#"{"error":"post 1 (send) was rejected: errorid 1: no","exit":5,"type":"failed"}"#
        );
    }

    #[test]
    fn by_id_records_keep_the_event_stream_format() {
        let removal = Removal {
            removed: 2,
            not_found: 1,
            finished: 0,
            unknown: 3,
        };
        assert_eq!(
            line(Message::Removed(Removed {
                campaign: "web",
                provider: "the Voicent Gateway",
                action: Action::Delete,
                removal: &removal,
            })),
            r#"{"action":"delete","finished":0,"not_found":1,"removed":2,"type":"done","unknown":3}"#
        );
        assert_eq!(
            line(Message::Settled(Settled {
                campaign: "web",
                sent: 1,
                not_sent: 2,
                in_doubt: vec!["web8185550101"],
            })),
            r#"{"in_doubt":["web8185550101"],"not_sent":2,"sent":1,"type":"resolved"}"#
        );
    }

    #[test]
    fn the_plan_record_nests_the_journal_counts() {
        let stats = RecipientStats {
            inline: 4,
            recipients: 3,
            suppressed: 1,
            suppress_list: 1,
            ..RecipientStats::default()
        };
        let plan = PlanReport {
            file: Path::new("c.toml"),
            campaign: "golden",
            stats: &stats,
            contacts: None,
            uploads: 1,
            call_posts: 2,
            posts: 3,
            bytes: 6176,
            journal: JournalCounts {
                path: Path::new(".outdial/golden.jsonl"),
                used: true,
                accepted: 3,
                in_doubt: 0,
                to_send: 0,
            },
            provider: "VoiceShot",
            endpoint: "https://api.voiceshot.com/ivrapi.asp",
            prompts: Vec::new(),
            changes: &crate::converge::Converge::default(),
        };
        assert_eq!(
            line(Message::Plan(plan)),
            r#"{"bytes":6176,"call_posts":2,"campaign":"golden","capped":0,"changes":{"counts":{},"rows":[]},"deferred":0,"duplicates":0,"file":"c.toml","inline":4,"invalid":0,"journal":{"accepted":3,"in_doubt":0,"path":".outdial/golden.jsonl","to_send":0},"journals":0,"outside_window":0,"past":0,"posts":3,"quiet_day":0,"recipients":3,"rows":0,"rules":[],"suppress_list":1,"suppressed":1,"type":"plan","uploads":1,"valid":0}"#
        );
    }

    #[test]
    fn a_problem_record_is_flat() {
        let problem = Problem::error("usage::format", "only for query").help("use json");
        assert_eq!(
            line(Message::Problem(&problem)),
            r#"{"code":"usage::format","column":null,"file":null,"help":"use json","label":null,"line":null,"message":"only for query","severity":"error","type":"problem"}"#
        );
    }

    #[test]
    fn diff_records_keep_the_event_stream_format() {
        use crate::diff::{Area, Change, DiffCounts, Op, SettingChange};
        let change = Change::Setting(SettingChange {
            change: Op::Changed,
            area: Area::CallingRules,
            key: "recipients.window".into(),
            old: Some("\"08:00-21:00\"".into()),
            new: None,
        });
        assert_eq!(
            line(Message::Change(&change)),
            r#"{"area":"calling-rules","change":"changed","key":"recipients.window","new":null,"old":"\"08:00-21:00\"","type":"change","what":"setting"}"#
        );
        assert_eq!(
            line(Message::Diff(Diffed {
                old: "main:c.toml",
                new: "c.toml",
                differs: true,
                counts: DiffCounts {
                    settings: 1,
                    ..DiffCounts::default()
                },
                send: None,
            })),
            r#"{"added":0,"changed":0,"differs":true,"new":"c.toml","old":"main:c.toml","prompts":0,"removed":0,"settings":1,"type":"diff","unchanged":0}"#
        );
    }

    #[test]
    fn the_schema_record_carries_the_schema_and_notes_have_none() {
        let record: serde_json::Value =
            serde_json::from_str(&line(Message::Schema(Schema::campaign()))).unwrap();
        assert_eq!(record["type"], "schema");
        assert_eq!(record["schema"]["title"], "outdial campaign file");
        assert!(Message::Note(Note::Posted).json().unwrap().is_none());
    }

    #[test]
    fn a_document_that_cannot_be_rendered_fails_the_record() {
        let broken = |_: &mut dyn io::Write| Err(io::Error::other("sounds/a.wav changed"));
        let err = Message::Post(PostEvent::Compiled {
            seq: 1,
            kind: PostKind::SoundSave,
            numbers: 0,
            xml: Document(&broken),
        })
        .json()
        .unwrap_err();
        assert_eq!(err.to_string(), "sounds/a.wav changed");
    }
}
