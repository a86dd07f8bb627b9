//! `send`: upload the sounds, then the call batches; a re-run resumes. A real send says what
//! it is about to do and asks first (unless `--yes`).

use std::io::{self, IsTerminal};
use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::plan::{self, Action};
use outdial::report::{Intent, Message, Note, Sent};

use super::provider::Context;
use super::{load, saved};
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
        .map(|path| saved::read(path, out))
        .transpose()?;
    let context = Context::load(target, Action::Send, config, out)?;
    // Before anything is opened or posted, as `plan` and `check` show it.
    super::journal::refuse_callids_elsewhere(&context.campaign, &context.state, out)?;
    if let (Some(saved_plan), Some(path)) = (&saved_plan, choices.plan) {
        // Before anything is opened or asked: the reviewed plan is what goes out, or nothing.
        // The plan is streamed here and again by the send: one post's hash is kept per post,
        // never the posts.
        let mut hashes = Vec::new();
        for post in plan::posts(&context.campaign, Action::Send) {
            let post = load::planned(post, out)?;
            hashes.push(saved::post_hash(&context.campaign, &post).map_err(|e| {
                out.show(Message::Problem(&Problem::error(
                    "send::render",
                    e.to_string(),
                )));
                Exit::Invalid
            })?);
        }
        // The calls this send would replace or remove, from the journal as it is now (the
        // file, or the campaign's journal in the state store).
        let state = super::journal::read_at(
            &context.state,
            &context.journal,
            &context.campaign,
            &context.first_endpoint(),
            None,
            out,
        )?;
        let changes = outdial::converge::compute(
            &context.campaign,
            &state,
            &context.lines_at(),
            jiff::Timestamp::now(),
        )
        .map_err(|e| {
            out.show(Message::Problem(&Problem::error(
                "send::changes",
                e.to_string(),
            )));
            Exit::Invalid
        })?;
        let now = saved::make(
            &context.campaign,
            hashes,
            outdial::saved_plan::removal_entries(&changes),
            Some(&context.first_endpoint()),
            out,
        )?;
        saved::check(saved_plan, &now, path, out)?;
    }
    if target.dry_run {
        return context.dry_run_send(out);
    }
    let confirm = |intent: &Intent<'_>| {
        if choices.yes {
            out.show(Message::Note(Note::Converging {
                changes: intent.changes,
            }));
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
    let summary = context.send(choices, &confirm, out)?;
    if let Some(why) = context.campaign.provider().results_note() {
        out.show(Message::Note(Note::ResultsFrom { why }));
    }
    out.show(Message::Sent(Sent {
        campaign: &context.campaign.name,
        provider: context.provider(),
        summary: &summary,
        journal: &context.journal_shown(),
    }));
    Ok(())
}
