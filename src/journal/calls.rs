//! The journal's per-recipient call states, kept compact: a campaign of ten million
//! recipients is replayed and extended by `send` without holding a string per call.
//!
//! A recipient key ([`call_key`](super::call_key)) is held as the first 16 bytes of its
//! SHA-256 ([`KeyHash`]) with one packed 32-bit word (its [`CallState`] and the first plan seq
//! it was posted at). Most entries live in one array sorted by hash (20 bytes an entry, no
//! per-entry allocation, no hash-table slack); new entries go to a small table that is merged
//! into the array once it holds an eighth of it. Both halves together: about 20–23 bytes per
//! recipient, and no moment where a whole table is held twice while it grows.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

use super::record::Outcome;

/// What the journal says about one call id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    /// The provider has it. Never post it again.
    Accepted,
    /// Posted without a clear answer; must be resolved by a query before anything else.
    InDoubt,
    /// Known not to be at the provider (rejected, not sent, or a query did not find it).
    NotTaken,
}

impl CallState {
    /// A call's state once the outcome of a post that held it is known (`was`: its state
    /// before; never posted counts as not taken). Accepted stays accepted.
    pub(super) fn after(was: Option<CallState>, outcome: Outcome) -> CallState {
        match (was.unwrap_or(CallState::NotTaken), outcome) {
            (CallState::Accepted, _) | (_, Outcome::Accepted) => CallState::Accepted,
            (_, Outcome::Ambiguous) => CallState::InDoubt,
            (_, Outcome::Rejected | Outcome::NotSent) => CallState::NotTaken,
        }
    }
}

/// A recipient key as the journal state holds it: the first 16 bytes of the key's SHA-256.
/// Two keys of one campaign share a hash with odds of about n²/2¹²⁹ (n keys).
pub type KeyHash = [u8; 16];

