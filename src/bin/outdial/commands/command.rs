//! `pause`, `resume`, `delete`, `sounds [--delete]`, `ping`: one action's posts.

use outdial::plan::{self, Action};
use outdial::report::{Done, Message, Note, Removed};

use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// Posts the action's plan (or, with `--dry-run`, shows it).
pub fn run(target: &Target, action: Action, config: &Config, out: &dyn Report) -> Result<(), Exit> {
    let context = Context::load(target, action, config, out)?;
    if context.by_id() {
        return by_id(&context, target, action, out);
    }
    if target.dry_run {
        return context.dry_run(action, out);
    }
    // Counted from loading: the plan is streamed, never held whole.
    if plan::post_count(&context.campaign, action) == 0 {
        out.show(Message::Note(Note::NothingToDo {
            campaign: &context.campaign.name,
            action,
        }));
        return Ok(());
    }
    let posts = context.command(action, out)?;
    out.show(Message::Done(Done {
        campaign: &context.campaign.name,
        provider: context.provider(),
        action,
        posts,
    }));
    Ok(())
}

/// `delete` and `ping` at a provider that knows calls only by the ids it gave them: one
/// request per call, with the ids the journal kept.
fn by_id(
    context: &Context<'_>,
    target: &Target,
    action: Action,
    out: &dyn Report,
) -> Result<(), Exit> {
    if target.dry_run {
        return context.dry_run_by_id(action, out);
    }
    match action {
        Action::Ping => {
            context.ping_by_id(out)?;
            out.show(Message::Note(Note::Answered {
                campaign: &context.campaign.name,
                provider: context.provider(),
            }));
        }
        _ => {
            let removal = context.delete_by_id(out)?;
            out.show(Message::Removed(Removed {
                campaign: &context.campaign.name,
                provider: context.provider(),
                action,
                removal: &removal,
            }));
        }
    }
    Ok(())
}
