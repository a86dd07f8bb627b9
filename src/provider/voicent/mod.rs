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
pub mod reply;
pub mod sandbox;
pub(crate) mod section;
pub(crate) mod settings;
pub mod till_confirm;
pub mod vocabulary;
mod vxml;

use std::io::Write;

pub use facts::CALLS_ABROAD;
pub use section::{Section, TillConfirm};

use super::name::ProviderName;
use super::{
    ById, CallResult, Credentials, EncodeError, Limits, Lookup, LookupReply, Pacing, Provider,
    Reach, ReplyOutcome, RequestHead, Status,
};
use crate::campaign::model::{Campaign, Recipient};
use crate::campaign::rules::ProviderRules;
use crate::plan::{Action, Post, PostKind};
use crate::template::Template;

/// The SDKs' default: the gateway on this machine.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:8155";
/// The default `info` text: enough for an operator to find a call in the gateway's screens.
pub const DEFAULT_INFO: &str = "outdial {campaign} {callid}";
/// Where call requests go.
pub const CALL_PATH: &str = "/ocall/callreqHandler.jsp";
/// Where status polls go.
pub const STATUS_PATH: &str = "/ocall/callstatusHandler.jsp";
/// Where removals go.
pub const REMOVE_PATH: &str = "/ocall/callremoveHandler.jsp";
/// A reqId no record has (real ones are epoch milliseconds), for `ping`.
pub const PROBE_REQID: &str = "0";

/// What each call plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Play {
    /// The campaign's one prompt: text (`txt`) or a WAV in `audio_dir` on the gateway host
    /// (`audiofile`).
    Prompt {
        /// The folder on the gateway host of `audio` and `sound` prompts.
        audio_dir: Option<String>,
    },
    /// An IVR Studio application deployed on the gateway (`startapp`).
    Ivr(String),
    /// A VoiceXML application drives the call (`startvxml` or `starturl`, and optionally
    /// `exitvxml` or `exiturl`), with per-recipient values as extra form fields.
    Vxml {
        /// The gateway's key (`startvxml` or `starturl`) and its value.
        start: (&'static str, String),
        /// The exit key (`exitvxml` or `exiturl`) and its value.
        exit: Option<(&'static str, String)>,
        /// Names of vars sent as extra fields, in order.
        fields: Vec<String>,
    },
    /// A program the gateway runs (`startexec` with `cmdline`), opted into: one request for
    /// the whole campaign (callTillConfirm), never one per recipient.
    Exec {
        /// Path of the program on the gateway host.
        program: String,
        /// Its command line.
        cmdline: String,
        /// The number the request names (a dummy: the program does the calling).
        phoneno: String,
    },
}

/// `[voicent]`, validated: the gateway as a campaign configures it.
#[derive(Debug, Clone)]
pub struct Voicent {
    /// The gateway's base URL (no path, no trailing slash).
    pub endpoint: String,
    /// Minutes after the scheduled time after which no try is made.
    pub firstocc: u32,
    /// Whether the gateway deletes a record once its call is made.
    pub selfdelete: bool,
    /// The `info` template.
    pub info: Template,
    /// Caller ID for every call.
    pub callerid: Option<String>,
    /// Digits dialled before the 10-digit number.
    pub dial_prefix: String,
    /// What each call plays.
    pub play: Play,
    /// How fast requests go.
    pub pacing: Pacing,
}

impl Voicent {
    /// The `info` text of `recipient`'s call.
    pub fn info_for(&self, campaign: &Campaign, recipient: &Recipient) -> String {
        let number = recipient.number.to_string();
        self.info
            .render(|name| match name {
                "campaign" => Some(campaign.name.as_str()),
                "callid" => Some(recipient.callid.as_str()),
                "number" => Some(number.as_str()),
                other => campaign.vars.get(other).map(String::as_str),
            })
            // The check allows only the names above; keep something findable regardless.
            .unwrap_or_else(|_| format!("outdial {} {}", campaign.name, recipient.callid))
    }
}

/// Whether `url`'s host is loopback or a private (RFC 1918, link-local, unique local)
/// address, where an unauthenticated gateway is expected to sit.
pub fn is_private_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            // fc00::/7 unique local, fe80::/10 link-local.
            ip.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        Err(_) => host == "localhost" || host.ends_with(".localhost"),
    }
}

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
