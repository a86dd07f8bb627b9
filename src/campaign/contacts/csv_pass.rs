//! The CSV in the first pass: its columns matched to the prompts, its rows read and checked
//! on one thread ([`read_rows`]) and taken in file order through the sets on another
//! ([`Tally::add`]), and what they showed reported ([`super::report`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use csv::ByteRecord;
use jiff::Timestamp;

use super::checked::{Contacts, Fingerprint};
use super::dedupe::{CallIds, Seen};
use super::header::{Columns, Header, columns};
use super::list::{open_error, open_list, read_row, reader};
use super::report::Report;
use super::rows::Rules;
use super::rule_counts::{RuleCounts, overruled};
use super::rules::CallingRules;
use super::scan_input::{ScanInput, Sets};
use super::stats::RecipientStats;
use super::tally::{Checked, Found, Good, Tally};
use crate::callid;
use crate::campaign::model::Recipient;
use crate::diagnostic::{Problem, Problems};

/// Rows handed from the reading thread to the dedupe thread at a time.
const CHECK_BATCH: usize = 4096;

/// The scan of the CSV, with what it is checked against.
pub(super) struct CsvScan<'a> {
    pub(super) input: &'a ScanInput<'a>,
    pub(super) now: Timestamp,
    pub(super) sets: &'a Sets<'a>,
    pub(super) calling: Option<Arc<CallingRules>>,
    /// The campaign file's recipients that are called.
    pub(super) inline: &'a [Recipient],
    pub(super) inline_spans: &'a HashMap<u64, Range<usize>>,
}

