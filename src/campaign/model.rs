//! The parts of a campaign model: recipients, prompts, sounds, zones, keypress rules, and the
//! choices a campaign is loaded with. [`super::validated::Campaign`] holds them.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Zoned;
use jiff::tz::TimeZone;

use crate::phone::PhoneNumber;
use crate::template::Template;

/// One `[[on_keypress]]` rule, checked: what to answer keys pressed at a prompt with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeypressRule {
    /// The prompt the keys were pressed at.
    pub prompt: u32,
    /// The keys, exactly as the provider reports them.
    pub key: String,
    /// Jump to this prompt.
    pub goto: Option<u32>,
    /// Text to speak.
    pub tts: Option<String>,
    /// Sound file (in the account) to play.
    pub filename: Option<String>,
    /// Number to transfer to, as digits.
    pub transferto: Option<String>,
    /// Caller ID shown on the transfer.
    pub callerid: Option<String>,
    /// DTMF tones to play.
    pub dtmf: Option<String>,
}

/// A named time zone.
#[derive(Debug, Clone)]
pub struct Zone {
    /// IANA name as written.
    pub name: String,
    /// The zone's rules.
    pub tz: TimeZone,
}

/// One prompt.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// API prompt id.
    pub id: u32,
    /// What the prompt plays.
    pub content: PromptContent,
    /// Transfer number.
    pub transferto: Option<PhoneNumber>,
    /// Caller ID shown on transfer.
    pub callerid: Option<String>,
    /// Where the `[[prompt]]` stands in the file.
    pub span: Range<usize>,
}

/// What a prompt plays.
#[derive(Debug, Clone)]
pub enum PromptContent {
    /// Text to speak, possibly with placeholders.
    Tts(Template),
    /// A sound file already in the account, by name.
    Sound(String),
    /// A local file uploaded first; index into [`Campaign::sounds`].
    Audio(usize),
}

/// A local audio file to upload.
#[derive(Debug, Clone)]
pub struct Sound {
    /// Path as resolved against the campaign file's folder.
    pub path: PathBuf,
    /// The name it is uploaded and played under (the path's file name).
    pub name: String,
    /// Where `audio = "…"` stands in the campaign file.
    pub span: Range<usize>,
}

/// One person to call.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The number.
    pub number: PhoneNumber,
    /// The call id (given or derived).
    pub callid: String,
    /// When to call; `None` = now.
    pub at: Option<Zoned>,
    /// Extension to dial after connecting.
    pub ext: Option<String>,
    /// Per-call caller ID.
    pub callerid: Option<String>,
    /// The recipient's own IANA time zone for the calling rules, when given (else the
    /// number's area code decides).
    pub timezone: Option<String>,
    /// Template values for this recipient.
    pub vars: Vars,
    /// Where the recipient was written in the campaign file (for a CSV row: the `csv` key).
    pub span: Range<usize>,
    /// Where the recipient's own `at` is written in the campaign file, if it has one there
    /// (problems with the time point at it, not at the number).
    pub at_span: Option<Range<usize>>,
    /// The CSV line the recipient's row starts on; `None` for recipients in the campaign file.
    pub row: Option<u64>,
}

/// A recipient's template values: names shared by every row of a CSV, values in one string.
///
/// One allocation per recipient instead of a map of strings, because CSV recipients are made
/// by the million. An empty value counts as no value, in CSV cells and inline vars alike, so
/// that `[vars]` can fill blanks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    names: Arc<[Box<str>]>,
    /// The values in `names` order, each followed by NUL (which XML text can never contain, so
    /// validation guarantees it is not inside a value).
    values: String,
}

impl Vars {
    /// Values for `names`, given in the same order (the names are shared, not copied).
    pub fn new<'a, I>(names: Arc<[Box<str>]>, values: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: Clone,
    {
        let values = values.into_iter();
        // Sized up front: this runs once per CSV recipient, and growing the string would
        // reallocate several times per row.
        let mut text = String::with_capacity(values.clone().map(|v| v.len() + 1).sum());
        for value in values {
            text.push_str(value);
            text.push('\0');
        }
        Self {
            names,
            values: text,
        }
    }

    /// Values given as raw bytes (CSV cells), checked as UTF-8 in one go; `None` if they are
    /// not UTF-8.
    pub fn from_utf8<'a, I>(names: Arc<[Box<str>]>, values: I) -> Option<Self>
    where
        I: IntoIterator<Item = &'a [u8]>,
        I::IntoIter: Clone,
    {
        let values = values.into_iter();
        let mut bytes = Vec::with_capacity(values.clone().map(|v| v.len() + 1).sum());
        for value in values {
            bytes.extend_from_slice(value);
            bytes.push(0);
        }
        Some(Self {
            names,
            values: String::from_utf8(bytes).ok()?,
        })
    }

    /// From name-value pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let (names, values): (Vec<&str>, Vec<&str>) = pairs.into_iter().unzip();
        let names: Arc<[Box<str>]> = names.into_iter().map(Box::from).collect();
        Self::new(names, values)
    }

    /// The value of `name`, if set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        let index = self.names.iter().position(|n| &**n == name)?;
        self.values().nth(index).filter(|value| !value.is_empty())
    }

    /// Name-value pairs, in order (empty values included).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().map(|n| &**n).zip(self.values())
    }

    /// The names, shared by every recipient of one CSV (so a renderer can map placeholders to
    /// positions once per CSV, not once per recipient: compare with [`Arc::ptr_eq`]).
    pub fn names(&self) -> &Arc<[Box<str>]> {
        &self.names
    }

    /// The values in [`Vars::names`] order (empty values included).
    pub fn values(&self) -> impl Iterator<Item = &str> {
        // A byte loop: values are a few bytes long, and `split_terminator('\0')` set up a
        // searcher for each that cost more than the search (callgrind, compile of 100k rows:
        // 137 instructions a value, 4% of the whole). Every value ends with its NUL.
        let mut rest = self.values.as_str();
        std::iter::from_fn(move || {
            let end = rest.bytes().position(|b| b == 0)?;
            let value = &rest[..end];
            rest = &rest[end + 1..];
            Some(value)
        })
    }

    /// Whether there are no names.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Choices that change what counts as an error.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The campaign is loaded for a request that rings no one (a query, a removal, a pause, a
    /// sound upload): the calling hours and quiet days are not judged, so such a request
    /// works at any hour — stopping a bad campaign at night most of all.
    pub rings_no_one: bool,
    /// Calls scheduled in the past are errors (invalid rows, for CSV) instead of warnings.
    pub deny_past: bool,
    /// The time "past" is measured from; `None` = the system clock (tests pin it).
    pub now: Option<jiff::Timestamp>,
    /// Where other campaigns' journals are read for `max_calls`: the `.outdial/` folder next
    /// to the campaign file, or every campaign in the state store.
    pub state: crate::state::StateLocation,
}
