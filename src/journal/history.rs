//! What other campaigns called, read from their journals: the record `max_calls` counts
//! (the journals next to the campaign file, `.outdial/*.jsonl`, or with a PostgreSQL state
//! store every campaign ever sent through it). A call counts when its post was accepted by
//! the provider, or may have been (an ambiguous outcome, or an intent with no outcome yet),
//! at the time the post was made.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;

use super::record::{Outcome, Record};
use crate::campaign::contacts::CallHistory;
use crate::state::{StateError, StateLocation};

/// The journals of the other campaigns: the files in `dir` (the campaign's `.outdial`
/// folder), or every other campaign's in the state store.
pub(crate) struct OtherJournals<'a> {
    pub(crate) dir: PathBuf,
    pub(crate) state: &'a StateLocation,
}

impl OtherJournals<'_> {
    /// The journals of the campaigns other than `own`: the files in `dir` (but
    /// `<own>.jsonl`), or every other campaign's in the state store. Unreadable files are
    /// passed over; a state store that cannot be read is an error.
    fn read(&self, own: &str) -> Result<Vec<Vec<u8>>, StateError> {
        if let StateLocation::Postgres(pg) = self.state {
            return crate::state::journal::others(pg, own);
        }
        Ok(crate::state::local_journals(&self.dir)
            .iter()
            .filter(|p| p.file_stem().is_none_or(|s| s != own))
            .filter_map(|path| std::fs::read(path).ok())
            .collect())
    }
}

impl CallHistory for OtherJournals<'_> {
    fn calls_by_others(
        &self,
        own: &str,
        call: &mut dyn FnMut(Timestamp, &[String]),
    ) -> Result<u64, String> {
        let journals = self.read(own).map_err(|e| e.to_string())?;
        for bytes in &journals {
            placed_calls(bytes, call);
        }
        Ok(journals.len() as u64)
    }
}

/// Hands `call` each call one journal says was placed or may have been. Unreadable lines
/// are passed over: a journal torn by a crash ends in a partial line, and a cap must not stop
/// a campaign for that.
fn placed_calls(bytes: &[u8], call: &mut dyn FnMut(Timestamp, &[String])) {
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
    for (at, numbers) in &taken {
        call(*at, numbers);
    }
}
