//! The store's rows of one campaign, held for the report as compactly as they can be: the
//! report streams the recipients but must find each one's row, so these rows are what it
//! holds. One key string per row; status words and reasons (a handful of distinct values)
//! shared; keypresses kept with their call.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::params;

use super::store::{Outcome, Source, Store, StoreError};

/// One call's stored result.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) status: Arc<str>,
    pub(super) outcome: Outcome,
    pub(super) reason: Option<Arc<str>>,
    pub(super) duration: Option<u32>,
    pub(super) answered_by: Option<&'static str>,
    pub(super) attempts: Option<u32>,
    pub(super) called_at: Option<Box<str>>,
    pub(super) source: Source,
    /// (prompt, rank of its source, keys): the best source's keys per prompt.
    pub(super) keys: Vec<(u32, u8, Box<str>)>,
    /// Whether a recipient of the campaign matched it.
    pub(super) seen: bool,
}

/// The rows of one campaign, by call id and number.
#[derive(Debug, Default)]
pub(super) struct Rows {
    map: HashMap<Box<str>, Row>,
}

/// How trustworthy a keypress's source is (lower is better): a provider's own final report
/// over an event seen mid-call over a query's snapshot.
fn rank(source: Source) -> u8 {
    match source {
        Source::Summary | Source::Callback => 0,
        Source::Event => 1,
        Source::Query => 2,
    }
}

fn key(callid: &str, number: &str) -> Box<str> {
    format!("{callid} {number}").into_boxed_str()
}

/// Shares equal strings.
#[derive(Default)]
struct Words(HashMap<Box<str>, Arc<str>>);

impl Words {
    fn get(&mut self, word: &str) -> Arc<str> {
        if let Some(w) = self.0.get(word) {
            return Arc::clone(w);
        }
        let shared: Arc<str> = Arc::from(word);
        self.0.insert(Box::from(word), Arc::clone(&shared));
        shared
    }
}

impl Rows {
    /// Reads the rows and keypresses of `campaign` at `provider`.
    pub(super) fn load(store: &Store, provider: &str, campaign: &str) -> Result<Rows, StoreError> {
        let fail = |e| store.fail(e);
        let mut rows = Rows::default();
        let mut words = Words::default();
        let mut statement = store
            .conn
            .prepare(
                "SELECT callid, number, status, outcome, reason, duration, answered_by, \
                 called_at, source, attempts FROM calls WHERE provider = ?1 AND campaign = ?2",
            )
            .map_err(fail)?;
        let mut query = statement.query(params![provider, campaign]).map_err(fail)?;
        while let Some(row) = query.next().map_err(fail)? {
            let text = |i| row.get_ref(i).and_then(|v| Ok(v.as_str_or_null()?));
            let (Some(callid), Some(number)) = (text(0).map_err(fail)?, text(1).map_err(fail)?)
            else {
                continue;
            };
            let stored = Row {
                status: words.get(text(2).map_err(fail)?.unwrap_or("")),
                // The CHECK constraints keep both columns to the known words.
                outcome: Outcome::parse(text(3).map_err(fail)?.unwrap_or(""))
                    .unwrap_or(Outcome::Pending),
                reason: text(4).map_err(fail)?.map(|r| words.get(r)),
                duration: row.get(5).map_err(fail)?,
                answered_by: match text(6).map_err(fail)? {
                    Some("human") => Some("human"),
                    Some("machine") => Some("machine"),
                    _ => None,
                },
                called_at: text(7).map_err(fail)?.map(Box::from),
                attempts: row.get(9).map_err(fail)?,
                source: Source::parse(text(8).map_err(fail)?.unwrap_or(""))
                    .unwrap_or(Source::Query),
                keys: Vec::new(),
                seen: false,
            };
            rows.map.insert(key(callid, number), stored);
        }
        drop(query);
        let mut statement = store
            .conn
            .prepare(
                "SELECT callid, number, prompt, keys, source FROM keypresses \
                 WHERE provider = ?1 AND campaign = ?2",
            )
            .map_err(fail)?;
        let mut query = statement.query(params![provider, campaign]).map_err(fail)?;
        while let Some(k) = query.next().map_err(fail)? {
            let text = |i| k.get_ref(i).and_then(|v| Ok(v.as_str_or_null()?));
            let (Some(callid), Some(number), Some(keys)) = (
                text(0).map_err(fail)?,
                text(1).map_err(fail)?,
                text(3).map_err(fail)?,
            ) else {
                continue;
            };
            // Keys count with their call: without a stored call there is nothing to count.
            let Some(row) = rows.map.get_mut(&*key(callid, number)) else {
                continue;
            };
            let prompt: u32 = k.get(2).map_err(fail)?;
            let rank =
                rank(Source::parse(text(4).map_err(fail)?.unwrap_or("")).unwrap_or(Source::Query));
            match row.keys.iter_mut().find(|(p, _, _)| *p == prompt) {
                Some(best) if rank < best.1 => *best = (prompt, rank, Box::from(keys)),
                Some(_) => {}
                None => row.keys.push((prompt, rank, Box::from(keys))),
            }
        }
        Ok(rows)
    }

    /// The row of the call to `number` with `callid` (a post that did not say the number is
    /// stored under the call id alone), marked as matched.
    pub(super) fn find(&mut self, callid: &str, number: &str) -> Option<&Row> {
        let k = if self.map.contains_key(&*key(callid, number)) {
            key(callid, number)
        } else {
            key(callid, "")
        };
        let row = self.map.get_mut(&k)?;
        row.seen = true;
        Some(row)
    }

    /// Rows no recipient matched.
    pub(super) fn unmatched(&self) -> u64 {
        self.map.values().filter(|r| !r.seen).count() as u64
    }
}
