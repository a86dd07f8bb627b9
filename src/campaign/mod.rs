//! The campaign: loaded from its file, checked, and turned into a clean model.
//!
//! Loading has three stages, each collecting every problem it finds before the next runs:
//! TOML syntax ([`toml::de::DeTable::parse_recoverable`]), structure (keys and types against
//! the schema, [`structure`]), then meaning (numbers, ids, templates, times, [`validate`]).
//! The result is a [`Campaign`] that no renderer has to second-guess.

pub(crate) mod check;
pub mod contacts;
pub mod file;
pub(crate) mod pattern;
mod structure;
mod validate;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Zoned;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::diagnostic::{Problem, Problems};
use crate::phone::PhoneNumber;
use crate::source::SourceFile;
use crate::template::Template;

pub use contacts::{Contacts, RecipientStats, ZoneRules};
pub use file::OnInvalid;

use crate::provider::Provider;

/// A validated campaign: provider-neutral data, plus the provider it is sent to.
#[derive(Debug)]
pub struct Campaign {
    /// The slug that names the campaign.
    pub name: String,
    /// The provider it compiles to, with its settings.
    pub(crate) provider: Box<dyn Provider>,
    /// The zone `at` times are written in, if given.
    pub timezone: Option<Zone>,
    /// Campaign-wide template values.
    pub vars: BTreeMap<String, String>,
    /// Prompts in file order.
    pub prompts: Vec<Prompt>,
    /// Local audio files to upload, each once, in first-use order.
    pub sounds: Vec<Sound>,
    /// The recipients written in the campaign file, deduplicated and with suppressed numbers
    /// removed, in order: `[[recipient]]` entries, then `numbers`. CSV recipients are not here:
    /// they stream from [`Campaign::contacts`] when posts are planned.
    pub recipients: Vec<Recipient>,
    /// The CSV contact list, checked row by row while loading.
    pub contacts: Option<Contacts>,
    /// The do-not-call lists (`[recipients] suppress`), resolved against the campaign file's
    /// folder, in file order.
    pub suppress_lists: Vec<PathBuf>,
    /// What loading found: rows read, invalid, duplicates, suppressed, recipients to call.
    pub stats: RecipientStats,
    /// Derived call ids start with this.
    pub callid_prefix: String,
    /// `[recipients] at`: when CSV rows without an `at` cell are called.
    pub default_at: Option<Zoned>,
    /// The campaign file.
    pub source: Arc<SourceFile>,
    /// Call Commands: how `listen` answers keypress Call Events, in file order.
    pub on_keypress: Vec<KeypressRule>,
    /// `window = "always"`: calls ring at any hour, by the campaign's explicit choice (else
    /// they ring within `window`, or 08:00-21:00 recipient-local without one).
    pub any_hour: bool,
}

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

impl Campaign {
    /// The value of placeholder `name` for `r`: the recipient's own, else the campaign's
    /// `[vars]`; what every rendering of a prompt's text looks up.
    pub fn var<'a>(&'a self, r: &'a Recipient, name: &str) -> Option<&'a str> {
        r.vars
            .get(name)
            .or_else(|| self.vars.get(name).map(String::as_str))
    }

    /// The provider the campaign is sent to, with its settings.
    pub fn provider(&self) -> &dyn Provider {
        self.provider.as_ref()
    }

    /// Line number of a span in the campaign file.
    pub fn line_of(&self, span: &Range<usize>) -> usize {
        self.source.line_col(span.start).line
    }
}

/// A campaign and the warnings found while loading it.
#[derive(Debug)]
pub struct Loaded {
    /// The campaign.
    pub campaign: Campaign,
    /// Warnings (never errors).
    pub warnings: Problems,
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

/// Reads, parses and validates a campaign file. On failure, every problem found (at least one
/// error) is returned.
///
/// Everything is checked here, before anything could be sent: the campaign file, the
/// suppression lists, and every row of the CSV contact list. The CSV is streamed once and not
/// kept: what remains is a compact list of the rows to leave out (invalid, duplicate,
/// suppressed) and the counts in [`Campaign::stats`]. [`crate::plan::posts`] streams the file
/// a second time to build the posts.
pub fn load(path: &Path) -> Result<Loaded, Problems> {
    load_with(path, &LoadOptions::default())
}

/// [`load`] with options.
///
/// The path `-` reads the campaign from standard input; paths written in it (`csv`, `audio`,
/// `suppress`) then resolve against the current folder, and its default journal is
/// `.outdial/<campaign>.jsonl` there.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Loaded, Problems> {
    let text = match read_campaign_file(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let source = SourceFile::new(path, lossy);
                let mut problems = Problems::new();
                problems.push(
                    Problem::error(
                        "campaign::not-utf8",
                        format!("{} is not UTF-8 text", path.display()),
                    )
                    .at(&source, at..at + 1, "this byte is not UTF-8")
                    .help("save the campaign file as UTF-8"),
                );
                return Err(problems);
            }
        },
        Err(err) => {
            let mut problems = Problems::new();
            problems.push(
                Problem::error(
                    "campaign::unreadable",
                    format!("cannot read {}: {err}", path.display()),
                )
                .help("check the path; campaign files are TOML, e.g. examples/outage-alert.toml"),
            );
            return Err(problems);
        }
    };
    load_str_with(path, text, options)
}

