//! Submitting a campaign: posts over HTTP, recorded in the [`journal`](crate::journal), so that
//! nobody is called twice.
//!
//! `send` walks the plan (uploads, then call batches). Before a batch goes out, any of its call
//! ids the journal holds *in doubt* (posted, no clear answer) are settled by asking the
//! provider (a lookup by call id, where the provider has one); then only call ids not at the
//! provider are posted. A failure before the body left is retried by the transport (backoff,
//! fallback host); a failure after it is recorded as ambiguous and settled the same way. The
//! invariant: a call id the journal knows as accepted, or cannot rule out, is never in a call
//! post again.
//!
//! Everything provider-specific goes through [`Provider`](crate::provider::Provider): how a
//! post is encoded, how a reply reads, whether and how calls can be looked up.
//!
//! Nothing here prints: progress arrives as [`Event`]s, results as values.

pub mod byid;
mod converge;
pub mod http;
mod query_all;
mod quote;

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde::Serialize;

use crate::campaign::model::Recipient;
use crate::converge::Converge;
use crate::journal::{
    CallState, Journal, JournalError, JournalState, KeyHash, Outcome, Said, call_key, key_hash,
};
use crate::plan::{self, Action, Post, PostBody, PostKind};
use crate::prepared::{Prepared, post_sha256};
use crate::provider::{
    CallResult, Credentials, EncodeError as RenderError, Lookup, Rejection, ReplyOutcome,
};

pub use crate::provider::Reach;
pub use byid::{Removal, SettleClock, SettleError, Settled, settle};
pub use converge::Removals;
pub use http::{Failure, Secrets, Transport, TransportConfig, TransportError};

/// Progress of a submission, one event per post (plus retries and resolutions).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// A post is finished (or skipped).
    Post {
        /// The command.
        action: Action,
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// Numbers the planned post concerns.
        numbers: usize,
        /// Numbers actually posted by this run.
        sent: usize,
        /// What happened.
        status: PostStatus,
        /// The endpoint that answered.
        #[serde(skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
    },
    /// A request failed and is tried again.
    Retry {
        /// Position in the plan.
        seq: usize,
        /// The failure.
        error: String,
        /// Where the next try goes.
        next: String,
        /// Milliseconds before it.
        wait_ms: u64,
    },
    /// A call post failed after its body was sent: the provider may hold the calls.
    Ambiguous {
        /// Position in the plan.
        seq: usize,
        /// Why.
        error: String,
        /// Call ids in doubt.
        numbers: usize,
    },
    /// A lookup at the provider settled call ids in doubt.
    Resolved {
        /// Position in the plan.
        seq: usize,
        /// Found at the provider (accepted, not re-sent).
        present: usize,
        /// Not found (sent again).
        missing: usize,
    },
}

/// What became of a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostStatus {
    /// Taken by the provider.
    Accepted,
    /// Nothing to do: the journal shows it accepted.
    Skipped,
}

/// A post changed since the journal recorded it.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// Position in the plan.
    pub seq: usize,
    /// The hash the journal recorded.
    pub was: String,
    /// The hash now (`None`: the plan no longer has this post).
    pub now: Option<String>,
}

/// The provider's own words after outdial's explanation, when it said any that the
/// explanation does not already hold.
fn said_by_provider(rejection: &Rejection) -> String {
    match rejection.provider_message.as_deref().map(str::trim) {
        Some(words) if !words.is_empty() && !rejection.message.contains(words) => {
            format!(" (the provider said: \"{words}\")")
        }
        _ => String::new(),
    }
}

/// Why a submission stopped.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The provider refused the post.
    #[error("post {seq} ({kind}) was rejected: {} {}: {}{}", .rejection.code_name, .rejection.code, .rejection.message, said_by_provider(.rejection))]
    Rejected {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// The provider's code and what it means.
        rejection: Rejection,
    },
    /// The network failed after every retry. Re-running resumes.
    #[error("post {seq} ({kind}) failed: {failure}")]
    Transport {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// The last failure.
        failure: Failure,
    },
    /// Calls were posted without a clear answer and the provider cannot be asked whether it
    /// holds them: they are in doubt and are not sent again. Everything else was sent.
    #[error(
        "{calls} calls are in doubt (the first at post {seq}): they were posted without a clear answer and the provider cannot be asked whether it holds them, so they are not sent again"
    )]
    InDoubt {
        /// Position in the plan of the first call in doubt.
        seq: usize,
        /// Calls in doubt.
        calls: usize,
        /// The calls in doubt, in plan order.
        list: Vec<InDoubtCall>,
        /// What the rest of the send did.
        summary: SendSummary,
    },
    /// The campaign changed after a partial send.
    #[error("the campaign changed after part of it was sent ({} posts differ)", .changes.len())]
    Changed {
        /// The posts that differ.
        changes: Vec<Change>,
        /// Call ids already at (or maybe at) the provider that the campaign no longer has.
        orphaned: usize,
        /// Call ids already at (or maybe at) the provider.
        taken: usize,
    },
    /// The journal could not be used.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// A post could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A temporary file could not be written.
    #[error("cannot write a temporary file: {0}")]
    Io(#[from] io::Error),
    /// The plan could not be made (the contacts file changed since it was checked, say).
    #[error("{0}")]
    Plan(Box<crate::diagnostic::Problem>),
}

impl From<crate::converge::ConvergeError> for SubmitError {
    fn from(e: crate::converge::ConvergeError) -> Self {
        match e {
            crate::converge::ConvergeError::Plan(p) => SubmitError::Plan(p),
            crate::converge::ConvergeError::Render(e) => SubmitError::Render(e),
            crate::converge::ConvergeError::Journal(e) => SubmitError::Journal(e),
        }
    }
}

impl From<crate::diagnostic::Problem> for SubmitError {
    fn from(problem: crate::diagnostic::Problem) -> Self {
        SubmitError::Plan(Box::new(problem))
    }
}

impl From<Box<crate::diagnostic::Problem>> for SubmitError {
    fn from(problem: Box<crate::diagnostic::Problem>) -> Self {
        SubmitError::Plan(problem)
    }
}

impl SubmitError {
    /// Whether this is a refusal of the account or host, not of the post.
    pub fn is_refusal(&self) -> bool {
        matches!(self, SubmitError::Rejected { rejection, .. } if rejection.refusal)
    }

    /// The provider's own words, when it refused the post and said any.
    pub fn provider_message(&self) -> Option<&str> {
        match self {
            SubmitError::Rejected { rejection, .. } => rejection.provider_message.as_deref(),
            _ => None,
        }
    }

