//! `state push` and `state pull`: copy a campaign's journal and results between its local
//! files (the journal, `results.db`) and the state store. Push lets a runner with no
//! `.outdial` folder (a fresh CI checkout) resume from the store, and `report` from anywhere
//! show what `listen` stored locally; pull keeps a copy or goes back to local state.

use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::journal;
use outdial::report::{Message, Transferred};
use outdial::results::{self, MoveError, Moved, StoreError};

use super::{load, provider};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Copies what the destination lacks (file to store when `push`, else store to file);
/// refuses records that differ at the same place.
pub fn run(
    push: bool,
    file: &Path,
    endpoint: Option<&str>,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let store = super::journal::store(config, out)?;
    let (campaign, _) = load::campaign(file, config, out)?;
    let path = config.journal_path(file, &campaign.name);
    super::journal::ensure_usable(&path, out)?;
    let name = campaign.provider().name();
    let endpoint = provider::endpoint(&campaign, endpoint);
    let (copied, direction) = if push {
        let copied = journal::push(&path, &store, &campaign.name, name, &endpoint);
        (copied, "push")
    } else {
        let copied = journal::pull(&path, &store, &campaign.name, name, &endpoint);
        (copied, "pull")
    };
    let counts = copied.map_err(|e| super::journal::transfer_failed(&e, out))?;
    let results = copy_results(push, file, &store, &campaign.name, name.key())
        .map_err(|e| results_failed(&e, out))?;
    out.show(Message::Transferred(Transferred {
        campaign: &campaign.name,
        direction,
        file: &path,
        store: &store.shown(),
        counts,
        results,
    }));
    Ok(())
}

/// Copies the campaign's results between the results store next to `file` and the state
/// store's, in the direction of the journal.
fn copy_results(
    push: bool,
    file: &Path,
    store: &outdial::state::PgLocation,
    campaign: &str,
    provider: &str,
) -> Result<Moved, MoveError> {
    let local = results::default_db(file);
    let pg = results::PgResults::open(store)?;
    if push {
        results::push_results(&local, &pg, provider, campaign)
    } else {
        results::pull_results(&pg, &local, provider, campaign)
    }
}

/// Reports results that were not copied; the store unreachable is 4, anything else 1.
fn results_failed(e: &MoveError, out: &dyn Report) -> Exit {
    let help = match e {
        MoveError::Conflict(_) => {
            "the journal is copied, the results are not: see which word is right with `outdial report` on each side, correct or remove the wrong row, and copy again"
        }
        MoveError::Store(_) => "run again once the store is reachable; copying again finishes it",
    };
    out.show(Message::Problem(
        &Problem::error("state::transfer", e.to_string()).help(help),
    ));
    match e {
        MoveError::Store(StoreError::State(s)) => Exit::from(s),
        _ => Exit::Invalid,
    }
}
