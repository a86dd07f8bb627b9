//! The interface every provider implements: [`Provider`] (its limits, how posts become
//! requests, how replies read), and the optional parts some have: requests by the provider's
//! own call id ([`ById`]) and the list of scheduled calls ([`ScheduledList`]).
//!
//! A trait object rather than an enum: a new provider is one folder plus one line in the
//! registry, and no `match` elsewhere grows an arm. Calls through it happen once per post,
//! never per recipient, so dynamic dispatch costs nothing measurable.

use std::fmt;
use std::io::Write;
use std::time::Duration;

use super::credentials::{Credentials, control_character};
use super::name::ProviderName;
use super::reply::{CallResult, LookupReply, Reach, ReplyOutcome, ScheduledCall, Status};
use super::request::{EncodeError, Method, RequestHead};
use crate::campaign::model::Recipient;
use crate::campaign::rules::ProviderRules;
use crate::campaign::validated::Campaign;
use crate::plan::{Action, Post, PostKind};

/// How many recipients one request can carry, and similar fixed facts of a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Recipients per call post (1: one call per request).
    pub batch_size: usize,
}

/// Whether, and how, a provider can be asked which calls it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// By our call ids, in posts of at most this many.
    ByCallId {
        /// Call ids per query post.
        batch: usize,
    },
    /// Not at all: a call posted without a clear answer stays in doubt.
    None,
}

/// Pacing of requests to a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pacing {
    /// At least this long between the starts of two call posts.
    pub interval: Duration,
    /// At least this long between two status polls of one worker.
    pub poll_interval: Duration,
    /// At most this many status polls in flight.
    pub in_flight: usize,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            interval: Duration::ZERO,
            poll_interval: Duration::ZERO,
            in_flight: 1,
        }
    }
}

/// A voice provider: its rules and limits, how posts become requests, and how replies read.
/// What it adds to a campaign's rules while loading is its [`ProviderRules`] side.
pub trait Provider: fmt::Debug + Send + Sync + ProviderRules {
    /// Which provider this is.
    fn name(&self) -> ProviderName;

    /// Fixed facts: batch size and the like.
    fn limits(&self) -> Limits;

    /// Whether the provider can carry out `action` at all.
    fn supports(&self, action: Action) -> bool;

    /// Why `action` is not supported (it is not, see [`Provider::supports`]) and what would
    /// make it so, when a setting would: the end of "… cannot ACTION: ".
    fn unsupported_reason(&self, action: Action) -> (String, Option<String>) {
        let _ = action;
        ("it has no such request".to_owned(), None)
    }

    /// Where posts go when no `--endpoint` is given: the primary, then fallbacks tried only
    /// when nothing was sent.
    fn endpoints(&self) -> Vec<String>;

    /// What in a credential (`user` or password) this provider's requests cannot carry,
    /// named without the value, or `None` when it can be sent as it is.
    fn credential_problem(&self, user: bool, value: &str) -> Option<String> {
        let _ = user;
        control_character(value)
    }

    /// The file extension of an encoded post (`xml`), for `compile -o`.
    fn extension(&self) -> &'static str;

    /// Writes the body of `post` exactly as it is sent; `credentials` go in when the provider
    /// carries them in the body (pass [`Credentials::redacted`] to show where).
    fn encode(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError>;

    /// Content type and headers of every post (authentication headers included, when the
    /// provider takes credentials that way).
    fn head(&self, credentials: Option<&Credentials>) -> RequestHead;

    /// Reads the reply to a post that is not a lookup.
    fn read_reply(&self, body: &[u8]) -> ReplyOutcome;

    /// How the provider can be asked which calls it holds.
    fn lookup(&self) -> Lookup;

    /// Reads the reply to a lookup (a `Query` post): the calls found, or what went wrong.
    fn read_lookup(&self, body: &[u8]) -> LookupReply;

    /// How a status text of this provider's results reads as a verdict. (Each provider has
    /// its own status words; this is the one place each is read, for `query`, `send`'s
    /// lookups and the results store alike.)
    fn reach(&self, result: &CallResult) -> Reach;

    /// Who answered, `human` or `machine`, when the provider's result detail (`comment`)
    /// says so. `None` by default: most providers do not tell.
    fn answered_by(&self, comment: &str) -> Option<&'static str> {
        let _ = comment;
        None
    }

