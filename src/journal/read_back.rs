//! What an open journal reads back from its own lines, for the little the replayed state
//! does not keep (recipient keys as text, when each call id was last posted).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::calls::CallState;
use super::error::JournalError;
use super::open::Journal;
use super::record::{Record, callid_of, intent_keys};
use super::replay::records;
use super::store::LinesAt;
use crate::diff::RecipientSide;
use crate::plan::{Action, PostKind};

impl Journal {
    /// The recipient keys journaled for each of `callids`, with their state, sorted. The
    /// state in memory holds keys as hashes, so they are read back from the journal's lines
    /// (a person settling calls in doubt asks this, not a send).
    pub(crate) fn calls_of(
        &mut self,
        callids: &[&str],
    ) -> Result<BTreeMap<String, Vec<(String, CallState)>>, JournalError> {
        let bytes = self.bytes()?;
        let mut out: BTreeMap<String, Vec<(String, CallState)>> = callids
            .iter()
            .map(|id| ((*id).to_owned(), Vec::new()))
            .collect();
        let mut add = |key: &str| {
            if let Some(keys) = out.get_mut(callid_of(key))
                && !keys.iter().any(|(k, _)| k == key)
                && let Some(state) = self.state.key_state(key)
            {
                keys.push((key.to_owned(), state));
            }
        };
        // Lines were checked when the journal was opened; a torn tail has been cut off.
        for record in records(&bytes) {
            match record {
                Record::Intent {
                    callids, numbers, ..
                } => {
                    intent_keys(&callids, &numbers)
                        .0
                        .iter()
                        .for_each(|key| add(key));
                }
                Record::Resolved {
                    present, missing, ..
                } => present.iter().chain(&missing).for_each(|key| add(key)),
                Record::Open { .. }
                | Record::Outcome { .. }
                | Record::Content { .. }
                | Record::RemoveIntent { .. }
                | Record::RemoveOutcome { .. } => {}
            }
        }
        for keys in out.values_mut() {
            keys.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(out)
    }

    /// When each of `callids` was last in a call post (its intent line), for those that were:
    /// a post that timed out may still reach the provider a while after that.
    pub(crate) fn last_posted(
        &mut self,
        callids: &[&str],
    ) -> Result<BTreeMap<String, jiff::Timestamp>, JournalError> {
        let bytes = self.bytes()?;
        let mut out = BTreeMap::new();
        for record in records(&bytes) {
            let Record::Intent {
                action: Action::Send,
                kind: PostKind::Send,
                callids: posted,
                at,
                ..
            } = record
            else {
                continue;
            };
            let Ok(at) = at.parse::<jiff::Timestamp>() else {
                continue;
            };
            for id in posted.iter().filter(|id| callids.contains(&id.as_str())) {
                let last = out.entry(id.clone()).or_insert(at);
                *last = (*last).max(at);
            }
        }
        Ok(out)
    }
}

/// How the calls with these keys were last posted, read back from the journal's lines
/// (the state holds fingerprints, not texts): for the few rows a plan shows.
pub fn sides(
    lines: &LinesAt<'_>,
    keys: &HashSet<String>,
) -> Result<HashMap<String, RecipientSide>, JournalError> {
    let mut out = HashMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let bytes = lines.read()?;
    for record in records(&bytes) {
        if let Record::Content { calls, .. } = record {
            for c in calls.into_iter().filter(|c| keys.contains(&c.key)) {
                out.insert(c.key, c.side.into());
            }
        }
    }
    Ok(out)
}
