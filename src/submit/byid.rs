//! Providers that know a call only by the id they gave it when they took it (the Voicent
//! Gateway's reqId): status polls, removals and `ping` one call at a time, with the ids the
//! journal kept; and settling calls in doubt from a person's answer, since such a provider
//! cannot be asked about a call it may or may not have taken.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::http::{self, Failure};
use super::{CallReport, Event, PostStatus, SubmitError, Submitter};
use crate::campaign::model::Recipient;
use crate::journal::{CallState, Journal, JournalError, JournalState};
use crate::plan::{self, Action, PostKind};
use crate::provider::{ById, Reach, ReplyOutcome, Status};

/// What [`settle`] recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// Call ids now known as taken: never sent again.
    pub sent: usize,
    /// Call ids now known as not taken: the next `send` posts them.
    pub not_sent: usize,
}

/// Why calls in doubt could not be settled. Nothing is written when any id is wrong.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    /// Neither list has an id.
    #[error("nothing to settle: give the call ids found (--sent) or not found (--not-sent)")]
    Nothing,
    /// An id is not in doubt (never posted, accepted, or known not taken).
    #[error("call id {callid} is not in doubt: the journal has it as {state}")]
    NotInDoubt {
        /// The call id.
        callid: String,
        /// What the journal says.
        state: &'static str,
    },
    /// A call id said not to be at the provider was posted too recently for that to be
    /// known: the post may still reach the provider (as a lookup waits, so does a person).
    #[error(
        "call id {callid} was posted {age:#} ago: a post that got no answer can still reach the provider for a while; wait {wait:#} more, check the provider's records again, then settle it"
    )]
    TooSoon {
        /// The call id.
        callid: String,
        /// How long ago it was posted (rounded to seconds).
        age: jiff::SignedDuration,
        /// How long to wait still (rounded up to seconds).
        wait: jiff::SignedDuration,
    },
    /// An id is in both lists.
    #[error("call id {0} is given both as sent and as not sent")]
    Both(String),
    /// The journal could not be written.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// When [`settle`] is asked, and how long a post must be old before a person may say it was
/// not taken (the [`settle`](super::SubmitOptions::settle) time a lookup waits too).
#[derive(Clone, Copy, Debug)]
pub struct SettleClock {
    /// Now.
    pub now: jiff::Timestamp,
    /// The settle time.
    pub settle: std::time::Duration,
}