/// The [`KeyHash`] of a recipient key (or of a bare version 1 call id).
pub fn key_hash(key: &str) -> KeyHash {
    let digest = Sha256::digest(key.as_bytes());
    let mut out = [0; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// Hashes a [`KeyHash`] by its first 8 bytes: they are already uniform (SHA-256), so hashing
/// them again would only cost time.
#[derive(Default)]
struct Prefix(u64);

impl Hasher for Prefix {
    fn write(&mut self, bytes: &[u8]) {
        if let Some(head) = bytes.first_chunk::<8>() {
            self.0 = u64::from_le_bytes(*head);
        }
    }

    // The length prefix a slice or array hashes first says nothing about a key.
    fn write_usize(&mut self, _: usize) {}

    fn finish(&self) -> u64 {
        self.0
    }
}

type ByPrefix = BuildHasherDefault<Prefix>;

/// One entry of the sorted array: a key's hash and its packed word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Slot {
    hash: KeyHash,
    word: u32,
}

/// Low 2 bits of a word: the state. High 30 bits: 1 + the first seq the key was posted at
/// (0: none there; seqs that do not fit are kept in [`Calls::more_seqs`]).
const STATE_BITS: u32 = 2;
const SEQ_LIMIT: usize = (1 << (32 - STATE_BITS)) - 1;

fn state_of(word: u32) -> CallState {
    match word & 3 {
        0 => CallState::Accepted,
        1 => CallState::InDoubt,
        _ => CallState::NotTaken,
    }
}

fn word(state: CallState, first_seq: Option<usize>) -> u32 {
    let s = match state {
        CallState::Accepted => 0,
        CallState::InDoubt => 1,
        CallState::NotTaken => 2,
    };
    let seq = first_seq.map_or(0, |q| q as u32 + 1);
    (seq << STATE_BITS) | s
}

fn first_seq(word: u32) -> Option<usize> {
    match word >> STATE_BITS {
        0 => None,
        q => Some(q as usize - 1),
    }
}

fn taken(state: CallState) -> bool {
    matches!(state, CallState::Accepted | CallState::InDoubt)
}

/// Every recipient key the journal knows, with its state, and for each `send` call post (by
/// seq) how many of the keys posted in it may be at the provider.
#[derive(Clone, Debug)]
pub struct Calls {
    /// Sorted by hash; disjoint from `recent`.
    sorted: Vec<Slot>,
    /// Entries not merged into `sorted` yet.
    recent: HashMap<KeyHash, u32, ByPrefix>,
    /// Seqs a key was posted at besides the one in its word (a plan changed after a partial
    /// send, or a seq too large for the word).
    more_seqs: HashMap<KeyHash, Vec<usize>>,
    /// Per seq: how many keys posted at it are accepted or in doubt.
    taken_at: HashMap<usize, usize>,
    /// Keys per state: accepted, in doubt, not taken.
    counts: [usize; 3],
    /// `recent` is merged once it holds more than this many entries, or an eighth of `sorted`.
    merge_at: usize,
}

impl Default for Calls {
    fn default() -> Self {
        Calls::with_merge_at(1 << 16)
    }
}

impl Calls {
    /// An empty set that merges its recent entries past `merge_at` (tests make it small to
    /// exercise the sorted array).
    pub(super) fn with_merge_at(merge_at: usize) -> Self {
        Calls {
            sorted: Vec::new(),
            recent: HashMap::default(),
            more_seqs: HashMap::new(),
            taken_at: HashMap::new(),
            counts: [0; 3],
            merge_at,
        }
    }

    /// The index in `sorted` of `hash`. The hashes are uniform, so the search starts where
    /// the hash's value puts it in the array and widens from there: about two cache misses
    /// where a plain binary search of ten million entries takes twenty.
    fn find(&self, hash: &KeyHash) -> Option<usize> {
        let len = self.sorted.len();
        if len == 0 {
            return None;
        }
        let prefix = u64::from_be_bytes(*hash.first_chunk::<8>().expect("16 bytes"));
        let guess = ((u128::from(prefix) * len as u128) >> 64) as usize;
        let (mut lo, mut hi) = (guess, guess + 1);
        let mut step = 32;
        while lo > 0 && self.sorted[lo].hash > *hash {
            lo = lo.saturating_sub(step);
            step *= 2;
        }
        step = 32;
        while hi < len && self.sorted[hi - 1].hash < *hash {
            hi = (hi + step).min(len);
            step *= 2;
        }
        self.sorted[lo..hi]
            .binary_search_by(|s| s.hash.cmp(hash))
            .ok()
            .map(|i| lo + i)
    }

    fn word(&self, hash: &KeyHash) -> Option<u32> {
        self.recent
            .get(hash)
            .copied()
            .or_else(|| self.find(hash).map(|i| self.sorted[i].word))
    }

    /// The state of the key with this hash.
    pub fn get(&self, hash: &KeyHash) -> Option<CallState> {
        self.word(hash).map(state_of)
    }

    /// Sets the state of the key with this hash to `to(its state now)`, and records that it
    /// was posted at `seq` (intents of `send` call posts); returns its state before.
    pub fn set(
        &mut self,
        hash: KeyHash,
        seq: Option<usize>,
        to: impl FnOnce(Option<CallState>) -> CallState,
    ) -> Option<CallState> {
        let old = self.word(&hash);
        let before = old.map(state_of);
        let after = to(before);
        let mut seqs: Vec<usize> = old.and_then(first_seq).into_iter().collect();
        if let Some(more) = self.more_seqs.get(&hash) {
            seqs.extend(more);
        }
        if before.map(taken).unwrap_or(false) != taken(after) {
            for q in &seqs {
                self.count_at(*q, taken(after));
            }
        }
        let mut first = old.and_then(first_seq);
        if let Some(q) = seq.filter(|q| !seqs.contains(q)) {
            if taken(after) {
                self.count_at(q, true);
            }
            if first.is_none() && q < SEQ_LIMIT {
                first = Some(q);
            } else {
                self.more_seqs.entry(hash).or_default().push(q);
            }
        }
        if let Some(b) = before {
            self.counts[b as usize] -= 1;
        }
        self.counts[after as usize] += 1;
        let w = word(after, first);
        match self.find(&hash) {
            Some(i) => self.sorted[i].word = w,
            None => {
                self.recent.insert(hash, w);
                if self.recent.len() > self.merge_at.max(self.sorted.len() / 8) {
                    self.merge();
                }
            }
        }
        before
    }

    fn count_at(&mut self, seq: usize, up: bool) {
        let n = self.taken_at.entry(seq).or_default();
        if up {
            *n += 1;
        } else {
            *n -= 1;
        }
    }

    /// Moves `recent` into `sorted`, merging from the back in place: the array grows by the
    /// new entries only (a large block grows by remapping, not copying).
    fn merge(&mut self) {
        let mut new: Vec<Slot> = self
            .recent
            .drain()
            .map(|(hash, word)| Slot { hash, word })
            .collect();
        new.sort_unstable_by_key(|s| s.hash);
        let old_len = self.sorted.len();
        self.sorted.reserve_exact(new.len());
        self.sorted.resize(old_len + new.len(), Slot::default());
        let (mut i, mut k) = (old_len, self.sorted.len());
        while let Some(last) = new.last() {
            k -= 1;
            if i > 0 && self.sorted[i - 1].hash > last.hash {
                self.sorted[k] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[k] = *last;
                new.pop();
            }
        }
        self.recent.shrink_to(self.merge_at);
    }

    /// Lets go of the entry of a key this run has settled (accepted or not taken) while it is
    /// still in the recent table, keeping the counts and the per-seq tallies it made: see
    /// [`Journal::retire`](super::Journal::retire). A key in doubt, one posted at more than
    /// one seq, or one already in the sorted array stays.
    pub fn retire(&mut self, hash: &KeyHash) {
        if self.more_seqs.contains_key(hash) {
            return;
        }
        if let std::collections::hash_map::Entry::Occupied(e) = self.recent.entry(*hash)
            && state_of(*e.get()) != CallState::InDoubt
        {
            e.remove();
        }
    }

    /// Whether any key posted at `seq` is accepted or in doubt.
    pub fn seq_has_taken(&self, seq: usize) -> bool {
        self.taken_at.get(&seq).is_some_and(|n| *n > 0)
    }

    /// Every key's hash with its state, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (KeyHash, CallState)> + '_ {
        self.sorted
            .iter()
            .map(|s| (s.hash, state_of(s.word)))
            .chain(self.recent.iter().map(|(h, w)| (*h, state_of(*w))))
    }

    /// Keys per state: (accepted, in doubt, not taken).
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.counts[0], self.counts[1], self.counts[2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_merges_and_keep_their_state() {
        let mut calls = Calls::with_merge_at(3);
        for i in 0..1000 {
            calls.set(key_hash(&format!("k{i}")), Some(i % 7), |_| {
                CallState::InDoubt
            });
        }
        assert!(calls.sorted.len() > 900, "most entries were merged");
        for i in (0..1000).step_by(2) {
            let was = calls.set(key_hash(&format!("k{i}")), None, |_| CallState::Accepted);
            assert_eq!(was, Some(CallState::InDoubt));
        }
        for i in 0..1000 {
            let want = if i % 2 == 0 {
                CallState::Accepted
            } else {
                CallState::InDoubt
            };
            assert_eq!(calls.get(&key_hash(&format!("k{i}"))), Some(want), "k{i}");
        }
        assert_eq!(calls.get(&key_hash("absent")), None);
        assert_eq!(calls.counts(), (500, 500, 0));
        assert!(calls.sorted.windows(2).all(|w| w[0].hash < w[1].hash));
        assert_eq!(calls.iter().count(), 1000);
    }

    #[test]
    fn retired_keys_are_let_go_but_still_counted() {
        let mut calls = Calls::with_merge_at(1 << 10);
        let (done, refused, doubt) = (key_hash("a N1"), key_hash("b N2"), key_hash("c N3"));
        calls.set(done, Some(4), |_| CallState::Accepted);
        calls.set(refused, Some(4), |_| CallState::NotTaken);
        calls.set(doubt, Some(4), |_| CallState::InDoubt);
        for k in [done, refused, doubt] {
            calls.retire(&k);
        }
        assert_eq!(calls.get(&done), None);
        assert_eq!(calls.get(&refused), None);
        assert_eq!(calls.get(&doubt), Some(CallState::InDoubt));
        assert_eq!(calls.counts(), (1, 1, 1));
        assert!(calls.seq_has_taken(4));
        assert_eq!(calls.iter().count(), 1);
        // An entry the sorted array holds (a key an earlier run journaled) stays.
        let mut merged = Calls::with_merge_at(0);
        merged.set(done, Some(1), |_| CallState::Accepted);
        merged.set(refused, Some(1), |_| CallState::Accepted);
        merged.retire(&done);
        assert_eq!(merged.get(&done), Some(CallState::Accepted));
    }

    #[test]
    fn seqs_count_their_taken_keys() {
        let mut calls = Calls::with_merge_at(1);
        let k = key_hash("a N0");
        calls.set(k, Some(1), |_| CallState::InDoubt);
        assert!(calls.seq_has_taken(1));
        calls.set(k, None, |_| CallState::NotTaken);
        assert!(!calls.seq_has_taken(1));
        // Posted again at another seq: both seqs hold it once it is taken.
        calls.set(k, Some(2), |_| CallState::InDoubt);
        calls.set(k, None, |_| CallState::Accepted);
        assert!(calls.seq_has_taken(1) && calls.seq_has_taken(2));
        assert!(!calls.seq_has_taken(3));
        // A seq too large for the packed word still counts.
        let big = key_hash("b N0");
        calls.set(big, Some(SEQ_LIMIT + 5), |_| CallState::Accepted);
        assert!(calls.seq_has_taken(SEQ_LIMIT + 5));
    }
}
