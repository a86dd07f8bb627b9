//! The state a journal's records replay to: what became of each call (accepted, in doubt,
//! not taken), kept compact (see `calls.rs`), and what the send needs besides (plan hashes
//! per post, accepted uploads, the provider's ids, attempt numbers).

use std::collections::{BTreeMap, HashMap};

use super::calls::{CallState, Calls, KeyHash, key_hash};
use super::changes::{self, Posted, Settled};
use super::record::{Outcome, Record, call_key, callid_of, intent_keys};
use crate::plan::{Action, PostKind};

#[derive(Clone, Debug)]
/// One intent, kept until its outcome is applied.
pub(super) struct Attempt {
    action: Action,
    kind: PostKind,
    post_hash: String,
    /// Recipient keys ([`call_key`]), or bare call ids for version 1 lines, until the
    /// attempt's outcome is applied (one batch at a time, then dropped).
    keys: Vec<String>,
    /// Whether its outcome was applied: the journal writes one outcome per intent.
    answered: bool,
}

/// The state replayed from a journal's lines.
#[derive(Clone, Debug, Default)]
pub struct JournalState {
    pub(super) calls: Calls,
    /// The keys of the calls in doubt, as text: the only ones a person may have to look up.
    pub(super) doubt: HashMap<KeyHash, String>,
    /// Whether a version 1 line gave a bare call id as a key: only then is a call also
    /// looked up by its call id alone.
    pub(super) bare: bool,
    /// For `send` call posts: the plan hash last written for each seq.
    pub(super) post_hashes: HashMap<usize, String>,
    /// Hashes of accepted uploads.
    pub(super) uploads: HashMap<String, Outcome>,
    pub(super) attempts: HashMap<u64, Attempt>,
    /// The provider's own id of each accepted call id (by the hash of the key it was given
    /// under), when it gave one.
    pub(super) provider_ids: HashMap<KeyHash, String>,
    pub(super) next_attempt: u64,
    pub(super) lines: usize,
    /// When the last call post was about to go out: a post may still be on its way to the
    /// provider for a while after the client gave up on it.
    pub(super) last_call_intent: Option<jiff::Timestamp>,
    /// What each call asked for, and the removals (see [`changes`]).
    pub(super) changes: changes::Changes,
}

impl JournalState {
    /// Sets the state of `key` to `to(its state now)` (`seq`: it is posted at that seq of
    /// `send`), keeping the text of the keys in doubt.
    pub(super) fn set(
        &mut self,
        key: &str,
        seq: Option<usize>,
        to: impl FnOnce(Option<CallState>) -> CallState,
    ) {
        let hash = key_hash(key);
        let mut now = None;
        self.calls.set(hash, seq, |was| {
            let s = to(was);
            now = Some(s);
            s
        });
        if now == Some(CallState::InDoubt) {
            self.doubt.entry(hash).or_insert_with(|| key.to_owned());
        } else {
            self.doubt.remove(&hash);
        }
    }

    /// Applies one record, in journal order. An outcome whose intent is not in the journal
    /// is refused: a line was removed; so is a second outcome of one intent.
    pub(super) fn apply(&mut self, record: &Record) -> Result<(), String> {
        self.lines += 1;
        match record {
            Record::Open { version, .. } => self.bare |= *version < 2,
            Record::Intent {
                attempt,
                action,
                seq,
                kind,
                post_hash,
                callids,
                numbers,
                at,
                ..
            } => {
                self.next_attempt = self.next_attempt.max(attempt + 1);
                let (keys, bare) = intent_keys(callids, numbers);
                self.bare |= bare;
                if *action == Action::Send && *kind == PostKind::Send {
                    self.apply_call_post(*seq, post_hash, at, &keys);
                }
                self.attempts.insert(
                    *attempt,
                    Attempt {
                        action: *action,
                        kind: *kind,
                        post_hash: post_hash.clone(),
                        keys,
                        answered: false,
                    },
                );
            }
            Record::Outcome {
                attempt,
                outcome,
                ids,
                ..
            } => self.apply_outcome(*attempt, *outcome, ids)?,
            Record::Resolved {
                present,
                missing,
                ids,
                ..
            } => self.apply_resolved(present, missing, ids),
            Record::Content { .. } | Record::RemoveIntent { .. } | Record::RemoveOutcome { .. } => {
                let applied = self.changes.apply(record)?;
                if let Some(attempt) = applied.attempt {
                    self.next_attempt = self.next_attempt.max(attempt + 1);
                }
                for key in applied.removed {
                    self.set(key, None, |_| CallState::NotTaken);
                }
            }
        }
        Ok(())
    }

    /// The intent of a `send` call post at `seq`: its plan hash, when it went out, and its
    /// calls in doubt until its outcome (an accepted call stays accepted).
    fn apply_call_post(&mut self, seq: usize, post_hash: &str, at: &str, keys: &[String]) {
        self.post_hashes.insert(seq, post_hash.to_owned());
        self.last_call_intent = at.parse().ok().or(self.last_call_intent);
        for key in keys {
            self.set(key, Some(seq), |was| match was {
                Some(CallState::Accepted) => CallState::Accepted,
                _ => CallState::InDoubt,
            });
        }
    }

