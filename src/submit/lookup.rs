//! Lookups and settling: asking the provider which calls in doubt it holds (by call id, in
//! batches, an unreadable answer asked again) or finding them in its list of scheduled
//! calls, after waiting for a post given up on to have landed; what is found is journaled.

use std::collections::HashSet;
use std::sync::Mutex;

use super::error::SubmitError;
use super::event::Event;
use super::flight::{Run, lock};
use super::http::{self, Failure};
use super::submitter::Submitter;
use crate::campaign::Recipient;
use crate::journal::{Journal, call_key};
use crate::plan::{Post, PostBody, PostKind};
use crate::provider::{CallResult, Lookup, ReplyOutcome};

impl Submitter<'_> {
    /// Settles scheduled calls in `doubt` from the provider's list of scheduled calls (see
    /// [`crate::provider::ScheduledList`]): one entry with the call's number and time means it was taken (its
    /// id is journaled); no entry while the call's time is more than the provider's margin
    /// away means it was not. Anything else (an immediate call, a time too near, two entries
    /// alike, a list that cannot be read) stays in doubt and is returned.
    pub(super) fn settle_from_list<'r>(
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
    pub(super) fn settle(&self, last_call_intent: Option<jiff::Timestamp>) {
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
    pub(super) fn resolve(
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

    /// Looks up the calls of `recipients` by call id (post `seq`).
    pub(super) fn query_callids(
        &self,
        seq: usize,
        recipients: &[Recipient],
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<CallResult>, SubmitError> {
        self.lookup(seq, PostBody::Query(recipients.to_vec()), on)
    }

    /// Posts a lookup (`Query` or `QueryAll`) and reads the calls it finds, asking again
    /// on an unreadable answer (a lookup changes nothing at the provider).
    pub(super) fn lookup(
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
}

/// Whether a provider's result is the call to `r`: same call id, and the same number unless
/// the provider wrote none it can be read back from (then the call id alone decides, which
/// errs on the side of not calling again).
pub(super) fn same_call(result: &CallResult, r: &Recipient) -> bool {
    result.callid == r.callid
        && crate::phone::parse_international(&result.number).map_or(true, |n| n == r.number)
}
