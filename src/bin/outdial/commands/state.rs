//! `state push` and `state pull`: copy a campaign's journal and results between its local
//! files (the journal, `results.db`) and the state store.

use std::path::Path;

use super::session::{self, fail};
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
    let session = session::open(file, session::asking(endpoint), config, out)?;
    session
        .transfer(&store, push, &|m| out.show(m))
        .map_err(|e| fail(e, out))
}
