//! The sets that find repeats: numbers seen (for dedupe and suppression) and call ids used.
//! They are probed once per row, so they hold packed integers under a cheap hash instead of
//! strings.

use hashbrown::HashTable;

/// Numbers seen so far, each with where it was first seen (0 = the campaign file, else the
/// CSV line), packed into one `u64`: 34 bits of number (10 digits < 2^34), 30 bits of line.
/// Numbers abroad (see [`PhoneNumber::as_u64`]) do not fit 34 bits and are rare: they are
/// kept apart, unpacked.
///
/// [`PhoneNumber::as_u64`]: crate::phone::PhoneNumber::as_u64
pub(super) struct Seen {
    table: HashTable<u64>,
    abroad: std::collections::HashMap<u64, u64>,
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
            abroad: std::collections::HashMap::new(),
        }
    }

    /// How many numbers are in the set.
    pub(super) fn len(&self) -> usize {
        self.table.len() + self.abroad.len()
    }

    /// Where `number` was first seen, if it was.
    pub(super) fn first(&self, number: u64) -> Option<u64> {
        if number > NUMBER_MASK {
            return self.abroad.get(&number).copied();
        }
        self.table
            .find(mix(number), |&e| e & NUMBER_MASK == number)
            .map(|&e| e >> NUMBER_BITS)
    }

    /// Records `number` as first seen at `line`; it must not be in the set yet.
    pub(super) fn insert(&mut self, number: u64, line: u64) {
        if number > NUMBER_MASK {
            self.abroad.insert(number, line);
            return;
        }
        let packed = number | (line.min(MAX_LINE) << NUMBER_BITS);
        self.table
            .insert_unique(mix(number), packed, |&e| mix(e & NUMBER_MASK));
    }

    /// Where `number` was first seen, or `None` after recording it at `line`: one probe.
    pub(super) fn first_or_insert(&mut self, number: u64, line: u64) -> Option<u64> {
        if number > NUMBER_MASK {
            return match self.abroad.entry(number) {
                std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(line);
                    None
                }
            };
        }
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

    #[test]
    fn numbers_abroad_are_told_apart_from_north_american_ones() {
        let mut seen = Seen::new();
        // +49 30 901820 has 10 digits, like a NANP number of the same digits.
        let berlin = crate::phone::parse_international("+49 30 901820").unwrap();
        let nanp = 4_930_901_820;
        assert_eq!(seen.first_or_insert(berlin.as_u64(), 3), None);
        assert_eq!(seen.first(nanp), None);
        assert_eq!(seen.first_or_insert(nanp, 4), None);
        assert_eq!(seen.first_or_insert(berlin.as_u64(), 9), Some(3));
        assert_eq!(seen.first(nanp), Some(4));
        assert_eq!(seen.len(), 2);
        assert_eq!(
            crate::phone::PhoneNumber::from_u64(berlin.as_u64()),
            Some(berlin)
        );
    }
}
