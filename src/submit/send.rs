//! The send loop: removals first (a converging campaign), then uploads, then call posts one
//! at a time or several in flight; before a post, its calls in doubt are settled, and only
//! calls not (maybe) at the provider are posted.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::error::SubmitError;
use super::event::{Event, PostStatus, skipped};
use super::exchange::Exchange;
use super::flight::{Claims, Flight, Run, lock};
use super::http::{self, Failure};
use super::submitter::Submitter;
use super::summary::SendSummary;
use crate::campaign::Recipient;
use crate::converge::Converge;
use crate::journal::{CallState, Journal, JournalState, call_key};
use crate::plan::{self, Action, Post, PostBody};
use crate::prepared::post_sha256;
use crate::provider::Lookup;

impl Submitter<'_> {
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

    /// Applies `plan`, made by [`converging`](Self::converging) from this journal, still
    /// locked, so what the send's confirmation stated is what it does: removals first (calls
    /// replaced or removed by an edit, see [`crate::converge`]), then uploads and call
    /// batches, skipping what the journal shows accepted.
    ///
    /// The campaign's `send` plan is streamed ([`plan::posts`]): one batch is rendered, hashed
    /// and posted at a time, so memory does not grow with the campaign's size.
    ///
    /// With a provider that cannot be asked which calls it holds, a call posted without a
    /// clear answer is left in doubt and the rest are sent; the send then ends with
    /// [`SubmitError::InDoubt`] listing them (also those an earlier run left), until a
    /// person settles them ([`settle`]) or `resend` posts them again (a person decided they
    /// were not taken, journaled as such first).
    pub fn send_planned(
        &self,
        journal: &mut Journal,
        plan: Converge,
        resend: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        self.send_run(journal, plan, resend, on)
    }

    fn send_run(
        &self,
        journal: &mut Journal,
        converging: Converge,
        resend: bool,
        on: &mut dyn FnMut(Event),
    ) -> Result<SendSummary, SubmitError> {
        let run = Mutex::new(Run {
            resend,
            in_doubt: Vec::new(),
            last_start: None,
            scheduled: None,
        });
        // An edited campaign converges: calls replaced or removed go first.
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
        let first_calls = self.send_uploads(&shared, &mut posts, on)?;
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
        let run = run.into_inner().unwrap_or_else(PoisonError::into_inner);
        finish(summary, run)
    }

    /// Posts the uploads at the head of `posts` that the journal does not show accepted;
    /// returns the first call post, read past them.
    fn send_uploads<'c>(
        &self,
        shared: &Flight<'_, '_>,
        posts: &mut impl Iterator<Item = Result<Post<'c>, crate::diagnostic::Problem>>,
        on: &mut dyn FnMut(Event),
    ) -> Result<Option<Post<'c>>, SubmitError> {
        let Flight {
            journal, summary, ..
        } = *shared;
        for post in posts {
            let post = post?;
            let PostBody::Upload(sound) = post.body else {
                return Ok(Some(post));
            };
            lock(summary).posts += 1;
            let hash = post_sha256(self.campaign, &post)?;
            if lock(journal).state().upload_accepted(&hash) {
                lock(summary).skipped += 1;
                on(skipped(Action::Send, &post));
                continue;
            }
            self.command_post(
                journal,
                Action::Send,
                &post,
                &hash,
                Some(sound.name.clone()),
                on,
            )?;
            lock(summary).accepted += 1;
        }
        Ok(None)
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

    /// Posts the calls of `post` that are not (maybe) at the provider, its calls in doubt
    /// settled first. A post without a clear answer is settled and posted again (its calls
    /// still missing), up to the transport's retries.
    fn send_calls(
        &self,
        shared: &Flight<'_, '_>,
        post: &Post<'_>,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let recipients = post.body.recipients();
        let _claim = shared.claimed.map(|c| c.claim(recipients));
        let post_hash = post_sha256(self.campaign, post)?;
        let retries = self.transport.config().retries;
        let mut rounds = 0u32;
        loop {
            self.settle_doubts(shared, post.seq, recipients, on)?;
            let to_send = unsent(lock(shared.journal).state(), recipients);
            if to_send.is_empty() {
                if rounds == 0 {
                    lock(shared.summary).skipped += 1;
                    on(skipped(Action::Send, post));
                } else {
                    lock(shared.summary).accepted += 1;
                }
                return Ok(());
            }
            rounds += 1;
            let Some(failure) = self.post_calls(shared, post, &post_hash, to_send, on)? else {
                return Ok(());
            };
            if rounds > retries {
                return Err(SubmitError::Transport {
                    seq: post.seq,
                    kind: post.body.kind(),
                    failure,
                });
            }
        }
    }

    /// Settles what can be settled of the calls of `recipients` (post `seq`) that the
    /// journal does not know as accepted, as the provider allows: a lookup by call id, a
    /// person's decision to send again, the provider's list of scheduled calls; what none
    /// can settle is listed in doubt.
    fn settle_doubts(
        &self,
        shared: &Flight<'_, '_>,
        seq: usize,
        recipients: &[Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let Flight { journal, run, .. } = *shared;
        let provider = self.campaign.provider();
        let (doubt, unknown) = doubt_and_unknown(lock(journal).state(), recipients);
        match provider.lookup() {
            // The provider is the truth and the journal a cache: unless the journal is
            // trusted, every call not known as accepted is looked up before it is
            // posted, so a lost, cut or second journal cannot call anyone twice.
            Lookup::ByCallId { .. } => {
                self.look_up_before_posting(shared, seq, &doubt, &unknown, on)?
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
        Ok(())
    }

    /// Looks up the calls in `doubt` (and, unless the journal is trusted, those it has
    /// never seen accepted: `unknown`) by call id, once a post given up on has had time to
    /// land; journals what it finds.
    fn look_up_before_posting(
        &self,
        shared: &Flight<'_, '_>,
        seq: usize,
        doubt: &[&Recipient],
        unknown: &[&Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let ask: Vec<&Recipient> = if self.options.trust_journal {
            doubt.to_vec()
        } else {
            doubt.iter().chain(unknown).copied().collect()
        };
        if ask.is_empty() {
            return Ok(());
        }
        if !doubt.is_empty() {
            let last = lock(shared.journal).state().last_call_intent();
            self.settle(last);
        }
        let doubt_keys: HashSet<String> = doubt
            .iter()
            .map(|r| call_key(&r.callid, r.number.as_str()))
            .collect();
        let present = self.resolve(shared.journal, seq, &ask, &doubt_keys, on)?;
        lock(shared.summary).resolved_present += present;
        Ok(())
    }

    /// Posts `to_send` (all of `post`'s calls, or what is left of them), journaled first.
    /// `None`: done (accepted, or left in doubt where the provider cannot be asked);
    /// `Some(failure)`: no clear answer, to be settled and tried again.
    fn post_calls(
        &self,
        shared: &Flight<'_, '_>,
        post: &Post<'_>,
        post_hash: &str,
        to_send: Vec<Recipient>,
        on: &mut dyn FnMut(Event),
    ) -> Result<Option<Failure>, SubmitError> {
        let Flight {
            journal,
            summary,
            run,
            ..
        } = *shared;
        let (seq, kind) = (post.seq, post.body.kind());
        let recipients = post.body.recipients();
        let partial;
        let (body_hash, sent_post) = if to_send.len() == recipients.len() {
            (post_hash.to_owned(), post)
        } else {
            partial = Post {
                seq,
                body: PostBody::Calls(to_send.clone()),
            };
            (post_sha256(self.campaign, &partial)?, &partial)
        };
        self.pace(run);
        let body = http::PostBody::Bytes(self.body(sent_post)?);
        let attempt = self.journal_calls(journal, post, post_hash, &body_hash, &to_send)?;
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
                return Ok(None);
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
        if self.campaign.provider().lookup() == Lookup::None {
            lock(run)
                .in_doubt
                .extend(to_send.iter().map(|r| self.in_doubt_call(seq, r)));
            return Ok(None);
        }
        Ok(Some(failure))
    }

    /// Waits for this post's turn: posts start at most one per interval, however many are
    /// in flight (the slot is taken under the lock, the wait happens outside it).
    fn pace(&self, run: &Mutex<Run>) {
        let interval = self.campaign.provider().pacing().interval;
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
    }

    /// Journals what each call of `to_send` asks for (so that a later edit can be told from
    /// it), then the intent to post them; returns the attempt.
    fn journal_calls(
        &self,
        journal: &Mutex<&mut Journal>,
        post: &Post<'_>,
        post_hash: &str,
        body_hash: &str,
        to_send: &[Recipient],
    ) -> Result<u64, SubmitError> {
        let calls = to_send
            .iter()
            .map(|r| (r.callid.clone(), r.number.to_string()))
            .collect();
        let contents = to_send
            .iter()
            .map(|r| crate::converge::content(self.campaign, r))
            .collect::<Result<Vec<_>, _>>()?;
        lock(journal).content(post.seq, contents)?;
        let attempt = lock(journal).intent(
            Action::Send,
            post.seq,
            post.body.kind(),
            post_hash,
            body_hash,
            calls,
            None,
        )?;
        Ok(attempt)
    }
}

/// The calls of `recipients` the journal does not know as accepted: those in doubt, and
/// those it has never seen taken.
fn doubt_and_unknown<'r>(
    state: &JournalState,
    recipients: &'r [Recipient],
) -> (Vec<&'r Recipient>, Vec<&'r Recipient>) {
    recipients
        .iter()
        .filter(|r| state.call(&r.callid, r.number.as_str()) != Some(CallState::Accepted))
        .partition(|r| state.call(&r.callid, r.number.as_str()) == Some(CallState::InDoubt))
}

/// The calls of `recipients` that are certainly not at the provider.
fn unsent(state: &JournalState, recipients: &[Recipient]) -> Vec<Recipient> {
    recipients
        .iter()
        .filter(|r| !state.maybe_taken(&r.callid, r.number.as_str()))
        .cloned()
        .collect()
}

/// What a run did, or the calls it left in doubt (in plan order) with what it did.
fn finish(summary: SendSummary, mut run: Run) -> Result<SendSummary, SubmitError> {
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
