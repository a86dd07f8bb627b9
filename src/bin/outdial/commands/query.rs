//! `query`: who was reached, who was not, who is pending; kept in the results store.

use std::path::Path;

use outdial::plan::Action;
use outdial::report::Message;

use super::session::{self, fail};
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Queries every recipient and reports each, then the counts; stores the results in `db`
/// (default: the campaign's results store).
pub fn run(
    target: &Target,
    db: Option<&Path>,
    all: bool,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let action = if all { Action::QueryAll } else { Action::Query };
    let network = target.network.clone();
    let session = session::open(&target.file, network, config, out)?;
    let sink = |m: Message<'_>| out.show(m);
    let connection = session.connect(action).map_err(|e| fail(e, out))?;
    let queried = if target.dry_run {
        connection.dry_run(action, &sink)
    } else {
        connection.query_and_store(all, &Config::db_path(&target.file, db), &sink)
    };
    queried.map_err(|e| fail(e, out))
}
