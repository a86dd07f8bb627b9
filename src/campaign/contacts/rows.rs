//! The checks on one CSV row, and what is wrong with a row that fails them. The first pass
//! (the scan) and the second (the stream) both go through [`Rules::row`], so what is sent is
//! exactly what was checked.

use csv::ByteRecord;
use jiff::{Timestamp, Zoned};

use super::header::Columns;
use super::rules::{CallingRules, Closed, Placed, Verdict};
use super::window::Window;
use crate::callid::{self, CallIdError};
use crate::campaign::model::Zone;
use crate::phone::{self, NumberError, PhoneNumber, Region};
use crate::{schedule, xmltext};

/// Why one CSV row cannot be called.
#[derive(Debug, Clone)]
pub(super) enum RowError {
    NotUtf8(usize),
    Ragged(usize),
    Number(usize, NumberError),
    CallId(usize, CallIdError),
    DuplicateCallId(usize, u64),
    Time(usize, String),
    /// A time the provider would read other than meant.
    ProviderTime(usize, String),
    Past(usize),
    /// A calling rule keeps the call from ringing (column: the time, or the number).
    Closed {
        col: usize,
        rule: Closed,
        /// It was to ring now (not at a time of its own or `[recipients] at`).
        immediate: bool,
        group: u16,
        /// When it would ring, in the zone that forbids it: "calling now rings Sun 04:00 in
        /// Pacific/Honolulu".
        local: Box<str>,
        window: Option<Window>,
        /// The zone table overruled the row's own `timezone`.
        overruled: bool,
    },
    /// The `timezone` cell is not an IANA zone.
    Timezone(usize),
    MissingVar(usize, Box<str>),
    XmlChar(usize, char),
}

impl RowError {
    /// Damage to the file itself, never skipped.
    pub(super) fn fatal(&self) -> bool {
        matches!(self, RowError::NotUtf8(_) | RowError::Ragged(_))
    }

    pub(super) fn column(&self) -> Option<usize> {
        match *self {
            RowError::Ragged(_) => None,
            RowError::NotUtf8(c)
            | RowError::Number(c, _)
            | RowError::CallId(c, _)
            | RowError::DuplicateCallId(c, _)
            | RowError::Time(c, _)
            | RowError::ProviderTime(c, _)
            | RowError::Past(c)
            | RowError::Closed { col: c, .. }
            | RowError::Timezone(c)
            | RowError::MissingVar(c, _)
            | RowError::XmlChar(c, _) => Some(c),
        }
    }

