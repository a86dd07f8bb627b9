//! What a route does with a post it let in: the provider's reader reads it, the route's rule
//! finds its call (the campaign, the call id *and* the number), and it is filed, or kept as
//! unmatched. Nothing here knows one provider from another.

use std::time::Instant;

use axum::http::StatusCode;

use super::app::{App, Refused, refused};
use super::event::ListenEvent;
use super::matching::{self, Found};
use crate::outcome::{CallRecord, Keypress};
use crate::provider::inbound::{CallName, Reading, Received, Route, Unreadable};
use crate::results::posts::{Post, Unmatched};

/// A post let in, body read.
pub(super) struct Incoming<'a> {
    /// The route it came to.
    pub(super) route: &'static Route,
    /// What came.
    pub(super) received: Received<'a>,
}

/// What an accepted post is answered with (always 200).
pub(super) struct Accepted {
    filed: Filed,
    /// A Call Command and its media type, or nothing.
    command: Option<(String, &'static str)>,
}

enum Filed {
    Call {
        campaign: String,
        callid: String,
        fresh: bool,
        verdict: Option<&'static str>,
    },
    Unmatched {
        callid: String,
        why: String,
        /// `false`: kept before.
        fresh: bool,
    },
}

impl Accepted {
    fn unmatched(callid: &str, why: String, fresh: bool) -> Accepted {
        Accepted {
            filed: Filed::Unmatched {
                callid: callid.to_owned(),
                why,
                fresh,
            },
            command: None,
        }
    }

    /// Whether it was new (not a redelivery), and whether it was kept as unmatched.
    pub(super) fn counts(&self) -> (bool, bool) {
        match &self.filed {
            Filed::Call { fresh, .. } => (*fresh, false),
            Filed::Unmatched { fresh, .. } => (*fresh, true),
        }
    }

    /// The event to show, and the Call Command (with its media type) to reply with.
    pub(super) fn event(self, route: &Route) -> (ListenEvent, Option<(String, &'static str)>) {
        let route = route.path.to_owned();
        let command = self.command.is_some();
        let event = match self.filed {
            Filed::Call {
                campaign,
                callid,
                fresh,
                verdict,
            } => ListenEvent::Stored {
                route,
                campaign,
                callid,
                fresh,
                verdict,
                command,
            },
            Filed::Unmatched { callid, why, .. } => ListenEvent::Unmatched { route, callid, why },
        };
        (event, self.command)
    }
}

impl App {
    /// Reads, matches and files one post; `Err` is a refusal (4xx, or 503 when the store
    /// failed).
    pub(super) fn accept(&self, post: &Incoming<'_>) -> Result<Accepted, Refused> {
        let reading = (post.route.read)(&post.received).map_err(|e| match e {
            Unreadable::MediaType(why) => refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, why),
            Unreadable::Malformed(why) => refused(StatusCode::BAD_REQUEST, why),
        })?;
        match matching::find(&self.campaigns, post.route.provider, &reading.call) {
            Ok(found) => self.file_found(post, reading, found),
            Err(why) => {
                let why = reading.unmatched_why.clone().unwrap_or(why);
                self.keep_unmatched(post, &reading.call, why)
            }
        }
    }

    /// Files what a post said under the call it was found to be: its recordings saved
    /// first, then its row and keypresses in one transaction.
    fn file_found(
        &self,
        post: &Incoming<'_>,
        reading: Reading,
        found: Found<'_>,
    ) -> Result<Accepted, Refused> {
        let Found {
            campaign,
            callid,
            number,
        } = found;
        let mut recording = None;
        for r in &reading.recordings {
            let saved = self.save_recording(&campaign.name, &callid, &number, r)?;
            recording.get_or_insert(saved);
        }
        let (provider, source) = (post.route.provider.key(), post.route.source);
        let call = reading.said.map(|said| CallRecord {
            provider: provider.to_owned(),
            campaign: campaign.name.clone(),
            callid: callid.clone(),
            number: number.clone(),
            status: said.status,
            outcome: said.outcome,
            reason: said.reason,
            duration: said.duration,
            answered_by: said.answered_by.map(str::to_owned),
            attempts: None,
            called_at: said.called_at,
            source,
            recording,
        });
        let keys: Vec<Keypress> = (reading.keypresses.into_iter())
            .map(|(prompt, keys)| Keypress {
                provider: provider.to_owned(),
                campaign: campaign.name.clone(),
                callid: callid.clone(),
                number: number.clone(),
                prompt,
                keys,
                source,
            })
            .collect();
        let command = reading.command.and_then(|c| {
            let rule = campaign.rule(c.prompt, &c.keys)?;
            Some(((c.render)(rule), c.content_type))
        });
        let filed = self.commit(post, call.as_slice(), &keys)?;
        Ok(Accepted {
            filed: Filed::Call {
                campaign: campaign.name.clone(),
                callid,
                fresh: filed.fresh,
                // A post that makes no call row (a Call Event) has no verdict.
                verdict: filed.verdict.filter(|_| call.is_some()).map(|v| v.as_str()),
            },
            command,
        })
    }

    /// Files a post under its call, in one transaction.
    fn commit(
        &self,
        post: &Incoming<'_>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<crate::results::posts::Filed, Refused> {
        let filed = Post {
            route: post.route.path,
            body: post.received.body,
            keep_body: post.route.keep_body,
        };
        let started = Instant::now();
        let done = self.store.file(Some(filed), calls, keys);
        self.metrics.store_took(started.elapsed());
        done.map_err(|e| refused(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
    }

    /// Keeps a post that names no call, answered 200 all the same.
    fn keep_unmatched(
        &self,
        post: &Incoming<'_>,
        call: &CallName,
        why: String,
    ) -> Result<Accepted, Refused> {
        let callid = call.shown_callid();
        let started = Instant::now();
        let done = self.store.file_unmatched(&Unmatched {
            route: post.route.path.to_owned(),
            provider: post.route.provider.key().to_owned(),
            callid: callid.to_owned(),
            number: call.number().to_owned(),
            why: why.clone(),
            body: post.received.body.to_vec(),
            received_at: jiff::Timestamp::now().to_string(),
        });
        self.metrics.store_took(started.elapsed());
        let fresh = done.map_err(|e| refused(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
        Ok(Accepted::unmatched(callid, why, fresh))
    }
}