    /// When a call took place, from the time a result carries as the provider wrote it
    /// (`dateandtime`), on the provider's own clock; `None` when it cannot be read (the
    /// results report then leaves the call out of its timeline).
    fn result_time(&self, text: &str) -> Option<jiff::civil::DateTime> {
        let _ = text;
        None
    }

    /// The zone the provider's result times ([`Provider::result_time`]) are written in, when
    /// its settings say (VoiceShot's `account_zone`). `None`: the campaign's zone, else this
    /// machine's, is taken.
    fn result_zone(&self) -> Option<jiff::tz::TimeZone> {
        None
    }

    /// Why no result of this campaign's calls can ever arrive, when none can (`report` says
    /// so beside calls that stay pending); `None` when results have a way in.
    fn no_results_why(&self) -> Option<&'static str> {
        None
    }

    /// Where results come from when the provider posts them to a place the campaign does not
    /// name (`plan` and `send` say it once, as a note); `None` when nothing needs saying.
    fn results_note(&self) -> Option<&'static str> {
        None
    }

    /// Why `report` shows every sent call pending while no result is stored, and what to
    /// do: `(why, help)`. `None` when nothing is worth adding.
    fn nothing_stored_why(&self) -> Option<(String, String)> {
        None
    }

    /// The id the provider's own posts (summaries, events) name this campaign by, if they
    /// name it at all.
    fn results_key(&self) -> Option<&str> {
        None
    }

    /// HTTP statuses other than 2xx that this provider documents as its answer to a post
    /// (a refusal after which nothing was taken), so their bodies are read with
    /// [`Provider::read_answer`] instead of leaving the post ambiguous. None by default: an
    /// undocumented status never proves that nothing was taken.
    fn answer_statuses(&self) -> &'static [u16] {
        &[]
    }

    /// Reads a reply together with its HTTP status (2xx, or one of
    /// [`Provider::answer_statuses`]). By default the status adds nothing.
    fn read_answer(&self, _status: u16, body: &[u8]) -> ReplyOutcome {
        self.read_reply(body)
    }

    /// Writes the body of `post` as it is sent at `now`. Only providers whose bodies carry
    /// times relative to the moment of sending (the Voicent Gateway's `calltime`, in minutes
    /// from now) differ from [`encode`](Self::encode), which then writes a form that does not
    /// depend on the clock (what the journal hashes, so a re-run compares equal).
    fn encode_at(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        now: jiff::Timestamp,
        out: &mut dyn Write,
    ) -> Result<(), EncodeError> {
        let _ = now;
        self.encode(campaign, post, credentials, out)
    }

    /// [`encode_at`](Self::encode_at) appending to a byte vector (what `compile`, `plan` and
    /// `send` render into). A provider whose encoder writes many small pieces can write them
    /// straight into the vector here instead of through `dyn Write`.
    fn encode_into(
        &self,
        campaign: &Campaign,
        post: &Post<'_>,
        credentials: Option<&Credentials>,
        now: jiff::Timestamp,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        self.encode_at(campaign, post, credentials, now, out)
    }

    /// Whether `audio` prompts are uploaded before the calls (VoiceShot). A provider that
    /// plays files already on its own host (the Voicent Gateway) says no: `send` then plans
    /// no uploads.
    fn uploads_audio(&self) -> bool {
        true
    }

    /// The URL a post of `kind` goes to, given an endpoint (the campaign's or `--endpoint`).
    /// Providers with one URL per request kind append their path here.
    fn url(&self, endpoint: &str, kind: PostKind) -> String {
        let _ = kind;
        endpoint.to_owned()
    }

    /// How fast requests may go: one box on a phone line needs pacing, a cloud API does not.
    fn pacing(&self) -> Pacing {
        Pacing::default()
    }

    /// How a call is named to a person who must find it in the provider's own screens (the
    /// in-doubt list of `send`).
    fn call_label(&self, campaign: &Campaign, recipient: &Recipient) -> String {
        let _ = campaign;
        recipient.callid.clone()
    }

    /// Requests about single calls by the provider's own id, for providers that can be asked
    /// about a call only that way (status polls, removal). `None`: calls are looked up by
    /// our call id through [`lookup`](Self::lookup) and posts.
    fn by_id(&self) -> Option<&dyn ById> {
        None
    }

    /// The list of the calls the provider holds scheduled, for a provider that cannot be
    /// asked about a call otherwise: it settles scheduled calls left in doubt.
    fn scheduled_list(&self) -> Option<&dyn ScheduledList> {
        None
    }

    /// How this provider removes one pending call (to replace it or take it back), if it
    /// can: a call it cannot remove stays as it was posted.
    fn removal(&self) -> CallRemoval {
        CallRemoval::None
    }
}

