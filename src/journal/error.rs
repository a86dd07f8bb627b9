//! Why a journal could not be used: every way opening, reading, checking or writing one
//! fails, worded for the person who has to act on it.

use std::io;
use std::path::PathBuf;

use crate::provider::name::ProviderName;
use crate::state::StateError;
use crate::state::journal::Holder;

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