    pub(super) fn code(&self) -> &'static str {
        match self {
            RowError::NotUtf8(_) => "csv::not-utf8",
            RowError::Ragged(_) => "csv::ragged-row",
            RowError::Number(..) => "csv::bad-number",
            RowError::CallId(..) => "csv::bad-callid",
            RowError::DuplicateCallId(..) => "csv::duplicate-callid",
            RowError::Time(..) => "csv::bad-time",
            RowError::ProviderTime(..) => "csv::ambiguous-time",
            RowError::Past(_) => "csv::past-time",
            RowError::Closed {
                rule: Closed::Window,
                ..
            } => "csv::outside-window",
            RowError::Closed { .. } => "csv::quiet-day",
            RowError::Timezone(_) => "csv::unknown-timezone",
            RowError::MissingVar(..) => "csv::missing-var",
            RowError::XmlChar(..) => "csv::xml-char",
        }
    }

    /// Message and help; `cell` is the offending field's text (lossy), used to explain
    /// numbers with the full numbering rules, which is too slow to do for every row.
    pub(super) fn describe(
        &self,
        cell: &str,
        columns: usize,
        region: Region,
        provider: &str,
    ) -> (String, String) {
        match self {
            RowError::NotUtf8(_) => (
                "this cell is not UTF-8 text".into(),
                "export the CSV as UTF-8 (\"CSV UTF-8\" in spreadsheet programs)".into(),
            ),
            RowError::Ragged(found) => (
                format!("the row has {found} fields; the header has {columns}"),
                "quote fields that contain commas, quotes or line breaks: \"Smith, Ann\"".into(),
            ),
            RowError::Number(_, err) => (
                phone::explain(cell, err, region, provider),
                err.help(),
            ),
            RowError::CallId(_, err) => (
                err.message(provider),
                "use up to 50 letters and digits, or leave the cell empty for a derived id".into(),
            ),
            RowError::DuplicateCallId(_, first) => (
                format!("call id \"{cell}\" is already used on line {first}"),
                "give each row its own call id, or set shared_callids = true in [recipients] \
                 to call several numbers under one id"
                    .into(),
            ),
            RowError::Time(_, err) => (
                err.clone(),
                "write \"YYYY-MM-DD HH:MM\" (24-hour), e.g. \"2026-12-01 09:00\"".into(),
            ),
            RowError::ProviderTime(_, why) => (
                why.clone(),
                "move the call out of the hour the clocks fall back, or set account_timezone to the zone the account really uses".into(),
            ),
            RowError::Past(_) => (
                format!("{} is in the past", cell.trim()),
                "pick a future time, or leave the cell empty to call now".into(),
            ),
            RowError::Closed {
                rule,
                immediate,
                local,
                window,
                ..
            } => {
                let why = match (rule, window) {
                    (Closed::Window, Some(w)) => format!("outside the calling hours {w}"),
                    _ => "on a quiet day".to_string(),
                };
                let help = if *immediate {
                    "set outside_window = \"defer\" in [recipients] to call at the next opening, \
                     or give the row an `at` inside the hours"
                } else {
                    "move the call into the calling hours of the recipient's own time zone"
                };
                (format!("{local}: {why}"), help.into())
            }
            RowError::Timezone(_) => (
                format!("\"{}\" is not a time zone", cell.trim()),
                "write an IANA zone such as \"America/Denver\", or leave the cell empty to \
                 use the number's area code"
                    .into(),
            ),
            RowError::MissingVar(_, name) => (
                format!("`{{{name}}}` has no value in this row"),
                format!("fill the cell, or set `{name} = \"…\"` in [vars] as a default"),
            ),
            RowError::XmlChar(_, ch) => (
                format!(
                    "this cell contains {}, a control character XML cannot carry",
                    xmltext::describe(*ch)
                ),
                "remove it; only tab and line breaks are allowed among control characters".into(),
            ),
        }
    }
}

/// One row, checked.
pub(super) struct Row<'r> {
    pub(super) number: PhoneNumber,
    /// The callid cell, when given.
    pub(super) callid: Option<&'r str>,
    pub(super) at: Option<Zoned>,
    pub(super) past: bool,
    /// The zone group the calling rules judged the row in ([`NO_GROUP`] without rules).
    pub(super) group: u16,
    /// An immediate call moved to the next opening.
    pub(super) deferred: bool,
    /// The zone table overruled the row's own `timezone` (check warns).
    pub(super) overruled: bool,
    /// The `timezone` cell, when given.
    pub(super) timezone: Option<&'r str>,
}

/// How the provider reads a scheduled time: why it would read `at` other than meant (`None`:
/// as meant). The provider's rule, handed in so the rows need not know the provider.
pub(in crate::campaign) type TimeCheck<'a> = &'a (dyn Fn(&Zoned) -> Option<String> + Sync);

/// The group of rows judged by no calling rule.
pub(super) const NO_GROUP: u16 = u16::MAX;

