//! Replaying a journal's lines: each line is parsed, its `prev` hash checked against the
//! line before it (the chain that shows lines removed, added or edited), and its record
//! applied to the state; a torn last line is left out.

use std::fs;
use std::io;
use std::path::Path;

use serde::Deserialize;

use super::error::JournalError;
use super::record::Record;
use super::state::JournalState;
use crate::digest::sha256_hex;

/// Why a journal's lines cannot be trusted as written.
#[derive(Debug)]
struct Broken {
    line: usize,
    why: String,
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
pub(super) fn records(bytes: &[u8]) -> impl Iterator<Item = Record> + '_ {
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
pub(super) struct Replayed {
    pub(super) state: JournalState,
    /// Bytes of complete lines (a torn last line is cut off).
    pub(super) complete: usize,
    /// The hash of the last complete line, which the next line records as `prev`.
    pub(super) last_hash: Option<String>,
}

/// Replays complete lines, checking the chain of hashes and that every outcome follows its
/// intent.
pub(super) fn replay(path: &Path, bytes: &[u8]) -> Result<Replayed, JournalError> {
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
