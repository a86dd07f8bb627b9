//! `state push` and `state pull`: copy a campaign's journal and results between its local
//! files (the journal, `results.db`) and the state store. Push lets a runner with no
//! `.outdial` folder (a fresh CI checkout) resume from the store, and `report` from anywhere
//! show what `listen` stored locally; pull keeps a copy or goes back to local state.

use crate::diagnostic::Problem;
use crate::journal::{self, JournalError, TransferError};
use crate::report::{Message, Transferred};
use crate::results::{self, MoveError, Moved, StoreError};
use crate::state::PgLocation;

use super::error::{Error, Kind};
use super::journal::ensure_usable;
use super::value::{Session, Sink};

impl Session {
    /// Copies what the destination lacks (the local files to `store` when `push`, else the
    /// other way); refuses records that differ at the same place. Emits what was copied.
    pub fn transfer(&self, store: &PgLocation, push: bool, sink: Sink<'_>) -> Result<(), Error> {
        let campaign = &self.campaign;
        let path = &self.settings.journal;
        ensure_usable(path)?;
        let name = campaign.provider().name();
        let endpoint = self.first_endpoint();
        let (copied, direction) = if push {
            let copied = journal::push(path, store, &campaign.name, name, &endpoint);
            (copied, "push")
        } else {
            let copied = journal::pull(path, store, &campaign.name, name, &endpoint);
            (copied, "pull")
        };
        let counts = copied.map_err(transfer_failed)?;
        let results = self.copy_results(push, store).map_err(results_failed)?;
        sink(Message::Transferred(Transferred {
            campaign: &campaign.name,
            direction,
            file: path,
            store: &store.shown(),
            counts,
            results,
        }));
        Ok(())
    }

    /// Copies the campaign's results between the results store next to the campaign file and
    /// the state store's, in the direction of the journal.
    fn copy_results(&self, push: bool, store: &PgLocation) -> Result<Moved, MoveError> {
        let (campaign, provider) = (&self.campaign.name, self.campaign.provider().name().key());
        let local = results::default_db(&self.settings.file);
        let pg = results::PgResults::open(store)?;
        if push {
            results::push_results(&local, &pg, provider, campaign)
        } else {
            results::pull_results(&pg, &local, provider, campaign)
        }
    }
}

/// A refused journal copy: the store unreachable is [`Kind::State`], like the network;
/// anything else (a conflict, a damaged journal) is invalid.
fn transfer_failed(e: TransferError) -> Error {
    let help = match &e {
        TransferError::Conflict { .. } => {
            "the two journals record different sends of this campaign: keep the one that is right (see `outdial plan`), move the other aside, and copy again"
        }
        TransferError::Journal(JournalError::Store(_)) => {
            "run again once the state store is reachable; nothing was changed that a re-run does not finish"
        }
        _ => "the journal records what was sent; see `--journal`",
    };
    let problem = Problem::error("state::transfer", e.to_string()).help(help);
    match e {
        TransferError::Journal(JournalError::Store(s)) => Error::problem(problem, Kind::State(s)),
        _ => Error::problem(problem, Kind::Invalid),
    }
}

/// Results that were not copied: the store unreachable is [`Kind::State`], anything else
/// invalid.
fn results_failed(e: MoveError) -> Error {
    let help = match &e {
        MoveError::Conflict(_) => {
            "the journal is copied, the results are not: see which word is right with `outdial report` on each side, correct or remove the wrong row, and copy again"
        }
        MoveError::Store(_) => "run again once the store is reachable; copying again finishes it",
    };
    let problem = Problem::error("state::transfer", e.to_string()).help(help);
    match e {
        MoveError::Store(StoreError::State(s)) => Error::problem(problem, Kind::State(s)),
        _ => Error::problem(problem, Kind::Invalid),
    }
}