/// Settles calls in doubt from what a person found in the provider's own records: `sent`
/// were taken (never posted again), `not_sent` were not (the next `send` posts them). Every
/// id must be in doubt, and every id of `not_sent` posted at least the settle time before
/// `clock.now`; one journal line records the answer.
pub fn settle(
    journal: &mut Journal,
    sent: &[String],
    not_sent: &[String],
    clock: SettleClock,
) -> Result<Settled, SettleError> {
    if sent.is_empty() && not_sent.is_empty() {
        return Err(SettleError::Nothing);
    }
    let ids: Vec<&str> = sent.iter().chain(not_sent).map(String::as_str).collect();
    let journaled = journal.calls_of(&ids)?;
    let calls_of = |id: &str| journaled.get(id).map(Vec::as_slice).unwrap_or_default();
    for id in sent.iter().chain(not_sent) {
        if sent.contains(id) && not_sent.contains(id) {
            return Err(SettleError::Both(id.clone()));
        }
        let states: Vec<CallState> = calls_of(id).iter().map(|(_, s)| *s).collect();
        let state = if states.contains(&CallState::InDoubt) {
            continue;
        } else if states.contains(&CallState::Accepted) {
            "accepted"
        } else if states.is_empty() {
            "never posted"
        } else {
            "not taken"
        };
        return Err(SettleError::NotInDoubt {
            callid: id.clone(),
            state,
        });
    }
    too_soon(journal, not_sent, clock)?;
    // A call id names every call in doubt that carries it (a household shares one).
    let keys = |ids: &[String]| {
        let mut v: Vec<String> = ids
            .iter()
            .flat_map(|id| calls_of(id))
            .filter(|(_, s)| *s == CallState::InDoubt)
            .map(|(key, _)| key.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (sent, not_sent) = (keys(sent), keys(not_sent));
    let settled = Settled {
        sent: sent.len(),
        not_sent: not_sent.len(),
    };
    // Seq 0: settled by a person, not by a post of the plan.
    journal.resolved(0, sent, not_sent)?;
    Ok(settled)
}

/// Refuses `not_sent` when one of them was posted less than the settle time ago: a post the
/// client gave up on can still arrive, and the next `send` would then call twice.
fn too_soon(
    journal: &mut Journal,
    not_sent: &[String],
    clock: SettleClock,
) -> Result<(), SettleError> {
    let ids: Vec<&str> = not_sent.iter().map(String::as_str).collect();
    let settle = jiff::SignedDuration::try_from(clock.settle).unwrap_or(jiff::SignedDuration::MAX);
    for (callid, at) in journal.last_posted(&ids)? {
        let age = clock.now.duration_since(at);
        if age < settle {
            let whole = |d: jiff::SignedDuration, up: bool| {
                let extra = i64::from(up && d.subsec_nanos() > 0);
                jiff::SignedDuration::from_secs(d.as_secs() + extra)
            };
            return Err(SettleError::TooSoon {
                callid,
                age: whole(age.max(jiff::SignedDuration::ZERO), false),
                wait: whole(settle - age, true),
            });
        }
    }
    Ok(())
}

/// What a removal run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    /// Records removed (calls not made yet are cancelled with them).
    pub removed: usize,
    /// Records already gone (removed, or self-deleted after the call).
    pub not_found: usize,
    /// Calls already made or failed: kept, so that `query` can still read them.
    pub finished: usize,
    /// Recipients with no reqId in the journal (never taken, or in doubt).
    pub unknown: usize,
}

impl Submitter<'_> {
    pub(super) fn by_id_provider(&self) -> &dyn ById {
        self.campaign
            .provider()
            .by_id()
            .expect("by-id requests are only made for providers that have them")
    }

    /// One request of `kind` about call `id`, retried on any failure (they change nothing,
    /// or nothing more than once).
    pub(super) fn by_id_request(
        &self,
        seq: usize,
        kind: PostKind,
        id: &str,
    ) -> Result<Vec<u8>, SubmitError> {
        self.by_id_request_retried(seq, kind, id).0
    }

    /// [`by_id_request`](Self::by_id_request), and whether an attempt before the one answered
    /// may have reached the provider: the answer may then describe what that attempt did
    /// (a removal's "no such call" once the first attempt removed it).
    pub(super) fn by_id_request_retried(
        &self,
        seq: usize,
        kind: PostKind,
        id: &str,
    ) -> (Result<Vec<u8>, SubmitError>, bool) {
        let provider = self.by_id_provider();
        let body = provider.body(kind, id);
        let url = |endpoint: &str| provider.url(kind, endpoint);
        let mut reached = false;
        let reply = self
            .transport
            .send_to(
                provider.method(kind),
                &http::PostBody::Bytes(body),
                true,
                &url,
                &mut |retry| reached |= retry.failure.maybe_sent,
            )
            .map(|reply| reply.body)
            .map_err(|failure| SubmitError::Transport { seq, kind, failure });
        (reply, reached)
    }

    /// The provider's status of call `id`; `None` when it has no such call. Only for
    /// providers that have a status request.
    pub(super) fn status_of(&self, seq: usize, id: &str) -> Result<Option<Status>, SubmitError> {
        let body = self.by_id_request(seq, PostKind::Query, id)?;
        self.read_safely(&body, |b| self.by_id_provider().read_status(b))
            .map(|status| status.map(|s| self.scrub_status(s)))
            .map_err(|e| reply_error(seq, PostKind::Query, e))
    }

    /// The campaign's recipients in plan order.
    fn planned_recipients(&self) -> Result<Vec<Recipient>, SubmitError> {
        Ok(plan::all_posts(self.campaign, Action::Query)?
            .into_iter()
            .flat_map(|p| p.body.recipients().to_vec())
            .collect())
    }

    /// `query` for providers that know calls by their own id: polls the status of every call
    /// the journal has an id for (at most `pacing().in_flight` at once, each worker waiting
    /// `pacing().poll_interval` between polls), joined to the recipients in order.
    pub fn query_by_id(
        &self,
        state: &JournalState,
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<CallReport>, SubmitError> {
        let recipients = self.planned_recipients()?;
        let pacing = self.campaign.provider().pacing();
        let asks = self.by_id_provider().has(PostKind::Query);
        let jobs: Vec<(usize, &str)> = recipients
            .iter()
            .filter(|_| asks)
            .enumerate()
            .filter_map(|(i, r)| {
                state
                    .provider_id(&r.callid, r.number.as_str())
                    .map(|id| (i, id))
            })
            .collect();
        let found: Mutex<BTreeMap<usize, Result<Option<Status>, SubmitError>>> =
            Mutex::new(BTreeMap::new());
        let next = AtomicUsize::new(0);
        let workers = pacing.in_flight.clamp(1, jobs.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let mut last: Option<Instant> = None;
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(i, id)) = jobs.get(n) else { break };
                        if let Some(wait) =
                            last.and_then(|t| pacing.poll_interval.checked_sub(t.elapsed()))
                        {
                            std::thread::sleep(wait);
                        }
                        last = Some(Instant::now());
                        let result = self.status_of(i + 1, id);
                        let failed = result.is_err();
                        found.lock().expect("no worker panics").insert(i, result);
                        if failed {
                            // The others finish their poll; nobody starts a new one.
                            next.store(jobs.len(), Ordering::Relaxed);
                            break;
                        }
                    }
                });
            }
        });
        let mut found = found.into_inner().expect("no worker panics");
        let provider = self.campaign.provider();
        let mut out = Vec::with_capacity(recipients.len());
        for (i, r) in recipients.iter().enumerate() {
            let status = match found.remove(&i) {
                Some(result) => result?,
                None => None,
            };
            let mut report = CallReport {
                number: r.number.to_string(),
                callid: r.callid.clone(),
                result: Reach::NotFound,
                status: String::new(),
                comment: String::new(),
                dateandtime: String::new(),
                duration: None,
                keypresses: Vec::new(),
                responses: BTreeMap::new(),
                attempts: None,
                not_sent_by_outdial: false,
            };
            match status {
                Some(s) => {
                    report.result = provider.reach(&s.result);
                    report.status = s.result.status;
                    report.comment = s.result.comment;
                    report.dateandtime = s.result.dateandtime;
                    report.duration = s.result.duration;
                    report.responses = s.responses.into_iter().collect();
                    report.attempts = s.attempts;
                }
                None if state.call(&r.callid, r.number.as_str()) == Some(CallState::InDoubt) => {
                    report.status = "in-doubt".into();
                    report.comment = "posted without a clear answer: see `outdial resolve`".into();
                }
                None if state.provider_id(&r.callid, r.number.as_str()).is_some() && !asks => {
                    // Taken, and nothing more can be asked: what results there are arrive at
                    // the provider's callback.
                    report.result = Reach::Pending;
                    report.status = "accepted".into();
                    report.comment = self.by_id_provider().unasked_note().into();
                }
                None if state.provider_id(&r.callid, r.number.as_str()).is_some() => {
                    report.comment = "no such call record (removed or self-deleted)".into();
                }
                None => {}
            }
            on(Event::Post {
                action: Action::Query,
                seq: i + 1,
                kind: PostKind::Query,
                numbers: 1,
                sent: usize::from(state.provider_id(&r.callid, r.number.as_str()).is_some()),
                status: PostStatus::Accepted,
                endpoint: None,
            });
            out.push(report);
        }
        Ok(out)
    }

    /// `delete` for providers that know calls by their own id: removes the record of every
    /// call of the campaign not made yet (which cancels it), paced like call posts. Calls
    /// already made or failed keep their records, for `query`.
    pub fn delete_by_id(
        &self,
        state: &JournalState,
        on: &mut dyn FnMut(Event),
    ) -> Result<Removal, SubmitError> {
        let mut removal = Removal::default();
        let mut last: Option<Instant> = None;
        // The plan streams past: one post's recipients are held at a time, whatever the
        // campaign's size.
        let mut seq = 0;
        for post in plan::posts(self.campaign, Action::Query) {
            for r in post?.body.recipients() {
                seq += 1;
                self.delete_one(state, seq, r, &mut last, &mut removal, on)?;
            }
        }
        Ok(removal)
    }

    /// [`delete_by_id`](Self::delete_by_id) of one recipient, the `seq`th, started no sooner
    /// than the provider's interval after the `last`.
    fn delete_one(
        &self,
        state: &JournalState,
        seq: usize,
        r: &Recipient,
        last: &mut Option<Instant>,
        removal: &mut Removal,
        on: &mut dyn FnMut(Event),
    ) -> Result<(), SubmitError> {
        let Some(id) = state.provider_id(&r.callid, r.number.as_str()) else {
            removal.unknown += 1;
            return Ok(());
        };
        let interval = self.campaign.provider().pacing().interval;
        if let Some(wait) = last.and_then(|t| interval.checked_sub(t.elapsed())) {
            std::thread::sleep(wait);
        }
        *last = Some(Instant::now());
        // Without a status request, the removal's own answer tells a call still waiting
        // from one already made.
        if self.by_id_provider().has(PostKind::Query) {
            match self.status_of(seq, id)? {
                None => {
                    removal.not_found += 1;
                    return Ok(());
                }
                Some(s) if self.by_id_provider().finished(&s) => {
                    removal.finished += 1;
                    return Ok(());
                }
                Some(_) => {}
            }
        }
        let body = self.by_id_request(seq, PostKind::Delete, id)?;
        match self.read_safely(&body, |b| self.by_id_provider().read_removal(b)) {
            Ok(true) => removal.removed += 1,
            Ok(false) => removal.not_found += 1,
            Err(e) => return Err(reply_error(seq, PostKind::Delete, e)),
        }
        on(Event::Post {
            action: Action::Delete,
            seq,
            kind: PostKind::Delete,
            numbers: 1,
            sent: 1,
            status: PostStatus::Accepted,
            endpoint: None,
        });
        Ok(())
    }

    /// `ping` for providers that know calls by their own id: asks the status of an id no call
    /// has, and expects the provider's no-such-record answer.
    pub fn ping_by_id(&self) -> Result<(), SubmitError> {
        let probe = self.by_id_provider().probe_id();
        self.status_of(1, probe).map(|_| ())
    }
}

fn reply_error(seq: usize, kind: PostKind, outcome: ReplyOutcome) -> SubmitError {
    match outcome {
        ReplyOutcome::Rejected(rejection) => SubmitError::Rejected {
            seq,
            kind,
            rejection,
        },
        ReplyOutcome::Unreadable(message) => SubmitError::Transport {
            seq,
            kind,
            failure: Failure {
                maybe_sent: true,
                message,
                endpoint: String::new(),
            },
        },
        ReplyOutcome::Accepted { .. } => SubmitError::Transport {
            seq,
            kind,
            failure: Failure {
                maybe_sent: true,
                message: "the reply says nothing of the call".into(),
                endpoint: String::new(),
            },
        },
    }
}
