//! The first pass: every recipient checked once, the CSV streamed through the row rules on
//! one thread and through the dedupe, suppression and call-id sets on another.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::ops::Range;
use std::sync::Arc;

use csv::ByteRecord;
use jiff::{Timestamp, Zoned};

use super::dedupe::{CallIds, Seen};
use super::excerpt::{Excerpts, Spot};
use super::header::{Header, columns};
use super::rows::{RowError, Rules};
use super::suppress::load_suppress;
use super::window::TimeChecks;
use super::{Contacts, Fingerprint, RecipientStats, SHOWN, Window, open_error, reader};
use crate::callid;
use crate::campaign::file::{OnInvalid, RecipientsSection};
use crate::campaign::{LoadOptions, Prompt, Recipient, Zone};
use crate::diagnostic::{Problem, Problems};
use crate::phone::{NumberError, PhoneNumber, Region};
use crate::source::SourceFile;

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
pub(in crate::campaign) struct ScanInput<'a> {
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
    /// From [`settings`](fn@super::settings).
    pub region: Region,
    /// From [`settings`](fn@super::settings).
    pub window: Option<Window>,
}

/// The outcome of [`scan`].
pub(in crate::campaign) struct Scanned {
    pub inline: Vec<Recipient>,
    pub contacts: Option<Contacts>,
    pub stats: RecipientStats,
}

/// Checks everything about recipients that goes beyond one TOML value: region, window,
/// suppression lists, and every CSV row; removes suppressed inline recipients.
pub(in crate::campaign) fn scan(input: ScanInput<'_>, problems: &mut Problems) -> Scanned {
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
