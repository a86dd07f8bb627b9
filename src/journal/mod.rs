//! The send journal: an append-only JSON Lines record of every post, so a re-run after a crash
//! or a network failure finishes the job without calling anyone twice.
//!
//! Each post is written as an **intent** (before a byte goes out) and an **outcome** (after the
//! reply, or the failure). Every line is flushed to disk (`fsync`) before the next step, so a
//! process killed at any instant leaves one of three states for a post: no intent (nothing
//! was sent), an intent without an outcome (maybe sent: *in doubt*), or both. A line torn by a
//! kill mid-write is cut off when the journal is next opened; it was never followed by a send.
//!
//! Call state is kept **per call id**, not per post: a call id becomes *accepted* from an
//! accepted outcome or from a resolution query that found it, and nothing accepted is posted
//! again, whatever happens to the campaign file in between. In memory the state is compact
//! (fixed-size hashes of the recipient keys, see `journal/calls.rs`); the keys as text are
//! kept only for calls in doubt, which a person may have to look up.

mod calls;
pub mod changes;
mod history;
mod lock;
mod transfer;

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::plan::{Action, PostKind};
use crate::provider::ProviderName;
use crate::state::journal::{CampaignId, Holder, OpenError, StoreJournal};
use crate::state::{PgLocation, StateError};

use calls::Calls;
pub(crate) use calls::{KeyHash, key_hash};
pub(crate) use history::OtherJournals;
pub use transfer::{Transfer, TransferError, pull, push};

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
    /// [`changes`]).
    Content {
        /// The post's position in the plan.
        seq: usize,
        /// One entry per call.
        calls: Vec<changes::CallContent>,
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

/// What the journal says about one call id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    /// The provider has it. Never post it again.
    Accepted,
    /// Posted without a clear answer; must be resolved by a query before anything else.
    InDoubt,
    /// Known not to be at the provider (rejected, not sent, or a query did not find it).
    NotTaken,
}

#[derive(Clone, Debug)]
struct Attempt {
    action: Action,
    kind: PostKind,
    post_hash: String,
    /// Recipient keys ([`call_key`]), or bare call ids for version 1 lines, until the
    /// attempt's outcome is applied (one batch at a time, then dropped).
    keys: Vec<String>,
    /// Whether its outcome was applied: the journal writes one outcome per intent.
    answered: bool,
}

impl CallState {
    /// A call's state once the outcome of a post that held it is known (`was`: its state
    /// before; never posted counts as not taken). Accepted stays accepted.
    fn after(was: Option<CallState>, outcome: Outcome) -> CallState {
        match (was.unwrap_or(CallState::NotTaken), outcome) {
            (CallState::Accepted, _) | (_, Outcome::Accepted) => CallState::Accepted,
            (_, Outcome::Ambiguous) => CallState::InDoubt,
            (_, Outcome::Rejected | Outcome::NotSent) => CallState::NotTaken,
        }
    }
}