/// What a row must satisfy; shared by the check and the stream so they agree exactly.
pub(super) struct Rules<'a> {
    pub(super) columns: &'a Columns,
    pub(super) zone: Option<&'a Zone>,
    pub(super) default_at: Option<&'a Zoned>,
    /// The calling rules, when the campaign has any (`window`, `quiet_days`, `max_calls`).
    pub(super) calling: Option<&'a CallingRules>,
    pub(super) now: Timestamp,
    pub(super) deny_past: bool,
    /// The second pass: the file was checked (and has the same size and time), so only what
    /// building a recipient needs is parsed again.
    pub(super) trusted: bool,
    /// Whether numbers abroad (`+44 …`) are read: the provider calls them (both passes).
    pub(super) abroad: bool,
    /// `allow_number_types`: the kinds of numbers called although refused by default.
    pub(super) allowed: phone::NumberTypes,
    /// Whether the provider would read a time other than meant (first pass only).
    pub(super) time_check: Option<TimeCheck<'a>>,
}

/// A record's cells as text. The first pass checks the whole record as UTF-8 once and cuts
/// its cells out of that, instead of checking each cell again (callgrind, 100k rows with
/// three var columns: four checks a row were a sixth of the first pass's own work).
struct Cells<'r> {
    record: &'r ByteRecord,
    /// The whole record, when it was checked.
    text: Option<&'r str>,
}

impl<'r> Cells<'r> {
    fn get(&self, column: usize) -> Result<&'r str, RowError> {
        let Some(range) = self.record.range(column) else {
            return Ok("");
        };
        let cell = match self.text {
            // The record is UTF-8, so a cell is UTF-8 exactly when it starts and ends on
            // character boundaries.
            Some(text) => text.get(range),
            None => std::str::from_utf8(&self.record.as_slice()[range]).ok(),
        };
        // A match, not `ok_or(RowError::NotUtf8(column))`: that error, built eagerly, was
        // dropped for every good cell (1.8% of a 1M-row `check`, callgrind).
        match cell {
            Some(cell) => Ok(cell),
            None => Err(RowError::NotUtf8(column)),
        }
    }
}

