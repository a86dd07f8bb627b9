//! The sets that find repeats: numbers seen (for dedupe and suppression) and call ids used.
//! They are probed once per row, so they hold packed integers under a cheap hash instead of
//! strings.

use hashbrown::HashTable;

/// Numbers seen so far, each with where it was first seen (0 = the campaign file, else the
/// CSV line), packed into one `u64`: 34 bits of number (10 digits < 2^34), 30 bits of line.
pub(super) struct Seen {
    table: HashTable<u64>,
}

const NUMBER_BITS: u32 = 34;
const NUMBER_MASK: u64 = (1 << NUMBER_BITS) - 1;
const MAX_LINE: u64 = (1 << (64 - NUMBER_BITS)) - 1;

/// A folded multiply: spreads the digits over every bit, which the table's bucket index (low
/// bits) and tag (high bits) both need.
fn mix(n: u64) -> u64 {
    let p = u128::from(n) * 0x9E37_79B9_7F4A_7C15;
    (p as u64) ^ ((p >> 64) as u64)
}

impl Seen {
    pub(super) fn new() -> Self {
        Self {
            table: HashTable::new(),
        }
    }

    /// How many numbers are in the set.
    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    /// Where `number` was first seen, if it was.
    pub(super) fn first(&self, number: u64) -> Option<u64> {
        self.table
            .find(mix(number), |&e| e & NUMBER_MASK == number)
            .map(|&e| e >> NUMBER_BITS)
    }

    /// Records `number` as first seen at `line`; it must not be in the set yet.
    pub(super) fn insert(&mut self, number: u64, line: u64) {
        let packed = number | (line.min(MAX_LINE) << NUMBER_BITS);
        self.table
            .insert_unique(mix(number), packed, |&e| mix(e & NUMBER_MASK));
    }

    /// Where `number` was first seen, or `None` after recording it at `line`: one probe.
    pub(super) fn first_or_insert(&mut self, number: u64, line: u64) -> Option<u64> {
        match self.table.entry(
            mix(number),
            |&e| e & NUMBER_MASK == number,
            |&e| mix(e & NUMBER_MASK),
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Some(*e.get() >> NUMBER_BITS),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(number | (line.min(MAX_LINE) << NUMBER_BITS));
                None
            }
        }
    }

    /// Makes room for `more` numbers at once (growing by doubling would rehash repeatedly
    /// and hold the old and new tables together at each step).
    pub(super) fn reserve(&mut self, more: usize) {
        self.table.reserve(more, |&e| mix(e & NUMBER_MASK));
    }
}

/// Call ids seen so far, by a 64-bit hash (a false clash needs ~4 billion ids to be likely),
/// with the line they were first used on (0 = the campaign file).
pub(super) struct CallIds {
    table: HashTable<(u64, u64)>,
}

impl CallIds {
    pub(super) fn new() -> Self {
        Self {
            table: HashTable::new(),
        }
    }

    /// An FNV-1a hash of the id, mixed like the numbers in [`Seen`].
    pub(super) fn hash(id: &str) -> u64 {
        mix(id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        }))
    }

    /// Records `id`; returns the line it was first used on when it was already there.
    pub(super) fn insert(&mut self, id: &str, line: u64) -> Option<u64> {
        self.insert_hash(Self::hash(id), line)
    }

    /// [`CallIds::insert`] for an id already hashed with [`CallIds::hash`].
    pub(super) fn insert_hash(&mut self, h: u64, line: u64) -> Option<u64> {
        if let Some(&(_, first)) = self.table.find(h, |&(k, _)| k == h) {
            return Some(first);
        }
        self.table.insert_unique(h, (h, line), |&(k, _)| k);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_packs_numbers_and_lines() {
        let mut seen = Seen::new();
        let n = 9_999_999_999;
        assert_eq!(seen.first(n), None);
        seen.insert(n, 12);
        seen.insert(2_125_550_100, 0);
        assert_eq!(seen.first(n), Some(12));
        assert_eq!(seen.first(2_125_550_100), Some(0));
        assert_eq!(seen.first(2_125_550_101), None);
    }
}