/// The recipient keys of an intent line, and whether they are bare call ids (a version 1
/// line, without numbers).
fn intent_keys(callids: &[String], numbers: &[String]) -> (Vec<String>, bool) {
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
fn callid_of(key: &str) -> &str {
    key.split_once(' ').map_or(key, |(callid, _)| callid)
}

/// Why a journal's lines cannot be trusted as written.
#[derive(Debug)]
struct Broken {
    line: usize,
    why: String,
}

/// The state replayed from a journal's lines.
#[derive(Clone, Debug, Default)]
pub struct JournalState {
    calls: Calls,
    /// The keys of the calls in doubt, as text: the only ones a person may have to look up.
    doubt: HashMap<KeyHash, String>,
    /// Whether a version 1 line gave a bare call id as a key: only then is a call also
    /// looked up by its call id alone.
    bare: bool,
    /// For `send` call posts: the plan hash last written for each seq.
    post_hashes: HashMap<usize, String>,
    /// Hashes of accepted uploads.
    uploads: HashMap<String, Outcome>,
    attempts: HashMap<u64, Attempt>,
    /// The provider's own id of each accepted call id (by the hash of the key it was given
    /// under), when it gave one.
    provider_ids: HashMap<KeyHash, String>,
    next_attempt: u64,
    lines: usize,
    /// When the last call post was about to go out: a post may still be on its way to the
    /// provider for a while after the client gave up on it.
    last_call_intent: Option<jiff::Timestamp>,
    /// What each call asked for, and the removals (see [`changes`]).
    changes: changes::Changes,
}

impl JournalState {
    /// Sets the state of `key` to `to(its state now)` (`seq`: it is posted at that seq of
    /// `send`), keeping the text of the keys in doubt.
    fn set(
        &mut self,
        key: &str,
        seq: Option<usize>,
        to: impl FnOnce(Option<CallState>) -> CallState,
    ) {
        let hash = key_hash(key);
        let mut now = None;
        self.calls.set(hash, seq, |was| {
            let s = to(was);
            now = Some(s);
            s
        });
        if now == Some(CallState::InDoubt) {
            self.doubt.entry(hash).or_insert_with(|| key.to_owned());
        } else {
            self.doubt.remove(&hash);
        }
    }

    /// Applies one record, in journal order. An outcome whose intent is not in the journal
    /// is refused: a line was removed; so is a second outcome of one intent.
    fn apply(&mut self, record: &Record) -> Result<(), String> {
        self.lines += 1;
        match record {
            Record::Open { version, .. } => self.bare |= *version < 2,
            Record::Intent {
                attempt,
                action,
                seq,
                kind,
                post_hash,
                callids,
                numbers,
                at,
                ..
            } => {
                self.next_attempt = self.next_attempt.max(attempt + 1);
                let (keys, bare) = intent_keys(callids, numbers);
                self.bare |= bare;
                if *action == Action::Send && *kind == PostKind::Send {
                    self.post_hashes.insert(*seq, post_hash.clone());
                    self.last_call_intent = at.parse().ok().or(self.last_call_intent);
                    for key in &keys {
                        self.set(key, Some(*seq), |was| match was {
                            Some(CallState::Accepted) => CallState::Accepted,
                            _ => CallState::InDoubt,
                        });
                    }
                }
                self.attempts.insert(
                    *attempt,
                    Attempt {
                        action: *action,
                        kind: *kind,
                        post_hash: post_hash.clone(),
                        keys,
                        answered: false,
                    },
                );
            }
            Record::Outcome {
                attempt,
                outcome,
                ids,
                ..
            } => {
                for (callid, id) in ids {
                    self.provider_ids.insert(key_hash(callid), id.clone());
                }
                let Some(a) = self.attempts.get_mut(attempt) else {
                    return Err(format!(
                        "an outcome for attempt {attempt}, whose intent line is missing"
                    ));
                };
                if a.answered {
                    return Err(format!("a second outcome for attempt {attempt}"));
                }
                a.answered = true;
                if a.kind == PostKind::SoundSave && a.action == Action::Send {
                    self.uploads.insert(a.post_hash.clone(), *outcome);
                }
                for id in std::mem::take(&mut a.keys) {
                    self.set(&id, None, |was| CallState::after(was, *outcome));
                }
            }
            Record::Resolved {
                present,
                missing,
                ids,
                ..
            } => {
                for (key, id) in ids {
                    self.provider_ids.insert(key_hash(key), id.clone());
                }
                // Version 1 resolved bare call ids; version 2 writes recipient keys.
                self.bare |= present.iter().chain(missing).any(|k| !k.contains(' '));
                for id in present {
                    self.set(id, None, |_| CallState::Accepted);
                }
                for id in missing {
                    self.set(id, None, |was| match was {
                        Some(CallState::InDoubt) | None => CallState::NotTaken,
                        Some(other) => other,
                    });
                }
            }
            Record::Content { .. } | Record::RemoveIntent { .. } | Record::RemoveOutcome { .. } => {
                self.apply_change(record)?
            }
        }
        Ok(())
    }

    /// What the journal says about the call to `number` with `callid` (`None`: never
    /// posted). Version 1 journals kept state per call id only; that is consulted last.
    pub fn call(&self, callid: &str, number: &str) -> Option<CallState> {
        self.calls
            .get(&key_hash(&call_key(callid, number)))
            .or_else(|| {
                self.bare
                    .then(|| self.calls.get(&key_hash(callid)))
                    .flatten()
            })
    }

    /// The provider's own id of the call to `number` with `callid` (the Voicent Gateway's
    /// reqId), if it gave one.
    pub fn provider_id(&self, callid: &str, number: &str) -> Option<&str> {
        if self.provider_ids.is_empty() {
            return None;
        }
        self.provider_ids
            .get(&key_hash(&call_key(callid, number)))
            .or_else(|| self.provider_ids.get(&key_hash(callid)))
            .map(String::as_str)
    }

    /// Call ids with a call in doubt, sorted, each once.
    pub fn in_doubt(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.doubt.values().map(|key| callid_of(key)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The state of a recipient key as the journal wrote it ([`call_key`], or a bare version
    /// 1 call id).
    fn key_state(&self, key: &str) -> Option<CallState> {
        self.calls.get(&key_hash(key))
    }

    /// Whether that call was possibly or certainly taken by the provider.
    pub fn maybe_taken(&self, callid: &str, number: &str) -> bool {
        matches!(
            self.call(callid, number),
            Some(CallState::Accepted | CallState::InDoubt)
        )
    }

    /// When the last call post was about to go out, if the journal has one.
    pub fn last_call_intent(&self) -> Option<jiff::Timestamp> {
        self.last_call_intent
    }

    /// The plan hash last journaled for call post `seq` of `send`.
    pub fn post_hash(&self, seq: usize) -> Option<&str> {
        self.post_hashes.get(&seq).map(String::as_str)
    }

    /// Whether any call id that `send` posted at `seq` may be at the provider.
    pub fn seq_has_taken(&self, seq: usize) -> bool {
        self.calls.seq_has_taken(seq)
    }

    /// The seqs of `send` call posts in the journal, sorted.
    pub fn send_seqs(&self) -> Vec<usize> {
        let mut seqs: Vec<usize> = self.post_hashes.keys().copied().collect();
        seqs.sort_unstable();
        seqs
    }

    /// Whether an upload with this content hash was accepted.
    pub fn upload_accepted(&self, post_hash: &str) -> bool {
        self.uploads.get(post_hash) == Some(&Outcome::Accepted)
    }

    /// Counts of call ids per state: (accepted, in doubt, not taken).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.calls.counts()
    }

    /// The hashes ([`key_hash`]) of the recipient keys ([`call_key`]; bare call ids from
    /// version 1) the journal knows as possibly or certainly taken.
    pub(crate) fn taken_hashes(&self) -> impl Iterator<Item = KeyHash> + '_ {
        self.calls
            .iter()
            .filter(|(_, s)| matches!(s, CallState::Accepted | CallState::InDoubt))
            .map(|(hash, _)| hash)
    }

    /// Lines replayed.
    pub fn lines(&self) -> usize {
        self.lines
    }
}

/// Why a journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A line in the middle is not a record: the file was edited or belongs to something else.
    #[error("journal {path}, line {line}: not a journal record ({why})")]
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// Parser message.
        why: String,
    },
    /// Another outdial holds the journal.
    #[error(
        "journal {0} is in use by another outdial process; two sends of one campaign at once could call people twice"
    )]
    Locked(PathBuf),
    /// The journal records posts to another provider.
    #[error(
        "journal {path} records posts to {}, but the campaign now names {}",
        found.display(),
        expected.display()
    )]
    OtherProvider {
        /// The journal file.
        path: PathBuf,
        /// The provider it records.
        found: ProviderName,
        /// The campaign's provider.
        expected: ProviderName,
    },
    /// The lines do not chain, or an outcome has no intent: the file was edited.
    #[error(
        "journal {path}, line {line}: {why}. The journal was changed by hand, so it no longer says what was sent"
    )]
    Tampered {
        /// The journal file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        why: String,
    },
    /// Another outdial is sending the campaign from the same folder (with another journal).
    #[error(
        "campaign \"{campaign}\" is being sent by another outdial (lock {lock}); two sends of one campaign at once could call people twice"
    )]
    CampaignBusy {
        /// The campaign.
        campaign: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// The state store failed (it cannot be reached, or was lost mid-way).
    #[error("journal in {0}")]
    Store(#[from] StateError),
    /// Another runner, on any machine, holds the campaign's lock in the state store.
    #[error(
        "campaign \"{campaign}\" is being sent by another outdial ({}) through the state store {store}; two sends of one campaign at once could call people twice",
        holder.as_ref().map_or_else(|| "it did not say who".to_owned(), ToString::to_string)
    )]
    StoreBusy {
        /// The campaign.
        campaign: String,
        /// The store, redacted.
        store: String,
        /// Who holds the lock, as its row says.
        holder: Option<Holder>,
    },
    /// The journal belongs to another campaign.
    #[error("journal {path} belongs to campaign \"{found}\", not \"{expected}\"")]
    OtherCampaign {
        /// The journal file.
        path: PathBuf,
        /// The campaign it records.
        found: String,
        /// The campaign being sent.
        expected: String,
    },
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

