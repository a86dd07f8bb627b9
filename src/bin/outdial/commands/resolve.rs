//! `resolve`: settle calls in doubt from what a person found in the provider's own records.

use std::path::Path;
use std::time::Duration;

use super::session::{self, fail};
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
    let session = session::open(file, session::asking(endpoint), config, out)?;
    session
        .resolve(ids.sent, ids.not_sent, settle, &|m| out.show(m))
        .map_err(|e| fail(e, out))
}
