//! `resolve`: settle calls in doubt from what a person found in the provider's own records.

use std::path::Path;

use super::{load, provider};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Records `sent` as taken and `not_sent` as not taken, in the campaign's journal.
pub fn run(
    file: &Path,
    sent: &[String],
    not_sent: &[String],
    endpoint: Option<&str>,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let (campaign, _) = load::campaign(file, config, out)?;
    let journal = config.journal_path(file, &campaign.name);
    provider::resolve(&campaign, &journal, endpoint, sent, not_sent, out)
}