impl CsvScan<'_> {
    /// Checks every row of the CSV against the rules and the sets (`seen` holds the campaign
    /// file's numbers) and reports what it found. `None` when the columns do not fit the
    /// prompts or the file cannot be read through.
    pub(super) fn run(
        &self,
        header: Header,
        seen: Seen,
        counts: &mut RuleCounts,
        stats: &mut RecipientStats,
        problems: &mut Problems,
    ) -> Option<Contacts> {
        let input = self.input;
        let columns = columns(
            &header,
            input.prompts,
            input.vars,
            input.zone,
            input.source,
            problems,
        )?;
        let callids = self.call_ids(&columns);
        let rules = Rules {
            columns: &columns,
            zone: input.zone,
            default_at: None,
            calling: self.calling.as_deref(),
            now: self.now,
            deny_past: input.options.deny_past,
            trusted: false,
            abroad: input.abroad,
            allowed: input.allowed,
            time_check: input.time_check,
        };
        let file = self.open(&header, problems)?;
        let fingerprint = Fingerprint::of(&file)?;
        let tally = Tally {
            columns: &columns,
            on_invalid: input.section.and_then(|s| s.on_invalid).unwrap_or_default(),
            sets: self.sets,
            seen,
            callids,
            stats,
            counts,
            found: Found::default(),
        };
        let found = self.check_rows(file, fingerprint.len, &header, rules, tally, problems)?;
        self.report(&header, &columns, &found, stats, problems);
        if let Some(calling) = self.calling.as_deref() {
            self.report_zones(calling, &header, &columns, &found, counts, problems);
        }
        Some(Contacts {
            path: header.path,
            span: header.span,
            columns,
            skip: found.skip,
            fingerprint,
            region: input.region,
            line_fix: u64::from(header.crlf),
            calling: self.calling.clone(),
            allowed: input.allowed,
        })
    }

    /// Opens the CSV again for the scan (an error names it when it cannot be opened).
    fn open(&self, header: &Header, problems: &mut Problems) -> Option<File> {
        match open_list(&header.path) {
            Ok(file) => Some(file),
            Err(err) => {
                problems.push(
                    Problem::error("csv::unreadable", open_error(&header.path, &err)).at(
                        self.input.source,
                        header.span.clone(),
                        "this file",
                    ),
                );
                None
            }
        }
    }

    /// Where the calling rules met the rows: the first row the zone table cannot place (for
    /// the warning [`RuleCounts::finish`] gives), and the rows whose own zone it overruled.
    fn report_zones(
        &self,
        calling: &CallingRules,
        header: &Header,
        columns: &Columns,
        found: &Found,
        counts: &mut RuleCounts,
        problems: &mut Problems,
    ) {
        let input = self.input;
        let mut report = Report::new(input.source, header, columns, input.region, input.provider);
        if counts.first_unplaced.is_none()
            && let Some(spot) = &found.first_unplaced
        {
            counts.first_unplaced = Some(report.locate(spot, Some(columns.number)));
        }
        if let Some((spot, number, group)) = &found.first_overruled {
            let (file, span) = report.locate(spot, columns.timezone);
            problems.push(overruled(
                found.overruled,
                number.as_ref(),
                "",
                &calling.label(*group),
                (&file, span, Some(spot.line)),
            ));
        }
    }

    /// The call ids used so far, when every row must have its own: the ids are explicit (a
    /// callid column, or campaign-file ids other than the derived ones) and not shared.
    fn call_ids(&self, columns: &Columns) -> Option<CallIds> {
        let input = self.input;
        let shared_callids = input.section.is_some_and(|s| s.shared_callids);
        let explicit_ids = columns.callid.is_some()
            || self
                .inline
                .iter()
                .any(|r| r.callid != callid::derive(input.prefix, &r.number));
        (explicit_ids && !shared_callids).then(|| {
            let mut ids = CallIds::new();
            for r in self.inline {
                ids.insert(&r.callid, 0);
            }
            ids
        })
    }

    /// Streams the rows through two threads: a second one reads and checks rows (no shared
    /// state), this one keeps the sets (dedupe, suppression, call ids) in file order. Batches
    /// of rows between them keep the hand-over cheap; a bounded channel keeps memory flat.
    /// `len` is the file's size.
    fn check_rows(
        &self,
        file: File,
        len: u64,
        header: &Header,
        rules: Rules<'_>,
        mut tally: Tally<'_>,
        problems: &mut Problems,
    ) -> Option<Found> {
        let track_ids = tally.callids.is_some();
        let prefix = self.input.prefix;
        let crlf = u64::from(header.crlf);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Checked>>(4);
        let read = std::thread::scope(|scope| {
            let reading = scope.spawn(move || read_rows(file, rules, track_ids, prefix, crlf, tx));
            for (index, checked) in rx.iter().flatten().enumerate() {
                if index == CHECK_BATCH && checked.end > 0 {
                    // Size the dedupe set from the first rows' average length.
                    let expected = len / (checked.end / CHECK_BATCH as u64).max(1);
                    let seen = &mut tally.seen;
                    seen.reserve((expected as usize).saturating_sub(seen.len()));
                }
                tally.add(index as u64, checked);
            }
            reading.join()
        });
        let source = self.input.source;
        match read {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                problems.push(
                    Problem::error(
                        "csv::unreadable",
                        format!("{}: {err}", header.path.display()),
                    )
                    .at(source, header.span.clone(), "this file"),
                );
                return None;
            }
            Err(_) => {
                problems.push(
                    Problem::error("csv::unreadable", "the CSV reading thread failed").at(
                        source,
                        header.span.clone(),
                        "this file",
                    ),
                );
                return None;
            }
        }
        // The sets are dropped here, before the excerpts are read back.
        Some(tally.found)
    }

    /// Shows what the rows showed: errors, skipped rows, duplicates, past times, in that
    /// order.
    fn report(
        &self,
        header: &Header,
        columns: &Columns,
        found: &Found,
        stats: &mut RecipientStats,
        problems: &mut Problems,
    ) {
        let input = self.input;
        let mut report = Report::new(input.source, header, columns, input.region, input.provider);
        report.errors(found, problems);
        report.skipped(found, stats, problems);
        report.duplicates(
            found,
            stats,
            self.inline_spans,
            input.inline_duplicates,
            problems,
        );
        report.past(found, stats, input.provider, problems);
    }
}

/// The reading thread: reads and checks every row, hashes its call id when call ids are
/// tracked, and sends the rows on in batches. Stops early when the other side hangs up.
fn read_rows(
    file: File,
    rules: Rules<'_>,
    track_ids: bool,
    prefix: &str,
    crlf: u64,
    tx: SyncSender<Vec<Checked>>,
) -> Result<(), csv::Error> {
    let mut reader = reader(BufReader::with_capacity(1 << 16, file));
    // The header was read already; reading it again keeps positions right.
    let _ = reader.byte_headers();
    let mut record = ByteRecord::new();
    let mut derived = String::new();
    let mut batch = Vec::with_capacity(CHECK_BATCH);
    while read_row(&mut reader, &mut record)? {
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
            Good {
                number: row.number,
                past: row.past,
                id,
                group: row.group,
                deferred: row.deferred,
                overruled: row.overruled,
            }
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
}
