//! `pause`, `resume`, `delete`, `sounds [--delete]`, `ping`: one action's posts.

use outdial::plan::Action;
use outdial::report::{Done, Message, Note};

use super::load;
use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Posts the action's plan (or, with `--dry-run`, shows it).
pub fn run(target: &Target, action: Action, config: &Config, out: &dyn Report) -> Result<(), Exit> {
    let context = Context::load(target, action, config, out)?;
    let posts = load::posts(&context.campaign, action, out)?;
    if target.dry_run {
        return context.dry_run(&posts, out);
    }
    if posts.is_empty() {
        out.show(Message::Note(Note::NothingToDo {
            campaign: &context.campaign.name,
            action,
        }));
        return Ok(());
    }
    let posts = context.command(action, &posts, out)?;
    out.show(Message::Done(Done {
        campaign: &context.campaign.name,
        provider: context.provider(),
        action,
        posts,
    }));
    Ok(())
}
