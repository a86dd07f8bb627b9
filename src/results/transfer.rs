//! Moving a campaign's results between the local `results.db` and the state store's results
//! tables, beside its journal (`outdial state push` / `pull`): each call's row goes where the
//! other side has none, or replaces one that says less (the precedence `listen` files by);
//! a row whose final word differs from the other side's is a conflict, and nothing is copied.
//! Copying again copies nothing.
//!
//! A call's keypresses and answers go with its row. The rows are compared and written in one
//! transaction on the side copied to; a campaign's rows are held in memory meanwhile (the
//! campaign's size bounds them).

use std::collections::HashMap;
use std::path::Path;

use rusqlite::params;

use super::columns::{CALL_COLUMNS, RESPONSE_COLUMNS, call_of, keypress_of, response_of};
use super::error::StoreError;
use super::filing::Filing;
use super::pg::{PgResults, upsert_call};
use super::posts::{Verdict, rank, verdict};
use super::store::Store;
use crate::outcome::{CallRecord, Keypress, Outcome, Response, Source};

/// What a copy of results did, counted in call rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Moved {
    /// Rows written: new on the side copied to, or replacing one that said less.
    pub copied: usize,
    /// Rows both sides hold alike.
    pub shared: usize,
    /// Rows the side copied to keeps, as it says as much or more.
    pub kept: usize,
}

/// Why results were not copied.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// A store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The two sides hold different final words about a call.
    #[error(transparent)]
    Conflict(Box<Differ>),
}

/// Two final words about a call that differ: the first such call, and how many more.
#[derive(Debug, thiserror::Error)]
#[error(
    "the results of campaign \"{campaign}\" differ: call {callid} to {number} is {here} in {from} but {there} in {to}{more}; each is a provider's final word, and neither replaces the other, so no result was copied"
)]
pub struct Differ {
    /// The campaign.
    pub campaign: String,
    /// The first call that differs.
    pub callid: String,
    /// Its number.
    pub number: String,
    /// Its outcome and status where it is copied from.
    pub here: String,
    /// Its outcome and status where it would be copied to.
    pub there: String,
    /// The side copied from.
    pub from: String,
    /// The side copied to.
    pub to: String,
    /// ", and N more calls" when there are more.
    pub more: String,
}

/// A call's keypress with what its table keys it by.
struct KeyRow {
    key: Keypress,
    seq: i64,
    received_at: String,
}

/// An answer with when it was stored.
struct AnswerRow {
    answer: Response,
    received_at: String,
}

/// One side's rows of a campaign.
#[derive(Default)]
struct Rows {
    /// Each call with when it was stored.
    calls: Vec<(CallRecord, String)>,
    keys: Vec<KeyRow>,
    answers: Vec<AnswerRow>,
}

/// What one call's row does on the side copied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// The side copied to has no row: it gets this one.
    Insert,
    /// Both rows are alike.
    Same,
    /// This row says more: it replaces the other.
    Replace,
    /// The other row says as much or more: it stays.
    Keep,
    /// Two final words that differ.
    Conflict,
}

/// What `src` does to `dst`, by the precedence `listen` files posts by.
fn decide(src: &CallRecord, dst: Option<&CallRecord>) -> Decision {
    let Some(dst) = dst else {
        return Decision::Insert;
    };
    if src == dst {
        return Decision::Same;
    }
    if rank(src.outcome) == 2 && rank(dst.outcome) == 2 && src.outcome != dst.outcome {
        return Decision::Conflict;
    }
    match verdict(Some((&dst.status, dst.outcome, dst.source)), src) {
        Verdict::Stored => Decision::Replace,
        _ => Decision::Keep,
    }
}

/// The rows to write, and the counts.
type Planned<'a> = (Vec<&'a (CallRecord, String)>, Moved);

/// The first call whose two final words differ (from, to), and how many calls do.
type FirstConflict<'a, 'b> = (&'a CallRecord, &'b CallRecord, usize);

/// The rows of `src` to write over `dst`, and the counts; the first conflict (and how many).
fn plan<'a, 'b>(src: &'a Rows, dst: &'b Rows) -> Result<Planned<'a>, FirstConflict<'a, 'b>> {
    let there: HashMap<(&str, &str), &CallRecord> = dst
        .calls
        .iter()
        .map(|(c, _)| ((c.callid.as_str(), c.number.as_str()), c))
        .collect();
    let mut write = Vec::new();
    let mut moved = Moved::default();
    let mut conflicts: Option<FirstConflict<'a, 'b>> = None;
    for row in &src.calls {
        let other = there
            .get(&(row.0.callid.as_str(), row.0.number.as_str()))
            .copied();
        match decide(&row.0, other) {
            Decision::Insert | Decision::Replace => {
                moved.copied += 1;
                write.push(row);
            }
            Decision::Same => moved.shared += 1,
            Decision::Keep => moved.kept += 1,
            Decision::Conflict => match &mut conflicts {
                Some((_, _, n)) => *n += 1,
                None => conflicts = other.map(|o| (&row.0, o, 1)),
            },
        }
    }
    match conflicts {
        Some(c) => Err(c),
        None => Ok((write, moved)),
    }
}

