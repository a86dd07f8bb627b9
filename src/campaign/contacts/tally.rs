//! The dedupe thread's side of the first pass: takes the checked rows in file order through
//! the sets (suppression, `max_calls`, dedupe, call ids), counts them, and keeps the first
//! few problems of each kind to show ([`Found`]).

use super::dedupe::{CallIds, Seen};
use super::excerpt::Spot;
use super::header::Columns;
use super::rows::RowError;
use super::rule_counts::{RuleCounts, group_for_count};
use super::rules::CallingRules;
use super::scan_input::Sets;
use super::stats::{RecipientStats, SHOWN};
use crate::campaign::file::OnInvalid;
use crate::phone::{NumberError, PhoneNumber};

/// One row as the reading thread checked it: where it is, and what the checks said.
pub(super) struct Checked {
    pub(super) line: u64,
    pub(super) byte: u64,
    pub(super) end: u64,
    pub(super) outcome: Result<Good, RowError>,
}

/// A row that passed the checks: the number, whether it is scheduled in the past, its call
/// id's hash (0 when call ids are not tracked), the zone group the calling rules judged it in,
/// and whether it was deferred.
pub(super) struct Good {
    pub(super) number: PhoneNumber,
    pub(super) past: bool,
    pub(super) id: u64,
    pub(super) group: u16,
    pub(super) deferred: bool,
    /// The zone table overruled the row's own `timezone`.
    pub(super) overruled: bool,
}

/// A duplicate kept for showing.
pub(super) struct DupSpot {
    pub(super) spot: Spot,
    pub(super) number: PhoneNumber,
    pub(super) first: u64,
}

/// What the rows showed, beyond the counts in [`RecipientStats`].
#[derive(Default)]
pub(super) struct Found {
    /// Data-row indexes not to call, ascending.
    pub(super) skip: Vec<u64>,
    /// The first rows that are errors, and how many there are in all.
    pub(super) errors: Vec<Spot>,
    pub(super) error_count: u64,
    /// The first rows left out as invalid.
    pub(super) skipped: Vec<Spot>,
    /// The first numbers listed again.
    pub(super) dups: Vec<DupSpot>,
    /// The first row scheduled in the past.
    pub(super) first_past: Option<Spot>,
    /// The first row the zone table cannot place, with no zone of its own.
    pub(super) first_unplaced: Option<Spot>,
    /// Rows whose own `timezone` the zone table overruled, and the first of them (its
    /// number and zone group).
    pub(super) overruled: u64,
    pub(super) first_overruled: Option<(Spot, Option<PhoneNumber>, u16)>,
}

/// The dedupe thread's side of the scan: the sets, the counts, and what is kept to show.
pub(super) struct Tally<'t> {
    pub(super) columns: &'t Columns,
    pub(super) on_invalid: OnInvalid,
    pub(super) sets: &'t Sets<'t>,
    /// Numbers seen so far, with where they were first seen.
    pub(super) seen: Seen,
    /// Call ids used so far, when each row must have its own.
    pub(super) callids: Option<CallIds>,
    pub(super) stats: &'t mut RecipientStats,
    pub(super) counts: &'t mut RuleCounts,
    pub(super) found: Found,
}

/// Where a row is in the file, to make a [`Spot`] of it when it is kept for showing.
#[derive(Clone, Copy)]
struct Place {
    line: u64,
    byte: u64,
    end: u64,
}

impl Place {
    fn spot(self, error: RowError) -> Spot {
        Spot {
            line: self.line,
            byte: self.byte,
            end: self.end,
            error,
        }
    }
}

