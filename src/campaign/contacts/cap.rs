//! `max_calls`: how often each number was called recently by other campaigns. What they
//! called is the caller's to tell ([`CallHistory`]: the loader reads their journals); this
//! counts the calls within the period and lists the numbers that reached the cap.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use super::dedupe::Seen;

/// What other campaigns called, as far as their records tell: supplied by the loader, which
/// knows where those records are, so the contacts need not know the journal.
pub trait CallHistory {
    /// Hands `call` every call that campaigns other than `own` posted, or may have posted
    /// (when it was posted, and the numbers it rang), and returns how many records
    /// (journals) were read. An error means the records could not be read at all: the cap
    /// would then cap nothing without a word.
    fn calls_by_others(
        &self,
        own: &str,
        call: &mut dyn FnMut(Timestamp, &[String]),
    ) -> Result<u64, String>;
}

/// The numbers called at least `count` times within `per` before `now`, given the calls of
/// other campaigns one by one ([`Capped::call`]).
pub(super) struct Capped {
    since: Timestamp,
    now: Timestamp,
    calls: HashMap<u64, u32>,
}

impl Capped {
    pub(super) fn new(per: SignedDuration, now: Timestamp) -> Self {
        Self {
            since: now.checked_sub(per).unwrap_or(Timestamp::MIN),
            now,
            calls: HashMap::new(),
        }
    }

    /// Counts one call posted `at` to `numbers`, when it falls within the period. Numbers
    /// that do not read as numbers are passed over.
    pub(super) fn call(&mut self, at: Timestamp, numbers: &[String]) {
        if at < self.since || at > self.now {
            return;
        }
        for number in numbers {
            if let Ok(n) = crate::phone::parse_international(number) {
                *self.calls.entry(n.as_u64()).or_default() += 1;
            }
        }
    }

    /// The numbers called at least `count` times.
    pub(super) fn at_least(self, count: u32) -> Seen {
        let mut set = Seen::new();
        for (n, c) in self.calls {
            if c >= count {
                set.insert(n, 0);
            }
        }
        set
    }
}
