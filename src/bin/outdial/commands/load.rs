//! Loading a campaign and planning its posts, with the problems reported.

use std::path::Path;

use outdial::diagnostic::{Problem, Problems};
use outdial::load;
use outdial::plan::Post;
use outdial::prepared::Prepared;
use outdial::report::{Checked, Message};

use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Loads a campaign, reporting its warnings, or its problems and a failed check; with the
/// number of warnings reported.
pub fn campaign(file: &Path, config: &Config, out: &dyn Report) -> Result<(Prepared, usize), Exit> {
    match load::load_with(file, &config.load) {
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

/// One post of a streamed plan; a planning problem is reported and ends the command.
pub fn planned<'c>(post: Result<Post<'c>, Problem>, out: &dyn Report) -> Result<Post<'c>, Exit> {
    post.map_err(|problem| {
        out.show(Message::Problem(&problem));
        Exit::Invalid
    })
}
