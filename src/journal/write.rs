//! Writing to an open journal: each record is chained to the line before it, made durable
//! (synced, or committed) before the call that wrote it returns, and applied to the state.

use std::collections::BTreeMap;

use super::calls::key_hash;
use super::changes::RemovalOutcome;
use super::error::JournalError;
use super::open::Journal;
use super::record::{CallContent, Outcome, Record, Said, call_key, now};
use crate::digest::sha256_hex;
use crate::plan::{Action, PostKind};

impl Journal {
    /// Appends one record as one line (chained to the one before) and syncs it to disk
    /// before returning.
    pub(super) fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).expect("records serialise");
        if let Some(prev) = &self.last_hash {
            // A record serialises as one JSON object: `prev` goes in before its closing brace.
            line.pop();
            line.extend_from_slice(br#","prev":""#);
            line.extend_from_slice(prev.as_bytes());
            line.extend_from_slice(b"\"}");
        }
        let hash = sha256_hex(&line);
        self.store.write_line(&self.path, line, &hash)?;
        self.last_hash = Some(hash);
        // What this journal writes always replays.
        let _ = self.state.apply(record);
        Ok(())
    }

    /// Lets go of what this journal holds in memory about the recipient keys of a call post
    /// that is finished for this run, when the provider has it or certainly does not: their
    /// lines are on disk, so the next run replays them, and the counts and per-seq tallies
    /// keep them; keys in doubt stay. This is what keeps `send` flat at any size: a plan holds
    /// each recipient key once (the check pass deduplicates every number), so nothing later
    /// in the run asks about a finished post's keys again, and without this the state grew by
    /// about 20 bytes a recipient, 200 MB over ten million.
    pub fn retire<'a>(&mut self, calls: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (callid, number) in calls {
            let hash = key_hash(&call_key(callid, number));
            self.state.calls.retire(&hash);
            self.state.changes.retire(&hash);
            if self.state.calls.get(&hash).is_none() {
                // A provider id is journaled under the key, or under the bare call id when
                // a post held several calls.
                self.state.provider_ids.remove(&hash);
                self.state.provider_ids.remove(&key_hash(callid));
            }
        }
    }

    /// Records an intent for post `seq`; returns its attempt number.
    #[allow(clippy::too_many_arguments)]
    pub fn intent(
        &mut self,
        action: Action,
        seq: usize,
        kind: PostKind,
        post_hash: &str,
        body_hash: &str,
        calls: Vec<(String, String)>,
        file: Option<String>,
    ) -> Result<u64, JournalError> {
        let attempt = self.next_attempt();
        let (callids, numbers) = calls.into_iter().unzip();
        self.append(&Record::Intent {
            attempt,
            action,
            seq,
            kind,
            post_hash: post_hash.to_owned(),
            body_hash: body_hash.to_owned(),
            callids,
            numbers,
            file,
            at: now(),
        })?;
        Ok(attempt)
    }

    /// Records the outcome of `attempt`, with what the reply (or the failure) said.
    pub fn outcome(
        &mut self,
        attempt: u64,
        seq: usize,
        outcome: Outcome,
        said: Said,
    ) -> Result<(), JournalError> {
        self.append(&Record::Outcome {
            attempt,
            seq,
            outcome,
            code: said.code,
            errorid: None,
            ids: said.ids,
            detail: said.detail,
            provider_message: said.provider_message,
            endpoint: said.endpoint,
            at: now(),
        })
    }

    /// Records a resolution query's findings.
    pub fn resolved(
        &mut self,
        seq: usize,
        present: Vec<String>,
        missing: Vec<String>,
    ) -> Result<(), JournalError> {
        self.resolved_with_ids(seq, present, missing, BTreeMap::new())
    }

    /// [`Journal::resolved`], with the provider's ids of the calls found.
    pub fn resolved_with_ids(
        &mut self,
        seq: usize,
        present: Vec<String>,
        missing: Vec<String>,
        ids: BTreeMap<String, String>,
    ) -> Result<(), JournalError> {
        self.append(&Record::Resolved {
            seq,
            present,
            missing,
            ids,
            at: now(),
        })
    }

    /// Records what each call of post `seq` asks for, before its intent.
    pub fn content(&mut self, seq: usize, calls: Vec<CallContent>) -> Result<(), JournalError> {
        if calls.is_empty() {
            return Ok(());
        }
        self.append(&Record::Content {
            seq,
            calls,
            at: now(),
        })
    }

    /// Records that the calls with these keys are about to be removed; returns the attempt.
    pub fn remove_intent(&mut self, keys: Vec<String>) -> Result<u64, JournalError> {
        let attempt = self.next_attempt();
        self.append(&Record::RemoveIntent {
            attempt,
            keys,
            at: now(),
        })?;
        Ok(attempt)
    }

    /// Records what became of the calls of removal `attempt`; its keys in no list stay in
    /// doubt.
    pub fn remove_outcome(
        &mut self,
        attempt: u64,
        outcome: RemovalOutcome,
    ) -> Result<(), JournalError> {
        self.append(&Record::RemoveOutcome {
            attempt,
            removed: outcome.removed,
            dialled: outcome.dialled,
            kept: outcome.kept,
            at: now(),
        })
    }
}
