//! The store's row of each recipient, looked up as the report streams the recipients: one
//! lookup by the tables' primary keys per recipient, so the report holds one recipient's row
//! at a time whatever the campaign's size. (Holding every row of the campaign instead took
//! 472 MB at a million recipients.)

use std::collections::HashSet;

use rusqlite::{Statement, params};

use super::error::StoreError;
use super::store::Store;
use crate::outcome::{Outcome, Source};

/// One call's stored result.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) status: String,
    pub(super) outcome: Outcome,
    pub(super) reason: Option<String>,
    pub(super) duration: Option<u32>,
    pub(super) answered_by: Option<&'static str>,
    pub(super) attempts: Option<u32>,
    pub(super) called_at: Option<String>,
    pub(super) source: Source,
    /// A voicemail recording, relative to the store's folder.
    pub(super) recording: Option<String>,
    /// (prompt, keys): the best source's keys per prompt, in prompt order and, within a
    /// prompt, in the order they were pressed (Call Events give one row per keypress).
    pub(super) keys: Vec<(u32, String)>,
    /// (name, value): the answers an IVR application collected, by name.
    pub(super) responses: Vec<(String, String)>,
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

/// The rows of one campaign at one provider, found call by call.
pub(super) struct Rows<'s> {
    store: &'s Store,
    provider: &'s str,
    campaign: &'s str,
    call: Statement<'s>,
    responses: Statement<'s>,
    /// Rows a recipient matched.
    matched: u64,
    /// Call ids whose row stored under the call id alone (a post that did not say the
    /// number) a recipient matched: households share call ids, and such a row counts once.
    bare: HashSet<String>,
}