impl Tally<'_> {
    /// Takes the next row, in file order; `index` counts data rows from 0.
    pub(super) fn add(&mut self, index: u64, checked: Checked) {
        let Checked {
            line,
            byte,
            end,
            mut outcome,
        } = checked;
        let place = Place { line, byte, end };
        self.stats.rows += 1;
        if let Some(calling) = self.sets.calling {
            self.note_zone(calling, &outcome, place);
        }
        if let Ok(good) = &outcome
            && let Some(error) = self.call_id_taken(good, line)
        {
            outcome = Err(error);
        }
        match outcome {
            Err(error) => self.invalid(index, place.spot(error)),
            Ok(good) => self.valid(index, good, place),
        }
    }

    /// Counts where the calling rules placed a row, and keeps the first row the zone table
    /// could not place and the first whose own zone it overruled.
    #[inline]
    fn note_zone(&mut self, calling: &CallingRules, outcome: &Result<Good, RowError>, at: Place) {
        let (Ok(Good {
            group, overruled, ..
        })
        | Err(RowError::Closed {
            group, overruled, ..
        })) = outcome
        else {
            return;
        };
        let (columns, found) = (self.columns, &mut self.found);
        let number = columns.number;
        if self.counts.placed(*group, calling) && found.first_unplaced.is_none() {
            found.first_unplaced = Some(at.spot(RowError::Number(number, NumberError::Empty)));
        }
        if *overruled {
            found.overruled += 1;
            if found.first_overruled.is_none() {
                let col = columns.timezone.unwrap_or(number);
                let n = outcome.as_ref().ok().map(|good| good.number);
                found.first_overruled = Some((at.spot(RowError::Timezone(col)), n, *group));
            }
        }
    }

    /// The error for a row whose call id an earlier row has, when each row must have its own
    /// (a suppressed or repeated number is left out anyway, so its id is not taken).
    #[inline]
    fn call_id_taken(&mut self, good: &Good, line: u64) -> Option<RowError> {
        let ids = self.callids.as_mut()?;
        // One hash probe per row; a binary search over 10,000 numbers was a fifth of the scan.
        let n = good.number.as_u64();
        if self.sets.suppress.first(n).is_some() || self.seen.first(n).is_some() {
            return None;
        }
        let first = ids.insert_hash(good.id, line)?;
        let col = self.columns.callid.unwrap_or(self.columns.number);
        Some(RowError::DuplicateCallId(col, first))
    }

    /// A row that failed a check: an error, or (with `on_invalid = "skip"`) a skipped row.
    #[inline]
    fn invalid(&mut self, index: u64, spot: Spot) {
        let found = &mut self.found;
        found.skip.push(index);
        if spot.error.fatal() || self.on_invalid == OnInvalid::Error {
            found.error_count += 1;
            if found.errors.len() < SHOWN {
                found.errors.push(spot);
            }
        } else {
            self.stats.invalid += 1;
            if let RowError::Closed { group, rule, .. } = &spot.error {
                self.counts.closed(*group, *rule);
            }
            if found.skipped.len() < SHOWN {
                found.skipped.push(spot);
            }
        }
    }

    /// A row that passed the checks: left out when suppressed, capped or a repeat, else a
    /// recipient.
    #[inline]
    fn valid(&mut self, index: u64, good: Good, at: Place) {
        let Good {
            number,
            past,
            group,
            deferred,
            ..
        } = good;
        let (columns, stats, found) = (self.columns, &mut *self.stats, &mut self.found);
        stats.valid += 1;
        let n = number.as_u64();
        if past {
            stats.past += 1;
            if found.first_past.is_none() {
                found.first_past = Some(at.spot(RowError::Past(columns.at.unwrap_or(0))));
            }
        }
        if self.sets.suppress.first(n).is_some() {
            stats.suppressed += 1;
            found.skip.push(index);
        } else if self.sets.is_capped(n) {
            stats.capped += 1;
            self.counts.capped(group_for_count(group, &number));
            found.skip.push(index);
        } else if let Some(first) = self.seen.first_or_insert(n, at.line) {
            stats.duplicates += 1;
            found.skip.push(index);
            if found.dups.len() < SHOWN {
                found.dups.push(DupSpot {
                    spot: at.spot(RowError::Number(columns.number, NumberError::Empty)),
                    number,
                    first,
                });
            }
        } else {
            stats.recipients += 1;
            if deferred {
                stats.deferred += 1;
                self.counts.deferred(group);
            }
        }
    }
}
