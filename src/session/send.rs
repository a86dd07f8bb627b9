//! `send`: the campaign's posts made so that no one is called twice. Checked first (call ids
//! another campaign used, the saved plan it must match, a journal missing for a campaign sent
//! before), confirmed by the caller, then uploads and call batches, journaled, the plan
//! streamed; a re-run resumes. Its dry run shows what would be posted given the journal.

use std::path::Path;

use crate::diagnostic::Problem;
use crate::plan::{self, Action};
use crate::provider::Lookup;
use crate::report::{Intent, Message, Note, Sent};
use crate::saved_plan::{self, SavedPlan};
use crate::state::StateLocation;
use crate::submit::{self, SendSummary};

use super::actions::Connection;
use super::error::{Error, Kind};
use super::journal::refuse_callids_elsewhere;
use super::network::transport_config;
use super::render::into_io;
use super::value::Sink;

/// The choices of a send besides its campaign and settings.
#[derive(Debug, Clone, Copy)]
pub struct SendChoices<'a> {
    /// Post calls in doubt again (those the provider cannot be asked about).
    pub resend_in_doubt: bool,
    /// Send although an empty journal's campaign shows signs of an earlier send.
    pub never_sent: bool,
    /// Call posts in flight at once.
    pub concurrency: usize,
    /// Send only if the campaign compiles to this saved plan's posts (read from this file).
    pub plan: Option<(&'a SavedPlan, &'a Path)>,
    /// Only show what would be posted.
    pub dry_run: bool,
}