    /// The outcome of `attempt`: its calls (and an upload) take the state it gives.
    fn apply_outcome(
        &mut self,
        attempt: u64,
        outcome: Outcome,
        ids: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        for (callid, id) in ids {
            self.provider_ids.insert(key_hash(callid), id.clone());
        }
        let Some(a) = self.attempts.get_mut(&attempt) else {
            return Err(format!(
                "an outcome for attempt {attempt}, whose intent line is missing"
            ));
        };
        if a.answered {
            return Err(format!("a second outcome for attempt {attempt}"));
        }
        a.answered = true;
        if a.kind == PostKind::SoundSave && a.action == Action::Send {
            self.uploads.insert(a.post_hash.clone(), outcome);
        }
        for id in std::mem::take(&mut a.keys) {
            self.set(&id, None, |was| CallState::after(was, outcome));
        }
        Ok(())
    }

    /// A lookup's findings: calls found are accepted, calls not found are not taken (unless
    /// something settled them otherwise).
    fn apply_resolved(
        &mut self,
        present: &[String],
        missing: &[String],
        ids: &BTreeMap<String, String>,
    ) {
        for (key, id) in ids {
            self.provider_ids.insert(key_hash(key), id.clone());
        }
        // Version 1 resolved bare call ids; version 2 writes recipient keys.
        self.bare |= present.iter().chain(missing).any(|k| !k.contains(' '));
        for id in present {
            self.set(id, None, |_| CallState::Accepted);
        }
        for id in missing {
            self.set(id, None, |was| match was {
                Some(CallState::InDoubt) | None => CallState::NotTaken,
                Some(other) => other,
            });
        }
    }

    /// What the journal says about the call to `number` with `callid` (`None`: never
    /// posted). Version 1 journals kept state per call id only; that is consulted last.
    pub fn call(&self, callid: &str, number: &str) -> Option<CallState> {
        self.calls
            .get(&key_hash(&call_key(callid, number)))
            .or_else(|| {
                self.bare
                    .then(|| self.calls.get(&key_hash(callid)))
                    .flatten()
            })
    }

    /// The provider's own id of the call to `number` with `callid` (the Voicent Gateway's
    /// reqId), if it gave one.
    pub fn provider_id(&self, callid: &str, number: &str) -> Option<&str> {
        if self.provider_ids.is_empty() {
            return None;
        }
        self.provider_ids
            .get(&key_hash(&call_key(callid, number)))
            .or_else(|| self.provider_ids.get(&key_hash(callid)))
            .map(String::as_str)
    }

    /// Call ids with a call in doubt, sorted, each once.
    pub fn in_doubt(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.doubt.values().map(|key| callid_of(key)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The state of a recipient key as the journal wrote it ([`call_key`], or a bare version
    /// 1 call id).
    pub(super) fn key_state(&self, key: &str) -> Option<CallState> {
        self.calls.get(&key_hash(key))
    }

    /// Whether that call was possibly or certainly taken by the provider.
    pub fn maybe_taken(&self, callid: &str, number: &str) -> bool {
        matches!(
            self.call(callid, number),
            Some(CallState::Accepted | CallState::InDoubt)
        )
    }

    /// When the last call post was about to go out, if the journal has one.
    pub fn last_call_intent(&self) -> Option<jiff::Timestamp> {
        self.last_call_intent
    }

    /// The plan hash last journaled for call post `seq` of `send`.
    pub fn post_hash(&self, seq: usize) -> Option<&str> {
        self.post_hashes.get(&seq).map(String::as_str)
    }

    /// Whether any call id that `send` posted at `seq` may be at the provider.
    pub fn seq_has_taken(&self, seq: usize) -> bool {
        self.calls.seq_has_taken(seq)
    }

    /// The seqs of `send` call posts in the journal, sorted.
    pub fn send_seqs(&self) -> Vec<usize> {
        let mut seqs: Vec<usize> = self.post_hashes.keys().copied().collect();
        seqs.sort_unstable();
        seqs
    }

    /// Whether an upload with this content hash was accepted.
    pub fn upload_accepted(&self, post_hash: &str) -> bool {
        self.uploads.get(post_hash) == Some(&Outcome::Accepted)
    }

    /// Counts of call ids per state: (accepted, in doubt, not taken).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.calls.counts()
    }

    /// The hashes ([`key_hash`]) of the recipient keys ([`call_key`]; bare call ids from
    /// version 1) the journal knows as possibly or certainly taken.
    pub(crate) fn taken_hashes(&self) -> impl Iterator<Item = KeyHash> + '_ {
        self.calls
            .iter()
            .filter(|(_, s)| matches!(s, CallState::Accepted | CallState::InDoubt))
            .map(|(hash, _)| hash)
    }

    /// Lines replayed.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// What the call with this key asked for when it was last posted, if the journal
    /// recorded it.
    pub(crate) fn posted(&self, hash: &KeyHash) -> Option<&Posted> {
        self.changes.posted.get(hash)
    }

    /// Every call whose content the journal recorded, by key hash.
    pub(crate) fn posted_calls(&self) -> impl Iterator<Item = (&KeyHash, &Posted)> {
        self.changes.posted.iter()
    }

    /// Whether a removal of this call was asked without an answer: it is in doubt.
    pub fn removal_in_doubt(&self, hash: &KeyHash) -> bool {
        self.changes.removing.contains_key(hash)
    }

    /// The keys of the calls whose removal is in doubt, sorted.
    pub fn removals_in_doubt(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.changes.removing.values().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    /// When the last removal was about to go out, if the journal has one.
    pub fn last_removal_intent(&self) -> Option<jiff::Timestamp> {
        self.changes.last_removal
    }

    /// Why this call can no longer change, if the provider said so.
    pub fn settled(&self, hash: &KeyHash) -> Option<Settled> {
        self.changes.settled.get(hash).copied()
    }
}
