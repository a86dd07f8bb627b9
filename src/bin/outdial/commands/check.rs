//! `check`: validate campaign files.

use std::path::PathBuf;

use outdial::plan::{self, Action};
use outdial::report::{Checked, Message};
use outdial::session;

use super::load;
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// Checks every file, reporting each; fails if any is invalid.
pub fn run(files: &[PathBuf], config: &Config, out: &dyn Report) -> Result<(), Exit> {
    let mut result = Ok(());
    for file in files {
        let Ok((campaign, warnings)) = load::campaign(file, config, out) else {
            result = Err(Exit::Invalid);
            continue;
        };
        // What `send` would refuse: a call id another campaign used.
        let refused = super::journal::location(config, out)
            .and_then(|state| super::session::refuse_callids_elsewhere(&campaign, &state, out));
        if let Err(exit) = refused {
            // An invalid file elsewhere in the list keeps its own code.
            result = result.and(Err(exit));
            continue;
        }
        out.show(Message::Checked(Checked::Valid {
            file,
            campaign: &campaign.name,
            recipients: campaign.stats.recipients,
            prompts: campaign.prompts.len(),
            sounds: campaign.sounds.len(),
            call_posts: plan::post_count(&campaign, Action::Send) - session::uploads(&campaign),
            batch_size: session::batch_size(&campaign),
            warnings,
            any_hour: campaign.any_hour,
        }));
    }
    result
}