/// Asked with what a send is about to do, once nothing can fail any more before the first
/// post: `Ok` goes on, an error (say [`Error::Declined`]) stops with nothing sent.
pub type Confirm<'a> = &'a dyn Fn(&Intent<'_>) -> Result<(), Error>;

impl Connection<'_> {
    /// `send` (connected for [`Action::Send`]): checks, then the dry run or the send, whose
    /// summary is emitted last.
    pub fn send(
        &self,
        choices: SendChoices<'_>,
        confirm: Confirm<'_>,
        sink: Sink<'_>,
    ) -> Result<(), Error> {
        let session = self.session;
        // Before anything is opened or posted, as `plan` and `check` show it.
        refuse_callids_elsewhere(&session.campaign, &session.settings.state)?;
        if let Some((saved, path)) = choices.plan {
            // Before anything is opened or asked: the reviewed plan is what goes out, or
            // nothing.
            self.check_saved_plan(saved, path)?;
        }
        if choices.dry_run {
            return self.dry_run_send(sink);
        }
        let summary = self.post_all(choices, confirm, sink)?;
        if let Some(why) = session.campaign.provider().results_note() {
            sink(Message::Note(Note::ResultsFrom { why }));
        }
        sink(Message::Sent(Sent {
            campaign: &session.campaign.name,
            provider: session.provider(),
            summary: &summary,
            journal: &session.journal_shown(),
        }));
        Ok(())
    }

    /// Refuses unless the campaign compiles now to `saved`'s posts. The plan is streamed here
    /// and again by the send: one post's hash is kept per post, never the posts.
    fn check_saved_plan(&self, saved: &SavedPlan, path: &Path) -> Result<(), Error> {
        let session = self.session;
        let campaign = &session.campaign;
        let mut hashes = Vec::new();
        for post in plan::posts(campaign, Action::Send) {
            let hash = saved_plan::post_hash(campaign, &post?)
                .map_err(|e| Error::invalid("send::render", into_io(e).to_string()))?;
            hashes.push(hash);
        }
        // The calls this send would replace or remove, from the journal as it is now (the
        // file, or the campaign's journal in the state store).
        let state = session.journal_state(None)?;
        let changes = crate::converge::compute(
            campaign,
            &state,
            &session.lines_at(),
            jiff::Timestamp::now(),
        )
        .map_err(|e| Error::invalid("send::changes", e.to_string()))?;
        let removals = saved_plan::removal_entries(&changes);
        let now = saved_plan::make(campaign, hashes, removals, session.first_endpoint())?;
        Ok(saved_plan::check(saved, &now, path)?)
    }

    /// Shows what `send` would post now, given the journal: accepted posts skipped, subsets
    /// of partly sent batches, credentials redacted. The plan is streamed.
    fn dry_run_send(&self, sink: Sink<'_>) -> Result<(), Error> {
        let session = self.session;
        let campaign = &session.campaign;
        let state = session.journal_state(None)?;
        // What the send would change at the provider: removals first (not shown as posts
        // here), then the posts below.
        let changes = crate::converge::compute(
            campaign,
            &state,
            &session.lines_at(),
            jiff::Timestamp::now(),
        )
        .map_err(|e| Error::submit(e.into(), None))?;
        if state.lines() > 0 && changes.changes_anything() {
            sink(Message::Note(Note::Converging {
                changes: &changes.summary(),
            }));
        }
        let redacted = self.redacted();
        for post in plan::posts(campaign, Action::Send) {
            let post = post?;
            let p = submit::preview_send(campaign, &post, &state)
                .map_err(|e| Error::submit(e, None))?;
            if p.skip {
                sink(Message::Note(Note::AlreadyAccepted {
                    seq: p.seq,
                    kind: p.kind,
                }));
                continue;
            }
            if p.in_doubt > 0 {
                sink(Message::Note(Note::InDoubt {
                    seq: p.seq,
                    calls: p.in_doubt,
                }));
            }
            self.dry_run_post(p.seq, p.kind, sink, |w| {
                p.render_at(campaign, &post, redacted.as_ref(), session.now(), w)
            })?;
        }
        Ok(())
    }

    /// Uploads, then call batches, journaled, the plan streamed, once `confirm` agrees. With
    /// `resend_in_doubt`, calls in doubt that the provider cannot be asked about are posted
    /// again.
    fn post_all(
        &self,
        choices: SendChoices<'_>,
        confirm: Confirm<'_>,
        sink: Sink<'_>,
    ) -> Result<SendSummary, Error> {
        let session = self.session;
        let transport = self.transport()?;
        let mut journal = session.open_journal()?;
        // Only the opening record: nothing of this campaign was ever posted through it.
        let fresh = journal.state().lines() <= 1;
        if fresh && !choices.never_sent {
            self.guard_missing_journal()?;
        }
        // Asked last: what could still fail before the first post has been tried.
        let config = transport_config(
            &session.campaign,
            &session.settings.network,
            self.credentials.as_ref(),
        );
        // Counted from loading: the plan is streamed, never held whole.
        let posts = plan::post_count(&session.campaign, Action::Send);
        // What changes at the provider, computed as `plan` computes it (asking the provider
        // about the calls to replace or remove), under the journal's lock: the send applies
        // exactly what the confirmation states.
        let mut submitter = self.submitter(&transport);
        submitter.options.concurrency = choices.concurrency;
        let converging = submitter
            .converging(journal.state(), &journal.lines_at())
            .map_err(|e| Error::submit(e, Some(session.settings.journal.clone())))?;
        confirm(&Intent {
            campaign: &session.campaign.name,
            provider: session.provider(),
            recipients: session.campaign.stats.recipients,
            posts,
            endpoints: &config.endpoints,
            journal: &session.journal_shown(),
            changes: &converging.summary(),
            unaskable: fresh && session.campaign.provider().lookup() == Lookup::None,
        })?;
        sink(Message::Note(Note::Posting { posts }));
        submitter
            .send_planned(
                &mut journal,
                converging,
                choices.resend_in_doubt,
                &mut |e| sink(Message::Submit(self.progress(&e))),
            )
            .map_err(|e| Error::submit(e, Some(session.journal_shown())))
    }

    /// Refuses ([`Kind::Refused`]) to send a campaign whose journal is empty when something
    /// shows it was sent before: what was found, and how to go on.
    fn guard_missing_journal(&self) -> Result<(), Error> {
        let session = self.session;
        let (campaign, file) = (&session.campaign, &session.settings.file);
        let journal = &session.settings.journal;
        let results = crate::results::default_db(file);
        let folder = results.parent().map(Path::to_path_buf).unwrap_or_default();
        let state = &session.settings.state;
        let mut found = crate::state::guard::evidence(&crate::state::guard::Look {
            campaign: &campaign.name,
            provider: campaign.provider().name(),
            folder: &folder,
            journal: matches!(state, StateLocation::Local).then_some(journal.as_path()),
            results: &results,
        });
        if let StateLocation::Postgres(pg) = state {
            let name = campaign.provider().name();
            match crate::state::guard::store_results(pg, name, &campaign.name) {
                Ok(evidence) => found.extend(evidence),
                Err(e) => {
                    let problem = Problem::error("send::journal-missing", e.to_string());
                    return Err(Error::problem(problem, Kind::State(e)));
                }
            }
        }
        if found.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = found.iter().map(ToString::to_string).collect();
        let push = match state {
            StateLocation::Local => format!(
                "point --journal at that journal (or copy it to {})",
                journal.display()
            ),
            StateLocation::Postgres(_) => format!(
                "copy the local journal into the state store with `outdial state push {}`",
                file.display()
            ),
        };
        Err(Error::problem(
            Problem::error(
                "send::journal-missing",
                format!(
                    "campaign \"{}\" has no record of a send in {}, but it was sent before: {}. Sending now could call everyone again",
                    campaign.name,
                    session.journal_shown().display(),
                    list.join("; ")
                ),
            )
            .help(format!(
                "{push}, then run again; if you know this campaign was never sent, pass --i-know-it-was-never-sent"
            )),
            Kind::Refused,
        ))
    }
}
