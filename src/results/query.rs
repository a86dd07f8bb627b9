//! `query` replies into the store: what a Call Query (VoiceShot action 3) or a status poll
//! (the Voicent Gateway) found, as rows of source `query`.
//!
//! A query is the weakest source: it is a snapshot the provider gave when asked, while a
//! Call Summary or a callback is the provider's own final word, posted when the call ended
//! (with keypresses and recordings a query does not carry). So a query row only replaces a
//! row that came from a query too, or one still `pending`; it never overwrites a final
//! summary, callback or event row.

use rusqlite::params;

use super::store::{
    CALL_COLUMNS, CallRecord, KEYPRESS_COLUMNS, Keypress, Outcome, Source, Store, StoreError,
};
use crate::provider::{Provider, Reach};
use crate::submit::CallReport;

/// The reason stored for a call the provider holds for the campaign that outdial did not
/// place.
pub const NOT_SENT_BY_OUTDIAL: &str = "not sent by outdial";

/// What a provider's verdict means in the store; `None` for a call the provider does not
/// know (never taken, or deleted), which is not a result to keep.
fn outcome_of(reach: Reach) -> Option<Outcome> {
    match reach {
        Reach::Reached => Some(Outcome::Reached),
        Reach::NotReached => Some(Outcome::NotReached),
        Reach::Pending => Some(Outcome::Pending),
        Reach::Unknown => Some(Outcome::Unknown),
        Reach::NotFound => None,
    }
}

/// The rows a query's results make for `campaign` at `provider`: one per recipient the
/// provider knows, with its keypresses.
pub fn query_rows(
    provider: &dyn Provider,
    campaign: &str,
    reports: &[CallReport],
) -> (Vec<CallRecord>, Vec<Keypress>) {
    let name = provider.name().key();
    let mut calls = Vec::with_capacity(reports.len());
    let mut keys = Vec::new();
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    for report in reports {
        let Some(outcome) = outcome_of(report.result) else {
            continue;
        };
        // The provider's detail says why a call failed (`Busy`, `No Answer`); its status
        // word is the reason when there is no detail.
        let reason = match outcome {
            Outcome::NotReached => text(&report.comment).or_else(|| text(&report.status)),
            _ => None,
        };
        // A call outdial did not place (found by `query --all`) says so where a person
        // reads why: its reason.
        let reason = match (report.not_sent_by_outdial, reason) {
            (false, reason) => reason,
            (true, None) => Some(NOT_SENT_BY_OUTDIAL.to_owned()),
            (true, Some(why)) => Some(format!("{NOT_SENT_BY_OUTDIAL}; {why}")),
        };
        calls.push(CallRecord {
            provider: name.to_owned(),
            campaign: campaign.to_owned(),
            callid: report.callid.clone(),
            number: report.number.clone(),
            status: report.status.clone(),
            outcome,
            reason,
            duration: report.duration,
            answered_by: provider.answered_by(&report.comment).map(str::to_owned),
            attempts: report.attempts,
            called_at: text(&report.dateandtime),
            source: Source::Query,
            recording: None,
        });
        keys.extend(
            report
                .keypresses
                .iter()
                .filter(|(_, k)| !k.is_empty())
                .map(|(prompt, k)| Keypress {
                    provider: name.to_owned(),
                    campaign: campaign.to_owned(),
                    callid: report.callid.clone(),
                    number: report.number.clone(),
                    prompt: *prompt,
                    keys: k.clone(),
                    source: Source::Query,
                }),
        );
    }
    (calls, keys)
}

