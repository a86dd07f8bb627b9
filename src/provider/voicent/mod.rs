//! The Voicent Gateway's outbound Call Scheduler (`http://host:8155/ocall/…`): one
//! form-encoded request per call, the `[ReqId=…]` reply, status records with IVR responses,
//! removal.
//!
//! Facts from the vendor's pages and SDKs (see docs/guide/providers.md, "Voicent Gateway"):
//! requests are `application/x-www-form-urlencoded` POSTs without authentication; the reply
//! is an HTML page carrying `[ReqId=<id>]`; scheduling is relative (`schedule=t` plus
//! `calltime` in minutes from the request), so bodies are written for the moment they are
//! sent; the gateway cannot be asked about a call by our call id, only by its reqId, so a
//! call request without a clear answer stays in doubt until a person settles it.

pub(crate) mod facts;
pub mod form;
mod model;
mod play;
pub mod reply;
pub mod sandbox;
pub(crate) mod section;
pub(crate) mod settings;
pub mod till_confirm;
pub mod vocabulary;
mod vxml;

use std::io::Write;

pub use facts::CALLS_ABROAD;
pub use model::{
    CALL_PATH, DEFAULT_ENDPOINT, DEFAULT_INFO, PROBE_REQID, Play, REMOVE_PATH, STATUS_PATH,
    Voicent, is_private_url,
};
pub use section::{Section, TillConfirm};

use super::name::ProviderName;
use super::{
    ById, CallResult, Credentials, EncodeError, Limits, Lookup, LookupReply, Pacing, Provider,
    Reach, ReplyOutcome, RequestHead, Status,
};
use crate::campaign::model::Recipient;
use crate::campaign::rules::ProviderRules;
use crate::campaign::validated::Campaign;
use crate::plan::{Action, Post, PostKind};

/// The time of an attempt as a status record writes it: `YYYY M D H m` on the gateway's
/// clock, the month counted from 0 (Java's `Calendar`: `2008 3 17 12 24` is 17 April 2008).
fn attempt_time(text: &str) -> Option<jiff::civil::DateTime> {
    let fields: Vec<i16> = text
        .split_whitespace()
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let [year, month, day, hour, minute] = fields[..] else {
        return None;
    };
    jiff::civil::DateTime::new(
        year,
        i8::try_from(month + 1).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        0,
        0,
    )
    .ok()
}

/// The gateway plays files on its own disk: uploads are not its concern, only the `[vars]`
/// its settings read.
impl ProviderRules for Voicent {
    fn vars_used(&self) -> Vec<&str> {
        let mut used: Vec<&str> = self.info.vars().map(|(name, _)| name).collect();
        if let Play::Vxml { fields, .. } = &self.play {
            used.extend(fields.iter().map(String::as_str));
        }
        used
    }
}

impl Provider for Voicent {
    fn name(&self) -> ProviderName {
        ProviderName::Voicent
    }

    fn limits(&self) -> Limits {
        Limits {
            // One call per request: the Call Scheduler has no batch form. A program it runs
            // (callTillConfirm) does the calling itself: one request for the whole campaign.
            batch_size: if matches!(self.play, Play::Exec { .. }) {
                usize::MAX
            } else {
                1
            },
        }
    }

    fn supports(&self, action: Action) -> bool {
        matches!(
            action,
            Action::Send | Action::Delete | Action::Query | Action::Ping
        )
    }

    fn endpoints(&self) -> Vec<String> {
        vec![self.endpoint.clone()]
    }

