//! `plan`: what `send` would do, and what the journal says is done.

use std::io;
use std::path::Path;

use outdial::campaign::{PromptContent, Recipient};
use outdial::diagnostic::Problem;
use outdial::journal::CallState;
use outdial::plan::{Action, PostBody};
use outdial::prepared::Prepared;
use outdial::report::{Example, JournalCounts, Message, Note, PlanReport, Plays, SpokenPrompt};
use outdial::saved_plan::PostHash;
use outdial::state::StateLocation;

use super::render::{Failure, on_two_threads};
use super::{journal, load, provider, saved};
use crate::config::Config;
use crate::exit::Exit;
use crate::output::Report;

/// The choices of `plan` besides its file.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Save the plan here.
    pub save: Option<&'a Path>,
    /// The endpoint the plan is for, instead of the campaign's.
    pub endpoint: Option<&'a str>,
    /// Never ask the provider whether a call is still pending.
    pub offline: bool,
    /// Exit 0 when there is nothing to send, 2 when there is; an error ends in its own code.
    pub detailed_exitcode: bool,
}

/// Runs `plan`; with `--detailed-exitcode` the exit says whether `send` has anything to do
/// (terraform's contract: 0 nothing, 2 something; an error keeps its own code, none of which
/// is 2).
pub fn run(file: &Path, options: Options<'_>, config: &Config, out: &dyn Report) -> Exit {
    let planned = plan(file, options, config, out);
    match (options.detailed_exitcode, planned) {
        (false, planned) => planned.map(|_| ()).into(),
        (true, Ok(false)) => Exit::Ok,
        (true, Ok(true)) => Exit::Pending,
        (true, Err(exit)) => exit,
    }
}

