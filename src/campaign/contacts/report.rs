//! What the scan of a CSV showed, as problems: the first [`SHOWN`] of each kind with the row
//! read back from the file, then a count of the rest.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::excerpt::Excerpts;
use super::header::{Columns, Header};
use super::stats::{RecipientStats, SHOWN};
use super::tally::Found;
use crate::diagnostic::{Problem, Problems};
use crate::phone::Region;
use crate::source::SourceFile;

/// Reports on one CSV.
pub(super) struct Report<'a> {
    source: &'a Arc<SourceFile>,
    header: &'a Header,
    columns: &'a Columns,
    region: Region,
    /// The provider's display name, for rules that are the provider's.
    provider: &'static str,
    excerpts: Excerpts,
    /// The file name as shown in messages.
    shown: String,
}

impl<'a> Report<'a> {
    pub(super) fn new(
        source: &'a Arc<SourceFile>,
        header: &'a Header,
        columns: &'a Columns,
        region: Region,
        provider: &'static str,
    ) -> Self {
        Self {
            source,
            header,
            columns,
            region,
            provider,
            excerpts: Excerpts::open(&header.path),
            shown: header.shown(),
        }
    }

    /// The row of `spot` read back from the file, as a source to point into, and the span of
    /// its `column` (the whole row without one).
    pub(super) fn locate(
        &mut self,
        spot: &super::excerpt::Spot,
        column: Option<usize>,
    ) -> (Arc<SourceFile>, Range<usize>) {
        self.excerpts.excerpt(spot, &self.shown, column)
    }

    /// The rows that are errors.
    pub(super) fn errors(&mut self, found: &Found, problems: &mut Problems) {
        let shown = &self.shown;
        for spot in &found.errors {
            problems.push(self.excerpts.problem(
                spot,
                self.columns,
                shown,
                self.region,
                self.provider,
                true,
            ));
        }
        if found.error_count > found.errors.len() as u64 {
            problems.push(
                Problem::error(
                    "csv::more-problems",
                    format!(
                        "{} in {shown} not shown",
                        rows(found.error_count - found.errors.len() as u64, "more invalid row", "more invalid rows")
                    ),
                )
                .at(self.source, self.header.span.clone(), "in this file")
                .help(format!(
                    "the first {SHOWN} are shown; set on_invalid = \"skip\" in [recipients] to leave \
                     invalid rows out (`outdial plan` lists them)"
                )),
            );
        }
    }

    /// The rows left out as invalid: the first ones are kept for `plan` to list, and one
    /// warning counts them.
    pub(super) fn skipped(
        &mut self,
        found: &Found,
        stats: &mut RecipientStats,
        problems: &mut Problems,
    ) {
        let shown = &self.shown;
        stats.skipped = found
            .skipped
            .iter()
            .map(|spot| {
                self.excerpts
                    .problem(spot, self.columns, shown, self.region, self.provider, false)
            })
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
                .at(self.source, self.header.span.clone(), "in this file")
                .help("`outdial plan` lists the first ones with their line and column"),
            );
        }
    }

    /// The numbers listed again, each with where it came first (`inline_spans`: where the
    /// campaign file's numbers are written). `inline_duplicates` of `stats.duplicates` are
    /// the campaign file's own.
    pub(super) fn duplicates(
        &mut self,
        found: &Found,
        stats: &RecipientStats,
        inline_spans: &HashMap<u64, Range<usize>>,
        inline_duplicates: u64,
        problems: &mut Problems,
    ) {
        let (source, shown) = (self.source, &self.shown);
        for dup in &found.dups {
            let first = if dup.first == 0 {
                let line = inline_spans
                    .get(&dup.number.as_u64())
                    .map_or(0, |s| source.line_col(s.start).line);
                format!("{} line {line}", source.name())
            } else {
                format!("line {}", dup.first)
            };
            let (excerpt, span) =
                self.excerpts
                    .excerpt(&dup.spot, shown, Some(self.columns.number));
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
        let csv_dups = found.dups.len() as u64;
        let all_csv_dups = stats.duplicates - inline_duplicates;
        if all_csv_dups > csv_dups {
            problems.push(
                Problem::warning(
                    "csv::more-duplicates",
                    format!(
                        "{} in {shown} listed twice (each is called once)",
                        rows(all_csv_dups - csv_dups, "more number", "more numbers")
                    ),
                )
                .at(source, self.header.span.clone(), "in this file")
                .help("`outdial plan` counts them"),
            );
        }
    }

    /// One warning for the rows scheduled in the past, shown at the first of them; `provider`
    /// is the name of who calls them.
    pub(super) fn past(
        &mut self,
        found: &Found,
        stats: &RecipientStats,
        provider: &str,
        problems: &mut Problems,
    ) {
        if let Some(spot) = &found.first_past {
            let (excerpt, span) = self.excerpts.excerpt(spot, &self.shown, self.columns.at);
            problems.push(
                Problem::warning(
                    "csv::past-time",
                    format!(
                        "{} in the past (first on line {}); {provider} calls them now",
                        rows(stats.past, "row schedules a call", "rows schedule calls"),
                        spot.line
                    ),
                )
                .at(&excerpt, span, "in the past")
                .help("fix the times, or run with --deny-past to make this an error"),
            );
        }
    }
}

/// "1 invalid row", "2 invalid rows".
fn rows(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
