//! Moving a campaign's journal between the local file and the state store (`outdial state
//! push` / `pull`): the records are copied as they are (their chain of hashes with them), the
//! two sides must agree on every record they both hold, and copying again copies nothing.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::JournalError;
use super::lock::LocalLock;
use super::record::Record;
use super::replay::replay;
use super::store::{open_store, store_path};
use crate::digest::sha256_hex;
use crate::provider::name::ProviderName;
use crate::state::PgLocation;
use crate::state::journal::CampaignId;

/// What a push or a pull did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Transfer {
    /// Records copied.
    pub copied: usize,
    /// Records both sides already held.
    pub shared: usize,
    /// Records only the destination holds (it is ahead: the other way copies them).
    pub ahead: usize,
}

/// Why a push or a pull was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// Reading, checking or writing a journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The two journals hold different records at the same place: they are two histories.
    #[error(
        "the journal {file} and the state store's {store} differ at record {record}: they record different sends, and neither can replace the other"
    )]
    Conflict {
        /// The local file.
        file: PathBuf,
        /// The store's journal, as errors name it.
        store: PathBuf,
        /// The 1-based record where they part.
        record: usize,
    },
    /// The local journal is of another campaign or provider.
    #[error("the journal {file} records campaign \"{found}\", not \"{expected}\"")]
    OtherCampaign {
        /// The local file.
        file: PathBuf,
        /// What it records.
        found: String,
        /// The campaign named.
        expected: String,
    },
}

/// The complete lines of a journal's bytes, checked as a journal is checked when it opens.
fn lines<'a>(path: &Path, bytes: &'a [u8]) -> Result<Vec<&'a [u8]>, JournalError> {
    let replayed = replay(path, bytes)?;
    Ok(bytes[..replayed.complete]
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .collect())
}

/// The number of leading records `a` and `b` share; an error where they part.
fn shared(a: &[&[u8]], b: &[&[u8]]) -> Result<usize, usize> {
    let n = a.len().min(b.len());
    match (0..n).find(|&i| a[i] != b[i]) {
        Some(i) => Err(i + 1),
        None => Ok(n),
    }
}

/// Checks that a local journal's first record names `campaign` (of `provider`, when it says).
fn check_open(
    file: &Path,
    first: Option<&&[u8]>,
    campaign: &str,
    provider: ProviderName,
) -> Result<(), TransferError> {
    if let Some(Ok(Record::Open {
        campaign: found,
        provider: found_provider,
        ..
    })) = first.map(|l| serde_json::from_slice::<Record>(l))
        && (found != campaign || found_provider.is_some_and(|p| p != provider))
    {
        return Err(TransferError::OtherCampaign {
            file: file.to_owned(),
            found,
            expected: campaign.to_owned(),
        });
    }
    Ok(())
}

/// Copies the records of the local journal at `file` that the store lacks into the store's
/// journal of `campaign` to `provider` at `endpoint`.
pub fn push(
    file: &Path,
    at: &PgLocation,
    campaign: &str,
    provider: ProviderName,
    endpoint: &str,
) -> Result<Transfer, TransferError> {
    let id = CampaignId::new(provider, endpoint, campaign);
    let _lock = LocalLock::take(file, campaign)?;
    let local_bytes = match fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(JournalError::Io {
                path: file.to_owned(),
                source,
            }
            .into());
        }
    };
    let local = lines(file, &local_bytes)?;
    check_open(file, local.first(), campaign, provider)?;
    let mut db = open_store(at, &id)?;
    let store = store_path(at, &id);
    let db_bytes = db.read().map_err(JournalError::from)?;
    let remote = lines(&store, &db_bytes)?;
    let n = shared(&local, &remote).map_err(|record| TransferError::Conflict {
        file: file.to_owned(),
        store: store.clone(),
        record,
    })?;
    for (i, line) in local.iter().enumerate().skip(n) {
        let hash = sha256_hex(line);
        db.append(i as i64 + 1, line, &hash)
            .map_err(JournalError::from)?;
    }
    Ok(Transfer {
        copied: local.len() - n,
        shared: n,
        ahead: remote.len() - n,
    })
}

/// Copies the records of the store's journal of `campaign` to `provider` at `endpoint` that
/// the local journal at `file` lacks into it (made if missing).
pub fn pull(
    file: &Path,
    at: &PgLocation,
    campaign: &str,
    provider: ProviderName,
    endpoint: &str,
) -> Result<Transfer, TransferError> {
    let id = CampaignId::new(provider, endpoint, campaign);
    let io_err = |source| JournalError::Io {
        path: file.to_owned(),
        source,
    };
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_err)?;
    }
    let _lock = LocalLock::take(file, campaign)?;
    let mut db = open_store(at, &id)?;
    let store = store_path(at, &id);
    let db_bytes = db.read().map_err(JournalError::from)?;
    let remote = lines(&store, &db_bytes)?;
    let local_bytes = match fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_err(e).into()),
    };
    let local = lines(file, &local_bytes)?;
    check_open(file, local.first(), campaign, provider)?;
    let n = shared(&local, &remote).map_err(|record| TransferError::Conflict {
        file: file.to_owned(),
        store,
        record,
    })?;
    if remote.len() > n {
        let mut out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .map_err(io_err)?;
        // A torn last line of the file (a killed run) is cut off first: no send followed it.
        let complete = local_bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        out.set_len(complete as u64).map_err(io_err)?;
        let mut text = Vec::new();
        for line in &remote[n..] {
            text.extend_from_slice(line);
            text.push(b'\n');
        }
        out.write_all(&text).map_err(io_err)?;
        out.sync_all().map_err(io_err)?;
    }
    Ok(Transfer {
        copied: remote.len() - n,
        shared: n,
        ahead: local.len() - n,
    })
}
