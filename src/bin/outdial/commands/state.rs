//! `state push` and `state pull`: copy a campaign's journal between its local file and the
//! state store. Push lets a runner with no `.outdial` folder (a fresh CI checkout) resume from
//! the store; pull keeps a copy or goes back to local state.

use std::path::Path;

use outdial::journal;
use outdial::report::{Message, Transferred};

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
    out.show(Message::Transferred(Transferred {
        campaign: &campaign.name,
        direction,
        file: &path,
        store: &store.shown(),
        counts,
    }));
    Ok(())
}