    /// What a person can do about this error. The provider's own advice comes with its
    /// [`Rejection`] (which setting of the account to change); calls in doubt are listed with
    /// the ways to settle them. `journal` is the journal a re-run resumes from, when the
    /// command keeps one; it is named in the advice to run again.
    pub fn help(&self, journal: Option<&Path>) -> String {
        let resume = journal
            .map(|p| format!(" (journal: {})", p.display()))
            .unwrap_or_default();
        match self {
            SubmitError::Rejected { rejection, .. } => match &rejection.help {
                Some(help) => help.clone(),
                None if rejection.refusal => {
                    "the provider account needs attention (see the message)".to_owned()
                }
                None => "fix the campaign (see `outdial compile` for the exact XML), then run the command again".to_owned(),
            },
            SubmitError::InDoubt { list, .. } => in_doubt_help(list, &resume),
            SubmitError::Transport { .. } => format!(
                "nothing accepted will be sent twice: run the same command again to resume{resume}"
            ),
            SubmitError::Changed {
                changes,
                orphaned,
                taken,
            } => {
                let list: Vec<String> = changes
                    .iter()
                    .take(10)
                    .map(|c| match &c.now {
                        Some(_) => format!("post {} differs", c.seq),
                        None => format!("post {} is no longer in the plan", c.seq),
                    })
                    .collect();
                format!(
                    "{} ({} {} of this campaign already at the provider or in doubt{}). Nothing \
                     was sent. Undo the edit, or send the change as a new campaign (new name), \
                     or pass --allow-changed to send only recipients never sent before — calls \
                     already placed keep their old content{resume}",
                    list.join(", "),
                    taken,
                    if *taken == 1 { "call id" } else { "call ids" },
                    if *orphaned > 0 {
                        format!(", {orphaned} no longer in the file")
                    } else {
                        String::new()
                    },
                )
            }
            SubmitError::Journal(JournalError::Store(_)) => format!(
                "the state store was lost mid-send: a post whose outcome it could not record is in \
                 doubt, never sent again on a guess. Run the command again once the store is \
                 reachable{resume}"
            ),
            SubmitError::Journal(_)
            | SubmitError::Render(_)
            | SubmitError::Io(_)
            | SubmitError::Plan(_) => "see the message".to_owned(),
        }
    }
}

/// How many calls in doubt [`SubmitError::help`] lists in full.
const IN_DOUBT_LISTED: usize = 50;

/// The help of a send that left calls in doubt: which, and how to settle them.
fn in_doubt_help(list: &[InDoubtCall], resume: &str) -> String {
    let mut text = String::from(
        "nothing was sent twice; every other call was sent. Look these calls up in the provider's own records:",
    );
    for c in list.iter().take(IN_DOUBT_LISTED) {
        text.push_str(&format!("\n  {} {}", c.number, c.label));
    }
    if list.len() > IN_DOUBT_LISTED {
        text.push_str(&format!("\n  … and {} more", list.len() - IN_DOUBT_LISTED));
    }
    text.push_str(
        "\nthen settle them: `outdial resolve FILE --sent ID…` (found there) / `--not-sent ID…` (not found), \
         or send them again regardless with `outdial send FILE --resend-in-doubt`",
    );
    text.push_str(resume);
    text
}

/// What a `send` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SendSummary {
    /// Posts in the plan.
    pub posts: usize,
    /// Posts accepted by this run.
    pub accepted: usize,
    /// Posts skipped as already accepted.
    pub skipped: usize,
    /// Numbers posted by this run.
    pub numbers_sent: usize,
    /// Call ids found at the provider by resolution queries.
    pub resolved_present: usize,
    /// What the removals of replaced and removed calls did (absent when there were none).
    #[serde(skip_serializing_if = "Removals::is_empty")]
    pub removals: Removals,
}

/// A call in doubt, as a person must find it in the provider's own records.
#[derive(Clone, Debug, Serialize)]
pub struct InDoubtCall {
    /// Position in the plan.
    pub seq: usize,
    /// Our call id.
    pub callid: String,
    /// The number.
    pub number: String,
    /// How the provider shows the call (the Voicent Gateway: its `info` text).
    pub label: String,
}

/// State of one `send` run across posts.
struct Run {
    /// Send again calls in doubt (a person chose to) instead of skipping them.
    resend: bool,
    /// Calls left in doubt by this or an earlier run.
    in_doubt: Vec<InDoubtCall>,
    /// When the last call post started, for pacing.
    last_start: Option<Instant>,
    /// The provider's scheduled calls, asked for once a run (see [`Submitter::settle_from_list`]):
    /// every call in doubt is looked for in the same list.
    scheduled: Option<std::sync::Arc<Vec<crate::provider::ScheduledCall>>>,
}

/// One recipient joined with what the provider reports of its call.
#[derive(Clone, Debug, Serialize)]
pub struct CallReport {
    /// The number.
    pub number: String,
    /// The call id.
    pub callid: String,
    /// The verdict.
    pub result: Reach,
    /// The provider's status text.
    pub status: String,
    /// The provider's comment (`Human Answer`, …).
    pub comment: String,
    /// When it was dialled.
    pub dateandtime: String,
    /// Seconds.
    pub duration: Option<u32>,
    /// `(promptid, keypress)` per prompt reached.
    pub keypresses: Vec<(u32, String)>,
    /// Answers collected by an IVR application, by element name.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub responses: std::collections::BTreeMap<String, String>,
    /// How many times the provider dialled it, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// A call the provider holds for this campaign that the campaign's journal does not
    /// know: placed by someone else (the provider's web screens, another tool, another
    /// campaign file on the same provider campaign). Only `query --all` finds these.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_sent_by_outdial: bool,
}

/// One post a `send` would make now, per the journal.
#[derive(Clone, Debug)]
pub struct Preview {
    /// Position in the plan.
    pub seq: usize,
    /// Post kind.
    pub kind: PostKind,
    /// Numbers in the planned post.
    pub numbers: usize,
    /// Skip: the journal shows every call id (or the upload) accepted.
    pub skip: bool,
    /// Call ids in doubt: a query settles them before sending.
    pub in_doubt: usize,
    /// When only part of the batch remains: those recipients.
    pub subset: Option<Vec<Recipient>>,
}

/// Submits one campaign's posts.
#[derive(Debug)]
pub struct Submitter<'a> {
    /// The campaign.
    pub campaign: &'a Prepared,
    /// The HTTP transport.
    pub transport: &'a Transport,
    /// Credentials from the environment, for providers that carry them in the body.
    pub credentials: Option<&'a Credentials>,
    /// How careful to be.
    pub options: SubmitOptions,
}

