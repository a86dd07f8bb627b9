//! `resolve`: settle calls in doubt from what a person found in the provider's own records.

use std::path::Path;
use std::time::Duration;

use super::{load, provider};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// The call ids a person found at the provider, and those they did not.
pub struct Ids<'a> {
    /// Found: never sent again.
    pub sent: &'a [String],
    /// Not found: the next `send` posts them.
    pub not_sent: &'a [String],
}

/// Records `ids.sent` as taken and `ids.not_sent` as not taken, in the campaign's journal;
/// `not_sent` only of posts at least `settle` old (`--now` stands for the present).
pub fn run(
    file: &Path,
    ids: Ids<'_>,
    endpoint: Option<&str>,
    settle: Duration,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let (campaign, _) = load::campaign(file, config, out)?;
    let journal = config.journal_path(file, &campaign.name);
    let clock = outdial::submit::SettleClock {
        now: config.now.unwrap_or_else(jiff::Timestamp::now),
        settle,
    };
    let state = super::journal::location(config, out)?;
    provider::resolve(&campaign, (&state, &journal), endpoint, ids, clock, out)
}
