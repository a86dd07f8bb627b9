//! `plan`: what `send` would do, and what the journal says is done. Every post is rendered
//! (into nothing, to count its bytes, and hashed for a saved plan), the journal is read without
//! locking, and the provider is asked which of the calls an edit replaces were dialled
//! already.

use std::io;
use std::path::Path;

use crate::campaign::{PromptContent, Recipient};
use crate::converge::{Converge, PendingFrom};
use crate::journal::{CallState, JournalState};
use crate::plan::{Action, PostBody};
use crate::prepared::Prepared;
use crate::report::{Example, JournalCounts, Message, Note, PlanReport, Plays, SpokenPrompt};
use crate::saved_plan::{self, PostHash};
use crate::submit::{SubmitOptions, Submitter};

use super::error::Error;
use super::journal::refuse_callids_elsewhere;
use super::network::{Network, transport};
use super::render::{Failure, into_io, on_two_threads};
use super::value::{Session, Sink};

/// The choices of `plan`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions<'a> {
    /// Save the plan here.
    pub save: Option<&'a Path>,
    /// Never ask the provider whether a call is still pending.
    pub offline: bool,
}

/// What rendering every post of `send` counted.
#[derive(Default)]
struct Counted {
    posts: usize,
    call_posts: u64,
    /// Bytes as `compile` writes them.
    bytes: u64,
    /// Every post's hash when a plan is saved, else the uploads'.
    hashes: Vec<PostHash>,
    uploads_to_send: u64,
    /// The first recipient called, whose prompts are shown filled in.
    first: Option<Recipient>,
    accepted: u64,
    in_doubt: u64,
}

impl Session {
    /// Emits the campaign's rows, recipients, posts and bytes, and what the journal records;
    /// with `save`, writes the saved plan there (for the settings' endpoint). Whether `send`
    /// would post anything: a call not yet accepted, or an upload not yet done.
    pub fn plan(&self, options: PlanOptions<'_>, sink: Sink<'_>) -> Result<bool, Error> {
        let campaign = &self.campaign;
        // What `send` would refuse, computed as `send` computes it.
        refuse_callids_elsewhere(campaign, &self.settings.state)?;
        // What the journal says is done: read without locking, so `plan` works during a send.
        let journal = self.journal_state(Some(
            "the journal records what was sent; point --journal (or --state) at the right one",
        ))?;
        let stats = &campaign.stats;
        for problem in &stats.skipped {
            sink(Message::Problem(problem));
        }
        let mut counted = self.count(&journal, options.save.is_some())?;
        let to_send = stats.recipients - counted.accepted - counted.in_doubt;
        // What `send` does about each recipient: the same computation `send` makes.
        let mut changes =
            crate::converge::compute(campaign, &journal, &self.lines_at(), jiff::Timestamp::now())
                .map_err(|e| Error::invalid("plan::changes", e.to_string()))?;
        // A saved plan lists every call the journal would have replaced or removed: `send
        // --plan` removes no other, and asks the provider again (a call dialled since is
        // fixed, not removed).
        let removals = saved_plan::removal_entries(&changes);
        self.ask_pending(&journal, &mut changes, options.offline);
        if let Some(path) = options.save {
            let hashes = std::mem::take(&mut counted.hashes);
            let plan = saved_plan::make(campaign, hashes, removals, self.first_endpoint())?;
            saved_plan::write(&plan, path)?;
            sink(Message::Note(Note::SavedPlan { path }));
        }
        if let Some(why) = campaign.provider().results_note() {
            sink(Message::Note(Note::ResultsFrom { why }));
        }
        sink(Message::Plan(PlanReport {
            file: &self.settings.file,
            campaign: &campaign.name,
            stats,
            contacts: campaign.contacts.as_ref().map(|c| c.path.as_path()),
            uploads: campaign.sounds.len(),
            call_posts: counted.call_posts,
            posts: counted.posts,
            bytes: counted.bytes,
            journal: JournalCounts {
                path: &self.journal_shown(),
                used: journal.lines() > 0,
                accepted: counted.accepted,
                in_doubt: counted.in_doubt,
                to_send,
            },
            provider: self.provider(),
            endpoint: &self.first_endpoint(),
            prompts: spoken(campaign, counted.first.as_ref()),
            changes: &changes,
        }));
        Ok(to_send + counted.in_doubt + counted.uploads_to_send > 0 || changes.changes_anything())
    }

