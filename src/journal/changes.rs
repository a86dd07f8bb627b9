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

use super::calls::{KeyHash, key_hash};
use super::record::Record;
pub use super::record::{CallContent, Side};

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
    pub(super) posted: HashMap<KeyHash, Posted>,
    /// Calls whose removal was asked without an answer yet: key text by hash.
    pub(super) removing: HashMap<KeyHash, String>,
    /// The keys of each removal intent not answered yet.
    pub(super) removals: HashMap<u64, Vec<String>>,
    /// Calls that can no longer change, and why.
    pub(super) settled: HashMap<KeyHash, Settled>,
    /// When the last removal was about to go out.
    pub(super) last_removal: Option<jiff::Timestamp>,
}

impl Changes {
    /// Forgets what is held of a key (its lines stay on disk): see [`Journal::retire`](super::Journal::retire).
    pub(crate) fn retire(&mut self, hash: &KeyHash) {
        if !self.removing.contains_key(hash) {
            self.posted.remove(hash);
            self.settled.remove(hash);
        }
    }
}

impl Changes {
    /// Applies a content or removal record (see [`JournalState::apply`](super::state::JournalState::apply)).
    pub(super) fn apply<'r>(&mut self, record: &'r Record) -> Result<Applied<'r>, String> {
        let mut applied = Applied::default();
        match record {
            Record::Content { calls, .. } => {
                for c in calls {
                    let hash = key_hash(&c.key);
                    let due = c.due.as_deref().and_then(|d| d.parse().ok());
                    self.posted.insert(
                        hash,
                        Posted {
                            key: c.key.clone().into_boxed_str(),
                            fingerprint: c.fingerprint.clone(),
                            due,
                        },
                    );
                    // A call posted anew is no longer one the provider refused to remove.
                    self.settled.remove(&hash);
                }
            }
            Record::RemoveIntent {
                attempt, keys, at, ..
            } => {
                applied.attempt = Some(*attempt);
                self.last_removal = at.parse().ok().or(self.last_removal);
                for key in keys {
                    self.removing.insert(key_hash(key), key.clone());
                }
                self.removals.insert(*attempt, keys.clone());
            }
            Record::RemoveOutcome {
                attempt,
                removed,
                dialled,
                kept,
                ..
            } => {
                let Some(keys) = self.removals.remove(attempt) else {
                    return Err(format!(
                        "a removal outcome for attempt {attempt}, whose intent line is missing or already answered"
                    ));
                };
                let answered: HashSet<&String> =
                    removed.iter().chain(dialled).chain(kept).collect();
                for key in keys.iter().filter(|k| answered.contains(k)) {
                    self.removing.remove(&key_hash(key));
                }
                for key in removed {
                    self.posted.remove(&key_hash(key));
                }
                applied.removed = removed;
                for key in dialled {
                    self.settled.insert(key_hash(key), Settled::Dialled);
                }
            }
            _ => {}
        }
        Ok(applied)
    }
}

/// What applying a change record means for the rest of the state.
#[derive(Default)]
pub(super) struct Applied<'r> {
    /// The attempt number a removal intent took.
    pub(super) attempt: Option<u64>,
    /// The keys of the calls removed: no longer at the provider.
    pub(super) removed: &'r [String],
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
