//! Submitting a campaign: posts over HTTP, recorded in the [`journal`](crate::journal), so that
//! nobody is called twice.
//!
//! `send` walks the plan (uploads, then call batches). Before a batch goes out, any of its call
//! ids the journal holds *in doubt* (posted, no clear answer) are settled with a Call Query
//! (action 3); then only call ids not at the provider are posted. A failure before the body
//! left is retried by the transport (backoff, fallback host); a failure after it is recorded
//! as ambiguous and settled the same way. The invariant: a call id the journal knows as
//! accepted, or cannot rule out, is never in an action-0 body.
//!
//! Nothing here prints: progress arrives as [`Event`]s, results as values.

pub mod http;

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::campaign::{Campaign, Recipient};
use crate::journal::{CallState, HashingWriter, Journal, JournalError, JournalState, Outcome};
use crate::plan::{self, Action, Post, PostBody};
use crate::voiceshot::reply::{parse_command_reply, parse_query_reply};
use crate::voiceshot::{Credentials, RenderError, errorid, write_post_as};

pub use http::{Failure, Transport, TransportConfig, TransportError};

/// Progress of a submission, one event per post (plus retries and resolutions).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// A post is finished (or skipped).
    Post {
        /// The command.
        action: &'static str,
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: &'static str,
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
    /// A Call Query settled call ids in doubt.
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
    /// Taken by the provider (errorid 0).
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

/// Why a submission stopped.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The provider answered errorid ≠ 0.
    #[error("post {seq} ({kind}) was rejected: errorid {errorid}: {message}")]
    Rejected {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: &'static str,
        /// The code.
        errorid: u32,
        /// The table's sentence (or VoiceShot's comment for unknown codes).
        message: String,
    },
    /// The network failed after every retry. Re-running resumes.
    #[error("post {seq} ({kind}) failed: {failure}")]
    Transport {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: &'static str,
        /// The last failure.
        failure: Failure,
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

impl From<Box<crate::diagnostic::Problem>> for SubmitError {
    fn from(problem: Box<crate::diagnostic::Problem>) -> Self {
        SubmitError::Plan(problem)
    }
}

impl SubmitError {
    /// Whether this is a refusal of the account or host (errorid 1 or 2), not of the post.
    pub fn is_refusal(&self) -> bool {
        matches!(self, SubmitError::Rejected { errorid, .. } if errorid::is_refusal(*errorid))
    }

    /// What a person can do about this error, provider specifics included (which setting of
    /// the account to change). `journal` is the journal a re-run resumes from, when the command
    /// keeps one; it is named in the advice to run again.
    pub fn help(&self, journal: Option<&Path>) -> String {
        let resume = journal
            .map(|p| format!(" (journal: {})", p.display()))
            .unwrap_or_default();
        match self {
            SubmitError::Rejected { errorid: 1, .. } => "register this machine's public IP in VoiceShot: Campaign → Options → Developer → Registered IPs".to_owned(),
            SubmitError::Rejected { .. } if self.is_refusal() => {
                "the VoiceShot account needs attention (see the message)".to_owned()
            }
            SubmitError::Rejected { .. } => "fix the campaign (see `outdial compile` for the exact XML), then run the command again".to_owned(),
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
                    "{} ({} {} of this campaign already at VoiceShot or in doubt{}). Nothing was \
                     sent. Undo the edit, or send the change as a new campaign (new name), or \
                     pass --allow-changed to send only recipients never sent before — calls \
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
            SubmitError::Journal(_)
            | SubmitError::Render(_)
            | SubmitError::Io(_)
            | SubmitError::Plan(_) => "see the message".to_owned(),
        }
    }
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
}

/// How one recipient's call stands, from a Call Query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Answered (`Successful`).
    Reached,
    /// Dialled, not answered.
    NotReached,
    /// Not yet dialled (pending or paused).
    Pending,
    /// The provider does not know the call id (not sent, or deleted).
    NotFound,
}

/// One recipient joined with its Call Query result.
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
}

/// One post a `send` would make now, per the journal.
#[derive(Clone, Debug)]
pub struct Preview {
    /// Position in the plan.
    pub seq: usize,
    /// Post kind.
    pub kind: &'static str,
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
    pub campaign: &'a Campaign,
    /// The HTTP transport.
    pub transport: &'a Transport,
    /// Root attributes from the environment.
    pub credentials: Option<&'a Credentials>,
}

fn sha_of(campaign: &Campaign, post: &Post<'_>) -> Result<String, RenderError> {
    let mut w = HashingWriter::new(io::sink());
    write_post_as(campaign, post, None, &mut w)?;
    Ok(w.finish().1)
}

