//! VoiceShot IVR API (`/ivrapi.asp`): the `<campaign>` XML of every outbound action, the
//! error table, reply parsing, its date format, and a local stand-in ([`sandbox`]).
//!
//! Documents are written with quick-xml's writer, which escapes every attribute; nothing here
//! builds XML by string concatenation (the official SDKs do, and break on `&` in a sentence).

pub mod dates;
pub mod errorid;
pub mod render;
pub mod reply;
pub mod sandbox;
pub(crate) mod settings;

use std::io::Write;

use jiff::tz::TimeZone;

pub use settings::{DEFAULT_BATCH_SIZE, Section};

use super::{
    CallResult, Credentials, EncodeError, Limits, Lookup, LookupReply, Provider, ProviderName,
    Reach, ReplyOutcome, RequestHead,
};
use crate::campaign::Campaign;
use crate::plan::{Action, Post};

/// The documented primary endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://api.voiceshot.com/ivrapi.asp";
/// The documented fallback, tried only after the primary fails.
pub const DEFAULT_FALLBACK: &str = "https://apiproxy.voiceshot.com/ivrapi.asp";

/// `[voiceshot]`, validated: the provider as a campaign configures it.
#[derive(Debug, Clone)]
pub struct VoiceShot {
    /// `N-N`.
    pub menuid: String,
    /// Default caller ID, 10 digits.
    pub callerid: Option<String>,
    /// Numbers per post.
    pub batch_size: usize,
    /// Largest WAV an `audio` prompt may upload.
    pub max_upload_bytes: u64,
    /// Zone `dateandtime` is written in.
    pub account_zone: Option<TimeZone>,
    /// Where posts go.
    pub endpoint: String,
    /// Where posts go when the endpoint cannot be reached.
    pub fallback_endpoint: String,
}

impl Provider for VoiceShot {
    fn name(&self) -> ProviderName {
        ProviderName::Voiceshot
    }

    fn limits(&self) -> Limits {
        Limits {
            batch_size: self.batch_size.max(1),
            max_upload_bytes: self.max_upload_bytes,
        }
    }

    fn supports(&self, _action: Action) -> bool {
        // Every action outdial has was modelled on VoiceShot's.
        true
    }

    fn endpoints(&self) -> Vec<String> {
        vec![self.endpoint.clone(), self.fallback_endpoint.clone()]
    }

    fn credential_vars(&self) -> Option<(&'static str, &'static str)> {
        ProviderName::Voiceshot.credential_vars()
    }

    fn extension(&self) -> &'static str {
        "xml"
    }

    fn encode(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError> {
        if matches!(post.body, crate::plan::PostBody::Upload(_)) {
            // Streamed: a large WAV never sits in memory as base64.
            return render::write_post_as(self, campaign, post, credentials, out);
        }
        // Rendered into a buffer of a known type first: quick-xml makes many small writes
        // per number, and each one through `dyn Write` is a call the compiler cannot inline
        // (measured: 5% of a 100k-row plan); one copy of the finished post costs less.
        let per_number = 96 + 192 * campaign.prompts.len();
        let mut buf = Vec::with_capacity(256 + post.body.recipients().len() * per_number);
        render::write_post_as(self, campaign, post, credentials, &mut buf)?;
        out.write_all(&buf)?;
        Ok(())
    }

    fn head(&self, _credentials: Option<&Credentials>) -> RequestHead {
        // Credentials travel as root attributes of the document, not as a header.
        RequestHead {
            content_type: "text/xml",
            headers: Vec::new(),
        }
    }

    fn read_reply(&self, body: &[u8]) -> ReplyOutcome {
        match reply::parse_command_reply(body) {
            Ok(r) if r.errorid == 0 => ReplyOutcome::Accepted { ids: Vec::new() },
            Ok(r) => ReplyOutcome::Rejected(errorid::rejection(r.errorid, &r.comment)),
            Err(e) => ReplyOutcome::Unreadable(format!("unreadable reply: {e}")),
        }
    }

    fn time_problem(&self, at: &jiff::Zoned) -> Option<String> {
        // `dateandtime` is a wall time in the account's zone with no offset: a wall time that
        // happens twice there (the hour the clocks fall back) may be read an hour early. In
        // the campaign's own zone such times are refused when they are parsed.
        let zone = self.account_zone.as_ref()?;
        let civil = at.with_time_zone(zone.clone()).datetime();
        match zone.to_ambiguous_zoned(civil).offset() {
            jiff::tz::AmbiguousOffset::Fold { before, after } => Some(format!(
                "in the VoiceShot account's time zone this is {}, which happens twice (at {before} and at {after}): VoiceShot may call an hour early",
                dates::format(at, zone)
            )),
            _ => None,
        }
    }

    fn sound_name_problem(&self, name: &str) -> Option<String> {
        // VoiceShot stores sounds by file name and refuses names with spaces or symbols
        // (`a&b c.wav` passes as XML but is rejected by the service).
        let stem = name
            .strip_suffix(".wav")
            .or_else(|| name.strip_suffix(".WAV"));
        let Some(stem) = stem else {
            return Some("VoiceShot sound file names end in .wav".into());
        };
        let bad = stem
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
        match bad {
            _ if stem.is_empty() => Some("the name has nothing before .wav".into()),
            Some(c) => Some(format!(
                "VoiceShot sound file names are letters, digits, `_`, `.` and `-`; {c:?} is not one of them"
            )),
            None => None,
        }
    }

    fn lookup(&self) -> Lookup {
        Lookup::ByCallId {
            batch: self.batch_size.max(1),
        }
    }

    fn read_lookup(&self, body: &[u8]) -> LookupReply {
        let parsed = reply::parse_query_reply(body)
            .map_err(|e| ReplyOutcome::Unreadable(format!("unreadable query reply: {e}")))?;
        match parsed.errorid {
            Some(e) if e != 0 => Err(ReplyOutcome::Rejected(errorid::rejection(
                e,
                parsed.comment.as_deref().unwrap_or(""),
            ))),
            _ => Ok(parsed.calls),
        }
    }

    fn reach(&self, result: &CallResult) -> Reach {
        match result.status.trim().to_ascii_lowercase().as_str() {
            "successful" | "success" => Reach::Reached,
            "" | "pending" | "paused" | "queued" | "scheduled" => Reach::Pending,
            _ => Reach::NotReached,
        }
    }
}
