//! One post's exchange with the provider: journaled as an intent, posted (the transport
//! retries what is safe to repeat), and its outcome journaled from the reply or the failure;
//! and the commands made only of such posts (pause, resume, delete, sounds, ping).

use std::io::{BufWriter, Write};
use std::sync::Mutex;

use super::error::SubmitError;
use super::event::{Event, PostStatus};
use super::flight::lock;
use super::http::{self, Failure};
use super::submitter::Submitter;
use crate::journal::{Journal, Outcome, Said};
use crate::plan::{self, Action, Post, PostBody, PostKind};
use crate::prepared::post_sha256;
use crate::provider::{Rejection, ReplyOutcome};

/// Which journaled attempt an exchange answers.
pub(super) struct Exchange<'a> {
    pub(super) attempt: u64,
    pub(super) seq: usize,
    pub(super) kind: PostKind,
    /// The recipient keys of the calls the post places (empty for posts without calls).
    pub(super) keys: &'a [String],
}

impl Submitter<'_> {
    /// A post that does no harm when repeated (upload, delete, pause, resume, ping): journaled,
    /// retried on any failure.
    pub(super) fn command_post(
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
    pub(super) fn exchange(
        &self,
        journal: &Mutex<&mut Journal>,
        x: Exchange<'_>,
        body: &http::PostBody,
        on: &mut dyn FnMut(Event),
    ) -> Result<Result<String, Failure>, SubmitError> {
        let repeatable = x.kind != PostKind::Send;
        let provider = self.campaign.provider();
        let result = self.transport.post_to(
            body,
            repeatable,
            &|e| provider.url(e, x.kind),
            &mut Self::retry_cb(x.seq, on),
        );
        let failure = match result {
            Ok(reply) => match self
                .read_outcome_safely(&reply.body, |b| provider.read_answer(reply.status, b))
            {
                ReplyOutcome::Accepted { ids } => {
                    journal_accepted(journal, &x, ids, &reply.endpoint)?;
                    return Ok(Ok(reply.endpoint));
                }
                ReplyOutcome::Rejected(rejection) => {
                    // (A refusal may quote the request back: read_outcome_safely scrubbed it.)
                    journal_rejected(journal, &x, &rejection, &reply.endpoint)?;
                    return Err(SubmitError::Rejected {
                        seq: x.seq,
                        kind: x.kind,
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
            x.attempt,
            x.seq,
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
}

/// Journals the acceptance of `x`, with the provider's ids of its calls. An empty call id
/// stands for the post's only call (one call per request), kept under its recipient key:
/// call ids can be shared.
fn journal_accepted(
    journal: &Mutex<&mut Journal>,
    x: &Exchange<'_>,
    ids: Vec<(String, String)>,
    endpoint: &str,
) -> Result<(), SubmitError> {
    let ids = ids.into_iter().map(|(callid, id)| match x.keys {
        [only] if callid.is_empty() => (only.clone(), id),
        _ => (callid, id),
    });
    lock(journal).outcome(
        x.attempt,
        x.seq,
        Outcome::Accepted,
        Said {
            ids: ids.into_iter().collect(),
            endpoint: Some(endpoint.to_owned()),
            ..Said::default()
        },
    )?;
    Ok(())
}

/// Journals the provider's refusal of `x`, in its own words.
fn journal_rejected(
    journal: &Mutex<&mut Journal>,
    x: &Exchange<'_>,
    rejection: &Rejection,
    endpoint: &str,
) -> Result<(), SubmitError> {
    lock(journal).outcome(
        x.attempt,
        x.seq,
        Outcome::Rejected,
        Said {
            code: Some(rejection.code.clone()),
            detail: Some(rejection.message.clone()),
            provider_message: rejection.provider_message.as_deref().map(str::to_owned),
            endpoint: Some(endpoint.to_owned()),
            ..Said::default()
        },
    )?;
    Ok(())
}
