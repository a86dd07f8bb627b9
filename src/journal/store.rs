//! Where a journal's lines are kept: a local file next to the campaign (synced after each
//! line, locked for one sender) or a campaign's rows in a PostgreSQL database (see
//! [`crate::state::journal`], which holds the bytes and knows nothing of records).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::JournalError;
use super::lock::LocalLock;
use super::replay::replay;
use super::state::JournalState;
use crate::provider::name::ProviderName;
use crate::state::PgLocation;
use crate::state::journal::{CampaignId, OpenError, StoreJournal};

/// Where a journal's records go.
#[derive(Debug)]
pub(super) enum Store {
    /// A local file, synced after each line.
    File {
        file: File,
        /// Held while the journal is open: one campaign is sent by one outdial at a time.
        _lock: LocalLock,
    },
    /// A campaign in a PostgreSQL database, each record committed before the next step.
    Db {
        journal: Box<StoreJournal>,
        /// Records so far: the next is numbered one more.
        records: i64,
    },
}

impl Store {
    /// The lines as they are stored now (`path` names the journal in errors).
    pub(super) fn read(&mut self, path: &Path) -> Result<Vec<u8>, JournalError> {
        match self {
            Store::File { .. } => fs::read(path).map_err(|source| JournalError::Io {
                path: path.to_owned(),
                source,
            }),
            Store::Db { journal, .. } => Ok(journal.read()?),
        }
    }

    /// Appends one line (without its line break) whose hash is `hash`, durable when this
    /// returns: synced to disk, or committed.
    pub(super) fn write_line(
        &mut self,
        path: &Path,
        mut line: Vec<u8>,
        hash: &str,
    ) -> Result<(), JournalError> {
        match self {
            Store::File { file, .. } => {
                line.push(b'\n');
                let io_err = |source| JournalError::Io {
                    path: path.to_owned(),
                    source,
                };
                file.write_all(&line).map_err(io_err)?;
                file.sync_data().map_err(io_err)?;
            }
            Store::Db { journal, records } => {
                // Committed when it returns: the database has it before the post leaves.
                journal.append(*records + 1, &line, hash)?;
                *records += 1;
            }
        }
        Ok(())
    }

    /// Where these lines are read again (`path`: the local file's).
    pub(super) fn lines_at<'a>(&'a self, path: &'a Path) -> LinesAt<'a> {
        match self {
            Store::File { .. } => LinesAt::File(path),
            Store::Db { journal, .. } => {
                let (at, key) = journal.at_key();
                LinesAt::Store(at, key.to_owned())
            }
        }
    }
}

/// Opens the campaign's journal in the store at `at`, taking its lock there (refused at
/// once, naming its holder, when another runner has it).
pub(super) fn open_store(at: &PgLocation, id: &CampaignId) -> Result<StoreJournal, JournalError> {
    StoreJournal::open(at, id).map_err(|e| match e {
        OpenError::Busy(holder) => JournalError::StoreBusy {
            campaign: id.campaign.clone(),
            store: at.shown(),
            holder,
        },
        OpenError::Store(e) => JournalError::Store(e),
    })
}

/// The default journal of a campaign: `.outdial/<campaign>.jsonl` next to the campaign file.
pub fn default_path(campaign_file: &Path, campaign_name: &str) -> PathBuf {
    campaign_file
        .parent()
        .unwrap_or(Path::new("."))
        .join(".outdial")
        .join(format!("{campaign_name}.jsonl"))
}

/// How errors name a campaign's journal in the store at `at`.
pub(super) fn store_path(at: &PgLocation, id: &CampaignId) -> PathBuf {
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