    /// What `send` would change at the provider given the journal, in a phrase (computed as
    /// `plan` and `send` compute it); `None` when the journal records no send.
    pub fn unsent_changes(&self, code: &'static str) -> Result<Option<String>, Error> {
        let state = self.journal_state(None)?;
        if state.lines() == 0 {
            return Ok(None);
        }
        crate::converge::compute(
            &self.campaign,
            &state,
            &self.lines_at(),
            jiff::Timestamp::now(),
        )
        .map(|c| Some(c.summary()))
        .map_err(|e| Error::invalid(code, e.to_string()))
    }

    /// Renders every post of `send` exactly as `compile` would, into nothing, counting the
    /// bytes, the calls the journal accepted or holds in doubt, and (when `save`) hashing
    /// every post; the first failure to render one ends it.
    fn count(&self, journal: &JournalState, save: bool) -> Result<Counted, Error> {
        let campaign = &self.campaign;
        let mut c = Counted::default();
        let mut hashed: io::Result<()> = Ok(());
        // Counted on the rendering thread.
        let mut bytes = 0u64;
        let counted = on_two_threads(
            campaign,
            Action::Send,
            self.now(),
            |post| {
                if c.first.is_none()
                    && let PostBody::Calls(recipients) = &post.body
                {
                    c.first = recipients.first().cloned();
                }
                let upload = matches!(post.body, PostBody::Upload(_));
                if (save || upload) && hashed.is_ok() {
                    match saved_plan::post_hash(campaign, post) {
                        Ok(hash) => {
                            c.uploads_to_send +=
                                u64::from(upload && !journal.upload_accepted(&hash.sha256));
                            c.hashes.push(hash);
                        }
                        Err(e) => hashed = Err(into_io(e)),
                    }
                }
                c.call_posts += u64::from(matches!(post.body, PostBody::Calls(_)));
                if journal.lines() > 0 {
                    for recipient in post.body.recipients() {
                        match journal.call(&recipient.callid, recipient.number.as_str()) {
                            Some(CallState::Accepted) => c.accepted += 1,
                            Some(CallState::InDoubt) => c.in_doubt += 1,
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
        c.posts = match counted.and_then(|posts| Ok(hashed.map(|()| posts)?)) {
            Ok(posts) => posts,
            Err(Failure::Problem(problem)) => return Err(Error::from(*problem)),
            Err(Failure::Io(err)) => return Err(Error::invalid("plan::render", err.to_string())),
        };
        c.bytes = bytes;
        Ok(c)
    }

    /// `plan`'s question to the provider, as `send` asks it ([`Submitter::ask_pending`]):
    /// which of the calls `changes` would replace or remove were dialled already. Offline, or
    /// when the provider cannot be reached the way `send` would reach it (credentials,
    /// transport), the plan stays as the journal and the calls' times made it, and says so.
    fn ask_pending(&self, state: &JournalState, changes: &mut Converge, offline: bool) {
        if changes.targets.is_empty() {
            return;
        }
        changes.pending_from = Some(PendingFrom::Journal);
        if offline {
            return;
        }
        let campaign = &self.campaign;
        let Ok(credentials) = self.settings.credentials.read(campaign) else {
            return;
        };
        // A question, not a send: a short wait, one retry.
        let network = Network::question(self.settings.network.endpoint.clone());
        let Ok(transport) = transport(campaign, &network, credentials.as_ref()) else {
            return;
        };
        let submitter = Submitter {
            campaign,
            transport: &transport,
            credentials: credentials.as_ref(),
            options: SubmitOptions {
                trust_journal: false,
                settle: network.settle,
                concurrency: 1,
            },
        };
        submitter.ask_pending(state, changes);
    }
}

/// Numbers per call post.
pub fn batch_size(campaign: &Prepared) -> usize {
    // A provider that takes the whole campaign in one request (callTillConfirm) has no
    // real limit: the batch is the campaign.
    match campaign.provider().limits().batch_size {
        usize::MAX => (campaign.stats.recipients as usize).max(1),
        batch => batch,
    }
}

/// Sound files a `send` uploads before its calls (none for providers that take no uploads).
pub fn uploads(campaign: &Prepared) -> usize {
    if campaign.provider().uploads_audio() {
        campaign.sounds.len()
    } else {
        0
    }
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
