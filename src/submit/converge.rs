//! The removals of a converging `send` (see [`crate::converge`]): every call replaced or
//! removed is taken off the provider before anything is posted, journaled as an intent
//! first. A call is counted removed only when the provider showed it gone before it was
//! dialled; a call it keeps (already ringing or made) becomes *fixed*; anything less clear
//! leaves the call *in doubt*, and an in-doubt call is never posted again by this run.
//! The next run asks again about removals left in doubt.

use std::collections::HashSet;
use std::time::Instant;

use serde::Serialize;

use super::{Event, InDoubtCall, PostStatus, SubmitError, Submitter, same_call};
use crate::campaign::model::{Recipient, Vars};
use crate::converge::{Converge, PendingFrom, Target};
use crate::journal::{Journal, JournalState, changes::RemovalOutcome};
use crate::plan::{Action, Post, PostBody, PostKind};
use crate::provider::{CallRemoval, Reach, ReplyOutcome};

/// What the removals of a `send` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Removals {
    /// Calls removed to be posted anew.
    pub replaced: usize,
    /// Calls removed for good.
    pub removed: usize,
    /// Calls the provider would not remove (already ringing or made): kept as they were.
    pub fixed: usize,
}

impl Removals {
    /// Whether nothing was removed or asked to be.
    pub fn is_empty(&self) -> bool {
        self.replaced + self.removed + self.fixed == 0
    }
}

/// One call's fate, as the provider showed it.
enum Fate {
    Removed,
    Dialled,
    Doubt,
}