/// The largest campaign file read. Settings and prompts fit in kilobytes; recipients by the
/// thousand belong in a CSV, which is streamed.
const MAX_CAMPAIGN_BYTES: u64 = 16 << 20;

/// Reads a campaign file, at most [`MAX_CAMPAIGN_BYTES`] of it: `/dev/zero` or a runaway
/// generator behind a pipe cannot fill memory. The kernel's files are refused, since a parse
/// error would show their text (`/proc/self/environ` holds the credentials).
fn read_campaign_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    // A pipe (`<(…)`) cannot be resolved, and is read as it is.
    if let Ok(canonical) = std::fs::canonicalize(path)
        && ["/proc", "/sys"].iter().any(|k| canonical.starts_with(k))
    {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "this is a system file, not a campaign",
        ));
    }
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_CAMPAIGN_BYTES + 1)
            .read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)?
            .take(MAX_CAMPAIGN_BYTES + 1)
            .read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > MAX_CAMPAIGN_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB; keep recipients in a CSV file ([recipients] csv = \"…\"), which is streamed",
                MAX_CAMPAIGN_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Like [`load`], from text already in memory (`path` names it and anchors relative paths).
pub fn load_str(path: &Path, text: String) -> Result<Loaded, Problems> {
    load_str_with(path, text, &LoadOptions::default())
}

/// [`load_str`] with options.
pub fn load_str_with(path: &Path, text: String, options: &LoadOptions) -> Result<Loaded, Problems> {
    let _span = tracing::info_span!("load", file = %path.display()).entered();
    let result = load_source(path, text, options);
    match &result {
        Ok(loaded) => tracing::info!(
            campaign = %loaded.campaign.name,
            recipients = loaded.campaign.stats.recipients,
            warnings = loaded.warnings.warning_count(),
            "valid"
        ),
        Err(problems) => tracing::info!(
            errors = problems.error_count(),
            warnings = problems.warning_count(),
            "invalid"
        ),
    }
    result
}

fn load_source(path: &Path, text: String, options: &LoadOptions) -> Result<Loaded, Problems> {
    let source = SourceFile::new(path, text);
    let mut problems = Problems::new();
    let text = source.text();
    let (mut root, syntax) = toml::de::DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for err in syntax {
            let span = err.span().unwrap_or(0..0);
            problems.push(
                Problem::error(
                    "campaign::syntax",
                    format!("TOML syntax: {}", err.message().trim_end()),
                )
                .at(&source, span, "here")
                .help("fix the TOML syntax; outdial reads the rest once the file parses"),
            );
        }
        return Err(problems);
    }
    tracing::debug!("parsed");
    let pruned = structure::check(&mut root, file::json_schema(), &source, &mut problems);
    let provider_span = structure::span_of(&root, &["campaign", "provider"]);
    let raw = match file::CampaignFile::deserialize(toml::de::Deserializer::from(root)) {
        Ok(raw) => raw,
        Err(err) => {
            // The structure check prunes everything serde would refuse, so this is a bug
            // in outdial; still report it with its position rather than panic.
            problems.push(
                Problem::error("campaign::structure", err.message().to_string()).at(
                    &source,
                    err.span().unwrap_or(0..0),
                    "here",
                ),
            );
            return Err(problems);
        }
    };
    tracing::debug!(problems = problems.error_count(), "structure checked");
    // What other campaigns called, for `max_calls`: their journals.
    let history = crate::journal::OtherJournals {
        dir: source.resolve(".outdial"),
        state: &options.state,
    };
    let campaign = validate::validate(
        raw,
        &source,
        &pruned,
        provider_span,
        options,
        &history,
        &mut problems,
    );
    match campaign {
        Some(campaign) if !problems.has_errors() => Ok(Loaded {
            campaign,
            warnings: problems,
        }),
        _ => Err(problems),
    }
}