/// An open, locked journal that appends durable records.
#[derive(Debug)]
pub struct Journal {
    /// The file, or the store and campaign as errors name them.
    path: PathBuf,
    store: Store,
    state: JournalState,
    /// The hash of the last line, recorded by the next one.
    last_hash: Option<String>,
}

/// Where a journal's records go.
#[derive(Debug)]
enum Store {
    /// A local file, synced after each line.
    File {
        file: File,
        /// Held while the journal is open: one campaign is sent by one outdial at a time.
        _lock: lock::LocalLock,
    },
    /// A campaign in a PostgreSQL database, each record committed before the next step.
    Db {
        journal: Box<StoreJournal>,
        /// Records so far: the next is numbered one more.
        records: i64,
    },
}

/// Now, as RFC 3339.
fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// The default journal of a campaign: `.outdial/<campaign>.jsonl` next to the campaign file.
pub fn default_path(campaign_file: &Path, campaign_name: &str) -> PathBuf {
    campaign_file
        .parent()
        .unwrap_or(Path::new("."))
        .join(".outdial")
        .join(format!("{campaign_name}.jsonl"))
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A writer that hashes what passes through it (to hash an upload while it is rendered).
#[derive(Debug)]
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The inner writer and the hex digest of everything written.
    pub fn finish(self) -> (W, String) {
        (self.inner, hex(&self.hasher.finalize()))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

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

/// How errors name a campaign's journal in the store at `at`.
fn store_path(at: &PgLocation, id: &CampaignId) -> PathBuf {
    PathBuf::from(format!(
        "{} (campaign \"{}\" to {} at {})",
        at.shown(),
        id.campaign,
        id.provider.display(),
        id.endpoint
    ))
}

/// Reads the journal of `campaign` to `provider` at `endpoint` in the store at `at`, without
/// locking it (for dry runs, `plan`, `report`). None there is an empty state.
pub fn read_state_in_store(
    at: &PgLocation,
    campaign: &str,
    provider: ProviderName,
    endpoint: &str,
) -> Result<JournalState, JournalError> {
    let id = CampaignId::new(provider, endpoint, campaign);
    let bytes = crate::state::journal::read(at, &id)?;
    replay(&store_path(at, &id), &bytes).map(|r| r.state)
}

/// Where a journal's lines are read again, for what the replayed state does not hold (the
/// old side of a call a plan shows: the state keeps fingerprints, not texts).
#[derive(Clone, Debug)]
pub enum LinesAt<'a> {
    /// A local journal file; a missing one has no lines.
    File(&'a Path),
    /// A campaign's journal in a PostgreSQL database, by its key ([`CampaignId::key`]).
    Store(&'a PgLocation, String),
}

impl<'a> LinesAt<'a> {
    /// The journal of `campaign` to `provider` at `endpoint` in the store at `at`.
    pub fn in_store(
        at: &'a PgLocation,
        campaign: &str,
        provider: ProviderName,
        endpoint: &str,
    ) -> LinesAt<'a> {
        LinesAt::Store(at, CampaignId::new(provider, endpoint, campaign).key())
    }

    /// The lines as they are stored now.
    pub fn read(&self) -> Result<Vec<u8>, JournalError> {
        match self {
            LinesAt::File(path) => match fs::read(path) {
                Ok(bytes) => Ok(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(source) => Err(JournalError::Io {
                    path: path.to_path_buf(),
                    source,
                }),
            },
            LinesAt::Store(at, key) => Ok(crate::state::journal::read_key(at, key)?),
        }
    }
}

/// Reads a journal without locking or repairing it (for dry runs and `plan`).
/// A missing file is an empty state.
pub fn read_state(path: &Path) -> Result<JournalState, JournalError> {
    let io_err = |source| JournalError::Io {
        path: path.to_owned(),
        source,
    };
    let text = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(JournalState::default()),
        Err(e) => return Err(io_err(e)),
    };
    replay(path, &text).map(|r| r.state)
}

/// The records of a journal's lines, in order, leaving out any that do not read (the torn
/// last line of a killed run): for readers of a journal already checked.
fn records(bytes: &[u8]) -> impl Iterator<Item = Record> + '_ {
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<Line>(line).ok())
        .map(|line| line.record)
}

/// One line as stored: a record and the hash of the line before it.
#[derive(Deserialize)]
struct Line {
    #[serde(flatten)]
    record: Record,
    /// SHA-256 of the previous line's bytes (version 2): the chain that shows lines were
    /// removed, added or edited.
    #[serde(default)]
    prev: Option<String>,
}

/// What replaying a journal's complete lines gives.
struct Replayed {
    state: JournalState,
    /// Bytes of complete lines (a torn last line is cut off).
    complete: usize,
    /// The hash of the last complete line, which the next line records as `prev`.
    last_hash: Option<String>,
}

