//! What `compile`, a dry run and `plan` report: each post, and what `send` would do (the
//! campaign's counts, the prompts as spoken, what the journal already records); and what a
//! real `send` is about to do before it asks.

use std::fmt;
use std::io;
use std::path::Path;

use serde::Serialize;
use serde::ser::{Error as _, SerializeStruct, Serializer};

use super::fields::display;
use crate::campaign::RecipientStats;
use crate::plan::PostKind;

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
