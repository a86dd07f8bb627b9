//! `max_calls`: how often each number was called recently by other campaigns, from the
//! journals next to the campaign file (`.outdial/*.jsonl`), or with a PostgreSQL state store
//! from every campaign ever sent through it. The journals are the record: a call counts when
//! its post was accepted by the provider, or may have been (an ambiguous outcome, or an intent
//! with no outcome yet), at the time the post was made.

use std::collections::HashMap;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};

use super::dedupe::Seen;
use crate::journal::{Outcome, Record};
use crate::state::{StateError, StateLocation};

/// The journals of the campaigns other than `own`: the files in `dir` (but
/// `.outdial/<own>.jsonl`), or every other campaign's in the state store. Unreadable files are
/// passed over; a state store that cannot be read is an error, since the cap would then cap
/// nothing without a word.
pub(super) fn other_journals(
    dir: &Path,
    own: &str,
    state: &StateLocation,
) -> Result<Vec<Vec<u8>>, StateError> {
    if let StateLocation::Postgres(pg) = state {
        return crate::state::journal::others(pg, own);
    }
    Ok(crate::state::local_journals(dir)
        .iter()
        .filter(|p| p.file_stem().is_none_or(|s| s != own))
        .filter_map(|path| std::fs::read(path).ok())
        .collect())
}

/// The numbers called at least `count` times within `per` before `now` in `journals`
/// ([`other_journals`]). Unreadable lines are passed over: a journal torn by a crash ends in a
/// partial line, and a cap must not stop a campaign for that.
pub(super) fn capped(
    journals: &[Vec<u8>],
    count: u32,
    per: SignedDuration,
    now: Timestamp,
) -> (Seen, u64) {
    let since = now.checked_sub(per).unwrap_or(Timestamp::MIN);
    let mut calls: HashMap<u64, u32> = HashMap::new();
    for bytes in journals {
        let text = String::from_utf8_lossy(bytes);
        // attempt → (when, numbers); removed once an outcome says nothing was taken.
        let mut open: HashMap<u64, (Timestamp, Vec<String>)> = HashMap::new();
        let mut taken: Vec<(Timestamp, Vec<String>)> = Vec::new();
        for line in text.lines() {
            match serde_json::from_str::<Record>(line) {
                Ok(Record::Intent {
                    attempt,
                    numbers,
                    at,
                    ..
                }) if !numbers.is_empty() => {
                    if let Ok(at) = at.parse::<Timestamp>() {
                        open.insert(attempt, (at, numbers));
                    }
                }
                Ok(Record::Outcome {
                    attempt, outcome, ..
                }) => {
                    if let Some(entry) = open.remove(&attempt)
                        && matches!(outcome, Outcome::Accepted | Outcome::Ambiguous)
                    {
                        taken.push(entry);
                    }
                }
                _ => {}
            }
        }
        // Intents with no outcome are in doubt: they may have been called.
        taken.extend(open.into_values());
        for (at, numbers) in taken {
            if at < since || at > now {
                continue;
            }
            for number in numbers {
                if let Ok(n) = crate::phone::parse_international(&number) {
                    *calls.entry(n.as_u64()).or_default() += 1;
                }
            }
        }
    }
    let mut set = Seen::new();
    for (n, c) in calls {
        if c >= count {
            set.insert(n, 0);
        }
    }
    (set, journals.len() as u64)
}