impl Rules<'_> {
    /// Checks one record; the first failing check is the row's error.
    pub(super) fn row<'r>(&self, record: &'r ByteRecord) -> Result<Row<'r>, RowError> {
        let cells = self.cells(record)?;
        let c = self.columns;
        let number = self.number(record.get(c.number).unwrap_or_default())?;
        let callid = match c.callid {
            Some(col) => call_id(&cells, col)?,
            None => None,
        };
        let (at, past) = self.time(&cells)?;
        let timezone = match c.timezone {
            Some(col) => Some(cells.get(col)?.trim()).filter(|t| !t.is_empty()),
            None => None,
        };
        let judged = match self.calling {
            Some(rules) => self.judge(rules, &number, timezone, at.as_ref())?,
            None => Judged::default(),
        };
        if !self.trusted {
            self.check_vars(&cells)?;
        }
        // A match, not `at.or(deferred)`: that moved two `Option<Zoned>`s through a call
        // for every row (1.3% of a 1M-row `check`, perf).
        let (at, deferred) = match (at, judged.deferred) {
            (Some(at), deferred) => (Some(at), deferred.is_some()),
            (None, Some(at)) => (Some(at), true),
            (None, None) => (self.default_at.cloned(), false),
        };
        Ok(Row {
            number,
            callid,
            deferred,
            overruled: judged.overruled,
            at,
            past,
            group: judged.group,
            timezone,
        })
    }

    /// The record's cells, once it has as many as the header and (but in the second pass)
    /// is UTF-8.
    #[inline]
    fn cells<'r>(&self, record: &'r ByteRecord) -> Result<Cells<'r>, RowError> {
        if record.len() != self.columns.names.len() {
            return Err(RowError::Ragged(record.len()));
        }
        let mut cells = Cells { record, text: None };
        if !self.trusted {
            match std::str::from_utf8(record.as_slice()) {
                Ok(text) => cells.text = Some(text),
                Err(_) => {
                    let column = (0..record.len())
                        .find(|&i| std::str::from_utf8(&record[i]).is_err())
                        .unwrap_or(0);
                    return Err(RowError::NotUtf8(column));
                }
            }
        }
        Ok(cells)
    }

    /// The number as written, read as one outdial calls.
    #[inline]
    fn number(&self, written: &[u8]) -> Result<PhoneNumber, RowError> {
        if self.abroad {
            phone::parse_bytes_international(written)
        } else {
            phone::parse_bytes(written)
        }
        .and_then(|n| phone::check_kind(&n, self.allowed).map(|()| n))
        .map_err(|err| RowError::Number(self.columns.number, err))
    }

    /// The row's `at` (none when the column is empty or absent), and whether it is past.
    #[inline]
    fn time(&self, cells: &Cells<'_>) -> Result<(Option<Zoned>, bool), RowError> {
        let (Some(col), Some(zone)) = (self.columns.at, self.zone) else {
            return Ok((None, false));
        };
        let text = cells.get(col)?;
        if text.trim().is_empty() {
            return Ok((None, false));
        }
        let time = schedule::parse_at(text, &zone.tz, &zone.name)
            .map_err(|err| RowError::Time(col, err.to_string()))?;
        if let Some(why) = self.time_check.and_then(|check| check(&time)) {
            return Err(RowError::ProviderTime(col, why));
        }
        let past = time.timestamp() < self.now;
        if past && self.deny_past {
            return Err(RowError::Past(col));
        }
        Ok((Some(time), past))
    }

    /// The calling rules on one row: its zone group, and whether it is deferred or left out.
    #[inline]
    fn judge(
        &self,
        rules: &CallingRules,
        number: &PhoneNumber,
        timezone: Option<&str>,
        at: Option<&Zoned>,
    ) -> Result<Judged, RowError> {
        let c = self.columns;
        let (group, placed) = rules
            .group(number, timezone)
            .map_err(|()| RowError::Timezone(c.timezone.unwrap_or(c.number)))?;
        let overruled = placed == Placed::Overruled;
        let deferred = match rules.judge(group, at) {
            Verdict::Open => None,
            Verdict::Deferred(time) => Some(time),
            Verdict::Closed { rule, immediate } => {
                let t = at
                    .or(rules.default_at.as_ref())
                    .map_or(rules.now, Zoned::timestamp);
                let col = match (at, c.at) {
                    (Some(_), Some(col)) => col,
                    _ => c.number,
                };
                return Err(RowError::Closed {
                    col,
                    rule,
                    immediate,
                    group,
                    local: rules.when(group, t, immediate).into(),
                    window: rules.window,
                    overruled,
                });
            }
        };
        Ok(Judged {
            group,
            deferred,
            overruled,
        })
    }

    /// The prompts' columns: filled where required, and without characters XML forbids.
    #[inline]
    fn check_vars(&self, cells: &Cells<'_>) -> Result<(), RowError> {
        let c = self.columns;
        for (&col, &required) in c.vars.iter().zip(&c.required) {
            let text = cells.get(col)?;
            if text.is_empty() {
                if required {
                    return Err(RowError::MissingVar(
                        col,
                        c.names[col].clone().into_boxed_str(),
                    ));
                }
            } else if let Some((_, ch)) = xmltext::first_forbidden(text) {
                return Err(RowError::XmlChar(col, ch));
            }
        }
        Ok(())
    }
}

/// The cell of column `col` as a call id: `None` when empty.
#[inline]
fn call_id<'r>(cells: &Cells<'r>, col: usize) -> Result<Option<&'r str>, RowError> {
    let text = cells.get(col)?.trim();
    if text.is_empty() {
        return Ok(None);
    }
    callid::validate(text).map_err(|err| RowError::CallId(col, err))?;
    Ok(Some(text))
}

/// What the calling rules made of a row.
struct Judged {
    group: u16,
    /// The time a call outside the hours is moved to.
    deferred: Option<Zoned>,
    /// The zone table overruled the row's own `timezone`.
    overruled: bool,
}

impl Default for Judged {
    fn default() -> Self {
        Self {
            group: NO_GROUP,
            deferred: None,
            overruled: false,
        }
    }
}