impl Store {
    /// Stores a query's rows in one transaction, without overwriting a better source (see the
    /// module's comment): a row is written only where none is stored, or where the stored one
    /// came from a query or is still pending. Keypresses go with the rows written. Returns
    /// (rows written, rows kept because a better source had them).
    pub fn record_query(
        &mut self,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<(usize, usize), StoreError> {
        let now = jiff::Timestamp::now().to_string();
        let path = self.path().to_path_buf();
        let tx = self
            .conn
            .transaction()
            .map_err(|source| StoreError::Sqlite { path, source })?;
        let result = (|| -> rusqlite::Result<(usize, usize)> {
            let mut written = std::collections::HashSet::new();
            let mut kept = 0;
            for call in calls {
                // A summary or callback is the provider's last word; a query only replaces
                // an earlier query or a call still pending.
                // Prepared once a connection (the cache), not parsed again for every row: parsing
                // was most of a large query's time.
                let n = tx
                    .prepare_cached(&format!(
                        "INSERT INTO calls {CALL_COLUMNS} \
                         ON CONFLICT (provider, campaign, callid, number) DO UPDATE SET \
                         status = excluded.status, outcome = excluded.outcome, \
                         reason = excluded.reason, duration = excluded.duration, \
                         answered_by = excluded.answered_by, attempts = excluded.attempts, \
                         called_at = excluded.called_at, source = excluded.source, \
                         recording = excluded.recording, updated_at = excluded.updated_at \
                         WHERE calls.source = 'query' OR calls.outcome = 'pending'"
                    ))?
                    .execute(&call.values(&now)[..])?;
                if n > 0 {
                    written.insert((call.callid.as_str(), call.number.as_str()));
                } else {
                    kept += 1;
                }
            }
            // A replaced query row's keys go with it: the new reply says which prompts had
            // keys now.
            for (callid, number) in &written {
                let provider = calls.first().map_or("", |c| c.provider.as_str());
                let campaign = calls.first().map_or("", |c| c.campaign.as_str());
                tx.prepare_cached(
                    "DELETE FROM keypresses WHERE provider = ?1 AND campaign = ?2 \
                     AND callid = ?3 AND number = ?4 AND source = 'query'",
                )?
                .execute(params![provider, campaign, callid, number])?;
            }
            for key in keys {
                if !written.contains(&(key.callid.as_str(), key.number.as_str())) {
                    continue;
                }
                tx.prepare_cached(&format!(
                    "INSERT OR REPLACE INTO keypresses {KEYPRESS_COLUMNS}"
                ))?
                .execute(&key.values(&Source::Query, &now)[..])?;
            }
            Ok((written.len(), kept))
        })();
        let committed = result.and_then(|counts| tx.commit().map(|()| counts));
        committed.map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(source: Source, outcome: Outcome, status: &str) -> CallRecord {
        CallRecord {
            provider: "voiceshot".into(),
            campaign: "outage".into(),
            callid: "a1".into(),
            number: "2025550143".into(),
            status: status.into(),
            outcome,
            reason: None,
            duration: Some(14),
            answered_by: None,
            attempts: None,
            called_at: None,
            source,
            recording: None,
        }
    }

    #[test]
    fn a_query_never_overwrites_a_summary_but_replaces_a_query_or_a_pending_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let summary = row(Source::Summary, Outcome::Reached, "Successful");
        store
            .record(None, std::slice::from_ref(&summary), &[])
            .unwrap();
        let query = row(Source::Query, Outcome::NotReached, "Unsuccessful");
        let key = Keypress {
            provider: "voiceshot".into(),
            campaign: "outage".into(),
            callid: "a1".into(),
            number: "2025550143".into(),
            prompt: 1,
            keys: "9".into(),
            source: Source::Query,
        };
        let counts = store
            .record_query(std::slice::from_ref(&query), std::slice::from_ref(&key))
            .unwrap();
        assert_eq!(counts, (0, 1));
        assert_eq!(store.calls("voiceshot", "outage").unwrap(), vec![summary]);
        assert!(store.keypresses("voiceshot", "outage").unwrap().is_empty());

        // A pending summary row is replaced by a query's final word; a query row by a newer one.
        // (A post never turns a final row back into pending: start again from none.)
        store.conn.execute("DELETE FROM calls", []).unwrap();
        store
            .record(
                None,
                &[row(Source::Event, Outcome::Pending, "Pending")],
                &[],
            )
            .unwrap();
        assert_eq!(
            store
                .record_query(std::slice::from_ref(&query), &[])
                .unwrap(),
            (1, 0)
        );
        let newer = row(Source::Query, Outcome::Reached, "Successful");
        store
            .record_query(std::slice::from_ref(&newer), std::slice::from_ref(&key))
            .unwrap();
        assert_eq!(
            store.calls("voiceshot", "outage").unwrap(),
            vec![newer.clone()]
        );
        assert_eq!(store.keypresses("voiceshot", "outage").unwrap(), vec![key]);
        // A newer reply without keys takes the old query's keys away.
        store
            .record_query(std::slice::from_ref(&newer), &[])
            .unwrap();
        assert!(store.keypresses("voiceshot", "outage").unwrap().is_empty());
    }

    #[test]
    fn unknown_calls_make_no_row_and_failures_carry_a_reason() {
        let provider = crate::provider::voiceshot::VoiceShot {
            menuid: "1-1".into(),
            callerid: None,
            batch_size: 1,
            max_upload_bytes: 0,
            account_zone: None,
            endpoint: String::new(),
            fallback_endpoint: String::new(),
        };
        let report = |result, status: &str, comment: &str| CallReport {
            number: "2025550143".into(),
            callid: "a1".into(),
            result,
            status: status.into(),
            comment: comment.into(),
            dateandtime: "5/22/2004 4:15:15 PM".into(),
            duration: Some(0),
            keypresses: vec![(1, String::new()), (2, "1".into())],
            responses: Default::default(),
            attempts: Some(2),
            not_sent_by_outdial: false,
        };
        let (calls, keys) = query_rows(
            &provider,
            "outage",
            &[
                report(Reach::NotFound, "", ""),
                report(Reach::NotReached, "Unsuccessful", "Busy"),
                report(Reach::Reached, "Successful", "Answering Machine"),
            ],
        );
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].reason.as_deref(), Some("Busy"));
        assert_eq!(calls[1].reason, None);
        assert_eq!(calls[1].answered_by.as_deref(), Some("machine"));
        assert!(calls.iter().all(|c| c.attempts == Some(2)));
        // Prompts reached without a key press are no keypress.
        assert_eq!(keys.len(), 2);
        assert!(keys.iter().all(|k| k.prompt == 2));
    }
}
