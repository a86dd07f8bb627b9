//! What a provider's replies say: a post taken or refused, how a call stands, a call's result
//! and status, a scheduled call in its list. One set of types for every provider.

use serde::Serialize;

/// What a reply says about a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// The provider took the post.
    Accepted {
        /// The provider's own id of each call, by our call id, when it gives them. An empty
        /// call id stands for the only call of the post (providers of one call per request
        /// answer with their id alone).
        ids: Vec<(String, String)>,
    },
    /// The provider refused the post; nothing was taken.
    Rejected(Rejection),
    /// The reply could not be read: the post may or may not have been taken.
    Unreadable(String),
}

/// A provider's refusal of a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The provider's code, as it wrote it (`5`).
    pub code: String,
    /// What the provider calls its codes (`code`, say), for messages.
    pub code_name: &'static str,
    /// What the code means, in a sentence.
    pub message: String,
    /// Whether the account or host is refused outright (not this post's content): fixed in
    /// the provider's account, not in the campaign file.
    pub refusal: bool,
    /// What to do about it, when the provider knows better than "fix the campaign".
    pub help: Option<String>,
    /// The provider's own words, verbatim (VoiceShot's `comment`, voip-communications'
    /// `code_desc`, the gateway's page as text), kept beside `message` (outdial's
    /// explanation). Scrubbed of secrets before it is stored or shown. (Boxed: a submission
    /// error carries a rejection, and stays small.)
    pub provider_message: Option<Box<str>>,
}

/// How one recipient's call stands, as the provider reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Answered.
    Reached,
    /// Dialled, not answered.
    NotReached,
    /// Not yet dialled (pending or paused).
    Pending,
    /// The provider does not know the call (not sent, or deleted).
    NotFound,
    /// The provider answered in words outdial does not recognise: kept with its raw text,
    /// never taken as "not reached" (which would put the person on the list to call again).
    Unknown,
}

/// One call's result as a provider reports it: the shared result type of every provider.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallResult {
    /// The number that was (or will be) called.
    pub number: String,
    /// Our call id.
    pub callid: String,
    /// The provider's status text.
    pub status: String,
    /// The provider's detail (`Human Answer`, …).
    pub comment: String,
    /// When the call was made, as the provider wrote it; empty if not yet dialled.
    pub dateandtime: String,
    /// Length of the call in seconds.
    pub duration: Option<u32>,
    /// `(promptid, keypress)` per prompt reached.
    pub keypresses: Vec<(u32, String)>,
}

/// A lookup's reply: the calls found, or a refusal.
pub type LookupReply = Result<Vec<CallResult>, ReplyOutcome>;

/// What a status poll of one call found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The call's state as the provider reports it (number and call id left empty).
    pub result: CallResult,
    /// Answers collected during the call (IVR responses), name then value, in order.
    pub responses: Vec<(String, String)>,
    /// How many times the provider has dialled the call, when its reply tells (the Voicent
    /// Gateway writes one record per attempt, retries included).
    pub attempts: Option<u32>,
}

/// A call a provider holds scheduled, as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledCall {
    /// The number as the provider writes it.
    pub to: String,
    /// When it is to be made, as the provider writes it.
    pub when: String,
    /// The provider's id of the call.
    pub id: String,
}
