//! Recipients at scale: CSV contact lists, do-not-call lists, dedupe, and the row stream.
//!
//! A CSV is read twice and never held. Loading ([`super::load`]) does the file-level checks
//! (the file opens, the header has the number column, placeholders name columns, the
//! suppression lists parse) and then streams every row once through the same checks the
//! posts will rely on, keeping only the dedupe set (8 bytes a number), the sorted indexes of
//! the rows to leave out, counts, and the first few problems. Planning ([`RowStream`]) streams
//! the file again, skips the listed rows and turns the rest into [`Recipient`]s batch by batch;
//! if the file changed in between, the stream stops with a problem instead of sending
//! something that was never checked.

mod dedupe;
mod excerpt;
mod header;
mod rows;
mod stream;
mod suppress;
mod window;

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use csv::ByteRecord;
use jiff::{Timestamp, Zoned};

use super::file::{OnInvalid, RecipientsSection};
use super::{LoadOptions, Prompt, Recipient, Zone};
use crate::callid;
use crate::diagnostic::{Problem, Problems};
use crate::phone::{NumberError, PhoneNumber, Region};
use crate::source::SourceFile;
use dedupe::{CallIds, Seen};
use excerpt::{Excerpts, Spot};
use header::{Columns, columns};
pub(super) use header::{Header, read_header};
use rows::{RowError, Rules};
pub use stream::RowStream;
use suppress::load_suppress;
use window::TimeChecks;
pub use window::Window;

/// At most this many row problems of one kind are shown; the rest are counted.
pub const SHOWN: usize = 20;

/// A CSV contact list that passed loading, ready to stream.
#[derive(Debug, Clone)]
pub struct Contacts {
    /// The file, resolved against the campaign file's folder.
    pub path: PathBuf,
    /// Where `csv = "…"` stands in the campaign file.
    pub span: Range<usize>,
    columns: Columns,
    /// Data-row indexes (0-based, header excluded) that are not called, ascending.
    skip: Vec<u64>,
    fingerprint: Fingerprint,
    region: Region,
    /// Added to the reader's line numbers (see `Header::crlf`).
    line_fix: u64,
}

impl Contacts {
    /// The NANP region numbers are read in.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Names of the columns the prompts use (the vars of each CSV recipient).
    pub fn var_names(&self) -> &[Box<str>] {
        &self.columns.var_names
    }
}

/// What loading counted. `rows = valid + invalid`; `recipients` is what `send` calls: the
/// campaign file's own recipients plus the valid rows, less duplicates and suppressed numbers.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RecipientStats {
    /// Numbers written in the campaign file (`numbers` and `[[recipient]]`).
    pub inline: u64,
    /// CSV data rows read.
    pub rows: u64,
    /// CSV rows that passed every check.
    pub valid: u64,
    /// CSV rows left out as invalid (`on_invalid = "skip"`).
    pub invalid: u64,
    /// Entries left out because their number came earlier.
    pub duplicates: u64,
    /// Entries left out because their number is on a suppression list.
    pub suppressed: u64,
    /// Distinct numbers on the suppression lists.
    pub suppress_list: u64,
    /// Recipients to call.
    pub recipients: u64,
    /// Calls scheduled in the past (warned about, or errors with `deny_past`).
    pub past: u64,
    /// The first skipped rows, as warnings naming file, line and column (for `plan`).
    #[serde(skip)]
    pub skipped: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
}

impl Fingerprint {
    fn of(file: &File) -> Option<Self> {
        let meta = file.metadata().ok()?;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The message for a file that cannot be opened.
fn open_error(path: &Path, err: &std::io::Error) -> String {
    format!("cannot read {}: {err}", path.display())
}

/// The CSV reader every pass uses.
fn reader<R: Read>(input: R) -> csv::Reader<R> {
    // Flexible, so that a ragged row is reported with its line and the scan goes on to find
    // every other problem, instead of the reader stopping at the first one.
    csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input)
}

/// Rows handed from the reading thread to the dedupe thread at a time.
const CHECK_BATCH: usize = 4096;

/// One row as the reading thread checked it: where it is, and the number, whether it is
/// scheduled in the past, and its call id's hash (0 when call ids are not tracked).
struct Checked {
    line: u64,
    byte: u64,
    end: u64,
    outcome: Result<(PhoneNumber, bool, u64), RowError>,
}

/// A duplicate kept for showing.
struct DupSpot {
    spot: Spot,
    number: PhoneNumber,
    first: u64,
}

/// Everything [`scan`] needs from the validated campaign file.
pub(super) struct ScanInput<'a> {
    pub source: &'a Arc<SourceFile>,
    pub section: Option<&'a RecipientsSection>,
    pub header: Option<Header>,
    pub prefix: &'a str,
    pub zone: Option<&'a Zone>,
    pub default_at: Option<&'a Zoned>,
    pub prompts: &'a [Prompt],
    pub vars: &'a BTreeMap<String, String>,
    pub options: &'a LoadOptions,
    /// Inline recipients, already deduplicated among themselves.
    pub inline: Vec<Recipient>,
    /// Inline entries dropped as duplicates.
    pub inline_duplicates: u64,
    /// Inline entries read.
    pub inline_count: u64,
    /// From [`settings`].
    pub region: Region,
    /// From [`settings`].
    pub window: Option<Window>,
}

