//! What the journal keeps so that a campaign edited after it was sent can be made true at
//! the provider: what each call asked for when it was posted (its content), and the removals
//! of pending calls (intents, then what became of each call).
//!
//! A call's content is written as one [`Record::Content`] line just before the intent of the
//! post that carries it: a fingerprint of the request as the provider receives it, when it
//! is due, and how it is called (for people: old → new). A removal is written as an intent
//! before the request goes out and an outcome after the provider said what became of each
//! call; an intent without an outcome leaves its calls *in doubt*: such a call is never
//! posted again until a later run has asked the provider again.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{CallState, Journal, JournalError, JournalState, KeyHash, Record, key_hash, now};
use crate::diff::RecipientSide;

/// What one call asked the provider for, as journaled before it was posted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallContent {
    /// The recipient key ([`call_key`](super::call_key)).
    pub key: String,
    /// The first 16 bytes of the SHA-256 of the request for this call alone, as hex: two
    /// calls whose fingerprints differ ask the provider for different things.
    pub fingerprint: String,
    /// When it is due (RFC 3339); absent: as soon as it was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// How it is called, for people reading what changed.
    pub side: Side,
}

/// [`RecipientSide`] as a journal line holds it: the spoken texts as `[id, text]` pairs (a
/// journal line is read through a flattened record, which cannot turn a JSON key into a
/// number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// [`RecipientSide::at`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// [`RecipientSide::callerid`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callerid: Option<String>,
    /// [`RecipientSide::ext`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// [`RecipientSide::spoken`], in prompt id order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spoken: Vec<(u32, String)>,
}

impl From<RecipientSide> for Side {
    fn from(s: RecipientSide) -> Side {
        Side {
            at: s.at,
            callerid: s.callerid,
            ext: s.ext,
            spoken: s.spoken.into_iter().collect(),
        }
    }
}

impl From<Side> for RecipientSide {
    fn from(s: Side) -> RecipientSide {
        RecipientSide {
            at: s.at,
            callerid: s.callerid,
            ext: s.ext,
            spoken: s.spoken.into_iter().collect(),
        }
    }
}

/// What the state holds of one posted call's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Posted {
    /// The recipient key as text: a call no longer in the file is removed by it.
    pub key: Box<str>,
    /// [`CallContent::fingerprint`].
    pub fingerprint: String,
    /// When it is due, if it was scheduled.
    pub due: Option<jiff::Timestamp>,
}

/// Why a call cannot be changed any more, as the journal learnt it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// The provider refused to remove it: already ringing or made.
    Dialled,
}

/// The content and removal state replayed from a journal.
#[derive(Clone, Debug, Default)]
pub(crate) struct Changes {
    /// The content of every posted call, by its key's hash (the last posted wins).
    posted: HashMap<KeyHash, Posted>,
    /// Calls whose removal was asked without an answer yet: key text by hash.
    removing: HashMap<KeyHash, String>,
    /// The keys of each removal intent not answered yet.
    removals: HashMap<u64, Vec<String>>,
    /// Calls that can no longer change, and why.
    settled: HashMap<KeyHash, Settled>,
    /// When the last removal was about to go out.
    last_removal: Option<jiff::Timestamp>,
}

impl Changes {
    /// Forgets what is held of a key (its lines stay on disk): see [`Journal::retire`].
    pub(crate) fn retire(&mut self, hash: &KeyHash) {
        if !self.removing.contains_key(hash) {
            self.posted.remove(hash);
            self.settled.remove(hash);
        }
    }
}

impl JournalState {
    /// Applies a content or removal record (see [`JournalState::apply`]).
    pub(super) fn apply_change(&mut self, record: &Record) -> Result<(), String> {
        match record {
            Record::Content { calls, .. } => {
                for c in calls {
                    let hash = key_hash(&c.key);
                    let due = c.due.as_deref().and_then(|d| d.parse().ok());
                    self.changes.posted.insert(
                        hash,
                        Posted {
                            key: c.key.clone().into_boxed_str(),
                            fingerprint: c.fingerprint.clone(),
                            due,
                        },
                    );
                    // A call posted anew is no longer one the provider refused to remove.
                    self.changes.settled.remove(&hash);
                }
            }
            Record::RemoveIntent {
                attempt, keys, at, ..
            } => {
                self.next_attempt = self.next_attempt.max(attempt + 1);
                self.changes.last_removal = at.parse().ok().or(self.changes.last_removal);
                for key in keys {
                    self.changes.removing.insert(key_hash(key), key.clone());
                }
                self.changes.removals.insert(*attempt, keys.clone());
            }
            Record::RemoveOutcome {
                attempt,
                removed,
                dialled,
                kept,
                ..
            } => {
                let Some(keys) = self.changes.removals.remove(attempt) else {
                    return Err(format!(
                        "a removal outcome for attempt {attempt}, whose intent line is missing or already answered"
                    ));
                };
                let answered: HashSet<&String> =
                    removed.iter().chain(dialled).chain(kept).collect();
                for key in keys.iter().filter(|k| answered.contains(k)) {
                    self.changes.removing.remove(&key_hash(key));
                }
                for key in removed {
                    let hash = key_hash(key);
                    self.changes.posted.remove(&hash);
                    self.set(key, None, |_| CallState::NotTaken);
                }
                for key in dialled {
                    self.changes.settled.insert(key_hash(key), Settled::Dialled);
                }
            }
            _ => {}
        }
        Ok(())
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

/// What became of each call of a removal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemovalOutcome {
    /// Removed before it was dialled: gone from the provider.
    pub removed: Vec<String>,
    /// Already ringing or made: the provider keeps it.
    pub dialled: Vec<String>,
    /// Certainly not removed and still pending (the removal was refused outright).
    pub kept: Vec<String>,
}

impl Journal {
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

/// How the calls with these keys were last posted, read back from the journal's lines
/// (the state holds fingerprints, not texts): for the few rows a plan shows.
pub fn sides(
    lines: &super::LinesAt<'_>,
    keys: &HashSet<String>,
) -> Result<HashMap<String, RecipientSide>, JournalError> {
    let mut out = HashMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let bytes = lines.read()?;
    for record in super::records(&bytes) {
        if let Record::Content { calls, .. } = record {
            for c in calls.into_iter().filter(|c| keys.contains(&c.key)) {
                out.insert(c.key, c.side.into());
            }
        }
    }
    Ok(out)
}