/// Replays complete lines, checking the chain of hashes and that every outcome follows its
/// intent.
fn replay(path: &Path, bytes: &[u8]) -> Result<Replayed, JournalError> {
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut state = JournalState::default();
    let mut last_hash: Option<String> = None;
    // Version 2 journals chain every line; a version 1 journal chains the lines appended
    // since, from the first one that carries `prev`.
    let mut chained = false;
    let broken = |b: Broken| JournalError::Tampered {
        path: path.to_owned(),
        line: b.line,
        why: b.why,
    };
    for (i, line) in bytes[..complete].split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed: Line = serde_json::from_slice(line).map_err(|e| JournalError::Corrupt {
            path: path.to_owned(),
            line: i + 1,
            why: e.to_string(),
        })?;
        if last_hash.is_none() {
            chained = matches!(parsed.record, Record::Open { version, .. } if version >= 2);
        } else if chained || parsed.prev.is_some() {
            chained = true;
            if parsed.prev != last_hash {
                return Err(broken(Broken {
                    line: i + 1,
                    why: "it does not follow the line before it (lines were removed, added or edited)".into(),
                }));
            }
        }
        state
            .apply(&parsed.record)
            .map_err(|why| broken(Broken { line: i + 1, why }))?;
        last_hash = Some(sha256_hex(line));
    }
    Ok(Replayed {
        state,
        complete,
        last_hash,
    })
}

impl Journal {
    /// Opens (or creates) the journal of `campaign` at `path`, locks it (and the campaign at
    /// `endpoint`, whatever the journal) against a concurrent outdial, cuts off a line torn
    /// by a crash, and replays it.
    pub fn open(
        path: &Path,
        campaign: &str,
        provider: ProviderName,
        endpoint: &str,
    ) -> Result<Journal, JournalError> {
        let io_err = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            fs::create_dir_all(dir).map_err(io_err)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(JournalError::Locked(path.to_owned())),
            Err(fs::TryLockError::Error(e)) => return Err(io_err(e)),
        }
        let campaign_lock = lock::LocalLock::take(path, campaign)?;
        let _ = (provider, endpoint);
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        file.read_to_end(&mut bytes).map_err(io_err)?;
        let Replayed {
            state,
            complete,
            last_hash,
        } = replay(path, &bytes)?;
        if complete < bytes.len() {
            // Torn by a kill mid-write: no send followed it, so dropping it loses nothing.
            file.set_len(complete as u64).map_err(io_err)?;
            file.sync_all().map_err(io_err)?;
        }
        let mut journal = Journal {
            path: path.to_owned(),
            store: Store::File {
                file,
                _lock: campaign_lock,
            },
            state,
            last_hash,
        };
        if complete == 0
            && let Some(dir) = dir
        {
            // The new file's directory entry must survive a crash too.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        journal.begin(&bytes[..complete], campaign, provider)?;
        Ok(journal)
    }

    /// Opens (or starts) the journal of `campaign` to `provider` at `endpoint` in the
    /// database at `at`, taking the campaign's lock there (refused at once, naming its holder,
    /// when another runner has it), and replays it.
    pub fn open_in_store(
        at: &PgLocation,
        campaign: &str,
        provider: ProviderName,
        endpoint: &str,
    ) -> Result<Journal, JournalError> {
        let id = CampaignId::new(provider, endpoint, campaign);
        let path = store_path(at, &id);
        let mut db = StoreJournal::open(at, &id).map_err(|e| match e {
            OpenError::Busy(holder) => JournalError::StoreBusy {
                campaign: campaign.to_owned(),
                store: at.shown(),
                holder,
            },
            OpenError::Store(e) => JournalError::Store(e),
        })?;
        let bytes = db.read()?;
        let Replayed {
            state, last_hash, ..
        } = replay(&path, &bytes)?;
        let records = state.lines as i64;
        let mut journal = Journal {
            path,
            store: Store::Db {
                journal: Box::new(db),
                records,
            },
            state,
            last_hash,
        };
        journal.begin(&bytes, campaign, provider)?;
        Ok(journal)
    }