/// The outcome of [`scan`].
pub(super) struct Scanned {
    pub inline: Vec<Recipient>,
    pub contacts: Option<Contacts>,
    pub stats: RecipientStats,
}

/// The `region` and `window` settings, checked even when other parts of the campaign have
/// errors (they need nothing else to be valid).
pub(super) fn settings(
    section: Option<&RecipientsSection>,
    zone: Option<&Zone>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> (Region, Option<Window>) {
    let region = match section.and_then(|s| s.region.as_ref()) {
        Some(text) => match Region::parse(text.get_ref()) {
            Ok(region) => region,
            Err(err) => {
                problems.push(
                    Problem::error("campaign::bad-region", err.to_string())
                        .at(source, text.span(), "not a NANP region")
                        .help("use \"US\", \"CA\" or another NANP region, or remove `region`"),
                );
                Region::US
            }
        },
        None => Region::US,
    };
    let window = section.and_then(|s| s.window.as_ref()).and_then(|text| {
        match Window::parse(text.get_ref()) {
            Some(window) if zone.is_some() => Some(window),
            Some(_) => {
                problems.push(
                    Problem::error(
                        "campaign::missing-timezone",
                        "calling hours are given but the campaign has no time zone",
                    )
                    .at(source, text.span(), "in which time zone?")
                    .help("add `timezone = \"America/Chicago\"` (your zone) to [campaign]"),
                );
                None
            }
            None => {
                problems.push(
                    Problem::error(
                        "campaign::bad-window",
                        format!("\"{}\" is not a calling-hours window", text.get_ref()),
                    )
                    .at(source, text.span(), "not HH:MM-HH:MM")
                    .help("write the hours as \"08:00-21:00\" (24-hour, in campaign.timezone)"),
                );
                None
            }
        }
    });
    (region, window)
}

/// Checks everything about recipients that goes beyond one TOML value: region, window,
/// suppression lists, and every CSV row; removes suppressed inline recipients.
pub(super) fn scan(input: ScanInput<'_>, problems: &mut Problems) -> Scanned {
    let source = input.source;
    let section = input.section;
    let mut stats = RecipientStats {
        inline: input.inline_count,
        duplicates: input.inline_duplicates,
        ..RecipientStats::default()
    };
    let (region, window) = (input.region, input.window);
    let now = input.options.now.unwrap_or_else(Timestamp::now);

    let mut suppress: Vec<u64> = Vec::new();
    for list in section.iter().flat_map(|s| &s.suppress) {
        let number_column = section.and_then(|s| s.number_column.as_ref());
        load_suppress(list, number_column, source, &mut suppress, problems);
    }
    let mut suppress_set = Seen::new();
    for &n in &suppress {
        if suppress_set.first(n).is_none() {
            suppress_set.insert(n, 0);
        }
    }
    drop(suppress);
    stats.suppress_list = suppress_set.len() as u64;
    // One hash probe per row; a binary search over 10,000 numbers was a fifth of the scan.
    let suppressed = |n: &PhoneNumber| suppress_set.first(n.as_u64()).is_some();

    // The campaign file's own recipients: times, then suppression, then the dedupe set.
    let mut seen = Seen::new();
    let mut inline_spans: HashMap<u64, Range<usize>> = HashMap::new();
    let mut inline = Vec::with_capacity(input.inline.len());
    let past_at = section.and_then(|s| s.at.as_ref());
    let mut default_reported = false;
    let times = TimeChecks {
        window,
        zone: input.zone,
        now,
        source,
        deny_past: input.options.deny_past,
    };
    for r in input.inline {
        if let Some(at) = &r.at {
            let default = input.default_at.is_some_and(|d| d == at);
            let span = match (default, past_at) {
                (true, Some(d)) => d.span(),
                _ => r.span.clone(),
            };
            if !(default && default_reported) {
                times.check(at, &span, problems, &mut stats);
                default_reported |= default;
            }
        }
        if suppressed(&r.number) {
            stats.suppressed += 1;
            continue;
        }
        seen.insert(r.number.as_u64(), 0);
        inline_spans.insert(r.number.as_u64(), r.span.clone());
        inline.push(r);
    }
    if let (Some(at), Some(d), false) = (input.default_at, past_at, default_reported) {
        times.check(at, &d.span(), problems, &mut stats);
    }

    let on_invalid = section.and_then(|s| s.on_invalid).unwrap_or_default();
    let shared_callids = section.is_some_and(|s| s.shared_callids);
    let contacts = input.header.and_then(|header| {
        let columns = columns(&header, input.prompts, input.vars, input.zone, source, problems)?;
        let explicit_ids = columns.callid.is_some()
            || inline
                .iter()
                .any(|r| r.callid != callid::derive(input.prefix, &r.number));
        let mut callids = (explicit_ids && !shared_callids).then(|| {
            let mut ids = CallIds::new();
            for r in &inline {
                ids.insert(&r.callid, 0);
            }
            ids
        });
        let rules = Rules {
            columns: &columns,
            zone: input.zone,
            default_at: None,
            window,
            now,
            deny_past: input.options.deny_past,
            trusted: false,
        };
        let file = match File::open(&header.path) {
            Ok(file) => file,
            Err(err) => {
                problems.push(
                    Problem::error("csv::unreadable", open_error(&header.path, &err))
                        .at(source, header.span.clone(), "this file"),
                );
                return None;
            }
        };
        let fingerprint = Fingerprint::of(&file)?;
        let mut skip = Vec::new();
        let mut errors: Vec<Spot> = Vec::new();
        let mut error_count = 0u64;
        let mut skipped: Vec<Spot> = Vec::new();
        let mut dups: Vec<DupSpot> = Vec::new();
        let mut first_past: Option<Spot> = None;
        let track_ids = callids.is_some();
        let prefix = input.prefix;
        let crlf = u64::from(header.crlf);
        // Two threads: this one reads and checks rows (no shared state), the other keeps the
        // sets (dedupe, suppression, call ids) in file order. Batches of rows between them
        // keep the hand-over cheap; a bounded channel keeps memory flat.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Checked>>(4);
        let read = std::thread::scope(|scope| {
            let reading = scope.spawn(move || -> Result<(), csv::Error> {
                let mut reader = reader(BufReader::with_capacity(1 << 16, file));
                // The header was read already; reading it again keeps positions right.
                let _ = reader.byte_headers();
                let mut record = ByteRecord::new();
                let mut derived = String::new();
                let mut batch = Vec::with_capacity(CHECK_BATCH);
                while reader.read_byte_record(&mut record)? {
                    let (line, byte) = record
                        .position()
                        .map_or((0, 0), |p| (p.line() + crlf, p.byte()));
                    let outcome = rules.row(&record).map(|row| {
                        let id = match (track_ids, row.callid) {
                            (false, _) => 0,
                            (true, Some(id)) => CallIds::hash(id),
                            (true, None) => {
                                derived.clear();
                                derived.push_str(prefix);
                                derived.push_str(row.number.as_str());
                                CallIds::hash(&derived)
                            }
                        };
                        (row.number, row.past, id)
                    });
                    batch.push(Checked {
                        line,
                        byte,
                        end: reader.position().byte(),
                        outcome,
                    });
                    if batch.len() == CHECK_BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(CHECK_BATCH));
                        if tx.send(full).is_err() {
                            return Ok(());
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = tx.send(batch);
                }
                Ok(())
            });
            for (index, checked) in rx.iter().flatten().enumerate() {
                if index == CHECK_BATCH && checked.end > 0 {
                    // Size the dedupe set from the first rows' average length.
                    let expected = fingerprint.len / (checked.end / CHECK_BATCH as u64).max(1);
                    seen.reserve((expected as usize).saturating_sub(seen.len()));
                }
                let index = index as u64;
                let spot = |error: RowError| Spot {
                    line: checked.line,
                    byte: checked.byte,
                    end: checked.end,
                    error,
                };
                stats.rows += 1;
                let mut outcome = checked.outcome;
                if let (Ok((number, _, id)), Some(ids)) = (&outcome, callids.as_mut())
                    && !suppressed(number)
                    && seen.first(number.as_u64()).is_none()
                    && let Some(first) = ids.insert_hash(*id, checked.line)
                {
                    let col = columns.callid.unwrap_or(columns.number);
                    outcome = Err(RowError::DuplicateCallId(col, first));
                }
                match outcome {
                    Err(error) => {
                        skip.push(index);
                        if error.fatal() || on_invalid == OnInvalid::Error {
                            error_count += 1;
                            if errors.len() < SHOWN {
                                errors.push(spot(error));
                            }
                        } else {
                            stats.invalid += 1;
                            if skipped.len() < SHOWN {
                                skipped.push(spot(error));
                            }
                        }
                    }
                    Ok((number, past, _)) => {
                        stats.valid += 1;
                        let n = number.as_u64();
                        if past {
                            stats.past += 1;
                            if first_past.is_none() {
                                first_past = Some(spot(RowError::Past(columns.at.unwrap_or(0))));
                            }
                        }
                        if suppressed(&number) {
                            stats.suppressed += 1;
                            skip.push(index);
                        } else if let Some(first) = seen.first_or_insert(n, checked.line) {
                            stats.duplicates += 1;
                            skip.push(index);
                            if dups.len() < SHOWN {
                                dups.push(DupSpot {
                                    spot: spot(RowError::Number(
                                        columns.number,
                                        NumberError::Empty,
                                    )),
                                    number,
                                    first,
                                });
                            }
                        } else {
                            stats.recipients += 1;
                        }
                    }
                }
            }
            reading.join()
        });
        match read {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                problems.push(
                    Problem::error("csv::unreadable", format!("{}: {err}", header.path.display()))
                        .at(source, header.span.clone(), "this file"),
                );
                return None;
            }
            Err(_) => {
                problems.push(
                    Problem::error("csv::unreadable", "the CSV reading thread failed")
                        .at(source, header.span.clone(), "this file"),
                );
                return None;
            }
        }
        drop(seen);
        let mut excerpts = Excerpts::open(&header.path);
        let shown = header.shown();
        let ncols = columns.names.len();
        for spot in &errors {
            problems.push(excerpts.problem(spot, &columns, &shown, ncols, region, true));
        }
        if error_count > errors.len() as u64 {
            problems.push(
                Problem::error(
                    "csv::more-problems",
                    format!(
                        "{} in {shown} not shown",
                        rows(error_count - errors.len() as u64, "more invalid row", "more invalid rows")
                    ),
                )
                .at(source, header.span.clone(), "in this file")
                .help(format!(
                    "the first {SHOWN} are shown; set on_invalid = \"skip\" in [recipients] to leave \
                     invalid rows out (`outdial plan` lists them)"
                )),
            );
        }
        stats.skipped = skipped
            .iter()
            .map(|spot| excerpts.problem(spot, &columns, &shown, ncols, region, false))
            .collect();
        if stats.invalid > 0 {
            problems.push(
                Problem::warning(
                    "csv::skipped-rows",
                    format!(
                        "{} of {shown} left out (on_invalid = \"skip\")",
                        rows(stats.invalid, "invalid row", "invalid rows")
                    ),
                )
                .at(source, header.span.clone(), "in this file")
                .help("`outdial plan` lists the first ones with their line and column"),
            );
        }
        for dup in &dups {
            let first = if dup.first == 0 {
                let line = inline_spans
                    .get(&dup.number.as_u64())
                    .map_or(0, |s| source.line_col(s.start).line);
                format!("{} line {line}", source.name())
            } else {
                format!("line {}", dup.first)
            };
            let (excerpt, span) = excerpts.excerpt(&dup.spot, &shown, Some(columns.number));
            problems.push(
                Problem::warning(
                    "csv::duplicate-number",
                    format!(
                        "{} on line {} is listed twice; it is called once (first on {first})",
                        dup.number, dup.spot.line
                    ),
                )
                .at(&excerpt, span, "listed again here")
                .help("remove one of the two entries"),
            );
        }
        let csv_dups = dups.len() as u64;
        let all_csv_dups = stats.duplicates - input.inline_duplicates;
        if all_csv_dups > csv_dups {
            problems.push(
                Problem::warning(
                    "csv::more-duplicates",
                    format!(
                        "{} in {shown} listed twice (each is called once)",
                        rows(all_csv_dups - csv_dups, "more number", "more numbers")
                    ),
                )
                .at(source, header.span.clone(), "in this file")
                .help("`outdial plan` counts them"),
            );
        }
        if let Some(spot) = &first_past {
            let (excerpt, span) = excerpts.excerpt(spot, &shown, columns.at);
            problems.push(
                Problem::warning(
                    "csv::past-time",
                    format!(
                        "{} in the past (first on line {}); VoiceShot calls them now",
                        rows(stats.past, "row schedules a call", "rows schedule calls"),
                        spot.line
                    ),
                )
                .at(&excerpt, span, "in the past")
                .help("fix the times, or run with --deny-past to make this an error"),
            );
        }
        Some(Contacts {
            path: header.path,
            span: header.span,
            columns,
            skip,
            fingerprint,
            region,
            line_fix: u64::from(header.crlf),
        })
    });
    stats.recipients += inline.len() as u64;
    Scanned {
        inline,
        contacts,
        stats,
    }
}

fn rows(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
