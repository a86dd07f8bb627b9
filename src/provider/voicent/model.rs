//! Voicent as a campaign configures it: the validated settings each call request is
//! written from, what a call plays, and the gateway's paths.

use crate::campaign::{Campaign, Recipient};
use crate::provider::Pacing;
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
