//! `diff`: what changed between two versions of a campaign.

use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::diff::{self, base};
use outdial::prepared::Prepared;
use outdial::report::{Checked, Diffed, Message};
use outdial::session::Session;

use super::session;
use crate::config::{Config, Old};
use crate::exit::Exit;
use crate::output::Report;

/// Compares the two versions: 0 the same, 2 different, 1 an error (either is invalid, or the
/// committed version cannot be read).
pub fn run(old: &Old, new: &Path, config: &Config, out: &dyn Report) -> Exit {
    compare(old, new, config, out).unwrap_or_else(|exit| exit)
}

fn compare(old: &Old, new: &Path, config: &Config, out: &dyn Report) -> Result<Exit, Exit> {
    // The checkout must outlive the old campaign: its CSV streams from there.
    let checkout;
    let (old_file, old_label) = match old {
        Old::File(path) => (path.as_path(), path.display().to_string()),
        Old::Base(_) if new == Path::new("-") => {
            out.show(Message::Problem(
                &Problem::error(
                    "usage::stdin",
                    "--base compares a campaign file with its committed version; standard input has none",
                )
                .help("give the campaign file's path"),
            ));
            return Err(Exit::Usage);
        }
        Old::Base(git_ref) => {
            checkout = base::at_ref(new, git_ref).map_err(|problem| {
                out.show(Message::Problem(&problem));
                Exit::Invalid
            })?;
            (checkout.file.as_path(), checkout.label.clone())
        }
    };
    let old_campaign = load(old_file, config, out);
    if old_campaign.is_err()
        && let Old::Base(git_ref) = old
    {
        // Its problems name the temporary copy; say which version that is.
        out.show(Message::Problem(
            &Problem::error(
                "diff::base-invalid",
                format!(
                    "{old_label} does not load: the problems above name its copy in {}",
                    old_file.parent().unwrap_or(old_file).display()
                ),
            )
            .help(format!(
                "fix it on the new side, or compare with another ref than {git_ref}"
            )),
        ));
    }
    let new_campaign = load(new, config, out);
    let (old_campaign, new_campaign) = (old_campaign?, new_campaign?);
    let diff = diff::diff(&old_campaign, &new_campaign).map_err(|problem| {
        out.show(Message::Problem(&problem));
        Exit::Invalid
    })?;
    for change in &diff.changes {
        out.show(Message::Change(change));
    }
    let send = what_send_does(new, new_campaign, config, out)?;
    out.show(Message::Diff(Diffed {
        old: &old_label,
        new: &new.display().to_string(),
        differs: diff.differs(),
        counts: diff.counts(),
        send: send.as_deref(),
    }));
    Ok(if diff.differs() {
        Exit::Differ
    } else {
        Exit::Ok
    })
}

/// What `send` would do with the new version, from the campaign's journal (computed as
/// `plan` and `send` compute it); `None` without a journal (never sent from here) or for
/// standard input.
fn what_send_does(
    new: &Path,
    campaign: Prepared,
    config: &Config,
    out: &dyn Report,
) -> Result<Option<String>, Exit> {
    if new == Path::new("-") {
        return Ok(None);
    }
    let settings = session::settings(new, &campaign.name, session::asking(None), config, out)?;
    Session::new(campaign, settings)
        .unsent_changes("diff::changes")
        .map_err(|e| session::fail(e, out))
}

/// Loads one version; its errors are reported (its warnings are `check`'s business, not a
/// difference).
fn load(file: &Path, config: &Config, out: &dyn Report) -> Result<Prepared, Exit> {
    outdial::load::load_with(file, &config.load)
        .map(|loaded| loaded.campaign)
        .map_err(|problems| {
            let (errors, warnings) = (problems.error_count(), problems.warning_count());
            for problem in problems.into_sorted() {
                out.show(Message::Problem(&problem));
            }
            out.show(Message::Checked(Checked::Invalid {
                file,
                errors,
                warnings,
            }));
            Exit::Invalid
        })
}
