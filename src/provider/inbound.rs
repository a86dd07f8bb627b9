//! What a provider posts back, as the provider declares it: a route per kind of post, each with
//! its path, the reader that turns a body into provider-neutral values, and how the post names
//! its campaign and call. `listen` serves every route a provider declares
//! (`inbound_routes::routes`) and knows no provider by name.

use super::name::ProviderName;
use crate::campaign::KeypressRule;
use crate::outcome::{Outcome, Source};

/// One route a provider's posts come to.
#[derive(Debug)]
pub struct Route {
    /// The URL path (`/<provider>/<kind>`). It is also the metrics' label and the route stored
    /// with each post, so it never changes once released.
    pub path: &'static str,
    /// The provider whose posts these are.
    pub provider: ProviderName,
    /// Which kind of report the rows are (the stored `source`).
    pub source: Source,
    /// Whether the raw body is kept with the call's row: for a reading that rests on
    /// vocabulary outdial chose rather than on a published one.
    pub keep_body: bool,
    /// Reads a post.
    pub read: fn(&Received<'_>) -> Result<Reading, Unreadable>,
}

/// A post let in, its body read whole.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// The Content-Type header, whole.
    pub ctype: Option<&'a str>,
    /// The URL's query string.
    pub query: Option<&'a str>,
    /// The body.
    pub body: &'a [u8],
}

/// Why a post cannot be read at all (it is refused, not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// A content type the route does not take (415).
    MediaType(String),
    /// Not shaped as the route's post (400).
    Malformed(String),
}

/// What a post said, before it is matched to a call.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// How the post names its campaign and call.
    pub call: CallName,
    /// What it says of the call (a row of results), if it says anything.
    pub said: Option<Said>,
    /// `(prompt, keys)` per prompt reached, in the post's order.
    pub keypresses: Vec<(u32, String)>,
    /// Voicemail recordings it carries.
    pub recordings: Vec<Recording>,
    /// Keys the campaign's Call Commands may answer, and how to write the answer.
    pub command: Option<Command>,
    /// Why the post matched no call when the provider knows better than the matcher (a test
    /// post from the provider's settings page); `None`: the matcher's reason.
    pub unmatched_why: Option<String>,
}

/// How a post names its call.
#[derive(Debug, Clone)]
pub enum CallName {
    /// By the campaign's results key, outdial's call id and the number called (empty when
    /// the post does not say).
    Keyed {
        /// What the provider calls the key, for messages (`menuid`).
        key_name: &'static str,
        /// The key.
        key: String,
        /// outdial's call id.
        callid: String,
        /// The number the post reports.
        number: String,
    },
    /// By outdial's call id when the post carries one (trusted first), else by the
    /// provider's own call id as the journal recorded it.
    Ids {
        /// outdial's call id.
        ours: Option<String>,
        /// The provider's call id.
        provider_id: Option<String>,
        /// The number the post reports (empty when it does not say).
        number: String,
    },
}

impl Default for CallName {
    fn default() -> CallName {
        CallName::Ids {
            ours: None,
            provider_id: None,
            number: String::new(),
        }
    }
}

impl CallName {
    /// The call id a post that matched nothing is kept under ('' for none).
    pub fn shown_callid(&self) -> &str {
        match self {
            CallName::Keyed { callid, .. } => callid,
            CallName::Ids {
                ours, provider_id, ..
            } => ours
                .as_deref()
                .or(provider_id.as_deref())
                .unwrap_or_default(),
        }
    }

    /// The number the post reports ('' when it does not say).
    pub fn number(&self) -> &str {
        match self {
            CallName::Keyed { number, .. } | CallName::Ids { number, .. } => number,
        }
    }
}

/// What a post says of its call: the row of results it makes, less who and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// The provider's status word, verbatim.
    pub status: String,
    /// What the status means.
    pub outcome: Outcome,
    /// Why the call did not reach anyone, in the provider's words.
    pub reason: Option<String>,
    /// Seconds on the line.
    pub duration: Option<u32>,
    /// `human` or `machine`, when the provider says.
    pub answered_by: Option<&'static str>,
    /// When the provider says the call took place, as it wrote it.
    pub called_at: Option<String>,
}

/// A voicemail recording carried inside a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The prompt that recorded it.
    pub prompt: u32,
    /// The name the provider gave it: untrusted, never used as a path as it is.
    pub filename: String,
    /// The WAV bytes.
    pub wav: Vec<u8>,
}

/// Keys pressed during a call that a Call Command of the campaign may answer.
#[derive(Debug, Clone)]
pub struct Command {
    /// The prompt.
    pub prompt: u32,
    /// The keys.
    pub keys: String,
    /// Writes the answer for the rule that matched.
    pub render: fn(&KeypressRule) -> String,
    /// The answer's media type.
    pub content_type: &'static str,
}