fn rejected(seq: usize, kind: &'static str, errorid: u32, comment: &str) -> SubmitError {
    let message = errorid::describe(errorid)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("undocumented error: {comment}"));
    SubmitError::Rejected {
        seq,
        kind,
        errorid,
        message,
    }
}

/// Which of `posts` (the `send` plan) differ from what the journal recorded as (maybe) taken.
pub fn changes(
    campaign: &Campaign,
    posts: &[Post<'_>],
    state: &JournalState,
) -> Result<(Vec<Change>, usize, usize), SubmitError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for post in posts.iter().filter(|p| p.body.kind() == "send") {
        seen.insert(post.seq);
        if let Some(was) = state.post_hash(post.seq)
            && state.seq_has_taken(post.seq)
        {
            let now = sha_of(campaign, post)?;
            if now != was {
                out.push(Change {
                    seq: post.seq,
                    was: was.to_owned(),
                    now: Some(now),
                });
            }
        }
    }
    for seq in state.send_seqs() {
        if !seen.contains(&seq) && state.seq_has_taken(seq) {
            out.push(Change {
                seq,
                was: state.post_hash(seq).unwrap_or_default().to_owned(),
                now: None,
            });
        }
    }
    let planned: HashSet<&str> = posts
        .iter()
        .flat_map(|p| p.body.recipients())
        .map(|r| r.callid.as_str())
        .collect();
    let taken: Vec<&str> = state.taken_callids().collect();
    let orphaned = taken.iter().filter(|id| !planned.contains(*id)).count();
    Ok((out, orphaned, taken.len()))
}

/// What `send` would do now with each of `posts` (the `send` plan), given the journal; one
/// preview per post, in order.
pub fn preview_send(
    campaign: &Campaign,
    posts: &[Post<'_>],
    state: &JournalState,
) -> Result<Vec<Preview>, SubmitError> {
    let mut out = Vec::new();
    for post in posts {
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
            p.skip = state.upload_accepted(&sha_of(campaign, post)?);
        } else {
            p.in_doubt = recipients
                .iter()
                .filter(|r| state.call(&r.callid) == Some(CallState::InDoubt))
                .count();
            let left: Vec<Recipient> = recipients
                .iter()
                .filter(|r| state.call(&r.callid) != Some(CallState::Accepted))
                .cloned()
                .collect();
            p.skip = left.is_empty();
            if !left.is_empty() && left.len() < recipients.len() {
                p.subset = Some(left);
            }
        }
        out.push(p);
    }
    Ok(out)
}

impl Preview {
    /// Writes the document this post would carry (a subset batch when part is done);
    /// `post` is the planned post the preview was made from.
    pub fn render(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: impl Write,
    ) -> Result<(), RenderError> {
        debug_assert_eq!(post.seq, self.seq, "a preview renders its own post");
        match &self.subset {
            Some(subset) => write_post_as(
                campaign,
                &Post {
                    seq: self.seq,
                    body: PostBody::Calls(subset.clone()),
                },
                credentials,
                out,
            ),
            None => write_post_as(campaign, post, credentials, out),
        }
    }
}

