//! Loading a campaign, with its problems reported.

use std::path::Path;

use outdial::diagnostic::Problems;
use outdial::prepared::Prepared;
use outdial::report::{Checked, Message};

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Loads a campaign, reporting its warnings, or its problems and a failed check; with the
/// number of warnings reported.
pub fn campaign(file: &Path, config: &Config, out: &dyn Report) -> Result<(Prepared, usize), Exit> {
    match outdial::load::load_with(file, &config.load) {
        Ok(loaded) => {
            let warnings = loaded.warnings.warning_count();
            report(loaded.warnings, out);
            Ok((loaded.campaign, warnings))
        }
        Err(problems) => {
            let (errors, warnings) = (problems.error_count(), problems.warning_count());
            report(problems, out);
            out.show(Message::Checked(Checked::Invalid {
                file,
                errors,
                warnings,
            }));
            Err(Exit::Invalid)
        }
    }
}

fn report(problems: Problems, out: &dyn Report) {
    for problem in problems.into_sorted() {
        out.show(Message::Problem(&problem));
    }
}