/// Counts the campaign's rows, recipients, posts and bytes, and what the journal records;
/// with `save`, writes the saved plan there (for `endpoint`, else the campaign's own).
/// Whether `send` would post anything: a call not yet accepted, or an upload not yet done.
fn plan(
    file: &Path,
    options: Options<'_>,
    config: &Config,
    out: &dyn Report,
) -> Result<bool, Exit> {
    let Options {
        save,
        endpoint,
        offline,
        ..
    } = options;
    let (campaign, _) = load::campaign(file, config, out)?;
    // What the journal says is done: read without locking, so `plan` works during a send.
    let mut journal_path = config.journal_path(file, &campaign.name);
    let state = journal::location(config, out)?;
    // What `send` would refuse, computed as `send` computes it.
    journal::refuse_callids_elsewhere(&campaign, &state, out)?;
    let journal = journal::read_at(
        &state,
        &journal_path,
        &campaign,
        &provider::endpoint(&campaign, endpoint),
        Some("the journal records what was sent; point --journal (or --state) at the right one"),
        out,
    )?;
    let journal_file = journal_path.clone();
    let lines = journal::lines_at(
        &state,
        &journal_file,
        &campaign,
        &provider::endpoint(&campaign, endpoint),
    );
    if let StateLocation::Postgres(pg) = &state {
        // The journal is in the database: the plan names it, not a file nobody wrote.
        journal_path = std::path::PathBuf::from(pg.shown());
    }
    let (mut accepted, mut in_doubt) = (0u64, 0u64);
    let stats = &campaign.stats;
    for problem in &stats.skipped {
        out.show(Message::Problem(problem));
    }
    // The bytes are counted by rendering every post, exactly as `compile` would, into nothing.
    let mut bytes = 0u64;
    let mut calls = 0u64;
    // The hash of every post, for a saved plan (the first failure to render one ends it).
    let mut hashes: Vec<PostHash> = Vec::new();
    let mut hashed: io::Result<()> = Ok(());
    let mut uploads_to_send = 0u64;
    let mut first: Option<Recipient> = None;
    let counted = on_two_threads(
        &campaign,
        Action::Send,
        config.now.unwrap_or_else(jiff::Timestamp::now),
        |post| {
            if first.is_none()
                && let PostBody::Calls(recipients) = &post.body
            {
                first = recipients.first().cloned();
            }
            let upload = matches!(post.body, PostBody::Upload(_));
            if (save.is_some() || upload) && hashed.is_ok() {
                match saved::post_hash(&campaign, post) {
                    Ok(hash) => {
                        uploads_to_send +=
                            u64::from(upload && !journal.upload_accepted(&hash.sha256));
                        hashes.push(hash);
                    }
                    Err(e) => hashed = Err(e),
                }
            }
            calls += u64::from(matches!(post.body, PostBody::Calls(_)));
            if journal.lines() > 0 {
                for recipient in post.body.recipients() {
                    match journal.call(&recipient.callid, recipient.number.as_str()) {
                        Some(CallState::Accepted) => accepted += 1,
                        Some(CallState::InDoubt) => in_doubt += 1,
                        Some(CallState::NotTaken) | None => {}
                    }
                }
            }
        },
        |(), xml| {
            // `compile` ends every post with a line break.
            bytes += xml.len() as u64 + 1;
            Ok(())
        },
    );
    let posts = match counted.and_then(|posts| Ok(hashed.map(|()| posts)?)) {
        Ok(posts) => posts,
        Err(Failure::Problem(problem)) => {
            out.show(Message::Problem(&problem));
            return Err(Exit::Invalid);
        }
        Err(Failure::Io(err)) => {
            out.show(Message::Problem(&Problem::error(
                "plan::render",
                err.to_string(),
            )));
            return Err(Exit::Invalid);
        }
    };
    let to_send = stats.recipients - accepted - in_doubt;
    // What `send` does about each recipient: the same computation `send` makes.
    let mut changes =
        outdial::converge::compute(&campaign, &journal, &lines, jiff::Timestamp::now()).map_err(
            |e| {
                out.show(Message::Problem(&Problem::error(
                    "plan::changes",
                    e.to_string(),
                )));
                Exit::Invalid
            },
        )?;
    // A saved plan lists every call the journal would have replaced or removed: `send --plan`
    // removes no other, and asks the provider again (a call dialled since is fixed, not
    // removed).
    let removals = outdial::saved_plan::removal_entries(&changes);
    provider::ask_pending(&campaign, &journal, &mut changes, endpoint, offline);
    if let Some(path) = save {
        let plan = saved::make(&campaign, hashes, removals, endpoint, out)?;
        saved::write(&plan, path, out)?;
        out.show(Message::Note(Note::SavedPlan { path }));
    }
    if let Some(why) = campaign.provider().results_note() {
        out.show(Message::Note(Note::ResultsFrom { why }));
    }
    let first_endpoint = super::provider::endpoint(&campaign, endpoint);
    out.show(Message::Plan(PlanReport {
        file,
        campaign: &campaign.name,
        stats,
        contacts: campaign.contacts.as_ref().map(|c| c.path.as_path()),
        uploads: campaign.sounds.len(),
        call_posts: calls,
        posts,
        bytes,
        journal: JournalCounts {
            path: &journal_path,
            used: journal.lines() > 0,
            accepted,
            in_doubt,
            to_send,
        },
        provider: campaign.provider().name().display(),
        endpoint: &first_endpoint,
        prompts: spoken(&campaign, first.as_ref()),
        changes: &changes,
    }));
    Ok(to_send + in_doubt + uploads_to_send > 0 || changes.changes_anything())
}

/// The prompts as they will be played; text with placeholders is filled for `first`, the
/// first recipient called.
fn spoken(campaign: &Prepared, first: Option<&Recipient>) -> Vec<SpokenPrompt> {
    campaign
        .prompts
        .iter()
        .map(|prompt| {
            let (plays, example) = match &prompt.content {
                PromptContent::Tts(template) => {
                    let written = template.written();
                    let example = first.filter(|_| !template.is_constant()).and_then(|r| {
                        let text = template.render(|name| campaign.var(r, name)).ok()?;
                        Some(Example {
                            number: r.number.as_str().to_owned(),
                            callid: r.callid.clone(),
                            text,
                        })
                    });
                    (Plays::Text(written), example)
                }
                PromptContent::Audio(i) => (
                    Plays::Audio(
                        campaign
                            .sounds
                            .get(*i)
                            .map(|s| s.path.display().to_string())
                            .unwrap_or_default(),
                    ),
                    None,
                ),
                PromptContent::Sound(name) => (Plays::Sound(name.clone()), None),
            };
            SpokenPrompt {
                id: prompt.id,
                plays,
                example,
            }
        })
        .collect()
}
