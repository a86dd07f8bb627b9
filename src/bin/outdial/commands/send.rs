//! `send`: upload the sounds, then the call batches; a re-run resumes. A real send says what
//! it is about to do and asks first (unless `--yes`).

use std::io::{self, IsTerminal};

use outdial::diagnostic::Problem;
use outdial::plan::Action;
use outdial::report::{Intent, Message, Sent};

use super::load;
use super::provider::Context;
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// The choices of `send` besides its target.
#[derive(Debug, Clone, Copy)]
pub struct Choices {
    /// Send only call ids never sent although posts changed.
    pub allow_changed: bool,
    /// Post calls in doubt again.
    pub resend_in_doubt: bool,
    /// Do not ask first.
    pub yes: bool,
}

/// Sends the campaign (or, with `--dry-run`, shows what would be sent).
pub fn run(
    target: &Target,
    choices: Choices,
    config: &Config,
    out: &dyn Report,
) -> Result<(), Exit> {
    // Nobody can answer the question: refuse before anything is read, opened or posted.
    if !target.dry_run && !choices.yes && !io::stdin().is_terminal() {
        out.show(Message::Problem(
            &Problem::error(
                "usage::confirm",
                "`send` asks before it calls anyone, and stdin is not a terminal to answer on",
            )
            .help("pass --yes to send without asking (CI, scripts), or --dry-run to see what would be sent"),
        ));
        return Err(Exit::Usage);
    }
    let context = Context::load(target, Action::Send, config, out)?;
    // Planned once: with a CSV, each plan is a full read of the file.
    let posts = load::posts(&context.campaign, Action::Send, out)?;
    if target.dry_run {
        return context.dry_run_send(&posts, out);
    }
    let confirm = |intent: &Intent<'_>| {
        if choices.yes {
            return Ok(());
        }
        match out.confirm(intent) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Exit::Invalid),
            Err(e) => {
                out.show(Message::Problem(&Problem::error(
                    "usage::confirm",
                    format!("cannot read the answer: {e}"),
                )));
                Err(Exit::Usage)
            }
        }
    };
    let summary = context.send(
        &posts,
        choices.allow_changed,
        choices.resend_in_doubt,
        &confirm,
        out,
    )?;
    out.show(Message::Sent(Sent {
        campaign: &context.campaign.name,
        provider: context.provider(),
        summary: &summary,
        journal: &context.journal,
    }));
    Ok(())
}
