//! The local backend's send lock: `<campaign>.lock` in the journal's folder (`.outdial/`),
//! held while the journal is open and removed when it is closed, so one campaign is sent by
//! one outdial at a time from that folder whatever journal file each names.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use super::error::JournalError;

/// A held lock file; removed on drop.
#[derive(Debug)]
pub(super) struct LocalLock {
    path: PathBuf,
    _file: File,
}

impl LocalLock {
    /// Takes the lock of `campaign` next to the journal at `journal`, or says who has it.
    pub(super) fn take(journal: &Path, campaign: &str) -> Result<LocalLock, JournalError> {
        let dir = journal
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let path = dir.join(format!("{campaign}.lock"));
        let io_err = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        // A lock file removed by its holder between our open and our lock would be locked
        // by us but no longer be the file at `path`: try again on the new one.
        for _ in 0..100 {
            let file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(JournalError::CampaignBusy {
                        campaign: campaign.to_owned(),
                        lock: path,
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(io_err(e)),
            }
            if same_file(&file, &path) {
                return Ok(LocalLock { path, _file: file });
            }
        }
        Err(io_err(std::io::Error::other(
            "the lock file keeps being replaced",
        )))
    }
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Removed while still locked: whoever opens it next makes a new one.
        let _ = fs::remove_file(&self.path);
    }
}

/// Whether `file` is still the file at `path`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}
