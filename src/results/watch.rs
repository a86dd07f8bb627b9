//! The campaigns `listen` stores results for, and how a post is matched to one of their
//! recipients: by the campaign's results key (VoiceShot's menuid) and the call id, or by the
//! provider's own call id the journal recorded.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use crate::campaign::model::KeypressRule;
use crate::journal;
use crate::prepared::Prepared;
use crate::provider::name::ProviderName;

/// One campaign `listen` accepts posts for.
#[derive(Debug)]
pub struct Watched {
    /// The campaign's name.
    pub name: String,
    /// Its provider.
    pub provider: ProviderName,
    /// What the provider's posts name the campaign by (VoiceShot's menuid).
    pub key: Option<String>,
    /// Call Commands, in file order.
    pub rules: Vec<KeypressRule>,
    journal: Journal,
    known: Mutex<Known>,
}

/// Where a watched campaign's journal is.
#[derive(Debug)]
enum Journal {
    /// A local file.
    File(PathBuf),
    /// Every journal of the campaign in the state store (sent from any folder, to any
    /// endpoint), and the local file too (a campaign sent before the store was named).
    Store(Box<crate::state::PgLocation>, PathBuf),
}

/// The recipients the journal knows, as last read.
#[derive(Debug, Default)]
struct Known {
    /// The journal's length when read: a longer one is read again on a miss.
    len: Option<u64>,
    /// Numbers per call id.
    numbers: HashMap<String, Vec<String>>,
    /// `(callid, number)` per provider call id.
    by_provider_id: HashMap<String, (String, String)>,
    /// Provider call id per `(callid, number)`.
    provider_id: HashMap<(String, String), String>,
}

/// Why a post's call is not one of the campaign's recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// The journal has no such call id.
    UnknownCall,
    /// The call id is known, but not with the number the post names.
    OtherNumber,
}

/// A number's digits without a North American country code (the journal keys NANP numbers
/// by their ten digits; voip-communications writes them with the leading 1).
fn national(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_owned(),
        _ => digits,
    }
}

/// Whether two numbers are the same line: the same digits, apart from a NANP country code.
/// Never a suffix match: "2" is not 2025550142.
fn same_number(a: &str, b: &str) -> bool {
    let (a, b) = (national(a), national(b));
    !a.is_empty() && a == b
}

impl Watched {
    /// Watches `campaign`, whose journal is at `journal`.
    pub fn new(campaign: &Prepared, journal: PathBuf) -> Watched {
        Watched {
            name: campaign.name.clone(),
            provider: campaign.provider().name(),
            key: campaign.provider().results_key().map(str::to_owned),
            rules: campaign.on_keypress.clone(),
            journal: Journal::File(journal),
            known: Mutex::new(Known::default()),
        }
    }

    /// Watches `campaign`, whose journals are in the state store at `at`. Read on a miss from
    /// a blocking thread (the client blocks), as `listen` files every post.
    pub fn in_store(campaign: &Prepared, at: crate::state::PgLocation, file: PathBuf) -> Watched {
        Watched {
            journal: Journal::Store(Box::new(at), file),
            ..Watched::new(campaign, PathBuf::new())
        }
    }

    /// Reads the journal again if it grew (a `send` may run beside `listen`).
    fn refresh(&self, known: &mut Known) {
        let (len, named) = match &self.journal {
            Journal::File(path) => {
                let len = std::fs::metadata(path).map(|m| m.len()).ok();
                if len == known.len && known.len.is_some() {
                    return;
                }
                (len, journal::named_calls(path))
            }
            // Read again on every miss: a send from another machine leaves no length here.
            Journal::Store(at, file) => (
                None,
                journal::named_calls_in_store(at, self.provider, &self.name).and_then(|mut all| {
                    let local = journal::named_calls(file)?;
                    all.recipients.extend(local.recipients);
                    all.recipients.sort_unstable();
                    all.recipients.dedup();
                    all.provider_ids.extend(local.provider_ids);
                    Ok(all)
                }),
            ),
        };
        // An unreadable journal knows no one: posts for it are refused, not guessed at.
        let Ok(named) = named else {
            return;
        };
        let mut fresh = Known {
            len,
            ..Known::default()
        };
        for (callid, number) in named.recipients {
            fresh.numbers.entry(callid).or_default().push(number);
        }
        for numbers in fresh.numbers.values_mut() {
            numbers.sort();
        }
        for (callid, number, id) in named.provider_ids {
            fresh
                .provider_id
                .insert((callid.clone(), number.clone()), id.clone());
            fresh.by_provider_id.insert(id, (callid, number));
        }
        *known = fresh;
    }

    fn with_known<T>(&self, look: impl Fn(&Known) -> Option<T>) -> Option<T> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = look(&known) {
            return Some(found);
        }
        self.refresh(&mut known);
        look(&known)
    }

    /// The journal's number for `callid`, given the number the post reported (see [`Miss`]
    /// for when there is none). A post that names no number is filed under the call id's
    /// only number, or, for a call id shared by a household, under the call id alone ('').
    pub fn number(&self, callid: &str, reported: &str) -> Result<String, Miss> {
        let found = self.with_known(|known| {
            let numbers = known.numbers.get(callid)?;
            Some(if national(reported).is_empty() {
                match numbers.as_slice() {
                    [only] => Ok(only.clone()),
                    _ => Ok(String::new()),
                }
            } else {
                numbers
                    .iter()
                    .find(|n| same_number(n, reported))
                    .cloned()
                    .ok_or(Miss::OtherNumber)
            })
        });
        found.unwrap_or(Err(Miss::UnknownCall))
    }

    /// The provider id the journal recorded for the call to `number` with `callid`.
    pub fn provider_id(&self, callid: &str, number: &str) -> Option<String> {
        let key = (callid.to_owned(), number.to_owned());
        self.with_known(|known| known.provider_id.get(&key).cloned())
    }

    /// `(callid, number)` of the call the provider knows as `id`.
    pub fn by_provider_id(&self, id: &str) -> Option<(String, String)> {
        self.with_known(|known| known.by_provider_id.get(id).cloned())
    }

    /// The first rule for `key` pressed at `prompt`.
    pub fn rule(&self, prompt: u32, key: &str) -> Option<&KeypressRule> {
        self.rules
            .iter()
            .find(|r| r.prompt == prompt && r.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_whole_never_by_their_ending() {
        assert!(same_number("2025550142", "2025550142"));
        assert!(same_number("2025550142", "12025550142"));
        assert!(same_number("(202) 555-0142", "+1 202 555 0142"));
        assert!(!same_number("2025550142", "2"));
        assert!(!same_number("2025550142", "5550142"));
        assert!(!same_number("2025550142", "442025550142"));
        assert!(!same_number("", ""));
    }
}