/// Choices that trade safety against requests and time.
#[derive(Clone, Copy, Debug)]
pub struct SubmitOptions {
    /// Skip looking up calls the journal has never seen accepted (only those in doubt are
    /// looked up). Safe only while this journal is the one and only record of the campaign.
    pub trust_journal: bool,
    /// How long after a call post its calls are first looked up.
    pub settle: std::time::Duration,
    /// Call posts in flight at once (1: one after the other). The journal stays exact
    /// either way.
    pub concurrency: usize,
}

impl SubmitOptions {
    /// The default settle time: the longer of 30 s and twice the request timeout. An
    /// ambiguous post is rare; a double call is not cheap.
    pub fn default_settle(timeout: std::time::Duration) -> std::time::Duration {
        std::time::Duration::from_secs(30).max(timeout * 2)
    }
}

/// Which posts of the campaign's `send` plan differ from what the journal recorded as (maybe)
/// taken, with (when some do) how many of the call ids the journal knows as taken the plan no
/// longer has, and how many it knows as taken. The plan is streamed, and only when the journal
/// has call posts at all.
pub fn changes(
    campaign: &Prepared,
    state: &JournalState,
) -> Result<(Vec<Change>, usize, usize), SubmitError> {
    let journaled = state.send_seqs();
    if journaled.is_empty() {
        return Ok((Vec::new(), 0, 0));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for post in plan::posts(campaign, Action::Send) {
        let post = post?;
        if post.body.kind() != PostKind::Send {
            continue;
        }
        seen.insert(post.seq);
        if let Some(was) = state.post_hash(post.seq)
            && state.seq_has_taken(post.seq)
        {
            let now = post_sha256(campaign, &post)?;
            if now != was {
                out.push(Change {
                    seq: post.seq,
                    was: was.to_owned(),
                    now: Some(now),
                });
            }
        }
    }
    for seq in journaled {
        if !seen.contains(&seq) && state.seq_has_taken(seq) {
            out.push(Change {
                seq,
                was: state.post_hash(seq).unwrap_or_default().to_owned(),
                now: None,
            });
        }
    }
    if out.is_empty() {
        return Ok((out, 0, 0));
    }
    // What the journal holds as taken, less what the plan still has: held as fixed-size
    // hashes, as many as the journal has taken calls, while the plan streams past once more.
    let mut orphans: HashSet<KeyHash> = state.taken_hashes().collect();
    let taken = orphans.len();
    for post in plan::posts(campaign, Action::Send) {
        for r in post?.body.recipients() {
            orphans.remove(&key_hash(&call_key(&r.callid, r.number.as_str())));
            orphans.remove(&key_hash(&r.callid));
        }
    }
    Ok((out, orphans.len(), taken))
}

/// What `send` would do now with `post` (of the `send` plan), given the journal.
pub fn preview_send(
    campaign: &Prepared,
    post: &Post<'_>,
    state: &JournalState,
) -> Result<Preview, SubmitError> {
    let recipients = post.body.recipients();
    let mut p = Preview {
        seq: post.seq,
        kind: post.body.kind(),
        numbers: recipients.len(),
        skip: false,
        in_doubt: 0,
        subset: None,
    };
    if matches!(post.body, PostBody::Upload(_)) {
        p.skip = state.upload_accepted(&post_sha256(campaign, post)?);
    } else {
        p.in_doubt = recipients
            .iter()
            .filter(|r| state.call(&r.callid, r.number.as_str()) == Some(CallState::InDoubt))
            .count();
        let left: Vec<Recipient> = recipients
            .iter()
            .filter(|r| state.call(&r.callid, r.number.as_str()) != Some(CallState::Accepted))
            .cloned()
            .collect();
        p.skip = left.is_empty();
        if !left.is_empty() && left.len() < recipients.len() {
            p.subset = Some(left);
        }
    }
    Ok(p)
}

impl Preview {
    /// Writes the document this post would carry (a subset batch when part is done);
    /// `post` is the planned post the preview was made from.
    pub fn render(
        &self,
        campaign: &Prepared,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: impl Write,
    ) -> Result<(), RenderError> {
        self.render_at(campaign, post, credentials, jiff::Timestamp::now(), out)
    }

    /// [`render`](Self::render) as sent at `now` (see [`Provider::encode_at`](crate::provider::Provider::encode_at)).
    pub fn render_at(
        &self,
        campaign: &Prepared,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        now: jiff::Timestamp,
        out: impl Write,
    ) -> Result<(), RenderError> {
        debug_assert_eq!(post.seq, self.seq, "a preview renders its own post");
        let mut out = out;
        let provider = campaign.provider();
        match &self.subset {
            Some(subset) => provider.encode_at(
                campaign,
                &Post {
                    seq: self.seq,
                    body: PostBody::Calls(subset.clone()),
                },
                credentials,
                now,
                &mut out,
            ),
            None => provider.encode_at(campaign, post, credentials, now, &mut out),
        }
    }
}

impl Submitter<'_> {
    fn body(&self, post: &Post<'_>) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        // Written at the moment of sending: some providers schedule relative to it.
        self.campaign.provider().encode_into(
            self.campaign,
            post,
            self.credentials,
            jiff::Timestamp::now(),
            &mut out,
        )?;
        Ok(out)
    }

    fn retry_cb<'e>(seq: usize, on: &'e mut dyn FnMut(Event)) -> impl FnMut(&http::Retry) + 'e {
        move |r: &http::Retry| {
            on(Event::Retry {
                seq,
                error: r.failure.to_string(),
                next: r.next.clone(),
                wait_ms: r.wait.as_millis() as u64,
            })
        }
    }

    /// Removals first (calls replaced or removed by an edit, see [`crate::converge`]), then
    /// uploads and call batches, skipping what the journal shows accepted. `allow_changed`
    /// is no longer read: an edited campaign converges, [`SubmitError::Changed`] is never
    /// returned.
    ///
    /// The campaign's `send` plan is streamed ([`plan::posts`]): one batch is rendered, hashed
    /// and posted at a time, so memory does not grow with the campaign's size.
    ///
    /// With a provider that cannot be asked which calls it holds, a call posted without a
    /// clear answer is left in doubt and the rest are sent; the send then ends with
    /// [`SubmitError::InDoubt`] listing them (also those an earlier run left), until a
    /// person settles them ([`settle`]) or [`send_resending`](Self::send_resending) is used.
    pub fn send(
        &self,
        journal: &mut Journal,
        allow_changed: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        let _ = allow_changed;
        self.send_run(journal, None, false, on)
    }

    /// [`send`](Self::send), posting again the calls in doubt that the provider cannot be
    /// asked about: a person decided they were not taken (journaled as such first).
    pub fn send_resending(
        &self,
        journal: &mut Journal,
        allow_changed: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        let _ = allow_changed;
        self.send_run(journal, None, true, on)
    }

    /// What a `send` now would do about each recipient, as `plan` computes it: from the
    /// journal and the calls' times, then asking the provider about the calls to replace or
    /// remove ([`ask_pending`](Self::ask_pending)).
    pub fn converging(
        &self,
        state: &JournalState,
        lines: &crate::journal::LinesAt<'_>,
    ) -> Result<Converge, SubmitError> {
        let mut plan =
            crate::converge::compute(self.campaign, state, lines, jiff::Timestamp::now())?;
        self.ask_pending(state, &mut plan);
        Ok(plan)
    }

    /// [`send`](Self::send) (with `resend`, [`send_resending`](Self::send_resending)) applying
    /// `plan`, made by [`converging`](Self::converging) from this journal, still locked: what
    /// the send's confirmation stated is what it does.
    pub fn send_planned(
        &self,
        journal: &mut Journal,
        plan: Converge,
        resend: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        self.send_run(journal, Some(plan), resend, on)
    }

    fn send_run(
        &self,
        journal: &mut Journal,
        planned: Option<Converge>,
        resend: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        let run = Mutex::new(Run {
            resend,
            in_doubt: Vec::new(),
            last_start: None,
            scheduled: None,
        });
        // An edited campaign converges: calls replaced or removed go first (`allow_changed`
        // no longer changes anything: there is no refusal left to allow past).
        let converging = match planned {
            Some(plan) => plan,
            None => self.converging(journal.state(), &journal.lines_at())?,
        };
        let (removals, removal_doubts) = self.remove_changed(journal, &converging, on)?;
        lock(&run).in_doubt.extend(removal_doubts);
        let journal = Mutex::new(journal);
        let summary = Mutex::new(SendSummary {
            removals,
            ..SendSummary::default()
        });
        let shared = Flight {
            journal: &journal,
            summary: &summary,
            run: &run,
            claimed: None,
        };
        let mut posts = plan::posts(self.campaign, Action::Send);
        // Uploads come first in the plan, one at a time; then the call posts.
        let mut first_calls = None;
        for post in posts.by_ref() {
            let post = post?;
            let PostBody::Upload(sound) = post.body else {
                first_calls = Some(post);
                break;
            };
            lock(&summary).posts += 1;
            let hash = post_sha256(self.campaign, &post)?;
            if lock(&journal).state().upload_accepted(&hash) {
                lock(&summary).skipped += 1;
                on(skipped(Action::Send, &post));
                continue;
            }
            self.command_post(
                &journal,
                Action::Send,
                &post,
                &hash,
                Some(sound.name.clone()),
                on,
            )?;
            lock(&summary).accepted += 1;
        }
        let calls = first_calls.into_iter().map(Ok).chain(posts);
        if self.options.concurrency > 1 {
            self.send_concurrently(&shared, calls, on)?;
        } else {
            for post in calls {
                let post = post?;
                lock(&summary).posts += 1;
                self.send_finished(&shared, &post, on)?;
            }
        }
        let summary = summary.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut run = run.into_inner().unwrap_or_else(PoisonError::into_inner);
        // With posts in flight they finish in any order; the list is in plan order (stable:
        // the calls of one post keep theirs).
        run.in_doubt.sort_by_key(|c| c.seq);
        if let Some(first) = run.in_doubt.first() {
            return Err(SubmitError::InDoubt {
                seq: first.seq,
                calls: run.in_doubt.len(),
                list: run.in_doubt,
                summary,
            });
        }
        Ok(summary)
    }

    /// The call posts of `calls`, up to [`SubmitOptions::concurrency`] in flight, each on its
    /// own thread with exactly the steps of a sequential send (lookup, intent, post, outcome).
    /// The journal is one, behind a lock: its lines are written one at a time, each chained
    /// to the one before, whatever the order the replies come back in. A post whose calls
    /// overlap one in flight waits for it, so that it sees its outcome: a guard only, since a
    /// plan holds each recipient once (the check pass deduplicates every number), which is
    /// also what lets a finished post's calls leave the journal's memory ([`Journal::retire`]). Events are passed to `on` on this thread. The first failure stops new posts;
    /// those in flight finish and are journaled.
    fn send_concurrently<'c>(
        &self,
        shared: &Flight<'_, '_>,
        calls: impl Iterator<Item = Result<Post<'c>, crate::diagnostic::Problem>>,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let claimed = Claims::default();
        let shared = Flight {
            claimed: Some(&claimed),
            ..*shared
        };
        let failed: Mutex<Option<SubmitError>> = Mutex::new(None);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<Post<'c>>(0);
        let work_rx = Mutex::new(work_rx);
        let (event_tx, event_rx) = std::sync::mpsc::channel::<Event>();
        let fail = |e: SubmitError| {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            lock(&failed).get_or_insert(e);
        };
        std::thread::scope(|scope| {
            for _ in 0..self.options.concurrency {
                let events = event_tx.clone();
                let (shared, work_rx, fail, stop) = (&shared, &work_rx, &fail, &stop);
                scope.spawn(move || {
                    let mut on = |e: Event| {
                        let _ = events.send(e);
                    };
                    // After a failure, posts still handed over are dropped unsent (the
                    // sender checks before each hand-over, but may be waiting on one).
                    loop {
                        // Its own statement: the lock must be released before the post is
                        // sent (a `while let` would hold it through the body, and measured
                        // so: no faster with 16 in flight than with 1).
                        let next = lock(work_rx).recv();
                        let Ok(post) = next else {
                            break;
                        };
                        if stop.load(std::sync::atomic::Ordering::SeqCst) {
                            continue;
                        }
                        if let Err(e) = self.send_finished(shared, &post, &mut on) {
                            fail(e);
                        }
                    }
                });
            }
            drop(event_tx);
            for post in calls {
                while let Ok(e) = event_rx.try_recv() {
                    on(e);
                }
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                match post {
                    Ok(post) => {
                        lock(shared.summary).posts += 1;
                        // A rendezvous: the post is handed over once a worker is free, so
                        // the plan is read no further ahead than the posts in flight.
                        if work_tx.send(post).is_err() {
                            break;
                        }
                    }
                    Err(problem) => {
                        fail(problem.into());
                        break;
                    }
                }
            }
            drop(work_tx);
            for e in event_rx {
                on(e);
            }
        });
        match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn in_doubt_call(&self, seq: usize, r: &Recipient) -> InDoubtCall {
        InDoubtCall {
            seq,
            callid: r.callid.clone(),
            number: r.number.to_string(),
            label: self.campaign.provider().call_label(self.campaign, r),
        }
    }

    /// [`send_calls`](Self::send_calls), after which the journal lets go of the post's
    /// settled calls (see [`Journal::retire`]).
    fn send_finished(
        &self,
        shared: &Flight<'_, '_>,
        post: &Post<'_>,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let sent = self.send_calls(shared, post, on);
        lock(shared.journal).retire(
            post.body
                .recipients()
                .iter()
                .map(|r| (r.callid.as_str(), r.number.as_str())),
        );
        sent
    }

    fn send_calls(
        &self,
        shared: &Flight<'_, '_>,
        post: &Post<'_>,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let Flight {
            journal,
            summary,
            run,
            ..
        } = *shared;
        let (seq, kind) = (post.seq, post.body.kind());
        let recipients = post.body.recipients();
        let _claim = shared.claimed.map(|c| c.claim(recipients));
        let post_hash = post_sha256(self.campaign, post)?;
        let retries = self.transport.config().retries;
        let provider = self.campaign.provider();
        let lookup = provider.lookup();
        let mut rounds = 0u32;
        loop {
            let j = lock(journal);
            let state = j.state();
            let (doubt, unknown): (Vec<&Recipient>, Vec<&Recipient>) = recipients
                .iter()
                .filter(|r| state.call(&r.callid, r.number.as_str()) != Some(CallState::Accepted))
                .partition(|r| {
                    state.call(&r.callid, r.number.as_str()) == Some(CallState::InDoubt)
                });
            drop(j);
            match lookup {
                // The provider is the truth and the journal a cache: unless the journal is
                // trusted, every call not known as accepted is looked up before it is
                // posted, so a lost, cut or second journal cannot call anyone twice.
                Lookup::ByCallId { .. } => {
                    let ask: Vec<&Recipient> = if self.options.trust_journal {
                        doubt.clone()
                    } else {
                        doubt.iter().chain(&unknown).copied().collect()
                    };
                    if !ask.is_empty() {
                        if !doubt.is_empty() {
                            let last = lock(journal).state().last_call_intent();
                            self.settle(last);
                        }
                        let doubt_keys: HashSet<String> = doubt
                            .iter()
                            .map(|r| call_key(&r.callid, r.number.as_str()))
                            .collect();
                        let present = self.resolve(journal, seq, &ask, &doubt_keys, on)?;
                        lock(summary).resolved_present += present;
                    }
                }
                Lookup::None if !doubt.is_empty() && lock(run).resend => {
                    // A person decided these were not taken: journaled before they go again.
                    let keys: Vec<String> = doubt
                        .iter()
                        .map(|r| call_key(&r.callid, r.number.as_str()))
                        .collect();
                    on(Event::Resolved {
                        seq,
                        present: 0,
                        missing: keys.len(),
                    });
                    lock(journal).resolved(seq, Vec::new(), keys)?;
                }
                // Scheduled calls can be found in the provider's list of them: those found were
                // taken, those missing while their time is still far were not.
                Lookup::None if !doubt.is_empty() && provider.scheduled_list().is_some() => {
                    let last = lock(journal).state().last_call_intent();
                    self.settle(last);
                    let still = self.settle_from_list(journal, run, seq, &doubt, on)?;
                    lock(run)
                        .in_doubt
                        .extend(still.iter().map(|r| self.in_doubt_call(seq, r)));
                }
                // Nobody can tell whether these were taken: never posted again automatically.
                Lookup::None => lock(run)
                    .in_doubt
                    .extend(doubt.iter().map(|r| self.in_doubt_call(seq, r))),
            }
            let j = lock(journal);
            let state = j.state();
            let to_send: Vec<Recipient> = recipients
                .iter()
                .filter(|r| !state.maybe_taken(&r.callid, r.number.as_str()))
                .cloned()
                .collect();
            drop(j);
            if to_send.is_empty() {
                if rounds == 0 {
                    lock(summary).skipped += 1;
                    on(skipped(Action::Send, post));
                } else {
                    lock(summary).accepted += 1;
                }
                return Ok(());
            }
            rounds += 1;
            let partial;
            let (body_hash, sent_post) = if to_send.len() == recipients.len() {
                (post_hash.clone(), post)
            } else {
                partial = Post {
                    seq,
                    body: PostBody::Calls(to_send.clone()),
                };
                (post_sha256(self.campaign, &partial)?, &partial)
            };
            // Posts start at most one per interval, however many are in flight: the slot is
            // taken under the lock, the wait happens outside it.
            let interval = provider.pacing().interval;
            let wait = {
                let mut run = lock(run);
                let now = Instant::now();
                let start = run.last_start.map_or(now, |t| (t + interval).max(now));
                run.last_start = Some(start);
                start - now
            };
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
            let body = http::PostBody::Bytes(self.body(sent_post)?);
            let calls = to_send
                .iter()
                .map(|r| (r.callid.clone(), r.number.to_string()))
                .collect();
            // What each call asks for, so that a later edit can be told from it.
            let contents = to_send
                .iter()
                .map(|r| crate::converge::content(self.campaign, r))
                .collect::<Result<Vec<_>, _>>()?;
            lock(journal).content(seq, contents)?;
            let attempt = lock(journal).intent(
                Action::Send,
                seq,
                kind,
                &post_hash,
                &body_hash,
                calls,
                None,
            )?;
            let keys: Vec<String> = to_send
                .iter()
                .map(|r| call_key(&r.callid, r.number.as_str()))
                .collect();
            let exchange = Exchange {
                attempt,
                seq,
                kind,
                keys: &keys,
            };
            let failure = match self.exchange(journal, exchange, &body, on)? {
                Ok(endpoint) => {
                    let mut summary = lock(summary);
                    summary.accepted += 1;
                    summary.numbers_sent += to_send.len();
                    drop(summary);
                    on(Event::Post {
                        action: Action::Send,
                        seq,
                        kind,
                        numbers: recipients.len(),
                        sent: to_send.len(),
                        status: PostStatus::Accepted,
                        endpoint: Some(endpoint),
                    });
                    return Ok(());
                }
                Err(f) if !f.maybe_sent => {
                    return Err(SubmitError::Transport {
                        seq,
                        kind,
                        failure: f,
                    });
                }
                Err(f) => f,
            };
            on(Event::Ambiguous {
                seq,
                error: failure.to_string(),
                numbers: to_send.len(),
            });
            if lookup == Lookup::None {
                lock(run)
                    .in_doubt
                    .extend(to_send.iter().map(|r| self.in_doubt_call(seq, r)));
                return Ok(());
            }
            if rounds > retries {
                return Err(SubmitError::Transport { seq, kind, failure });
            }
        }
    }

    /// Settles scheduled calls in `doubt` from the provider's list of scheduled calls (see
    /// [`crate::provider::ScheduledList`]): one entry with the call's number and time means it was taken (its
    /// id is journaled); no entry while the call's time is more than the provider's margin
    /// away means it was not. Anything else (an immediate call, a time too near, two entries
    /// alike, a list that cannot be read) stays in doubt and is returned.
    fn settle_from_list<'r>(
        &self,
        journal: &Mutex<&mut Journal>,
        run: &Mutex<Run>,
        seq: usize,
        doubt: &[&'r Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<&'r Recipient>, SubmitError> {
        let Some(list) = self.campaign.provider().scheduled_list() else {
            return Ok(doubt.to_vec());
        };
        let cached = lock(run).scheduled.clone();
        let calls = match cached {
            Some(calls) => calls,
            None => {
                let reply = self.transport.send_to(
                    list.list_method(),
                    &http::PostBody::Bytes(Vec::new()),
                    true,
                    &|endpoint| list.list_url(endpoint),
                    &mut |_| {},
                );
                // A list that cannot be had is asked for again by the next post in doubt.
                let Some(calls) = reply.ok().and_then(|r| list.read_list(&r.body).ok()) else {
                    return Ok(doubt.to_vec());
                };
                let calls = std::sync::Arc::new(calls);
                lock(run).scheduled = Some(std::sync::Arc::clone(&calls));
                calls
            }
        };
        let far = jiff::SignedDuration::try_from(list.margin())
            .ok()
            .and_then(|m| jiff::Timestamp::now().checked_add(m).ok());
        let mut present = Vec::new();
        let mut missing = Vec::new();
        let mut ids = std::collections::BTreeMap::new();
        let mut still = Vec::new();
        for &r in doubt {
            let key = call_key(&r.callid, r.number.as_str());
            let Some((to, when)) = list.entry_of(self.campaign, r) else {
                still.push(r);
                continue;
            };
            let mut found = calls.iter().filter(|c| c.to == to && c.when == when);
            match (found.next(), found.next()) {
                (Some(call), None) => {
                    ids.insert(key.clone(), call.id.clone());
                    present.push(key);
                }
                (None, _)
                    if far.is_some_and(|far| {
                        r.at.as_ref().is_some_and(|at| at.timestamp() > far)
                    }) =>
                {
                    missing.push(key);
                }
                _ => still.push(r),
            }
        }
        if !present.is_empty() || !missing.is_empty() {
            on(Event::Resolved {
                seq,
                present: present.len(),
                missing: missing.len(),
            });
            lock(journal).resolved_with_ids(seq, present, missing, ids)?;
        }
        Ok(still)
    }

    /// Waits until the last call post is [`SubmitOptions::settle`] old: a post the client
    /// gave up on may still reach the provider, or be applied, a while later, and a lookup
    /// before then would miss it and the calls would go out twice.
    fn settle(&self, last_call_intent: Option<jiff::Timestamp>) {
        let Some(last) = last_call_intent else {
            return;
        };
        let age = jiff::Timestamp::now().duration_since(last);
        let settle = jiff::SignedDuration::try_from(self.options.settle).unwrap_or_default();
        if let Ok(wait) = std::time::Duration::try_from(settle - age) {
            std::thread::sleep(wait);
        }
    }

    /// Asks the provider which of `ask` it holds and journals those present, and those in
    /// `doubt` (recipient keys) that it does not hold; returns how many were present.
    fn resolve(
        &self,
        journal: &Mutex<&mut Journal>,
        seq: usize,
        ask: &[&Recipient],
        doubt: &HashSet<String>,
        on: &mut dyn FnMut(Event),
    ) -> Result<usize, SubmitError> {
        let Lookup::ByCallId { batch } = self.campaign.provider().lookup() else {
            return Ok(0);
        };
        let mut total = 0;
        for chunk in ask.chunks(batch.max(1)) {
            let chunk: Vec<Recipient> = chunk.iter().map(|r| (*r).clone()).collect();
            let found = self.query_callids(seq, &chunk, on)?;
            let mut present = Vec::new();
            let mut missing = Vec::new();
            for r in &chunk {
                let key = call_key(&r.callid, r.number.as_str());
                if found.iter().any(|c| same_call(c, r)) {
                    present.push(key);
                } else if doubt.contains(&key) {
                    missing.push(key);
                }
            }
            total += present.len();
            if !present.is_empty() || !missing.is_empty() {
                on(Event::Resolved {
                    seq,
                    present: present.len(),
                    missing: missing.len(),
                });
                lock(journal).resolved(seq, present, missing)?;
            }
        }
        Ok(total)
    }

    fn query_callids(
        &self,
        seq: usize,
        recipients: &[Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<CallResult>, SubmitError> {
        self.lookup(seq, PostBody::Query(recipients.to_vec()), on)
    }

    /// Posts a lookup (`Query` or `QueryAll`) and reads the calls it finds, asking again
    /// on an unreadable answer (a lookup changes nothing at the provider).
    fn lookup(
        &self,
        seq: usize,
        body: PostBody<'_>,
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<CallResult>, SubmitError> {
        let post = Post { seq, body };
        let body = http::PostBody::Bytes(self.body(&post)?);
        let retries = self.transport.config().retries;
        let provider = self.campaign.provider();
        let mut round = 0;
        loop {
            let reply = self
                .transport
                .post_to(
                    &body,
                    true,
                    &|e| provider.url(e, PostKind::Query),
                    &mut Self::retry_cb(seq, on),
                )
                .map_err(|failure| SubmitError::Transport {
                    seq,
                    kind: PostKind::Query,
                    failure,
                })?;
            let read = |b: &[u8]| self.campaign.provider().read_lookup(b);
            let message = match self.read_safely(&reply.body, read) {
                Ok(calls) => return Ok(calls.into_iter().map(|c| self.scrub_result(c)).collect()),
                Err(ReplyOutcome::Rejected(rejection)) => {
                    return Err(SubmitError::Rejected {
                        seq,
                        kind: PostKind::Query,
                        rejection,
                    });
                }
                Err(ReplyOutcome::Unreadable(message)) => message,
                Err(ReplyOutcome::Accepted { .. }) => {
                    "the provider's lookup reply says nothing of the calls".into()
                }
            };
            let failure = Failure {
                maybe_sent: true,
                message,
                endpoint: reply.endpoint,
            };
            // A lookup changes nothing at the provider: an unreadable answer is simply
            // asked again, like any other failure of a post that is safe to repeat.
            if round >= retries {
                return Err(SubmitError::Transport {
                    seq,
                    kind: PostKind::Query,
                    failure,
                });
            }
            round += 1;
            let wait = self.transport.config().backoff * round;
            on(Event::Retry {
                seq,
                error: failure.to_string(),
                next: failure.endpoint.clone(),
                wait_ms: wait.as_millis() as u64,
            });
            std::thread::sleep(wait);
        }
    }

    /// A post that does no harm when repeated (upload, delete, pause, resume, ping): journaled,
    /// retried on any failure.
    fn command_post(
        &self,
        journal: &Mutex<&mut Journal>,
        action: Action,
        post: &Post<'_>,
        hash: &str,
        file: Option<String>,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let (seq, kind) = (post.seq, post.body.kind());
        let body = if matches!(post.body, PostBody::Upload(_)) {
            // Streamed from disk: a large WAV never sits in memory as base64. The file has no
            // name from the moment it exists (it is unlinked at creation), so the document,
            // credentials included, cannot be found on disk, even after a SIGKILL.
            let tmp = tempfile::tempfile()?;
            let mut w = BufWriter::with_capacity(1 << 16, &tmp);
            self.campaign
                .provider()
                .encode(self.campaign, post, self.credentials, &mut w)?;
            w.flush()?;
            drop(w);
            http::PostBody::File(tmp)
        } else {
            http::PostBody::Bytes(self.body(post)?)
        };
        let attempt = lock(journal).intent(action, seq, kind, hash, hash, Vec::new(), file)?;
        let exchange = Exchange {
            attempt,
            seq,
            kind,
            keys: &[],
        };
        match self.exchange(journal, exchange, &body, on)? {
            Ok(endpoint) => {
                on(Event::Post {
                    action,
                    seq,
                    kind,
                    numbers: post.body.recipients().len(),
                    sent: post.body.recipients().len(),
                    status: PostStatus::Accepted,
                    endpoint: Some(endpoint),
                });
                Ok(())
            }
            Err(failure) => Err(SubmitError::Transport { seq, kind, failure }),
        }
    }

    /// Posts `body` for journaled `attempt` and records the outcome. `Ok(Ok(endpoint))`:
    /// accepted; `Ok(Err(failure))`: no clear answer (`maybe_sent` says whether the provider
    /// may hold it); `Err`: rejected, or the journal failed. Posts other than call posts are
    /// harmless to repeat and are retried on any failure.
    fn exchange(
        &self,
        journal: &Mutex<&mut Journal>,
        x: Exchange<'_>,
        body: &http::PostBody,
        on: &mut dyn FnMut(Event),
    ) -> Result<Result<String, Failure>, SubmitError> {
        let Exchange {
            attempt,
            seq,
            kind,
            keys,
        } = x;
        let repeatable = kind != PostKind::Send;
        let provider = self.campaign.provider();
        let result = self.transport.post_to(
            body,
            repeatable,
            &|e| provider.url(e, kind),
            &mut Self::retry_cb(seq, on),
        );
        let failure = match result {
            Ok(reply) => match self
                .read_outcome_safely(&reply.body, |b| provider.read_answer(reply.status, b))
            {
                ReplyOutcome::Accepted { ids } => {
                    // An empty call id stands for the post's only call (one call per request),
                    // kept under its recipient key: call ids can be shared.
                    let ids = ids.into_iter().map(|(callid, id)| match keys {
                        [only] if callid.is_empty() => (only.clone(), id),
                        _ => (callid, id),
                    });
                    lock(journal).outcome(
                        attempt,
                        seq,
                        Outcome::Accepted,
                        Said {
                            ids: ids.into_iter().collect(),
                            endpoint: Some(reply.endpoint.clone()),
                            ..Said::default()
                        },
                    )?;
                    return Ok(Ok(reply.endpoint));
                }
                ReplyOutcome::Rejected(rejection) => {
                    // (A refusal may quote the request back: read_outcome_safely scrubbed it.)
                    lock(journal).outcome(
                        attempt,
                        seq,
                        Outcome::Rejected,
                        Said {
                            code: Some(rejection.code.clone()),
                            detail: Some(rejection.message.clone()),
                            provider_message: rejection
                                .provider_message
                                .as_deref()
                                .map(str::to_owned),
                            endpoint: Some(reply.endpoint.clone()),
                            ..Said::default()
                        },
                    )?;
                    return Err(SubmitError::Rejected {
                        seq,
                        kind,
                        rejection,
                    });
                }
                ReplyOutcome::Unreadable(message) => Failure {
                    maybe_sent: true,
                    message,
                    endpoint: reply.endpoint,
                },
            },
            Err(f) => f,
        };
        let outcome = if failure.maybe_sent {
            Outcome::Ambiguous
        } else {
            Outcome::NotSent
        };
        lock(journal).outcome(
            attempt,
            seq,
            outcome,
            Said {
                detail: Some(failure.message.clone()),
                endpoint: Some(failure.endpoint.clone()),
                ..Said::default()
            },
        )?;
        Ok(Err(failure))
    }

    /// Runs the posts of `action` (pause, resume, delete, sounds, sounds-delete, ping), each
    /// journaled; these are harmless to repeat, so every failure is retried. The campaign's
    /// plan for `action` is streamed ([`plan::posts`]); returns how many posts were made.
    pub fn command(
        &self,
        journal: &mut Journal,
        action: Action,
        on: &mut dyn FnMut(Event),
    ) -> Result<usize, SubmitError> {
        let journal = Mutex::new(journal);
        let journal = &journal;
        let mut made = 0;
        for post in plan::posts(self.campaign, action) {
            let post = post?;
            let hash = post_sha256(self.campaign, &post)?;
            let file = match post.body {
                PostBody::Upload(s) | PostBody::DeleteSound(s) => Some(s.name.clone()),
                _ => None,
            };
            self.command_post(journal, action, &post, &hash, file, on)?;
            made += 1;
        }
        Ok(made)
    }

    /// Queries this campaign's call ids post by post and hands each post's results, joined to
    /// its recipients in order, to `each`: one post's results are held at a time, whatever
    /// the campaign's size.
    pub fn query(
        &self,
        on: &mut dyn FnMut(Event),
        each: &mut dyn FnMut(Vec<CallReport>),
    ) -> Result<(), SubmitError> {
        for post in plan::posts(self.campaign, Action::Query) {
            let post = post?;
            let recipients = post.body.recipients();
            let mut out = Vec::with_capacity(recipients.len());
            let calls = self.query_callids(post.seq, recipients, on)?;
            on(Event::Post {
                action: Action::Query,
                seq: post.seq,
                kind: PostKind::Query,
                numbers: recipients.len(),
                sent: recipients.len(),
                status: PostStatus::Accepted,
                endpoint: None,
            });
            // The last result for a call id wins: a re-posted call id replaces the earlier one.
            let by_id: std::collections::HashMap<&str, &CallResult> =
                calls.iter().map(|c| (c.callid.as_str(), c)).collect();
            let provider = self.campaign.provider();
            for r in recipients {
                out.push(match by_id.get(r.callid.as_str()) {
                    Some(c) => CallReport {
                        number: r.number.to_string(),
                        callid: r.callid.clone(),
                        result: provider.reach(c),
                        status: c.status.clone(),
                        comment: c.comment.clone(),
                        dateandtime: c.dateandtime.clone(),
                        duration: c.duration,
                        keypresses: c.keypresses.clone(),
                        responses: Default::default(),
                        attempts: None,
                        not_sent_by_outdial: false,
                    },
                    None => CallReport {
                        number: r.number.to_string(),
                        callid: r.callid.clone(),
                        result: Reach::NotFound,
                        status: String::new(),
                        comment: String::new(),
                        dateandtime: String::new(),
                        duration: None,
                        keypresses: Vec::new(),
                        responses: Default::default(),
                        attempts: None,
                        not_sent_by_outdial: false,
                    },
                });
            }
            each(out);
        }
        Ok(())
    }
}

/// What the posts of one `send` share, whether one at a time or several in flight.
#[derive(Clone, Copy)]
struct Flight<'s, 'j> {
    journal: &'s Mutex<&'j mut Journal>,
    summary: &'s Mutex<SendSummary>,
    run: &'s Mutex<Run>,
    /// The recipients of the posts in flight (with more than one in flight).
    claimed: Option<&'s Claims>,
}

/// The recipient keys ([`key_hash`]) of the call posts in flight.
#[derive(Default)]
struct Claims {
    keys: Mutex<HashSet<KeyHash>>,
    freed: Condvar,
}

/// Recipient keys claimed by one post in flight, given back when it is dropped.
struct Claim<'c> {
    claims: &'c Claims,
    keys: Vec<KeyHash>,
}

impl Claims {
    /// Claims the keys of `recipients`, waiting while a post in flight holds any of them.
    fn claim(&self, recipients: &[Recipient]) -> Claim<'_> {
        let keys: Vec<KeyHash> = recipients
            .iter()
            .map(|r| key_hash(&call_key(&r.callid, r.number.as_str())))
            .collect();
        let mut held = lock(&self.keys);
        while keys.iter().any(|k| held.contains(k)) {
            held = self
                .freed
                .wait(held)
                .unwrap_or_else(PoisonError::into_inner);
        }
        held.extend(keys.iter().copied());
        Claim { claims: self, keys }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut held = lock(&self.claims.keys);
        for k in &self.keys {
            held.remove(k);
        }
        drop(held);
        self.claims.freed.notify_all();
    }
}

/// Locks `m`; a panic elsewhere does not make what it guards unusable (the journal's lines
/// are written whole or cut off when it is next opened).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which journaled attempt an exchange answers.
struct Exchange<'a> {
    attempt: u64,
    seq: usize,
    kind: PostKind,
    /// The recipient keys of the calls the post places (empty for posts without calls).
    keys: &'a [String],
}

