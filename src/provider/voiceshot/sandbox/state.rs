//! What the sandbox remembers: accepted calls (compact, see [`Calls`]), uploaded sound files,
//! paused campaigns; and its persistence as one JSON file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::store::Calls;

/// Where a call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallStatus {
    /// Accepted, not yet dialled.
    Pending,
    /// Held by action 7 on its menuid; action 8 makes it pending again.
    Paused,
    /// Removed by action 2 before it was dialled; never dialled, never returned by queries.
    Deleted,
    /// Dialled and answered (by a person or a machine).
    Successful,
    /// Dialled and not answered (no answer, busy).
    Unsuccessful,
}

impl CallStatus {
    /// The `status` text the Call Query reply carries.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Pending => "Pending",
            CallStatus::Paused => "Paused",
            CallStatus::Deleted => "Deleted",
            CallStatus::Successful => "Successful",
            CallStatus::Unsuccessful => "Unsuccessful",
        }
    }

    /// Whether the call can still be paused or deleted (it has not been dialled).
    pub fn is_undialled(self) -> bool {
        matches!(self, CallStatus::Pending | CallStatus::Paused)
    }
}

/// One `<prompt>` as the call will use it (per-number prompts override campaign-level ones
/// with the same promptid).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPrompt {
    /// The API prompt id.
    pub promptid: u32,
    /// Text to speak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tts: Option<String>,
    /// Sound file to play.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Number to transfer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferto: Option<String>,
    /// SMS text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txt: Option<String>,
}

/// One call accepted by an action-0 post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxCall {
    /// Acceptance order, unique across the sandbox's life (also across restarts with a state file).
    pub seq: u64,
    /// The number of the POST that carried it (see [`super::Faults`]); 0 if unknown.
    pub request: u32,
    /// The campaign it was posted to.
    pub menuid: String,
    /// The number to call.
    pub number: String,
    /// The caller's call id; empty when none was given.
    pub callid: String,
    /// The caller ID in force: the number's own, else the campaign's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callerid: Option<String>,
    /// The requested delivery time, as posted (`M/D/YYYY h:mm AM/PM`, read as UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateandtime: Option<String>,
    /// Extension to dial once connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Prompts in promptid order.
    pub prompts: Vec<SandboxPrompt>,
    /// Where the call stands.
    pub status: CallStatus,
    /// Outcome detail: `Human Answer`, `Answering Machine`, `No Answer`, `Busy`; empty before.
    pub comment: String,
    /// Seconds on the line, once dialled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// When it was dialled (`M/D/YYYY h:mm:ss AM/PM`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialled_at: Option<String>,
    /// `(promptid, keypress)` per prompt reached.
    #[serde(default)]
    pub keypresses: Vec<(u32, String)>,
    /// Unix time in milliseconds at which a pending call gets its outcome.
    pub due_unix_ms: u64,
}

/// A stored sound file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredFile {
    pub(crate) size: usize,
    /// The WAV bytes, base64 (standard alphabet, padded).
    pub(crate) base64: String,
}

/// Everything the sandbox holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) calls: Calls,
    pub(crate) files: BTreeMap<String, StoredFile>,
    /// menuids on which action 7 is in force.
    pub(crate) paused: BTreeSet<String>,
    pub(crate) next_seq: u64,
}

/// The state file: every call as a query would show it when the file was written.
#[derive(Default, Serialize, Deserialize)]
struct Persisted {
    calls: Vec<SandboxCall>,
    files: BTreeMap<String, StoredFile>,
    paused: BTreeSet<String>,
    next_seq: u64,
}

impl State {
    /// Loads the state file; a missing file is an empty state, a corrupt one an error (a
    /// sandbox that silently forgot its calls would make fault tests lie).
    pub(crate) fn load(path: &Path) -> io::Result<State> {
        let persisted: Persisted = match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("sandbox state {}: {e}", path.display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Persisted::default(),
            Err(e) => return Err(e),
        };
        let mut calls = Calls::default();
        calls.extend(&persisted.calls)?;
        Ok(State {
            calls,
            files: persisted.files,
            paused: persisted.paused,
            next_seq: persisted.next_seq,
        })
    }

    /// Every call as a query would show it at `now` (outcomes from `seed` and
    /// `success_rate`), in acceptance order.
    pub(crate) fn views(
        &self,
        seed: u64,
        success_rate: f64,
        now: u64,
    ) -> io::Result<Vec<SandboxCall>> {
        (0..self.calls.len())
            .map(|i| self.calls.view(i, seed, success_rate, now))
            .collect()
    }

    /// Writes the state (calls as [`views`](Self::views) shows them) to a temporary sibling,
    /// syncs it and renames it over `path`, so a crash leaves either the old or the new
    /// state, never half of one.
    pub(crate) fn save(
        &self,
        path: &Path,
        seed: u64,
        success_rate: f64,
        now: u64,
    ) -> io::Result<()> {
        let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
        tmp_name.push(".tmp");
        let tmp = path.with_file_name(tmp_name);
        let persisted = Persisted {
            calls: self.views(seed, success_rate, now)?,
            files: self.files.clone(),
            paused: self.paused.clone(),
            next_seq: self.next_seq,
        };
        let bytes = serde_json::to_vec_pretty(&persisted).map_err(io::Error::other)?;
        let mut file = fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    }
}
