//! `outdial query`'s rows in the PostgreSQL results store, by the rule of the SQLite store's
//! `record_query` (see `query.rs`): a query's row replaces only an earlier query's or a
//! pending one, never a provider's own report, and its keypresses and answers go with it.

use super::error::StoreError;
use super::pg::{PgResults, call_key, upsert_call};
use crate::outcome::{CallRecord, Keypress, Response};

impl PgResults {
    /// Stores a query's rows in one transaction. Returns (rows written, rows kept because a
    /// better source had them).
    pub fn record_query(
        &self,
        calls: &[CallRecord],
        keys: &[Keypress],
        answers: &[Response],
    ) -> Result<(usize, usize), StoreError> {
        let now = jiff::Timestamp::now().to_string();
        self.with(|client| {
            let mut tx = client.transaction()?;
            let mut written = std::collections::HashSet::new();
            let mut kept = 0;
            for call in calls {
                // A listener may be filing a post about the same call: take turns.
                let lock = call_key(&call.provider, &call.campaign, &call.callid, &call.number);
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
                // A query only replaces an earlier query's row or a pending one.
                let n = upsert_call(
                    &mut tx,
                    call,
                    &now,
                    "WHERE c.source = 'query' OR c.outcome = 'pending'",
                )?;
                if n > 0 {
                    written.insert((call.callid.as_str(), call.number.as_str()));
                    // A replaced query row's keys and answers go with it.
                    for table in ["outdial_keypresses", "outdial_responses"] {
                        tx.execute(
                            &format!(
                                "DELETE FROM {table} WHERE provider = $1 AND campaign = $2 \
                                 AND callid = $3 AND number = $4 AND source = 'query'"
                            ),
                            &[&call.provider, &call.campaign, &call.callid, &call.number],
                        )?;
                    }
                } else {
                    kept += 1;
                }
            }
            for key in keys {
                if !written.contains(&(key.callid.as_str(), key.number.as_str())) {
                    continue;
                }
                tx.execute(
                    "INSERT INTO outdial_keypresses (provider, campaign, callid, number, prompt, \
                     keys, source, received_at) VALUES ($1, $2, $3, $4, $5, $6, 'query', $7) \
                     ON CONFLICT (provider, campaign, callid, number, prompt, source, seq) \
                     DO UPDATE SET keys = excluded.keys, received_at = excluded.received_at",
                    &[
                        &key.provider,
                        &key.campaign,
                        &key.callid,
                        &key.number,
                        &i64::from(key.prompt),
                        &key.keys,
                        &now,
                    ],
                )?;
            }
            for a in answers {
                if !written.contains(&(a.callid.as_str(), a.number.as_str())) {
                    continue;
                }
                tx.execute(
                    "INSERT INTO outdial_responses (provider, campaign, callid, number, name, \
                     value, source, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (provider, campaign, callid, number, name, source) \
                     DO UPDATE SET value = excluded.value, received_at = excluded.received_at",
                    &[
                        &a.provider,
                        &a.campaign,
                        &a.callid,
                        &a.number,
                        &a.name,
                        &a.value,
                        &a.source.as_str(),
                        &now,
                    ],
                )?;
            }
            tx.commit()?;
            Ok((written.len(), kept))
        })
    }
}