/// The conflict error for the first differing call.
fn conflict(first: FirstConflict<'_, '_>, from: &str, to: &str, campaign: &str) -> MoveError {
    let (here, there, n) = first;
    let word = |c: &CallRecord| format!("{} (\"{}\")", c.outcome.as_str(), c.status);
    MoveError::Conflict(Box::new(Differ {
        campaign: campaign.to_owned(),
        callid: here.callid.clone(),
        number: here.number.clone(),
        here: word(here),
        there: word(there),
        from: from.to_owned(),
        to: to.to_owned(),
        more: if n > 1 {
            format!(", and {} more call{}", n - 1, if n == 2 { "" } else { "s" })
        } else {
            String::new()
        },
    }))
}

/// The keypresses and answers of the calls in `write`.
fn riders<'a>(
    src: &'a Rows,
    write: &[&(CallRecord, String)],
) -> (Vec<&'a KeyRow>, Vec<&'a AnswerRow>) {
    let calls: std::collections::HashSet<(&str, &str)> = write
        .iter()
        .map(|(c, _)| (c.callid.as_str(), c.number.as_str()))
        .collect();
    let keys = src
        .keys
        .iter()
        .filter(|k| calls.contains(&(k.key.callid.as_str(), k.key.number.as_str())))
        .collect();
    let answers = src
        .answers
        .iter()
        .filter(|a| calls.contains(&(a.answer.callid.as_str(), a.answer.number.as_str())))
        .collect();
    (keys, answers)
}

/// Copies `campaign`'s results at `provider` from the local store at `local` (nothing when
/// there is none) into the state store's.
pub fn push(
    local: &Path,
    pg: &PgResults,
    provider: &str,
    campaign: &str,
) -> Result<Moved, MoveError> {
    if !local.is_file() {
        return Ok(Moved::default());
    }
    let store = Store::open(local)?;
    let src = sqlite_rows(&store.conn, provider, campaign).map_err(|e| store.fail(e))?;
    if src.calls.is_empty() {
        return Ok(Moved::default());
    }
    let mut refused = None;
    let moved = pg.with(|client| {
        let mut tx = client.transaction()?;
        let dst = pg_rows(&mut tx, provider, campaign)?;
        let (write, moved) = match plan(&src, &dst) {
            Ok(planned) => planned,
            Err(first) => {
                refused = Some(conflict(
                    first,
                    &local.display().to_string(),
                    &pg.describe(),
                    campaign,
                ));
                return Ok(Moved::default());
            }
        };
        let (keys, answers) = riders(&src, &write);
        for (call, stored_at) in write {
            upsert_call(&mut tx, call, stored_at, "")?;
        }
        for k in keys {
            tx.execute(
                "INSERT INTO outdial_keypresses (provider, campaign, callid, number, prompt, \
                 keys, source, received_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT DO NOTHING",
                &[
                    &k.key.provider,
                    &k.key.campaign,
                    &k.key.callid,
                    &k.key.number,
                    &i64::from(k.key.prompt),
                    &k.key.keys,
                    &k.key.source.as_str(),
                    &k.received_at,
                    &k.seq,
                ],
            )?;
        }
        for a in answers {
            let r = &a.answer;
            tx.execute(
                "INSERT INTO outdial_responses (provider, campaign, callid, number, name, \
                 value, source, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT DO NOTHING",
                &[
                    &r.provider,
                    &r.campaign,
                    &r.callid,
                    &r.number,
                    &r.name,
                    &r.value,
                    &r.source.as_str(),
                    &a.received_at,
                ],
            )?;
        }
        tx.commit()?;
        Ok(moved)
    })?;
    match refused {
        Some(e) => Err(e),
        None => Ok(moved),
    }
}

/// Copies `campaign`'s results at `provider` from the state store into the local store at
/// `local` (made only when there is something to copy).
pub fn pull(
    pg: &PgResults,
    local: &Path,
    provider: &str,
    campaign: &str,
) -> Result<Moved, MoveError> {
    let src = pg.with(|client| {
        let mut tx = client.transaction()?;
        let rows = pg_rows(&mut tx, provider, campaign)?;
        tx.commit()?;
        Ok(rows)
    })?;
    if src.calls.is_empty() {
        return Ok(Moved::default());
    }
    let mut store = Store::open(local)?;
    let path = store.path().to_owned();
    let fail = |source| StoreError::Sqlite {
        path: path.clone(),
        source,
    };
    let tx = store
        .conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(fail)?;
    let dst = sqlite_rows(&tx, provider, campaign).map_err(fail)?;
    let (write, moved) = plan(&src, &dst)
        .map_err(|first| conflict(first, &pg.describe(), &path.display().to_string(), campaign))?;
    let (keys, answers) = riders(&src, &write);
    (|| -> rusqlite::Result<()> {
        for (call, stored_at) in write {
            tx.prepare_cached(&format!("INSERT OR REPLACE INTO calls {CALL_COLUMNS}"))?
                .execute(call.values(stored_at))?;
        }
        for k in keys {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO keypresses (provider, campaign, callid, number, prompt, \
                 keys, source, received_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                k.key.provider,
                k.key.campaign,
                k.key.callid,
                k.key.number,
                k.key.prompt,
                k.key.keys,
                k.key.source,
                k.received_at,
                k.seq
            ])?;
        }
        for a in answers {
            tx.prepare_cached(&format!(
                "INSERT OR IGNORE INTO responses {RESPONSE_COLUMNS}"
            ))?
            .execute(a.answer.values(&a.received_at))?;
        }
        Ok(())
    })()
    .map_err(fail)?;
    tx.commit().map_err(fail)?;
    Ok(moved)
}

