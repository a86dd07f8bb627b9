//! `state pull`: copies a campaign's journal in the state store into its local file, to keep
//! a copy or to go back to local state.

use std::path::Path;

use outdial::journal;
use outdial::report::{Message, Transferred};

use super::{load, provider};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Copies what the destination lacks; refuses records that differ at the same place.
pub fn run(
    file: &Path,
    endpoint: Option<&str>,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let store = super::journal::store(config, out)?;
    let (campaign, _) = load::campaign(file, config, out)?;
    let path = config.journal_path(file, &campaign.name);
    super::journal::ensure_usable(&path, out)?;
    let counts = journal::pull(
        &path,
        &store,
        &campaign.name,
        campaign.provider().name(),
        &provider::endpoint(&campaign, endpoint),
    )
    .map_err(|e| super::journal::transfer_failed(&e, out))?;
    out.show(Message::Transferred(Transferred {
        campaign: &campaign.name,
        direction: "pull",
        file: &path,
        store: &store.shown(),
        counts,
    }));
    Ok(())
}
