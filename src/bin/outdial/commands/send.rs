//! `send`: upload the sounds, then the call batches; a re-run resumes. A real send says what
//! it is about to do and asks first (unless `--yes`).

use std::io::{self, IsTerminal};
use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::plan::Action;
use outdial::report::{Intent, Message, Note};
use outdial::saved_plan;
use outdial::session::{Error, Kind, SendChoices};

use super::session::{self, fail};
use crate::config::{Config, Target};
use crate::exit::Exit;
use crate::output::Report;

/// The choices of `send` besides its target.
#[derive(Debug, Clone, Copy)]
pub struct Choices<'a> {
    /// Send only call ids never sent although posts changed.
    pub allow_changed: bool,
    /// Post calls in doubt again.
    pub resend_in_doubt: bool,
    /// Send although an empty journal's campaign shows signs of an earlier send.
    pub never_sent: bool,
    /// Do not ask first.
    pub yes: bool,
    /// Call posts in flight at once.
    pub concurrency: usize,
    /// Send only if the campaign compiles to this saved plan's posts.
    pub plan: Option<&'a Path>,
}

/// Sends the campaign (or, with `--dry-run`, shows what would be sent).
pub fn run(
    target: &Target,
    choices: Choices<'_>,
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
    if choices.allow_changed {
        out.show(Message::Problem(
            &Problem::warning(
                "send::allow-changed",
                "--allow-changed is deprecated and does nothing: an edited campaign converges",
            )
            .help("drop the flag; `outdial plan FILE` shows what the edit changes at the provider"),
        ));
    }
    let saved_plan = choices
        .plan
        .map(saved_plan::read)
        .transpose()
        .map_err(|problem| fail(problem.into(), out))?;
    let network = target.network.clone();
    let session = session::open(&target.file, network, config, out)?;
    let connection = session.connect(Action::Send).map_err(|e| fail(e, out))?;
    let confirm = |intent: &Intent<'_>| confirm(choices.yes, intent, out);
    let send = SendChoices {
        resend_in_doubt: choices.resend_in_doubt,
        never_sent: choices.never_sent,
        concurrency: choices.concurrency,
        plan: saved_plan.as_ref().zip(choices.plan),
        dry_run: target.dry_run,
    };
    connection
        .send(send, &confirm, &|m| out.show(m))
        .map_err(|e| fail(e, out))
}

/// Goes on when `yes` (saying what changes at the provider) or when the person at the
/// terminal says so.
fn confirm(yes: bool, intent: &Intent<'_>, out: &dyn Report) -> Result<(), Error> {
    if yes {
        out.show(Message::Note(Note::Converging {
            changes: intent.changes,
        }));
        return Ok(());
    }
    match out.confirm(intent) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::Declined),
        Err(e) => Err(Error::Problem(
            Box::new(Problem::error(
                "usage::confirm",
                format!("cannot read the answer: {e}"),
            )),
            Kind::Usage,
        )),
    }
}
