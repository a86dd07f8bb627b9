//! The campaigns `listen` stores results for, and how a post is matched to one of their
//! recipients: by the campaign's results key (VoiceShot's menuid) and the call id, or by the
//! provider's own call id the journal recorded.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use crate::campaign::{Campaign, KeypressRule};
use crate::journal;
use crate::provider::ProviderName;

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
    journal: PathBuf,
    known: Mutex<Known>,
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
}

impl Watched {
    /// Watches `campaign`, whose journal is at `journal`.
    pub fn new(campaign: &Campaign, journal: PathBuf) -> Watched {
        Watched {
            name: campaign.name.clone(),
            provider: campaign.provider().name(),
            key: campaign.provider().results_key().map(str::to_owned),
            rules: campaign.on_keypress.clone(),
            journal,
            known: Mutex::new(Known::default()),
        }
    }

    /// Reads the journal again if it grew (a `send` may run beside `listen`).
    fn refresh(&self, known: &mut Known) {
        let len = std::fs::metadata(&self.journal).map(|m| m.len()).ok();
        if len == known.len && known.len.is_some() {
            return;
        }
        // An unreadable journal knows no one: posts for it are refused, not guessed at.
        let Ok(named) = journal::named_calls(&self.journal) else {
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

    /// The journal's number for `callid`, given the number the post reported: the journal's
    /// number that matches it (digits compared, with or without a country code), else the
    /// call id's first number (a call id shared by a household, reported without a number).
    /// `None`: the call id is not in the journal.
    pub fn number(&self, callid: &str, reported: &str) -> Option<String> {
        self.with_known(|known| {
            let numbers = known.numbers.get(callid)?;
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let reported = digits(reported);
            numbers
                .iter()
                .find(|n| {
                    let n = digits(n);
                    !reported.is_empty() && (n.ends_with(&reported) || reported.ends_with(&n))
                })
                .or_else(|| numbers.first())
                .cloned()
        })
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
