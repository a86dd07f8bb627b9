//! The calls a journal names, as text (the replayed state holds them only as hashes): what
//! `listen` matches provider posts against.

use std::fs;
use std::io;
use std::path::Path;

use super::error::JournalError;
use super::record::Record;
use super::replay::{records, replay};
use super::store::store_path;
use crate::provider::name::ProviderName;
use crate::state::PgLocation;

/// The calls a journal names, as text: what [`JournalState`] keeps only as hashes.
#[derive(Debug, Default)]
pub struct NamedCalls {
    /// Every recipient posted (or meant to be), as `(callid, number)`, sorted, each once; a
    /// version 1 line's bare call id comes with an empty number.
    pub recipients: Vec<(String, String)>,
    /// Every provider id recorded, as `(callid, number, provider id)`.
    pub provider_ids: Vec<(String, String, String)>,
}

/// Reads the calls a journal names, for matching what providers post back (`listen`) to
/// recipients by call id and number. The journal is checked as [`read_state`] checks it; a
/// missing file names no one.
pub fn named_calls(path: &Path) -> Result<NamedCalls, JournalError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(NamedCalls::default()),
        Err(source) => {
            return Err(JournalError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    named_in(path, &bytes)
}

/// The calls named by every journal of `campaign` at `provider` in the state store at `at`,
/// whatever endpoint each was sent to (`listen` is not told it), each checked as
/// [`read_state`] checks a file.
pub fn named_calls_in_store(
    at: &PgLocation,
    provider: ProviderName,
    campaign: &str,
) -> Result<NamedCalls, JournalError> {
    let mut all = NamedCalls::default();
    for (id, bytes) in crate::state::journal::of_campaign(at, provider, campaign)? {
        let named = named_in(&store_path(at, &id), &bytes)?;
        all.recipients.extend(named.recipients);
        all.provider_ids.extend(named.provider_ids);
    }
    all.recipients.sort_unstable();
    all.recipients.dedup();
    Ok(all)
}

/// The calls a journal's bytes name, checked first (`path` names it in errors).
fn named_in(path: &Path, bytes: &[u8]) -> Result<NamedCalls, JournalError> {
    // Checked as `read_state` checks it, on the bytes read once.
    replay(path, bytes)?;
    let split = |key: &str| {
        let (callid, number) = key.split_once(' ').unwrap_or((key, ""));
        (callid.to_owned(), number.to_owned())
    };
    let mut named = NamedCalls::default();
    for record in records(bytes) {
        match record {
            Record::Intent {
                callids, numbers, ..
            } => {
                if numbers.len() == callids.len() {
                    named.recipients.extend(callids.into_iter().zip(numbers));
                } else {
                    named
                        .recipients
                        .extend(callids.into_iter().map(|id| (id, String::new())));
                }
            }
            Record::Outcome { ids, .. } => {
                for (key, id) in ids {
                    let (callid, number) = split(&key);
                    named.provider_ids.push((callid, number, id));
                }
            }
            Record::Resolved { ids, .. } => {
                for (key, id) in ids {
                    let (callid, number) = split(&key);
                    named.provider_ids.push((callid, number, id));
                }
            }
            Record::Open { .. }
            | Record::Content { .. }
            | Record::RemoveIntent { .. }
            | Record::RemoveOutcome { .. } => {}
        }
    }
    named.recipients.sort_unstable();
    named.recipients.dedup();
    Ok(named)
}
