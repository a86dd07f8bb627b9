//! `plan`: what `send` would do, and what the journal says is done.

use std::path::Path;

use outdial::session::PlanOptions;

use super::session::{self, fail};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// The choices of `plan` besides its file.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Save the plan here.
    pub save: Option<&'a Path>,
    /// The endpoint the plan is for, instead of the campaign's.
    pub endpoint: Option<&'a str>,
    /// Never ask the provider whether a call is still pending.
    pub offline: bool,
    /// Exit 0 when there is nothing to send, 2 when there is; an error ends in its own code.
    pub detailed_exitcode: bool,
}

/// Runs `plan`; with `--detailed-exitcode` the exit says whether `send` has anything to do
/// (terraform's contract: 0 nothing, 2 something; an error keeps its own code, none of which
/// is 2).
pub fn run(file: &Path, options: Options<'_>, config: &Config, out: &dyn Report) -> Exit {
    let planned = plan(file, options, config, out);
    match (options.detailed_exitcode, planned) {
        (false, planned) => planned.map(|_| ()).into(),
        (true, Ok(false)) => Exit::Ok,
        (true, Ok(true)) => Exit::Pending,
        (true, Err(exit)) => exit,
    }
}

/// Shows the plan (saving it with `save`, for `endpoint`, else the campaign's own); whether
/// `send` would post anything.
fn plan(
    file: &Path,
    options: Options<'_>,
    config: &Config,
    out: &dyn Report,
) -> Result<bool, Exit> {
    let session = session::open(file, session::asking(options.endpoint), config, out)?;
    let options = PlanOptions {
        save: options.save,
        offline: options.offline,
    };
    session
        .plan(options, &|m| out.show(m))
        .map_err(|e| fail(e, out))
}
