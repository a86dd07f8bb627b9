//! `send`: upload the sounds, then the call batches; a re-run resumes.

use outdial::plan::Action;
use outdial::report::{Message, Sent};

use super::load;
use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Sends the campaign (or, with `--dry-run`, shows what would be sent).
pub fn run(
    target: &Target,
    allow_changed: bool,
    resend_in_doubt: bool,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    let context = Context::load(target, Action::Send, config, out)?;
    // Planned once: with a CSV, each plan is a full read of the file.
    let posts = load::posts(&context.campaign, Action::Send, out)?;
    if target.dry_run {
        return context.dry_run_send(&posts, out);
    }
    let summary = context.send(&posts, allow_changed, resend_in_doubt, out)?;
    out.show(Message::Sent(Sent {
        campaign: &context.campaign.name,
        provider: context.provider(),
        summary: &summary,
        journal: &context.journal,
    }));
    Ok(())
}