    fn extension(&self) -> &'static str {
        "form"
    }

    fn encode(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError> {
        // A fixed instant, so that the form the journal hashes does not drift with the clock.
        self.encode_at(
            campaign,
            post,
            credentials,
            jiff::Timestamp::UNIX_EPOCH,
            out,
        )
    }

    fn encode_at(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        _credentials: Option<&Credentials>,
        now: jiff::Timestamp,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError> {
        form::write_post(self, campaign, post, now, out)
    }

    fn head(&self, _credentials: Option<&Credentials>) -> RequestHead {
        RequestHead {
            content_type: "application/x-www-form-urlencoded",
            headers: Vec::new(),
        }
    }

    fn read_reply(&self, body: &[u8]) -> ReplyOutcome {
        reply::read_call_reply(body)
    }

    fn lookup(&self) -> Lookup {
        Lookup::None
    }

    fn read_lookup(&self, _body: &[u8]) -> LookupReply {
        Err(ReplyOutcome::Unreadable(
            "the Voicent Gateway has no lookup by call id".into(),
        ))
    }

    fn reach(&self, result: &CallResult) -> Reach {
        vocabulary::status_reach(&result.status)
    }

    fn answered_by(&self, comment: &str) -> Option<&'static str> {
        vocabulary::answered_by(comment)
    }

    fn result_time(&self, text: &str) -> Option<jiff::civil::DateTime> {
        attempt_time(text)
    }

    fn uploads_audio(&self) -> bool {
        false
    }

    fn url(&self, endpoint: &str, kind: PostKind) -> String {
        let path = match kind {
            PostKind::Query | PostKind::Ping => STATUS_PATH,
            PostKind::Delete => REMOVE_PATH,
            _ => CALL_PATH,
        };
        format!("{}{path}", endpoint.trim_end_matches('/'))
    }

    fn pacing(&self) -> Pacing {
        self.pacing
    }

    fn call_label(&self, campaign: &Campaign, recipient: &Recipient) -> String {
        format!(
            "{} (info \"{}\")",
            recipient.callid,
            self.info_for(campaign, recipient)
        )
    }

    fn by_id(&self) -> Option<&dyn ById> {
        Some(self)
    }

    fn removal(&self) -> crate::provider::CallRemoval {
        // callRemove on the reqId, after a status poll.
        crate::provider::CallRemoval::ById
    }
}

impl ById for Voicent {
    fn has(&self, _kind: PostKind) -> bool {
        // Status doubles as ping (with an id no call has); removal is callRemove.
        true
    }

    fn url(&self, kind: PostKind, endpoint: &str) -> String {
        let path = match kind {
            PostKind::Delete => REMOVE_PATH,
            _ => STATUS_PATH,
        };
        format!("{}{path}", endpoint.trim_end_matches('/'))
    }

    fn body(&self, _kind: PostKind, id: &str) -> Vec<u8> {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("reqid", id)
            .finish()
            .into_bytes()
    }

    fn probe_id(&self) -> &'static str {
        PROBE_REQID
    }

    fn read_status(&self, body: &[u8]) -> Result<Option<Status>, ReplyOutcome> {
        reply::read_status(body)
    }

    fn finished(&self, status: &Status) -> bool {
        // The status record's words for a call that has run its course.
        matches!(
            vocabulary::status_reach(&status.result.status),
            Reach::Reached | Reach::NotReached
        )
    }

    fn read_removal(&self, body: &[u8]) -> Result<bool, ReplyOutcome> {
        reply::read_removal(body)
    }

    fn keeps_made_calls(&self) -> bool {
        // A made call's record stays until removed, unless the campaign asks for selfdelete.
        !self.selfdelete
    }

    fn early(&self) -> std::time::Duration {
        // `calltime` counts whole minutes from the request, rounded up: a call starts at its
        // time or later; two minutes leave room for clocks that disagree.
        std::time::Duration::from_secs(2 * 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_times_count_months_from_zero() {
        assert_eq!(
            attempt_time("2008 3 17 12 24").unwrap().to_string(),
            "2008-04-17T12:24:00"
        );
        assert_eq!(
            attempt_time(" 2026 11 5 9 7 ").unwrap().to_string(),
            "2026-12-05T09:07:00"
        );
        for bad in [
            "",
            "2008 12 17 12 24",
            "2008 3 17 12",
            "soon",
            "2008 3 17 12 24 1",
        ] {
            assert!(attempt_time(bad).is_none(), "{bad}");
        }
    }
}
