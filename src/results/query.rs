//! `query` replies into the store: what a Call Query (VoiceShot action 3) or a status poll
//! (the Voicent Gateway) found, as rows of source `query`.
//!
//! A query is the weakest source: it is a snapshot the provider gave when asked, while a
//! Call Summary or a callback is the provider's own final word, posted when the call ended
//! (with keypresses and recordings a query does not carry). So a query row only replaces a
//! row that came from a query too, or one still `pending`; it never overwrites a final
//! summary, callback or event row.

use rusqlite::params;

use super::columns::{CALL_COLUMNS, KEYPRESS_COLUMNS, RESPONSE_COLUMNS};
use super::error::StoreError;
use super::record::{RecipientResult, Status};
use super::store::Store;
use crate::outcome::{CallRecord, Keypress, Outcome, Response, Source};

/// The rows a query's results make for `campaign` at `provider` (its key, `voicent`): one per
/// recipient the provider answered for, with its keypresses and IVR answers. A call the
/// provider does not know makes a `removed` row when the journal says it was taken; a call
/// never sent or in doubt, or a result that did not come from this query (a stored callback
/// shown instead), makes none.
pub fn query_rows(
    provider: &str,
    campaign: &str,
    results: &[RecipientResult],
) -> (Vec<CallRecord>, Vec<Keypress>, Vec<Response>) {
    let mut calls = Vec::with_capacity(results.len());
    let mut keys = Vec::new();
    let mut answers = Vec::new();
    for r in results {
        let outcome = match r.status {
            Status::Reached => Outcome::Reached,
            Status::NotReached => Outcome::NotReached,
            Status::Pending => Outcome::Pending,
            Status::Unknown => Outcome::Unknown,
            Status::Removed => Outcome::Removed,
            Status::InDoubt | Status::NeverSent => continue,
        };
        if r.source != Some(Source::Query.as_str()) {
            continue;
        }
        calls.push(CallRecord {
            provider: provider.to_owned(),
            campaign: campaign.to_owned(),
            callid: r.callid.clone(),
            number: r.number.clone(),
            status: r.provider_status.clone().unwrap_or_default(),
            outcome,
            reason: r.reason.clone(),
            duration: r.duration,
            answered_by: r.answered_by.clone(),
            attempts: r.attempts,
            called_at: r.provider_time.clone(),
            source: Source::Query,
            recording: None,
        });
        keys.extend(r.keypresses.iter().map(|k| Keypress {
            provider: provider.to_owned(),
            campaign: campaign.to_owned(),
            callid: r.callid.clone(),
            number: r.number.clone(),
            prompt: k.prompt,
            keys: k.keys.clone(),
            source: Source::Query,
        }));
        answers.extend(r.responses.iter().map(|(name, value)| Response {
            provider: provider.to_owned(),
            campaign: campaign.to_owned(),
            callid: r.callid.clone(),
            number: r.number.clone(),
            name: name.clone(),
            value: value.clone(),
            source: Source::Query,
        }));
    }
    (calls, keys, answers)
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
        answers: &[Response],
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
                tx.prepare_cached(
                    "DELETE FROM responses WHERE provider = ?1 AND campaign = ?2 \
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
            for answer in answers {
                if !written.contains(&(answer.callid.as_str(), answer.number.as_str())) {
                    continue;
                }
                tx.prepare_cached(&format!(
                    "INSERT OR REPLACE INTO responses {RESPONSE_COLUMNS}"
                ))?
                .execute(&answer.values(&now)[..])?;
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
            .record_query(
                std::slice::from_ref(&query),
                std::slice::from_ref(&key),
                &[],
            )
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
                .record_query(std::slice::from_ref(&query), &[], &[])
                .unwrap(),
            (1, 0)
        );
        let newer = row(Source::Query, Outcome::Reached, "Successful");
        store
            .record_query(
                std::slice::from_ref(&newer),
                std::slice::from_ref(&key),
                &[],
            )
            .unwrap();
        assert_eq!(
            store.calls("voiceshot", "outage").unwrap(),
            vec![newer.clone()]
        );
        assert_eq!(store.keypresses("voiceshot", "outage").unwrap(), vec![key]);
        // A newer reply without keys takes the old query's keys away.
        store
            .record_query(std::slice::from_ref(&newer), &[], &[])
            .unwrap();
        assert!(store.keypresses("voiceshot", "outage").unwrap().is_empty());
    }

    #[test]
    fn unknown_calls_are_removed_or_never_sent_and_failures_carry_a_reason() {
        use crate::journal::CallState;
        use crate::provider::Reach;
        use crate::submit::CallReport;
        let provider = crate::provider::voiceshot::VoiceShot {
            menuid: "1-1".into(),
            callerid: None,
            batch_size: 1,
            max_upload_bytes: 0,
            account_zone: Some(jiff::tz::TimeZone::get("America/Chicago").unwrap()),
            endpoint: String::new(),
            fallback_endpoint: String::new(),
            summary_url: None,
        };
        let clock = super::super::record::Clock::with(&provider, None);
        let report = |result, status: &str, comment: &str| CallReport {
            number: "2025550143".into(),
            callid: "a1".into(),
            result,
            status: status.into(),
            comment: comment.into(),
            dateandtime: "5/22/2004 4:15:15 PM".into(),
            duration: Some(0),
            keypresses: vec![(1, String::new()), (2, "1".into()), (2, "3".into())],
            responses: [("confirm".to_owned(), "yes".to_owned())].into(),
            attempts: Some(2),
            not_sent_by_outdial: false,
        };
        let results: Vec<RecipientResult> = [
            (Reach::NotFound, "", "", None),
            (
                Reach::NotFound,
                "",
                "no such call",
                Some(CallState::Accepted),
            ),
            (Reach::NotFound, "", "", Some(CallState::InDoubt)),
            (
                Reach::NotReached,
                "Unsuccessful",
                "Busy",
                Some(CallState::Accepted),
            ),
            (
                Reach::Reached,
                "Successful",
                "Answering Machine",
                Some(CallState::Accepted),
            ),
            (Reach::Unknown, "Frobbed", "", Some(CallState::Accepted)),
        ]
        .into_iter()
        .map(|(reach, status, comment, journal)| {
            RecipientResult::from_report(
                &provider,
                &clock,
                journal,
                &report(reach, status, comment),
            )
        })
        .collect();
        let statuses: Vec<Status> = results.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [
                Status::NeverSent,
                Status::Removed,
                Status::InDoubt,
                Status::NotReached,
                Status::Reached,
                Status::Unknown
            ]
        );
        // The provider's wall time in its account's zone, in UTC; its text kept beside.
        assert_eq!(
            results[4].called_at.as_deref(),
            Some("2004-05-22T21:15:15Z")
        );
        assert_eq!(
            results[4].provider_time.as_deref(),
            Some("5/22/2004 4:15:15 PM")
        );
        assert_eq!(results[1].reason.as_deref(), Some("no such call"));
        let (calls, keys, answers) = query_rows("voiceshot", "outage", &results);
        let outcomes: Vec<Outcome> = calls.iter().map(|c| c.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Removed,
                Outcome::NotReached,
                Outcome::Reached,
                Outcome::Unknown
            ]
        );
        assert_eq!(calls[1].reason.as_deref(), Some("Busy"));
        assert_eq!(calls[2].reason, None);
        assert_eq!(calls[2].answered_by.as_deref(), Some("machine"));
        assert_eq!(calls[3].status, "Frobbed");
        assert!(calls.iter().all(|c| c.attempts == Some(2)));
        // Prompts reached without a key press are no keypress; both presses at 2 are kept.
        assert_eq!(keys.len(), 8);
        assert!(keys.iter().all(|k| k.prompt == 2));
        assert_eq!(answers.len(), 4);
    }
}
