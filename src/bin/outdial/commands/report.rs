//! `report`: each recipient of a campaign joined with its journal and the results store:
//! reached, not reached, pending, in doubt or never sent; the counts; optionally an HTML page
//! and the CSV of the recipients to try again.

use std::path::Path;

use outdial::session::ReportFiles;

use super::session::{self, fail};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Where `report` writes besides stdout.
pub struct Files<'a> {
    /// `--db`.
    pub db: Option<&'a Path>,
    /// `--html`.
    pub html: Option<&'a Path>,
    /// `--retry`.
    pub retry: Option<&'a Path>,
    /// `--unmatched`: list the unmatched posts instead of the report.
    pub unmatched: bool,
}

/// Reports every recipient, then the counts; writes the HTML page and the retry CSV.
pub fn run(file: &Path, files: Files<'_>, config: &Config, out: &dyn Report) -> Result<(), Exit> {
    // The journal of the campaign at its provider's own endpoint.
    let session = session::open(file, session::asking(None), config, out)?;
    let files = ReportFiles {
        db: &Config::db_path(file, files.db),
        html: files.html,
        retry: files.retry,
        unmatched: files.unmatched,
    };
    session
        .report(files, &|m| out.show(m))
        .map_err(|e| fail(e, out))
}
