//! The journal's record format: one JSON object a line, what each kind of line holds, and
//! how a line names a recipient (call id and number). Written lines never change: old
//! versions are still read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diff::RecipientSide;
use crate::plan::{Action, PostKind};
use crate::provider::name::ProviderName;

/// Version of the journal's line format. Version 1 (written before providers had a seam) is
/// still read: it recorded no provider, and its numeric `errorid` (which replay does not
/// need) stands where version 2 writes `code`.
pub const JOURNAL_VERSION: u32 = 2;

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Record {
    /// The first line: which campaign the journal belongs to.
    Open {
        /// Campaign name.
        campaign: String,
        /// [`JOURNAL_VERSION`].
        version: u32,
        /// The provider the posts went to (absent in version 1 journals).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider: Option<ProviderName>,
    },
    /// About to send a post; written and synced before the request starts.
    Intent {
        /// Unique within the journal; outcomes refer to it.
        attempt: u64,
        /// The command (`send`, `pause`, …).
        action: Action,
        /// The post's position in the plan.
        seq: usize,
        /// The post's kind (`send`, `sound-save`, …).
        kind: PostKind,
        /// SHA-256 of the whole planned post as `compile` renders it (no credentials).
        post_hash: String,
        /// SHA-256 of what is actually sent (differs when only part of a batch is re-sent).
        body_hash: String,
        /// The call ids this attempt places (call posts only).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        callids: Vec<String>,
        /// The number of each call id, in the same order (version 2): with shared call ids,
        /// a recipient is its call id *and* its number.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        numbers: Vec<String>,
        /// The sound file, for uploads.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        /// When (RFC 3339).
        at: String,
    },
    /// What became of an attempt.
    Outcome {
        /// The [`Record::Intent`] this answers.
        attempt: u64,
        /// The post's position in the plan.
        seq: usize,
        /// What happened.
        outcome: Outcome,
        /// The provider's code, when a reply carried one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// Version 1's name for `code` (a number); read, never written.
        #[serde(default, skip_serializing)]
        errorid: Option<u32>,
        /// The provider's own id for each call id it took, when it gives them.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        ids: BTreeMap<String, String>,
        /// Why, for failures.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// The provider's own words on a refusal, verbatim and scrubbed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        provider_message: Option<String>,
        /// Which endpoint answered or failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
        /// When (RFC 3339).
        at: String,
    },
    /// A lookup at the provider (or a person, with `resolve`) settled calls.
    Resolved {
        /// The post they belong to.
        seq: usize,
        /// Found at the provider: accepted. Recipient keys ([`call_key`]; bare call ids in
        /// version 1).
        present: Vec<String>,
        /// Not found: never taken, free to send.
        missing: Vec<String>,
        /// The provider's own ids of calls found, by recipient key, where the lookup gave
        /// them (voip-communications.net's scheduled-calls list).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        ids: BTreeMap<String, String>,
        /// When (RFC 3339).
        at: String,
    },
    /// What each call of a call post asks for, written just before its intent (see
    /// [`super::changes`]).
    Content {
        /// The post's position in the plan.
        seq: usize,
        /// One entry per call.
        calls: Vec<CallContent>,
        /// When (RFC 3339).
        at: String,
    },
    /// About to remove pending calls; written and synced before the request starts.
    RemoveIntent {
        /// Unique within the journal, shared with [`Record::Intent`]s.
        attempt: u64,
        /// The recipient keys of the calls removed.
        keys: Vec<String>,
        /// When (RFC 3339).
        at: String,
    },
    /// What became of the calls of a [`Record::RemoveIntent`]; a key in no list is in doubt.
    RemoveOutcome {
        /// The removal intent this answers.
        attempt: u64,
        /// Removed before being dialled.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<String>,
        /// Already ringing or made: the provider keeps them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dialled: Vec<String>,
        /// Certainly not removed, still pending.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kept: Vec<String>,
        /// When (RFC 3339).
        at: String,
    },
}

/// The outcome of one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The provider took the post.
    Accepted,
    /// The provider refused the post; nothing was taken.
    Rejected,
    /// The request may or may not have been taken (timeout, reset or 5xx after sending,
    /// unparsable reply).
    Ambiguous,
    /// Failed before the body was sent (connect refused, DNS, TLS): nothing was taken.
    NotSent,
}

/// The recipient keys of an intent line, and whether they are bare call ids (a version 1
/// line, without numbers).
pub(super) fn intent_keys(callids: &[String], numbers: &[String]) -> (Vec<String>, bool) {
    if numbers.len() == callids.len() {
        let keys = callids
            .iter()
            .zip(numbers)
            .map(|(id, n)| call_key(id, n))
            .collect();
        (keys, false)
    } else {
        (callids.to_vec(), true)
    }
}

/// How the journal names one recipient: its call id and its number (call ids can be shared
/// by a household, numbers can repeat across campaigns; the pair cannot).
pub fn call_key(callid: &str, number: &str) -> String {
    format!("{callid} {number}")
}

/// The call id of a recipient key (or of a bare version 1 call id).
pub(super) fn callid_of(key: &str) -> &str {
    key.split_once(' ').map_or(key, |(callid, _)| callid)
}

/// What an outcome line records besides the outcome itself.
#[derive(Clone, Debug, Default)]
pub struct Said {
    /// The provider's code, when a reply carried one.
    pub code: Option<String>,
    /// The provider's id for each call id it took.
    pub ids: BTreeMap<String, String>,
    /// Why, for failures.
    pub detail: Option<String>,
    /// The provider's own words on a refusal, verbatim and scrubbed.
    pub provider_message: Option<String>,
    /// Which endpoint answered or failed.
    pub endpoint: Option<String>,
}

/// Now, as RFC 3339.
pub(super) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// What one call asked the provider for, as journaled before it was posted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallContent {
    /// The recipient key ([`call_key`]).
    pub key: String,
    /// The first 16 bytes of the SHA-256 of the request for this call alone, as hex: two
    /// calls whose fingerprints differ ask the provider for different things.
    pub fingerprint: String,
    /// When it is due (RFC 3339); absent: as soon as it was posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// How it is called, for people reading what changed.
    pub side: Side,
}

/// [`RecipientSide`] as a journal line holds it: the spoken texts as `[id, text]` pairs (a
/// journal line is read through a flattened record, which cannot turn a JSON key into a
/// number).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// [`RecipientSide::at`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// [`RecipientSide::callerid`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callerid: Option<String>,
    /// [`RecipientSide::ext`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// [`RecipientSide::spoken`], in prompt id order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spoken: Vec<(u32, String)>,
}

impl From<RecipientSide> for Side {
    fn from(s: RecipientSide) -> Side {
        Side {
            at: s.at,
            callerid: s.callerid,
            ext: s.ext,
            spoken: s.spoken.into_iter().collect(),
        }
    }
}

impl From<Side> for RecipientSide {
    fn from(s: Side) -> RecipientSide {
        RecipientSide {
            at: s.at,
            callerid: s.callerid,
            ext: s.ext,
            spoken: s.spoken.into_iter().collect(),
        }
    }
}