/// How a provider removes a pending call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallRemoval {
    /// A delete post of call ids (a [`PostBody::DeleteCalls`](crate::plan::PostBody) batch of
    /// at most `batch`), whose reply does not say which calls it removed: a lookup by call
    /// id afterwards tells removed (gone) from dialled (still there, not pending).
    ByCallId {
        /// Calls per delete post.
        batch: usize,
    },
    /// One request per call by the provider's own id ([`ById`] with `Delete`), asked for
    /// its status first where the provider has a status request.
    ById,
    /// The provider cannot remove a call.
    None,
}

/// The list of scheduled calls a provider keeps: a call in doubt that was scheduled is in it
/// if the provider took it, and not in it if it did not, as long as its time has not come.
pub trait ScheduledList: Send + Sync {
    /// Where the list is asked for when posts go to `endpoint`.
    fn list_url(&self, endpoint: &str) -> String;

    /// How the list is asked for.
    fn list_method(&self) -> Method {
        Method::Post
    }

    /// Reads the list.
    fn read_list(&self, body: &[u8]) -> Result<Vec<ScheduledCall>, ReplyOutcome>;

    /// How the call to `recipient` appears in the list (`to`, `when`), or `None` when it is
    /// not a scheduled call (an immediate call never is in the list).
    fn entry_of(&self, campaign: &Campaign, recipient: &Recipient) -> Option<(String, String)>;

    /// How long before its time a scheduled call may leave the list (the provider's
    /// scheduler starts calls that early): a call not in the list closer to its time than
    /// this may have been taken and made.
    fn margin(&self) -> Duration;
}

/// Requests about one call, named by the id the provider gave it when it took the call.
pub trait ById: Send + Sync {
    /// Whether the provider has a request of `kind` (`Query`: status, `Delete`: removal,
    /// `Ping`): voip-communications.net, for one, cannot be asked about a call.
    fn has(&self, kind: PostKind) -> bool;

    /// Where a request of `kind` goes when posts go to `endpoint`.
    fn url(&self, kind: PostKind, endpoint: &str) -> String;

    /// How a request of `kind` is sent.
    fn method(&self, _kind: PostKind) -> Method {
        Method::Post
    }

    /// The body of a request of `kind` about call `id`.
    fn body(&self, kind: PostKind, id: &str) -> Vec<u8>;

    /// An id no call can have, for `ping`.
    fn probe_id(&self) -> &'static str;

    /// Reads a status reply: `Ok(None)` when the provider has no such call.
    fn read_status(&self, body: &[u8]) -> Result<Option<Status>, ReplyOutcome>;

    /// Whether a status says the call is over (made or failed): removing it would cancel
    /// nothing and lose its result.
    fn finished(&self, status: &Status) -> bool;

    /// Reads a removal reply: `Ok(true)` removed, `Ok(false)` no such call (or no longer
    /// removable).
    fn read_removal(&self, body: &[u8]) -> Result<bool, ReplyOutcome>;

    /// What `query` says of a call the provider took, when it has no status request.
    fn unasked_note(&self) -> &'static str {
        "the provider has no status request"
    }

    /// Whether the provider keeps the record of a call it has made until the record is
    /// removed: a call it took and no longer holds was then removed, never made.
    fn keeps_made_calls(&self) -> bool {
        false
    }

    /// How long before its time the provider may start a scheduled call: a call it no longer
    /// holds whose time is further away than this was removed, not made.
    fn early(&self) -> Duration;
}