    /// Writes the first record of a new journal, or checks that the journal's first record
    /// names this campaign and provider.
    fn begin(
        &mut self,
        bytes: &[u8],
        campaign: &str,
        provider: ProviderName,
    ) -> Result<(), JournalError> {
        let path = &self.path;
        if bytes.is_empty() {
            self.append(&Record::Open {
                campaign: campaign.to_owned(),
                version: JOURNAL_VERSION,
                provider: Some(provider),
            })?;
        } else {
            let first: Option<Record> = bytes
                .split(|&b| b == b'\n')
                .next()
                .and_then(|l| serde_json::from_slice(l).ok());
            match first {
                Some(Record::Open {
                    campaign: found, ..
                }) if found != campaign => {
                    return Err(JournalError::OtherCampaign {
                        path: path.clone(),
                        found,
                        expected: campaign.to_owned(),
                    });
                }
                // Call ids mean nothing to another provider: its journal cannot say what
                // this one holds.
                Some(Record::Open {
                    provider: Some(found),
                    ..
                }) if found != provider => {
                    return Err(JournalError::OtherProvider {
                        path: path.clone(),
                        found,
                        expected: provider,
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The journal's lines as they are stored now.
    fn bytes(&mut self) -> Result<Vec<u8>, JournalError> {
        match &mut self.store {
            Store::File { .. } => fs::read(&self.path).map_err(|source| JournalError::Io {
                path: self.path.clone(),
                source,
            }),
            Store::Db { journal, .. } => Ok(journal.read()?),
        }
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where this journal's lines are read again.
    pub fn lines_at(&self) -> LinesAt<'_> {
        match &self.store {
            Store::File { .. } => LinesAt::File(&self.path),
            Store::Db { journal, .. } => {
                let (at, key) = journal.at_key();
                LinesAt::Store(at, key.to_owned())
            }
        }
    }

    /// The replayed state, kept up to date by [`append`](Self::append).
    pub fn state(&self) -> &JournalState {
        &self.state
    }

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

    /// A fresh attempt number for an [`Record::Intent`].
    pub fn next_attempt(&self) -> u64 {
        self.state.next_attempt
    }

    /// Appends one record as one line (chained to the one before) and syncs it to disk
    /// before returning.
    fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).expect("records serialise");
        if let Some(prev) = &self.last_hash {
            // A record serialises as one JSON object: `prev` goes in before its closing brace.
            line.pop();
            line.extend_from_slice(br#","prev":""#);
            line.extend_from_slice(prev.as_bytes());
            line.extend_from_slice(b"\"}");
        }
        let hash = sha256_hex(&line);
        match &mut self.store {
            Store::File { file, .. } => {
                line.push(b'\n');
                let io_err = |source| JournalError::Io {
                    path: self.path.clone(),
                    source,
                };
                file.write_all(&line).map_err(io_err)?;
                file.sync_data().map_err(io_err)?;
            }
            Store::Db { journal, records } => {
                // Committed when it returns: the database has it before the post leaves.
                journal.append(*records + 1, &line, &hash)?;
                *records += 1;
            }
        }
        self.last_hash = Some(hash);
        // What this journal writes always replays.
        let _ = self.state.apply(record);
        Ok(())
    }

    /// Lets go of what this journal holds in memory about the recipient keys of a call post
    /// that is finished for this run, when the provider has it or certainly does not: their
    /// lines are on disk, so the next run replays them, and the counts and per-seq tallies
    /// keep them; keys in doubt stay. This is what keeps `send` flat at any size: a plan holds
    /// each recipient key once (the check pass deduplicates every number), so nothing later
    /// in the run asks about a finished post's keys again, and without this the state grew by
    /// about 20 bytes a recipient, 200 MB over ten million.
    pub fn retire<'a>(&mut self, calls: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (callid, number) in calls {
            let hash = key_hash(&call_key(callid, number));
            self.state.calls.retire(&hash);
            self.state.changes.retire(&hash);
            if self.state.calls.get(&hash).is_none() {
                // A provider id is journaled under the key, or under the bare call id when
                // a post held several calls.
                self.state.provider_ids.remove(&hash);
                self.state.provider_ids.remove(&key_hash(callid));
            }
        }
    }

    /// Records an intent for post `seq`; returns its attempt number.
    #[allow(clippy::too_many_arguments)]
    pub fn intent(
        &mut self,
        action: Action,
        seq: usize,
        kind: PostKind,
        post_hash: &str,
        body_hash: &str,
        calls: Vec<(String, String)>,
        file: Option<String>,
    ) -> Result<u64, JournalError> {
        let attempt = self.next_attempt();
        let (callids, numbers) = calls.into_iter().unzip();
        self.append(&Record::Intent {
            attempt,
            action,
            seq,
            kind,
            post_hash: post_hash.to_owned(),
            body_hash: body_hash.to_owned(),
            callids,
            numbers,
            file,
            at: now(),
        })?;
        Ok(attempt)
    }

    /// Records the outcome of `attempt`, with what the reply (or the failure) said.
    pub fn outcome(
        &mut self,
        attempt: u64,
        seq: usize,
        outcome: Outcome,
        said: Said,
    ) -> Result<(), JournalError> {
        self.append(&Record::Outcome {
            attempt,
            seq,
            outcome,
            code: said.code,
            errorid: None,
            ids: said.ids,
            detail: said.detail,
            provider_message: said.provider_message,
            endpoint: said.endpoint,
            at: now(),
        })
    }

    /// Records a resolution query's findings.
    pub fn resolved(
        &mut self,
        seq: usize,
        present: Vec<String>,
        missing: Vec<String>,
    ) -> Result<(), JournalError> {
        self.resolved_with_ids(seq, present, missing, BTreeMap::new())
    }

    /// [`Journal::resolved`], with the provider's ids of the calls found.
    pub fn resolved_with_ids(
        &mut self,
        seq: usize,
        present: Vec<String>,
        missing: Vec<String>,
        ids: BTreeMap<String, String>,
    ) -> Result<(), JournalError> {
        self.append(&Record::Resolved {
            seq,
            present,
            missing,
            ids,
            at: now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compact state answers exactly as the full state it replaced (a string per
    /// recipient key, the keys of every attempt kept), for any journal the writer can make.
    mod compact {
        use super::*;
        use proptest::prelude::*;

        /// The state as it was kept before it was compact.
        #[derive(Default)]
        struct Full {
            calls: HashMap<String, CallState>,
            /// Per attempt: action, seq, keys.
            attempts: HashMap<u64, (Action, usize, Vec<String>)>,
            provider_ids: HashMap<String, String>,
        }

        impl Full {
            fn apply(&mut self, record: &Record) {
                match record {
                    Record::Open { .. }
                    | Record::Content { .. }
                    | Record::RemoveIntent { .. }
                    | Record::RemoveOutcome { .. } => {}
                    Record::Intent {
                        attempt,
                        action,
                        seq,
                        kind,
                        callids,
                        numbers,
                        ..
                    } => {
                        let (keys, _) = intent_keys(callids, numbers);
                        if *action == Action::Send && *kind == PostKind::Send {
                            for key in &keys {
                                let s = self.calls.entry(key.clone()).or_insert(CallState::InDoubt);
                                if *s != CallState::Accepted {
                                    *s = CallState::InDoubt;
                                }
                            }
                        }
                        self.attempts.insert(*attempt, (*action, *seq, keys));
                    }
                    Record::Outcome {
                        attempt,
                        outcome,
                        ids,
                        ..
                    } => {
                        for (callid, id) in ids {
                            self.provider_ids.insert(callid.clone(), id.clone());
                        }
                        let keys = self.attempts[attempt].2.clone();
                        for id in keys {
                            let was = self.calls.get(&id).copied();
                            self.calls.insert(id, CallState::after(was, *outcome));
                        }
                    }
                    Record::Resolved {
                        present,
                        missing,
                        ids,
                        ..
                    } => {
                        for (key, id) in ids {
                            self.provider_ids.insert(key.clone(), id.clone());
                        }
                        for id in present {
                            self.calls.insert(id.clone(), CallState::Accepted);
                        }
                        for id in missing {
                            let s = self.calls.entry(id.clone()).or_insert(CallState::NotTaken);
                            if *s == CallState::InDoubt {
                                *s = CallState::NotTaken;
                            }
                        }
                    }
                }
            }

            fn call(&self, callid: &str, number: &str) -> Option<CallState> {
                self.calls
                    .get(&call_key(callid, number))
                    .or_else(|| self.calls.get(callid))
                    .copied()
            }

            fn taken(key: &str, calls: &HashMap<String, CallState>) -> bool {
                matches!(
                    calls.get(key),
                    Some(CallState::Accepted | CallState::InDoubt)
                )
            }

            fn seq_has_taken(&self, seq: usize) -> bool {
                self.attempts
                    .values()
                    .filter(|(action, s, _)| *s == seq && *action == Action::Send)
                    .flat_map(|(_, _, keys)| keys)
                    .any(|key| Self::taken(key, &self.calls))
            }
        }

        const IDS: [&str; 4] = ["a", "b", "c", "d"];
        const NUMBERS: [&str; 2] = ["N0", "N1"];

        #[derive(Clone, Debug)]
        enum Step {
            /// A post of these (callid, number) indices; bare: version 1 keys (call ids only);
            /// send: a `send` call post (else a delete carrying the same keys).
            Intent {
                seq: usize,
                calls: Vec<(usize, usize)>,
                bare: bool,
                send: bool,
            },
            /// The outcome of the `pick`-th attempt still unanswered, if any.
            Outcome {
                pick: usize,
                outcome: Outcome,
                ids: bool,
            },
            Resolved {
                present: Vec<(usize, usize)>,
                missing: Vec<(usize, usize)>,
                bare: bool,
            },
        }

        fn call() -> impl Strategy<Value = (usize, usize)> {
            (0..IDS.len(), 0..NUMBERS.len())
        }

        fn step() -> impl Strategy<Value = Step> {
            let outcome = prop_oneof![
                Just(Outcome::Accepted),
                Just(Outcome::Rejected),
                Just(Outcome::Ambiguous),
                Just(Outcome::NotSent),
            ];
            prop_oneof![
                3 => (0..5usize, prop::collection::vec(call(), 0..4), prop::bool::weighted(0.1), prop::bool::weighted(0.9))
                    .prop_map(|(seq, calls, bare, send)| Step::Intent { seq, calls, bare, send }),
                3 => (0..4usize, outcome, any::<bool>())
                    .prop_map(|(pick, outcome, ids)| Step::Outcome { pick, outcome, ids }),
                1 => (prop::collection::vec(call(), 0..3), prop::collection::vec(call(), 0..3), prop::bool::weighted(0.1))
                    .prop_map(|(present, missing, bare)| Step::Resolved { present, missing, bare }),
            ]
        }

        fn key((id, n): (usize, usize), bare: bool) -> String {
            if bare {
                IDS[id].to_owned()
            } else {
                call_key(IDS[id], NUMBERS[n])
            }
        }

        fn records(steps: &[Step]) -> Vec<Record> {
            let mut out = Vec::new();
            let mut open: Vec<(u64, usize)> = Vec::new();
            let mut next = 0;
            for step in steps {
                match step {
                    Step::Intent {
                        seq,
                        calls,
                        bare,
                        send,
                    } => {
                        let callids = calls.iter().map(|(id, _)| IDS[*id].to_owned()).collect();
                        let numbers = if *bare {
                            Vec::new()
                        } else {
                            calls.iter().map(|(_, n)| NUMBERS[*n].to_owned()).collect()
                        };
                        let (action, kind) = if *send {
                            (Action::Send, PostKind::Send)
                        } else {
                            (Action::Delete, PostKind::Delete)
                        };
                        out.push(Record::Intent {
                            attempt: next,
                            action,
                            seq: *seq,
                            kind,
                            post_hash: format!("h{seq}"),
                            body_hash: format!("h{seq}"),
                            callids,
                            numbers,
                            file: None,
                            at: "2026-12-01T00:00:00Z".into(),
                        });
                        open.push((next, *seq));
                        next += 1;
                    }
                    Step::Outcome { pick, outcome, ids } => {
                        if open.is_empty() {
                            continue;
                        }
                        let (attempt, seq) = open.remove(pick % open.len());
                        let ids = if *ids {
                            [
                                (format!("a {}", NUMBERS[0]), "r1".to_owned()),
                                ("b".into(), "r2".into()),
                            ]
                            .into_iter()
                            .collect()
                        } else {
                            BTreeMap::new()
                        };
                        out.push(Record::Outcome {
                            attempt,
                            seq,
                            outcome: *outcome,
                            code: None,
                            errorid: None,
                            ids,
                            detail: None,
                            provider_message: None,
                            endpoint: None,
                            at: "2026-12-01T00:00:01Z".into(),
                        });
                    }
                    Step::Resolved {
                        present,
                        missing,
                        bare,
                    } => out.push(Record::Resolved {
                        seq: 0,
                        present: present.iter().map(|c| key(*c, *bare)).collect(),
                        missing: missing.iter().map(|c| key(*c, *bare)).collect(),
                        ids: BTreeMap::new(),
                        at: "2026-12-01T00:00:02Z".into(),
                    }),
                }
            }
            out
        }

        proptest! {
            #[test]
            fn compact_state_answers_like_the_full_state(
                steps in prop::collection::vec(step(), 0..40),
                merge_at in prop_oneof![Just(1usize), Just(2), Just(1 << 16)],
            ) {
                let mut full = Full::default();
                let mut compact = JournalState {
                    calls: Calls::with_merge_at(merge_at),
                    ..JournalState::default()
                };
                for record in records(&steps) {
                    full.apply(&record);
                    prop_assert!(compact.apply(&record).is_ok());
                    for id in IDS {
                        for n in NUMBERS.iter().chain(&["N9"]) {
                            prop_assert_eq!(compact.call(id, n), full.call(id, n), "{} {}", id, n);
                            prop_assert_eq!(
                                compact.provider_id(id, n),
                                full.provider_ids
                                    .get(&call_key(id, n))
                                    .or_else(|| full.provider_ids.get(id))
                                    .map(String::as_str)
                            );
                        }
                    }
                    for seq in 0..6 {
                        prop_assert_eq!(compact.seq_has_taken(seq), full.seq_has_taken(seq), "seq {}", seq);
                    }
                    let mut doubt: Vec<&str> = full
                        .calls
                        .iter()
                        .filter(|(_, s)| **s == CallState::InDoubt)
                        .map(|(k, _)| callid_of(k))
                        .collect();
                    doubt.sort_unstable();
                    doubt.dedup();
                    prop_assert_eq!(compact.in_doubt(), doubt);
                    let counts = full.calls.values().fold((0, 0, 0), |(a, d, n), s| match s {
                        CallState::Accepted => (a + 1, d, n),
                        CallState::InDoubt => (a, d + 1, n),
                        CallState::NotTaken => (a, d, n + 1),
                    });
                    prop_assert_eq!(compact.counts(), counts);
                    let taken: std::collections::HashSet<KeyHash> = full
                        .calls
                        .keys()
                        .filter(|k| Full::taken(k, &full.calls))
                        .map(|k| key_hash(k))
                        .collect();
                    prop_assert_eq!(compact.taken_hashes().collect::<std::collections::HashSet<_>>(), taken);
                }
            }
        }
    }

    const VS: ProviderName = ProviderName::Voipcomm;

    /// A campaign name of this test's own: campaigns are locked machine-wide, and tests (and
    /// test processes) run side by side.
    fn c() -> String {
        format!("c{}{:?}", std::process::id(), std::thread::current().id())
            .replace(|ch: char| !ch.is_ascii_alphanumeric(), "")
    }

    /// Calls to number N0 with call id `id` (so keys read "id N0").
    fn calls(v: &[&str]) -> Vec<(String, String)> {
        v.iter()
            .map(|id| (id.to_string(), "N0".to_string()))
            .collect()
    }

    fn keys(v: &[&str]) -> Vec<String> {
        v.iter().map(|id| call_key(id, "N0")).collect()
    }

    #[test]
    fn replays_states_and_survives_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j/c.jsonl");
        {
            let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
            let a = j
                .intent(
                    Action::Send,
                    1,
                    PostKind::Send,
                    "h1",
                    "h1",
                    calls(&["a", "b"]),
                    None,
                )
                .unwrap();
            j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
            let b = j
                .intent(
                    Action::Send,
                    2,
                    PostKind::Send,
                    "h2",
                    "h2",
                    calls(&["c", "d"]),
                    None,
                )
                .unwrap();
            j.outcome(b, 2, Outcome::Ambiguous, Said::default())
                .unwrap();
            j.resolved(2, keys(&["c"]), keys(&["d"])).unwrap();
            j.intent(
                Action::Send,
                3,
                PostKind::Send,
                "h3",
                "h3",
                calls(&["e"]),
                None,
            )
            .unwrap();
        }
        // A kill in the middle of a line.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"event":"intent","attempt":9,"#).unwrap();
        drop(f);
        let j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        let s = j.state();
        assert_eq!(s.call("a", "N0"), Some(CallState::Accepted));
        assert_eq!(s.call("c", "N0"), Some(CallState::Accepted));
        assert_eq!(s.call("d", "N0"), Some(CallState::NotTaken));
        assert_eq!(s.call("e", "N0"), Some(CallState::InDoubt));
        assert_eq!(s.call("z", "N0"), None);
        assert_eq!(s.post_hash(2), Some("h2"));
        assert_eq!(j.next_attempt(), 3);
        assert!(fs::read(&path).unwrap().ends_with(b"\n"));
        drop(j);
        assert!(matches!(
            Journal::open(&path, "other", VS, "http://sandbox"),
            Err(JournalError::OtherCampaign { .. })
        ));
    }

    #[test]
    fn retired_calls_leave_memory_not_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let post = |j: &mut Journal, seq, ids: &[&str], outcome| {
            let a = send_intent(j, seq, ids);
            let mut said = Said::default();
            said.ids.insert(call_key(ids[0], "N0"), format!("P{seq}"));
            j.outcome(a, seq, outcome, said).unwrap();
        };
        {
            let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
            post(&mut j, 1, &["a", "b"], Outcome::Accepted);
            post(&mut j, 2, &["c"], Outcome::Ambiguous);
            post(&mut j, 3, &["d"], Outcome::Rejected);
            j.retire([("a", "N0"), ("b", "N0"), ("c", "N0"), ("d", "N0")]);
            let s = j.state();
            // Settled calls are let go; the one in doubt is held, with its provider id.
            assert_eq!(s.call("a", "N0"), None);
            assert_eq!(s.call("d", "N0"), None);
            assert_eq!(s.provider_id("a", "N0"), None);
            assert_eq!(s.call("c", "N0"), Some(CallState::InDoubt));
            assert_eq!(s.provider_id("c", "N0"), Some("P2"));
            assert_eq!(s.in_doubt(), ["c"]);
            assert_eq!(s.counts(), (2, 1, 1));
            assert!(s.seq_has_taken(1) && s.seq_has_taken(2) && !s.seq_has_taken(3));
        }
        // The next run replays every line.
        let j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        let s = j.state();
        assert_eq!(s.call("a", "N0"), Some(CallState::Accepted));
        assert_eq!(s.call("b", "N0"), Some(CallState::Accepted));
        assert_eq!(s.provider_id("a", "N0"), Some("P1"));
        assert_eq!(s.call("d", "N0"), Some(CallState::NotTaken));
        assert_eq!(s.call("c", "N0"), Some(CallState::InDoubt));
    }

    #[test]
    fn a_second_opener_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let _held = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        assert!(matches!(
            Journal::open(&path, &c(), VS, "http://sandbox"),
            Err(JournalError::Locked(_))
        ));
    }

    /// A journal written by outdial before the provider seam (version 1: string kinds,
    /// numeric `errorid`, no provider) still reads, and is extended with version 2 lines.
    #[test]
    fn version_1_journals_still_read() {
        let v1 = include_str!("../../tests/fixtures/journal/v1-hello-sound.jsonl");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hello-sound.jsonl");
        fs::write(&path, v1).unwrap();
        let mut j = Journal::open(&path, "hello-sound", VS, "http://sandbox").unwrap();
        let s = j.state();
        // Version 1 kept state per call id: it still answers for any number.
        assert_eq!(
            s.call("hellosound8185550100", "8185550100"),
            Some(CallState::Accepted)
        );
        assert_eq!(s.send_seqs(), [2]);
        assert!(
            s.upload_accepted("69077e5fc8adcd647cdd238894bbc2a1877561f2a143f129a99960978d0652e1")
        );
        assert_eq!(j.next_attempt(), 3);
        let a = j
            .intent(
                Action::Pause,
                1,
                PostKind::Pause,
                "h",
                "h",
                Vec::new(),
                None,
            )
            .unwrap();
        j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
        drop(j);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(v1), "old lines are kept as they were");
        assert!(text.ends_with("\n"));
        let reopened = Journal::open(&path, "hello-sound", VS, "http://sandbox").unwrap();
        assert_eq!(reopened.next_attempt(), 4);
    }

    #[test]
    fn a_journal_of_another_provider_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        drop(Journal::open(&path, &c(), VS, "http://sandbox").unwrap());
        assert!(matches!(
            Journal::open(&path, &c(), ProviderName::Voicent, "http://sandbox"),
            Err(JournalError::OtherProvider { .. })
        ));
    }

    /// Two recipients sharing a call id (a household) are two calls: one accepted says
    /// nothing of the other.
    #[test]
    fn state_is_kept_per_recipient_not_per_call_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        let shared = vec![("home".to_string(), "8185550100".to_string())];
        let a = j
            .intent(Action::Send, 1, PostKind::Send, "h", "h", shared, None)
            .unwrap();
        j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
        let s = j.state();
        assert_eq!(s.call("home", "8185550100"), Some(CallState::Accepted));
        assert_eq!(s.call("home", "8185550101"), None);
        assert!(!s.maybe_taken("home", "8185550101"));
    }

    /// The intent of `send` call post `seq` (plan hash `h`) to `ids` at number N0.
    fn send_intent(j: &mut Journal, seq: usize, ids: &[&str]) -> u64 {
        j.intent(
            Action::Send,
            seq,
            PostKind::Send,
            "h",
            "h",
            calls(ids),
            None,
        )
        .unwrap()
    }

    fn written(lines: usize) -> (tempfile::TempDir, PathBuf, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let mut j = Journal::open(&path, &c(), VS, "http://sandbox").unwrap();
        for seq in 1..=lines {
            let a = send_intent(&mut j, seq, &["x"]);
            j.outcome(a, seq, Outcome::Accepted, Said::default())
                .unwrap();
        }
        drop(j);
        let text = fs::read_to_string(&path).unwrap();
        let lines = text.lines().map(str::to_owned).collect();
        (dir, path, lines)
    }

    fn tampered(path: &Path, lines: &[String]) -> JournalError {
        fs::write(path, lines.join("\n") + "\n").unwrap();
        let err = Journal::open(path, &c(), VS, "http://sandbox").unwrap_err();
        assert_eq!(
            read_state(path).unwrap_err().to_string(),
            err.to_string(),
            "plan and send agree"
        );
        err
    }

    #[test]
    fn edits_and_removed_lines_break_the_chain() {
        let (_dir, path, lines) = written(3);
        assert_eq!(lines.len(), 7);
        assert!(lines[1..].iter().all(|l| l.contains(r#""prev":""#)));
        // An intent removed: its outcome follows a line it was not written after.
        let mut cut = lines.clone();
        cut.remove(3);
        let err = tampered(&path, &cut);
        assert!(
            matches!(err, JournalError::Tampered { line: 4, .. }),
            "{err}"
        );
        // An outcome edited from accepted to not-sent.
        let mut edited = lines.clone();
        edited[2] = edited[2].replace("accepted", "not-sent");
        let err = tampered(&path, &edited);
        assert!(
            matches!(err, JournalError::Tampered { line: 4, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("changed by hand"), "{err}");
        // The chain intact, the file as written, reads again.
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        if let Err(e) = Journal::open(&path, &c(), VS, "http://sandbox") {
            panic!("the intact journal must open: {e}");
        }
    }

    #[test]
    fn an_outcome_without_its_intent_is_refused() {
        let (_dir, path, lines) = written(1);
        // Without the chain, the missing intent still shows.
        let unchained: Vec<String> = lines
            .iter()
            .map(|l| match l.find(r#","prev":""#) {
                Some(i) => format!("{}}}", &l[..i]),
                None => l.replace(r#""version":2"#, r#""version":1"#),
            })
            .collect();
        let err = tampered(&path, &[unchained[0].clone(), unchained[2].clone()]);
        assert!(err.to_string().contains("intent line is missing"), "{err}");
    }

    #[test]
    fn one_campaign_is_sent_by_one_process_from_a_folder_whatever_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("lock-test-{}", std::process::id());
        let held = Journal::open(&dir.path().join("a.jsonl"), &name, VS, "http://sandbox").unwrap();
        assert!(matches!(
            Journal::open(&dir.path().join("b.jsonl"), &name, VS, "http://sandbox"),
            Err(JournalError::CampaignBusy { .. })
        ));
        // The lock is next to the journal, and goes with the journal that held it.
        let lock = dir.path().join(format!("{name}.lock"));
        assert!(lock.exists());
        drop(held);
        assert!(!lock.exists(), "the lock file is removed on exit");
        let _again =
            Journal::open(&dir.path().join("b.jsonl"), &name, VS, "http://sandbox").unwrap();
    }
}
