//! An open journal: found or made, locked against a second sender, replayed, and checked
//! to belong to the campaign and provider being sent.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::error::JournalError;
use super::lock;
use super::record::{JOURNAL_VERSION, Record};
use super::replay::{Replayed, replay};
use super::state::JournalState;
use super::store::{LinesAt, Store, open_store, store_path};
use crate::provider::name::ProviderName;
use crate::state::PgLocation;
use crate::state::journal::CampaignId;

/// An open, locked journal that appends durable records.
#[derive(Debug)]
pub struct Journal {
    /// The file, or the store and campaign as errors name them.
    pub(super) path: PathBuf,
    pub(super) store: Store,
    pub(super) state: JournalState,
    /// The hash of the last line, recorded by the next one.
    pub(super) last_hash: Option<String>,
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
        let mut db = open_store(at, &id)?;
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
    pub(super) fn bytes(&mut self) -> Result<Vec<u8>, JournalError> {
        self.store.read(&self.path)
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where this journal's lines are read again.
    pub fn lines_at(&self) -> LinesAt<'_> {
        self.store.lines_at(&self.path)
    }

    /// The replayed state, kept up to date by [`append`](Self::append).
    pub fn state(&self) -> &JournalState {
        &self.state
    }

    /// A fresh attempt number for an [`Record::Intent`].
    pub fn next_attempt(&self) -> u64 {
        self.state.next_attempt
    }
}