/// A campaign's rows in a SQLite store.
fn sqlite_rows(
    conn: &rusqlite::Connection,
    provider: &str,
    campaign: &str,
) -> rusqlite::Result<Rows> {
    let mut rows = Rows::default();
    let mut calls = conn.prepare(
        "SELECT provider, campaign, callid, number, status, outcome, reason, duration, \
         answered_by, attempts, called_at, source, recording, updated_at FROM calls \
         WHERE provider = ?1 AND campaign = ?2 ORDER BY callid, number",
    )?;
    let mut found = calls.query(params![provider, campaign])?;
    while let Some(row) = found.next()? {
        let call = call_of(row)?;
        rows.calls.push((call, row.get(13)?));
    }
    let mut keys = conn.prepare(
        "SELECT provider, campaign, callid, number, prompt, keys, source, received_at, seq \
         FROM keypresses WHERE provider = ?1 AND campaign = ?2",
    )?;
    let mut found = keys.query(params![provider, campaign])?;
    while let Some(row) = found.next()? {
        rows.keys.push(KeyRow {
            key: keypress_of(row)?,
            received_at: row.get(7)?,
            seq: row.get(8)?,
        });
    }
    let mut answers = conn.prepare(
        "SELECT provider, campaign, callid, number, name, value, source, received_at \
         FROM responses WHERE provider = ?1 AND campaign = ?2",
    )?;
    let mut found = answers.query(params![provider, campaign])?;
    while let Some(row) = found.next()? {
        rows.answers.push(AnswerRow {
            answer: response_of(row)?,
            received_at: row.get(7)?,
        });
    }
    Ok(rows)
}

/// A campaign's rows in the state store, the calls locked until `tx` ends.
fn pg_rows(
    tx: &mut postgres::Transaction<'_>,
    provider: &str,
    campaign: &str,
) -> Result<Rows, postgres::Error> {
    let mut rows = Rows::default();
    let u32_of = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
    for row in tx.query(
        "SELECT provider, campaign, callid, number, status, outcome, reason, duration, \
         answered_by, attempts, called_at, source, recording, updated_at FROM outdial_calls \
         WHERE provider = $1 AND campaign = $2 ORDER BY callid, number FOR UPDATE",
        &[&provider, &campaign],
    )? {
        let call = CallRecord {
            provider: row.get(0),
            campaign: row.get(1),
            callid: row.get(2),
            number: row.get(3),
            status: row.get(4),
            outcome: Outcome::parse(row.get(5)).unwrap_or(Outcome::Pending),
            reason: row.get(6),
            duration: u32_of(row.get(7)),
            answered_by: row.get(8),
            attempts: u32_of(row.get(9)),
            called_at: row.get(10),
            source: Source::parse(row.get(11)).unwrap_or(Source::Query),
            recording: row.get(12),
        };
        rows.calls.push((call, row.get(13)));
    }
    for row in tx.query(
        "SELECT provider, campaign, callid, number, prompt, keys, source, received_at, seq \
         FROM outdial_keypresses WHERE provider = $1 AND campaign = $2",
        &[&provider, &campaign],
    )? {
        rows.keys.push(KeyRow {
            key: Keypress {
                provider: row.get(0),
                campaign: row.get(1),
                callid: row.get(2),
                number: row.get(3),
                prompt: u32::try_from(row.get::<_, i64>(4)).unwrap_or_default(),
                keys: row.get(5),
                source: Source::parse(row.get(6)).unwrap_or(Source::Query),
            },
            received_at: row.get(7),
            seq: row.get(8),
        });
    }
    for row in tx.query(
        "SELECT provider, campaign, callid, number, name, value, source, received_at \
         FROM outdial_responses WHERE provider = $1 AND campaign = $2",
        &[&provider, &campaign],
    )? {
        rows.answers.push(AnswerRow {
            answer: Response {
                provider: row.get(0),
                campaign: row.get(1),
                callid: row.get(2),
                number: row.get(3),
                name: row.get(4),
                value: row.get(5),
                source: Source::parse(row.get(6)).unwrap_or(Source::Query),
            },
            received_at: row.get(7),
        });
    }
    Ok(rows)
}

#[cfg(test)]
#[path = "transfer_tests.rs"]
mod tests;
