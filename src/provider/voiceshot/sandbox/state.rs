//! What the sandbox remembers: accepted calls (compact, see [`Calls`]), uploaded sound files,
//! paused campaigns; and its persistence as one JSON file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::call::SandboxCall;
use super::store::Calls;

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