impl<'s> Rows<'s> {
    /// Prepares the lookups of `campaign`'s rows at `provider`.
    pub(super) fn open(
        store: &'s Store,
        provider: &'s str,
        campaign: &'s str,
    ) -> Result<Rows<'s>, StoreError> {
        let fail = |e| store.fail(e);
        // The call with its keypresses in one lookup (both by their tables' primary keys).
        let call = store
            .conn
            .prepare(
                "SELECT c.status, c.outcome, c.reason, c.duration, c.answered_by, c.called_at, \
                 c.source, c.attempts, k.prompt, k.keys, k.source, c.recording FROM calls c \
                 LEFT JOIN keypresses k ON k.provider = c.provider AND k.campaign = c.campaign \
                 AND k.callid = c.callid AND k.number = c.number \
                 WHERE c.provider = ?1 AND c.campaign = ?2 AND c.callid = ?3 AND c.number = ?4 \
                 ORDER BY k.prompt, k.seq",
            )
            .map_err(fail)?;
        // A query's answers lose to a final report's, as keypresses do.
        let responses = store
            .conn
            .prepare(
                "SELECT name, value FROM responses WHERE provider = ?1 AND campaign = ?2 \
                 AND callid = ?3 AND number = ?4 ORDER BY name, source = 'query'",
            )
            .map_err(fail)?;
        Ok(Rows {
            store,
            provider,
            campaign,
            call,
            responses,
            matched: 0,
            bare: HashSet::new(),
        })
    }

    /// The row of the call to `number` with `callid`, or else the one stored under the call
    /// id alone.
    pub(super) fn find(&mut self, callid: &str, number: &str) -> Result<Option<Row>, StoreError> {
        if let Some(row) = self.row(callid, number)? {
            self.matched += 1;
            return Ok(Some(row));
        }
        let row = self.row(callid, "")?;
        if row.is_some() && self.bare.insert(callid.to_owned()) {
            self.matched += 1;
        }
        Ok(row)
    }

    fn row(&mut self, callid: &str, number: &str) -> Result<Option<Row>, StoreError> {
        let store = self.store;
        let fail = |e| store.fail(e);
        let mut found: Option<Row> = None;
        // (prompt, rank, keys in the order pressed)
        let mut best: Vec<(u32, u8, Vec<String>)> = Vec::new();
        let mut rows = self
            .call
            .query(params![self.provider, self.campaign, callid, number])
            .map_err(fail)?;
        // One line per keypress of the call (or one without any): the call's columns repeat.
        while let Some(line) = rows.next().map_err(fail)? {
            let text = |i| line.get::<_, Option<String>>(i).map_err(fail);
            if found.is_none() {
                found = Some(Row {
                    status: text(0)?.unwrap_or_default(),
                    // The CHECK constraints keep both columns to the known words.
                    outcome: Outcome::parse(text(1)?.as_deref().unwrap_or(""))
                        .unwrap_or(Outcome::Pending),
                    reason: text(2)?,
                    duration: line.get(3).map_err(fail)?,
                    answered_by: match text(4)?.as_deref() {
                        Some("human") => Some("human"),
                        Some("machine") => Some("machine"),
                        _ => None,
                    },
                    called_at: text(5)?,
                    source: Source::parse(text(6)?.as_deref().unwrap_or(""))
                        .unwrap_or(Source::Query),
                    attempts: line.get(7).map_err(fail)?,
                    recording: text(11)?,
                    keys: Vec::new(),
                    responses: Vec::new(),
                });
            }
            let (Some(prompt), Some(pressed)) =
                (line.get::<_, Option<u32>>(8).map_err(fail)?, text(9)?)
            else {
                continue;
            };
            let rank =
                rank(Source::parse(text(10)?.as_deref().unwrap_or("")).unwrap_or(Source::Query));
            match best.iter_mut().find(|(p, _, _)| *p == prompt) {
                Some(b) if rank < b.1 => *b = (prompt, rank, vec![pressed]),
                Some(b) if rank == b.1 => b.2.push(pressed),
                Some(_) => {}
                None => best.push((prompt, rank, vec![pressed])),
            }
        }
        drop(rows);
        let Some(mut row) = found else {
            return Ok(None);
        };
        row.keys = best
            .into_iter()
            .flat_map(|(p, _, keys)| keys.into_iter().map(move |k| (p, k)))
            .collect();
        let mut answers = self
            .responses
            .query(params![self.provider, self.campaign, callid, number])
            .map_err(fail)?;
        while let Some(line) = answers.next().map_err(fail)? {
            let name: String = line.get(0).map_err(fail)?;
            // Ordered by name, the final report's answer first: a query's is kept only alone.
            if row.responses.last().is_some_and(|(n, _)| *n == name) {
                continue;
            }
            row.responses.push((name, line.get(1).map_err(fail)?));
        }
        Ok(Some(row))
    }

    /// Rows of the campaign no recipient matched, once every recipient was looked up.
    pub(super) fn unmatched(&self) -> Result<u64, StoreError> {
        let total: i64 = self
            .store
            .conn
            .query_row(
                "SELECT count(*) FROM calls WHERE provider = ?1 AND campaign = ?2",
                params![self.provider, self.campaign],
                |row| row.get(0),
            )
            .map_err(|e| self.store.fail(e))?;
        Ok((total.max(0) as u64).saturating_sub(self.matched))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{CallRecord, Keypress};

    fn call(callid: &str, number: &str, source: Source) -> CallRecord {
        CallRecord {
            provider: "voiceshot".into(),
            campaign: "c".into(),
            callid: callid.into(),
            number: number.into(),
            status: "Successful".into(),
            outcome: Outcome::Reached,
            reason: None,
            duration: Some(9),
            answered_by: Some("human".into()),
            attempts: Some(2),
            called_at: None,
            source,
            recording: None,
        }
    }

    fn key(callid: &str, number: &str, prompt: u32, keys: &str, source: Source) -> Keypress {
        Keypress {
            provider: "voiceshot".into(),
            campaign: "c".into(),
            callid: callid.into(),
            number: number.into(),
            prompt,
            keys: keys.into(),
            source,
        }
    }

    #[test]
    fn rows_are_found_by_key_or_call_id_and_the_rest_counted_unmatched() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let calls = [
            call("a", "2025550100", Source::Summary),
            // Stored without its number: answers every recipient with the call id.
            call("home", "", Source::Summary),
            call("gone", "2025550199", Source::Summary),
            // Another campaign's row is none of this one's business.
            CallRecord {
                campaign: "other".into(),
                ..call("x", "2025550101", Source::Summary)
            },
        ];
        let keys = [
            key("a", "2025550100", 1, "9", Source::Query),
            key("a", "2025550100", 1, "1", Source::Summary),
            key("a", "2025550100", 2, "#", Source::Event),
            key("a", "2025550100", 2, "*", Source::Event),
        ];
        store.record(None, &calls, &keys).unwrap();
        let mut rows = Rows::open(&store, "voiceshot", "c").unwrap();
        let a = rows.find("a", "2025550100").unwrap().unwrap();
        assert_eq!(
            (a.duration, a.attempts, a.answered_by),
            (Some(9), Some(2), Some("human"))
        );
        // The best source's keys per prompt (a summary over a query), every event's keypress
        // in the order pressed.
        assert_eq!(
            a.keys,
            [
                (1, "1".to_owned()),
                (2, "#".to_owned()),
                (2, "*".to_owned())
            ]
        );
        assert!(rows.find("home", "2025550102").unwrap().is_some());
        assert!(rows.find("home", "2025550103").unwrap().is_some());
        assert!(rows.find("x", "2025550101").unwrap().is_none());
        assert!(rows.find("nobody", "2025550104").unwrap().is_none());
        // `gone` matched no recipient; the shared row counts once.
        assert_eq!(rows.unmatched().unwrap(), 1);
    }
}
