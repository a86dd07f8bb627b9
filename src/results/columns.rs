//! How the result rows map to the store's tables: the columns of each `INSERT`, a row's
//! values in that order, and a row read back (SQLite and PostgreSQL share the column order).

use crate::outcome::{CallRecord, Keypress, Outcome, Response, Source};

impl rusqlite::ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::ToSql for Source {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// The columns of `calls` as [`CallRecord::values`] gives them, for an `INSERT`.
pub(super) const CALL_COLUMNS: &str = "(provider, campaign, callid, number, status, outcome, \
     reason, duration, answered_by, attempts, called_at, source, recording, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// The columns of `keypresses` as [`Keypress::values`] gives them, for an `INSERT` (`seq` 0:
/// one row per prompt and source).
pub(super) const KEYPRESS_COLUMNS: &str = "(provider, campaign, callid, number, prompt, keys, \
     source, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// The `INSERT` of a keypress from `source` ([`Keypress::values`]): a Call Event's goes after
/// the keypresses already stored at its prompt (events come one keypress each, and every one is
/// kept, in order); any other source's replaces that source's row for the prompt.
pub(super) fn keypress_insert(source: Source) -> String {
    match source {
        Source::Event => EVENT_KEYPRESS.to_owned(),
        _ => format!("INSERT OR REPLACE INTO keypresses {KEYPRESS_COLUMNS}"),
    }
}

const EVENT_KEYPRESS: &str = "INSERT INTO keypresses (provider, campaign, callid, number, \
     prompt, keys, source, received_at, seq) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
     coalesce(max(seq) + 1, 0) FROM keypresses WHERE provider = ?1 AND campaign = ?2 \
     AND callid = ?3 AND number = ?4 AND prompt = ?5 AND source = ?7";

/// The columns of `responses` as [`Response::values`] gives them, for an `INSERT`.
pub(super) const RESPONSE_COLUMNS: &str = "(provider, campaign, callid, number, name, value, \
     source, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

impl CallRecord {
    /// The row's values in [`CALL_COLUMNS`] order, stored at `now`.
    // A `String`, not a `str`: a value handed to SQLite as `&dyn ToSql` must be sized.
    #[allow(clippy::ptr_arg)]
    pub(super) fn values<'a>(&'a self, now: &'a String) -> [&'a dyn rusqlite::ToSql; 14] {
        [
            &self.provider,
            &self.campaign,
            &self.callid,
            &self.number,
            &self.status,
            &self.outcome,
            &self.reason,
            &self.duration,
            &self.answered_by,
            &self.attempts,
            &self.called_at,
            &self.source,
            &self.recording,
            now,
        ]
    }
}

impl Keypress {
    /// The row's values in [`KEYPRESS_COLUMNS`] order, as reported by `source` and stored at
    /// `now`.
    // A `String`, not a `str`: a value handed to SQLite as `&dyn ToSql` must be sized.
    #[allow(clippy::ptr_arg)]
    pub(super) fn values<'a>(
        &'a self,
        source: &'a Source,
        now: &'a String,
    ) -> [&'a dyn rusqlite::ToSql; 8] {
        [
            &self.provider,
            &self.campaign,
            &self.callid,
            &self.number,
            &self.prompt,
            &self.keys,
            source,
            now,
        ]
    }
}

impl Response {
    /// The row's values in [`RESPONSE_COLUMNS`] order, stored at `now`.
    // A `String`, not a `str`: a value handed to SQLite as `&dyn ToSql` must be sized.
    #[allow(clippy::ptr_arg)]
    pub(super) fn values<'a>(&'a self, now: &'a String) -> [&'a dyn rusqlite::ToSql; 8] {
        [
            &self.provider,
            &self.campaign,
            &self.callid,
            &self.number,
            &self.name,
            &self.value,
            &self.source,
            now,
        ]
    }
}

/// A `calls` row read as its first thirteen columns in `provider, campaign, callid, number,
/// status, outcome, reason, duration, answered_by, attempts, called_at, source, recording`
/// order, as a record.
pub(super) fn call_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<CallRecord> {
    let outcome: String = row.get(5)?;
    let source: String = row.get(11)?;
    Ok(CallRecord {
        provider: row.get(0)?,
        campaign: row.get(1)?,
        callid: row.get(2)?,
        number: row.get(3)?,
        status: row.get(4)?,
        // The CHECK constraints keep both columns to the known words.
        outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Pending),
        reason: row.get(6)?,
        duration: row.get(7)?,
        answered_by: row.get(8)?,
        attempts: row.get(9)?,
        called_at: row.get(10)?,
        source: Source::parse(&source).unwrap_or(Source::Query),
        recording: row.get(12)?,
    })
}

/// A `keypresses` row read as its first seven columns in `provider, campaign, callid, number,
/// prompt, keys, source` order, as a keypress.
pub(super) fn keypress_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Keypress> {
    let source: String = row.get(6)?;
    Ok(Keypress {
        provider: row.get(0)?,
        campaign: row.get(1)?,
        callid: row.get(2)?,
        number: row.get(3)?,
        prompt: row.get(4)?,
        keys: row.get(5)?,
        source: Source::parse(&source).unwrap_or(Source::Query),
    })
}

/// A `responses` row read as its first seven columns in `provider, campaign, callid, number,
/// name, value, source` order, as an answer.
pub(super) fn response_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Response> {
    let source: String = row.get(6)?;
    Ok(Response {
        provider: row.get(0)?,
        campaign: row.get(1)?,
        callid: row.get(2)?,
        number: row.get(3)?,
        name: row.get(4)?,
        value: row.get(5)?,
        source: Source::parse(&source).unwrap_or(Source::Query),
    })
}