impl Submitter<'_> {
    fn batch(&self) -> usize {
        self.campaign
            .voiceshot()
            .map_or(crate::campaign::DEFAULT_BATCH_SIZE, |v| v.batch_size)
            .max(1)
    }

    fn body(&self, post: &Post<'_>) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        write_post_as(self.campaign, post, self.credentials, &mut out)?;
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

    /// Uploads, then call batches, skipping what the journal shows accepted. Refuses with
    /// [`SubmitError::Changed`] when posts that were (maybe) taken have changed, unless
    /// `allow_changed`: then only call ids never taken are sent.
    /// `posts` is the campaign's `send` plan ([`plan::all_posts`]).
    pub fn send(
        &self,
        journal: &mut Journal,
        posts: &[Post<'_>],
        allow_changed: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        let (changes, orphaned, taken) = changes(self.campaign, posts, journal.state())?;
        if !changes.is_empty() && !allow_changed {
            return Err(SubmitError::Changed {
                changes,
                orphaned,
                taken,
            });
        }
        let mut summary = SendSummary {
            posts: posts.len(),
            ..SendSummary::default()
        };
        for post in posts {
            match post.body {
                PostBody::Upload(sound) => {
                    let hash = sha_of(self.campaign, post)?;
                    if journal.state().upload_accepted(&hash) {
                        summary.skipped += 1;
                        on(skipped("send", post));
                        continue;
                    }
                    self.command_post(journal, "send", post, &hash, Some(sound.name.clone()), on)?;
                    summary.accepted += 1;
                }
                _ => self.send_calls(journal, post, &mut summary, on)?,
            }
        }
        Ok(summary)
    }

    fn send_calls(
        &self,
        journal: &mut Journal,
        post: &Post<'_>,
        summary: &mut SendSummary,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let (seq, kind) = (post.seq, post.body.kind());
        let recipients = post.body.recipients();
        let post_hash = sha_of(self.campaign, post)?;
        let retries = self.transport.config().retries;
        let mut rounds = 0u32;
        loop {
            let doubt: Vec<Recipient> = recipients
                .iter()
                .filter(|r| journal.state().call(&r.callid) == Some(CallState::InDoubt))
                .cloned()
                .collect();
            if !doubt.is_empty() {
                summary.resolved_present += self.resolve(journal, seq, &doubt, on)?;
            }
            let to_send: Vec<Recipient> = recipients
                .iter()
                .filter(|r| !journal.state().maybe_taken(&r.callid))
                .cloned()
                .collect();
            if to_send.is_empty() {
                if rounds == 0 {
                    summary.skipped += 1;
                    on(skipped("send", post));
                } else {
                    summary.accepted += 1;
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
                (sha_of(self.campaign, &partial)?, &partial)
            };
            let body = http::PostBody::Bytes(self.body(sent_post)?);
            let callids = to_send.iter().map(|r| r.callid.clone()).collect();
            let attempt =
                journal.intent("send", seq, kind, &post_hash, &body_hash, callids, None)?;
            let failure = match self.exchange(journal, attempt, seq, kind, &body, false, on)? {
                Ok(endpoint) => {
                    summary.accepted += 1;
                    summary.numbers_sent += to_send.len();
                    on(Event::Post {
                        action: "send",
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
            if rounds > retries {
                return Err(SubmitError::Transport { seq, kind, failure });
            }
        }
    }

    /// Queries `doubt` and journals which are present; returns how many were.
    fn resolve(
        &self,
        journal: &mut Journal,
        seq: usize,
        doubt: &[Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<usize, SubmitError> {
        let mut total = 0;
        for chunk in doubt.chunks(self.batch()) {
            let found = self.query_callids(seq, chunk, on)?;
            let ids: HashSet<&str> = found.iter().map(|c| c.callid.as_str()).collect();
            let (present, missing): (Vec<String>, Vec<String>) = chunk
                .iter()
                .map(|r| r.callid.clone())
                .partition(|id| ids.contains(id.as_str()));
            total += present.len();
            on(Event::Resolved {
                seq,
                present: present.len(),
                missing: missing.len(),
            });
            journal.resolved(seq, present, missing)?;
        }
        Ok(total)
    }

    fn query_callids(
        &self,
        seq: usize,
        recipients: &[Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<crate::voiceshot::reply::CallResult>, SubmitError> {
        let post = Post {
            seq,
            body: PostBody::Query(recipients.to_vec()),
        };
        let body = http::PostBody::Bytes(self.body(&post)?);
        let reply = self
            .transport
            .post(&body, true, &mut Self::retry_cb(seq, on))
            .map_err(|failure| SubmitError::Transport {
                seq,
                kind: "query",
                failure,
            })?;
        let parsed = parse_query_reply(&reply.body).map_err(|e| SubmitError::Transport {
            seq,
            kind: "query",
            failure: Failure {
                maybe_sent: true,
                message: format!("unreadable query reply: {e}"),
                endpoint: reply.endpoint.clone(),
            },
        })?;
        match parsed.errorid {
            Some(e) if e != 0 => Err(rejected(
                seq,
                "query",
                e,
                parsed.comment.as_deref().unwrap_or(""),
            )),
            _ => Ok(parsed.calls),
        }
    }

    /// A post that does no harm when repeated (upload, delete, pause, resume, ping): journaled,
    /// retried on any failure.
    fn command_post(
        &self,
        journal: &mut Journal,
        action: &'static str,
        post: &Post<'_>,
        hash: &str,
        file: Option<String>,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let (seq, kind) = (post.seq, post.body.kind());
        let body = if matches!(post.body, PostBody::Upload(_)) {
            // Streamed from disk: a large WAV never sits in memory as base64.
            let tmp = tempfile::NamedTempFile::new()?;
            let mut w = BufWriter::with_capacity(1 << 16, tmp.as_file());
            write_post_as(self.campaign, post, self.credentials, &mut w)?;
            w.flush()?;
            drop(w);
            (http::PostBody::File(tmp.path().to_owned()), Some(tmp))
        } else {
            (http::PostBody::Bytes(self.body(post)?), None)
        };
        let attempt = journal.intent(action, seq, kind, hash, hash, Vec::new(), file)?;
        match self.exchange(journal, attempt, seq, kind, &body.0, true, on)? {
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
    /// may hold it); `Err`: rejected, or the journal failed.
    #[allow(clippy::too_many_arguments)]
    fn exchange(
        &self,
        journal: &mut Journal,
        attempt: u64,
        seq: usize,
        kind: &'static str,
        body: &http::PostBody,
        repeatable: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<Result<String, Failure>, SubmitError> {
        let result = self
            .transport
            .post(body, repeatable, &mut Self::retry_cb(seq, on));
        let failure = match result {
            Ok(reply) => match parse_command_reply(&reply.body) {
                Ok(r) => {
                    let outcome = if r.errorid == 0 {
                        Outcome::Accepted
                    } else {
                        Outcome::Rejected
                    };
                    let detail = (r.errorid != 0).then(|| r.comment.clone());
                    journal.outcome(
                        attempt,
                        seq,
                        outcome,
                        Some(r.errorid),
                        detail,
                        Some(reply.endpoint.clone()),
                    )?;
                    if r.errorid != 0 {
                        return Err(rejected(seq, kind, r.errorid, &r.comment));
                    }
                    return Ok(Ok(reply.endpoint));
                }
                Err(e) => Failure {
                    maybe_sent: true,
                    message: format!("unreadable reply: {e}"),
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
        journal.outcome(
            attempt,
            seq,
            outcome,
            None,
            Some(failure.message.clone()),
            Some(failure.endpoint.clone()),
        )?;
        Ok(Err(failure))
    }

    /// Runs the posts of `action` (pause, resume, delete, sounds, sounds-delete, ping), each
    /// journaled; these are harmless to repeat, so every failure is retried.
    /// `posts` is the campaign's plan for `action` ([`plan::all_posts`]).
    pub fn command(
        &self,
        journal: &mut Journal,
        action: Action,
        posts: &[Post<'_>],
        on: &mut dyn FnMut(Event),
    ) -> Result<usize, SubmitError> {
        for post in posts {
            let hash = sha_of(self.campaign, post)?;
            let file = match post.body {
                PostBody::Upload(s) | PostBody::DeleteSound(s) => Some(s.name.clone()),
                _ => None,
            };
            self.command_post(journal, action.name(), post, &hash, file, on)?;
        }
        Ok(posts.len())
    }

    /// Queries this campaign's call ids and joins the results to its recipients, in order.
    pub fn query(&self, on: &mut dyn FnMut(Event)) -> Result<Vec<CallReport>, SubmitError> {
        let mut out = Vec::new();
        for post in plan::all_posts(self.campaign, Action::Query)? {
            let recipients = post.body.recipients();
            let calls = self.query_callids(post.seq, recipients, on)?;
            on(Event::Post {
                action: "query",
                seq: post.seq,
                kind: "query",
                numbers: recipients.len(),
                sent: recipients.len(),
                status: PostStatus::Accepted,
                endpoint: None,
            });
            // The last result for a call id wins: a re-posted call id replaces the earlier one.
            let by_id: std::collections::HashMap<&str, &crate::voiceshot::reply::CallResult> =
                calls.iter().map(|c| (c.callid.as_str(), c)).collect();
            for r in recipients {
                out.push(match by_id.get(r.callid.as_str()) {
                    Some(c) => CallReport {
                        number: r.number.to_string(),
                        callid: r.callid.clone(),
                        result: reach(&c.status),
                        status: c.status.clone(),
                        comment: c.comment.clone(),
                        dateandtime: c.dateandtime.clone(),
                        duration: c.duration,
                        keypresses: c.keypresses.clone(),
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
                    },
                });
            }
        }
        Ok(out)
    }
}

fn skipped(action: &'static str, post: &Post<'_>) -> Event {
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

/// The verdict of a Call Query status text.
pub fn reach(status: &str) -> Reach {
    match status.trim().to_ascii_lowercase().as_str() {
        "successful" | "success" => Reach::Reached,
        "" | "pending" | "paused" | "queued" | "scheduled" => Reach::Pending,
        _ => Reach::NotReached,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(errorid: u32) -> SubmitError {
        SubmitError::Rejected {
            seq: 1,
            kind: "send",
            errorid,
            message: String::new(),
        }
    }

    #[test]
    fn help_names_the_account_setting_for_refusals() {
        assert!(rejected(1).help(None).contains("Registered IPs"));
        assert!(rejected(2).help(None).contains("account needs attention"));
        assert!(rejected(5).help(None).starts_with("fix the campaign"));
    }

    #[test]
    fn help_names_the_journal_to_resume_from() {
        let err = SubmitError::Transport {
            seq: 2,
            kind: "send",
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
             at VoiceShot or in doubt, 2 no longer in the file). Nothing was sent. Undo the edit, \
             or send the change as a new campaign (new name), or pass --allow-changed to send \
             only recipients never sent before — calls already placed keep their old content"
        );
    }
}