impl Submitter<'_> {
    /// Asks the provider which of the calls `plan` would replace or remove were dialled
    /// already, and makes those `fixed`; `plan.pending_from` says where the answer came
    /// from. VoiceShot is asked by a Call Query of their call ids, the Voicent Gateway by
    /// the status of each reqId, voip-communications.net by its scheduled list where one is
    /// configured (a call no longer in it was dialled). A provider that cannot be asked, or
    /// a request without a clear answer, leaves the plan as the journal and the calls' times
    /// made it: `send`'s removals ask again, and have the last word. `plan` and `send` both
    /// call this, so they agree.
    pub fn ask_pending(&self, state: &JournalState, plan: &mut Converge) {
        if plan.targets.is_empty() {
            return;
        }
        plan.pending_from = Some(match self.dialled_targets(state, &plan.targets) {
            Some(Ok(keys)) => {
                plan.fix_dialled(&keys);
                PendingFrom::Provider
            }
            Some(Err(_)) | None => PendingFrom::Journal,
        });
    }

    /// The keys of `targets` the provider says were dialled; `None` when it cannot be asked.
    fn dialled_targets(
        &self,
        state: &JournalState,
        targets: &[Target],
    ) -> Option<Result<HashSet<String>, SubmitError>> {
        let provider = self.campaign.provider();
        let mut out = HashSet::new();
        match provider.removal() {
            CallRemoval::None => return None,
            CallRemoval::ByCallId { batch } => {
                for (i, chunk) in targets.chunks(batch.max(1)).enumerate() {
                    let named: Vec<(&Target, Recipient)> = chunk
                        .iter()
                        .filter_map(|t| recipient(t).map(|r| (t, r)))
                        .collect();
                    let query = PostBody::Query(named.iter().map(|(_, r)| r.clone()).collect());
                    let found = match self.lookup(i + 1, query, &mut |_| {}) {
                        Ok(found) => found,
                        Err(e) => return Some(Err(e)),
                    };
                    for (t, r) in &named {
                        let calls: Vec<_> = found.iter().filter(|c| same_call(c, r)).collect();
                        let dialled = !calls.is_empty()
                            && calls.iter().all(|c| {
                                !matches!(provider.reach(c), Reach::Pending | Reach::Unknown)
                            });
                        if dialled {
                            out.insert(t.key.clone());
                        }
                    }
                }
            }
            CallRemoval::ById if self.by_id_provider().has(PostKind::Query) => {
                let by_id = self.by_id_provider();
                let interval = provider.pacing().interval;
                for (i, t) in targets.iter().enumerate() {
                    let Some(id) = state.provider_id(&t.callid, &t.number) else {
                        continue;
                    };
                    if i > 0 {
                        std::thread::sleep(interval);
                    }
                    match self.status_of(i + 1, id) {
                        Ok(Some(s)) if by_id.finished(&s) => {
                            out.insert(t.key.clone());
                        }
                        Ok(_) => {}
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
            CallRemoval::ById => {
                let list = provider.scheduled_list()?;
                let reply = self.transport.send_to(
                    list.list_method(),
                    &super::http::PostBody::Bytes(Vec::new()),
                    true,
                    &|endpoint| list.list_url(endpoint),
                    &mut |_| {},
                );
                let calls = reply.ok().and_then(|r| list.read_list(&r.body).ok())?;
                for t in targets {
                    if let Some(id) = state.provider_id(&t.callid, &t.number)
                        && !calls.iter().any(|c| c.id == id)
                    {
                        out.insert(t.key.clone());
                    }
                }
            }
        }
        Some(Ok(out))
    }

    /// Removes the calls `plan` replaces or removes, and asks again about removals an
    /// earlier run left in doubt; returns what they did and the calls left in doubt.
    pub(super) fn remove_changed(
        &self,
        journal: &mut Journal,
        plan: &Converge,
        on: &mut dyn FnMut(Event),
    ) -> Result<(Removals, Vec<InDoubtCall>), SubmitError> {
        let mut targets = plan.targets.clone();
        let resumed: Vec<String> = journal
            .state()
            .removals_in_doubt()
            .into_iter()
            .filter(|key| !targets.iter().any(|t| t.key == *key))
            .map(str::to_owned)
            .collect();
        if !journal.state().removals_in_doubt().is_empty() {
            // A removal without a clear answer may still reach the provider a while later:
            // were it applied after the call was posted anew, it would take the new call
            // (the same call id) with it. Its lookup waits as long as a call post's does.
            self.settle(journal.state().last_removal_intent());
        }
        for key in resumed {
            let (callid, number) = key.split_once(' ').unwrap_or((&key, ""));
            targets.push(Target {
                callid: callid.to_owned(),
                number: number.to_owned(),
                key: key.clone(),
                replace: false,
            });
        }
        let mut done = (Removals::default(), Vec::new());
        match self.campaign.provider().removal() {
            CallRemoval::None => {}
            CallRemoval::ByCallId { batch } => {
                for (i, chunk) in targets.chunks(batch.max(1)).enumerate() {
                    let fates = self.remove_batch(journal, i + 1, chunk, on)?;
                    for (t, fate) in chunk.iter().zip(fates) {
                        self.count(&mut done, t, fate);
                    }
                }
            }
            CallRemoval::ById => {
                let mut last = None;
                for (i, t) in targets.iter().enumerate() {
                    let fate = self.remove_one(journal, i + 1, t, &mut last, on)?;
                    self.count(&mut done, t, fate);
                }
            }
        }
        Ok(done)
    }

    fn count(&self, done: &mut (Removals, Vec<InDoubtCall>), t: &Target, fate: Fate) {
        match fate {
            Fate::Removed if t.replace => done.0.replaced += 1,
            Fate::Removed => done.0.removed += 1,
            Fate::Dialled => done.0.fixed += 1,
            Fate::Doubt => done.1.push(InDoubtCall {
                seq: 0,
                callid: t.callid.clone(),
                number: t.number.clone(),
                label: format!("{} (removal not confirmed)", t.callid),
            }),
        }
    }

    /// One delete post of call ids, then a lookup of the same call ids: gone is removed,
    /// there and no longer pending is dialled, anything else in doubt.
    fn remove_batch(
        &self,
        journal: &mut Journal,
        seq: usize,
        chunk: &[Target],
        on: &mut dyn FnMut(Event),
    ) -> Result<Vec<Fate>, SubmitError> {
        let recipients: Vec<Recipient> = chunk.iter().filter_map(recipient).collect();
        if recipients.len() < chunk.len() {
            return Ok(chunk.iter().map(|_| Fate::Doubt).collect());
        }
        let keys: Vec<String> = chunk.iter().map(|t| t.key.clone()).collect();
        let attempt = journal.remove_intent(keys)?;
        let post = Post {
            seq,
            body: PostBody::DeleteCalls(recipients.clone()),
        };
        let body = super::http::PostBody::Bytes(self.body(&post)?);
        let provider = self.campaign.provider();
        let reply = self.transport.post_to(
            &body,
            true,
            &|e| provider.url(e, PostKind::Delete),
            &mut Self::retry_cb(seq, on),
        );
        if let Ok(reply) = &reply
            && let ReplyOutcome::Rejected(rejection) =
                self.read_outcome_safely(&reply.body, |b| provider.read_answer(reply.status, b))
        {
            // Refused outright: nothing was removed, every call is as it was.
            let kept = chunk.iter().map(|t| t.key.clone()).collect();
            journal.remove_outcome(
                attempt,
                RemovalOutcome {
                    kept,
                    ..RemovalOutcome::default()
                },
            )?;
            return Err(SubmitError::Rejected {
                seq,
                kind: PostKind::Delete,
                rejection,
            });
        }
        // Whatever the delete's answer, the lookup says what the provider holds now.
        let Ok(found) = self.lookup(seq, PostBody::Query(recipients.clone()), on) else {
            return Ok(chunk.iter().map(|_| Fate::Doubt).collect());
        };
        let mut outcome = RemovalOutcome::default();
        let mut fates = Vec::with_capacity(chunk.len());
        for (t, r) in chunk.iter().zip(&recipients) {
            let calls: Vec<_> = found.iter().filter(|c| same_call(c, r)).collect();
            let fate = if calls.is_empty() {
                outcome.removed.push(t.key.clone());
                Fate::Removed
            } else if calls
                .iter()
                .all(|c| !matches!(provider.reach(c), Reach::Pending | Reach::Unknown))
            {
                outcome.dialled.push(t.key.clone());
                Fate::Dialled
            } else {
                Fate::Doubt
            };
            fates.push(fate);
        }
        journal.remove_outcome(attempt, outcome)?;
        on(Event::Post {
            action: Action::Delete,
            seq,
            kind: PostKind::Delete,
            numbers: chunk.len(),
            sent: chunk.len(),
            status: PostStatus::Accepted,
            endpoint: reply.ok().map(|r| r.endpoint),
        });
        Ok(fates)
    }

    /// One call removed by the provider's own id: its status first where the provider has a
    /// status request (finished: dialled), then the removal, whose answer tells removed from
    /// no longer removable. A call the provider no longer holds is judged by [`gone`].
    fn remove_one(
        &self,
        journal: &mut Journal,
        seq: usize,
        t: &Target,
        last: &mut Option<Instant>,
        on: &mut dyn FnMut(Event),
    ) -> Result<Fate, SubmitError> {
        let hash = crate::journal::key_hash(&t.key);
        let resumed = journal.state().removal_in_doubt(&hash);
        let due = journal.state().posted(&hash).and_then(|p| p.due);
        let Some(id) = journal
            .state()
            .provider_id(&t.callid, &t.number)
            .map(str::to_owned)
        else {
            return Ok(Fate::Doubt);
        };
        let interval = self.campaign.provider().pacing().interval;
        if let Some(wait) = last.and_then(|l| interval.checked_sub(l.elapsed())) {
            std::thread::sleep(wait);
        }
        *last = Some(Instant::now());
        let attempt = journal.remove_intent(vec![t.key.clone()])?;
        let by_id = self.by_id_provider();
        let record = |journal: &mut Journal, fate: Fate| -> Result<Fate, SubmitError> {
            let key = vec![t.key.clone()];
            let outcome = match fate {
                Fate::Removed => RemovalOutcome {
                    removed: key,
                    ..RemovalOutcome::default()
                },
                Fate::Dialled => RemovalOutcome {
                    dialled: key,
                    ..RemovalOutcome::default()
                },
                Fate::Doubt => return Ok(Fate::Doubt),
            };
            journal.remove_outcome(attempt, outcome)?;
            Ok(fate)
        };
        let gone = |uncertain| gone(by_id, due, uncertain, jiff::Timestamp::now());
        if by_id.has(PostKind::Query) {
            match self.status_of(seq, &id) {
                Err(_) => return Ok(Fate::Doubt),
                // Gone: removed by an earlier run's removal, or made and self-deleted.
                Ok(None) => return record(journal, gone(resumed)),
                Ok(Some(s)) if by_id.finished(&s) => return record(journal, Fate::Dialled),
                Ok(Some(_)) => {}
            }
        }
        let (reply, retried) = self.by_id_request_retried(seq, PostKind::Delete, &id);
        let Ok(body) = reply else {
            return Ok(Fate::Doubt);
        };
        let fate = match self.read_safely(&body, |b| by_id.read_removal(b)) {
            Ok(true) => Fate::Removed,
            // Not there (any more): this removal's first attempt, an earlier run's, or the
            // call was made.
            Ok(false) => gone(resumed || retried),
            Err(_) => Fate::Doubt,
        };
        on(Event::Post {
            action: Action::Delete,
            seq,
            kind: PostKind::Delete,
            numbers: 1,
            sent: 1,
            status: PostStatus::Accepted,
            endpoint: None,
        });
        record(journal, fate)
    }
}

/// What became of a call the provider took and no longer holds. Removed, when the provider
/// keeps the records of the calls it made, or when the call's time (`due`) is still further
/// away than the provider may start a call early; else made, unless a removal of it may have
/// been applied (`uncertain`: asked by an earlier run without an answer, or by an attempt
/// retried in this one), which leaves it in doubt.
fn gone(
    by_id: &dyn crate::provider::ById,
    due: Option<jiff::Timestamp>,
    uncertain: bool,
    now: jiff::Timestamp,
) -> Fate {
    let early = jiff::SignedDuration::try_from(by_id.early()).unwrap_or(jiff::SignedDuration::MAX);
    if by_id.keeps_made_calls() {
        Fate::Removed
    } else if !uncertain {
        Fate::Dialled
    } else if due.is_some_and(|due| now.checked_add(early).is_ok_and(|soon| due > soon)) {
        Fate::Removed
    } else {
        Fate::Doubt
    }
}

/// A recipient to name in a delete or a lookup: only its call id and number matter there.
fn recipient(t: &Target) -> Option<Recipient> {
    Some(Recipient {
        number: crate::phone::parse_international(&t.number).ok()?,
        callid: t.callid.clone(),
        at: None,
        ext: None,
        callerid: None,
        timezone: None,
        vars: Vars::default(),
        span: 0..0,
        at_span: None,
        row: None,
    })
}