/// Whether a provider's result is the call to `r`: same call id, and the same number unless
/// the provider wrote none it can be read back from (then the call id alone decides, which
/// errs on the side of not calling again).
fn same_call(result: &CallResult, r: &Recipient) -> bool {
    result.callid == r.callid
        && crate::phone::parse_international(&result.number).map_or(true, |n| n == r.number)
}

fn skipped(action: Action, post: &Post<'_>) -> Event {
    Event::Post {
        action,
        seq: post.seq,
        kind: post.body.kind(),
        numbers: post.body.recipients().len(),
        sent: 0,
        status: PostStatus::Skipped,
        endpoint: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(refusal: bool, help: Option<&str>) -> SubmitError {
        SubmitError::Rejected {
            seq: 1,
            kind: PostKind::Send,
            rejection: Rejection {
                code: "1".into(),
                code_name: "errorid",
                message: String::new(),
                refusal,
                help: help.map(str::to_owned),
                provider_message: None,
            },
        }
    }

    #[test]
    fn help_is_the_providers_advice_when_it_has_some() {
        assert_eq!(
            rejected(true, Some("register this IP")).help(None),
            "register this IP"
        );
        assert!(
            rejected(true, None)
                .help(None)
                .contains("account needs attention")
        );
        assert!(
            rejected(false, None)
                .help(None)
                .starts_with("fix the campaign")
        );
    }

    #[test]
    fn help_lists_calls_in_doubt_and_how_to_settle_them() {
        let list: Vec<InDoubtCall> = (0..52)
            .map(|i| InDoubtCall {
                seq: 1,
                callid: format!("c{i}"),
                number: format!("81855501{i:02}"),
                label: format!("label {i}"),
            })
            .collect();
        let err = SubmitError::InDoubt {
            seq: 1,
            calls: list.len(),
            list,
            summary: SendSummary::default(),
        };
        let help = err.help(Some(Path::new("j.jsonl")));
        assert!(help.contains("\n  8185550100 label 0\n"), "{help}");
        assert!(help.contains("… and 2 more"), "{help}");
        assert!(help.contains("outdial resolve FILE --sent ID…"), "{help}");
        assert!(help.contains("--not-sent ID…"), "{help}");
        assert!(
            help.contains("outdial send FILE --resend-in-doubt"),
            "{help}"
        );
        assert!(help.ends_with("(journal: j.jsonl)"), "{help}");
    }

    #[test]
    fn help_names_the_journal_to_resume_from() {
        let err = SubmitError::Transport {
            seq: 2,
            kind: PostKind::Send,
            failure: Failure {
                maybe_sent: false,
                message: "refused".into(),
                endpoint: "http://127.0.0.1:1/".into(),
            },
        };
        assert!(
            err.help(Some(Path::new("j.jsonl")))
                .ends_with("run the same command again to resume (journal: j.jsonl)")
        );
        let changed = SubmitError::Changed {
            changes: vec![
                Change {
                    seq: 1,
                    was: "a".into(),
                    now: Some("b".into()),
                },
                Change {
                    seq: 4,
                    was: "c".into(),
                    now: None,
                },
            ],
            orphaned: 2,
            taken: 1,
        };
        assert_eq!(
            changed.help(None),
            "post 1 differs, post 4 is no longer in the plan (1 call id of this campaign already \
             at the provider or in doubt, 2 no longer in the file). Nothing was sent. Undo the \
             edit, or send the change as a new campaign (new name), or pass --allow-changed to \
             send only recipients never sent before — calls already placed keep their old content"
        );
    }
}
