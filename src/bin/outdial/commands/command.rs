//! `pause`, `resume`, `delete`, `sounds [--delete]`, `ping`: one action's posts.

use outdial::plan::Action;

use super::session::{self, fail};
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Posts the action's plan (or, with `--dry-run`, shows it).
pub fn run(target: &Target, action: Action, config: &Config, out: &dyn Report) -> Result<(), Exit> {
    let network = target.network.clone();
    let session = session::open(&target.file, network, config, out)?;
    session
        .connect(action)
        .and_then(|connection| connection.act(action, target.dry_run, &|m| out.show(m)))
        .map_err(|e| fail(e, out))
}
