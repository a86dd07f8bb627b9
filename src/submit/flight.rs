//! What the posts of one `send` share, one at a time or several in flight: the journal and
//! the summary behind locks, the run's state (calls in doubt, pacing, the provider's list of
//! scheduled calls), and the claims that keep two posts in flight off one recipient.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::summary::{InDoubtCall, SendSummary};
use crate::campaign::Recipient;
use crate::journal::{Journal, KeyHash, call_key, key_hash};

/// State of one `send` run across posts.
pub(super) struct Run {
    /// Send again calls in doubt (a person chose to) instead of skipping them.
    pub(super) resend: bool,
    /// Calls left in doubt by this or an earlier run.
    pub(super) in_doubt: Vec<InDoubtCall>,
    /// When the last call post started, for pacing.
    pub(super) last_start: Option<Instant>,
    /// The provider's scheduled calls, asked for once a run (see [`Submitter::settle_from_list`]):
    /// every call in doubt is looked for in the same list.
    pub(super) scheduled: Option<std::sync::Arc<Vec<crate::provider::ScheduledCall>>>,
}

/// What the posts of one `send` share, whether one at a time or several in flight.
#[derive(Clone, Copy)]
pub(super) struct Flight<'s, 'j> {
    pub(super) journal: &'s Mutex<&'j mut Journal>,
    pub(super) summary: &'s Mutex<SendSummary>,
    pub(super) run: &'s Mutex<Run>,
    /// The recipients of the posts in flight (with more than one in flight).
    pub(super) claimed: Option<&'s Claims>,
}

/// The recipient keys ([`key_hash`]) of the call posts in flight.
#[derive(Default)]
pub(super) struct Claims {
    keys: Mutex<HashSet<KeyHash>>,
    freed: Condvar,
}

/// Recipient keys claimed by one post in flight, given back when it is dropped.
pub(super) struct Claim<'c> {
    claims: &'c Claims,
    keys: Vec<KeyHash>,
}

impl Claims {
    /// Claims the keys of `recipients`, waiting while a post in flight holds any of them.
    pub(super) fn claim(&self, recipients: &[Recipient]) -> Claim<'_> {
        let keys: Vec<KeyHash> = recipients
            .iter()
            .map(|r| key_hash(&call_key(&r.callid, r.number.as_str())))
            .collect();
        let mut held = lock(&self.keys);
        while keys.iter().any(|k| held.contains(k)) {
            held = self
                .freed
                .wait(held)
                .unwrap_or_else(PoisonError::into_inner);
        }
        held.extend(keys.iter().copied());
        Claim { claims: self, keys }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut held = lock(&self.claims.keys);
        for k in &self.keys {
            held.remove(k);
        }
        drop(held);
        self.claims.freed.notify_all();
    }
}

/// Locks `m`; a panic elsewhere does not make what it guards unusable (the journal's lines
/// are written whole or cut off when it is next opened).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
