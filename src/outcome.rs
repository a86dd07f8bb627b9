//! What a provider said about a call, in values every provider shares: whether the recipient
//! was reached, which kind of report said so, and the rows the results keep (a call's
//! result, the keys pressed at a prompt, an answer an IVR application collected). Providers
//! read their posts and replies into these; `results` stores and reports them. It imports
//! nothing of outdial's.

/// Whether a recipient was reached, as far as the provider has said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Someone (or a machine) answered and the message played.
    Reached,
    /// The provider gave up on the call (busy, no answer, failed, removed …).
    NotReached,
    /// The provider holds the call but has not finished it.
    Pending,
    /// The provider said something outdial does not recognise; its words are kept in the
    /// row. Never counted as not reached, never retried.
    Unknown,
    /// The provider no longer holds a call it took: removed by `delete`, or by the provider
    /// itself once made (the Voicent Gateway's `selfdelete`). Whether it reached anyone is
    /// not known, so it is not retried.
    Removed,
}

impl Outcome {
    /// The word stored in the `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not-reached",
            Outcome::Pending => "pending",
            Outcome::Unknown => "unknown",
            Outcome::Removed => "removed",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "reached" => Outcome::Reached,
            "not-reached" => Outcome::NotReached,
            "pending" => Outcome::Pending,
            "unknown" => Outcome::Unknown,
            "removed" => Outcome::Removed,
            _ => return None,
        })
    }
}

/// Where a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A VoiceShot Call Summary.
    Summary,
    /// A voip-communications.net callback.
    Callback,
    /// A reply to `outdial query` (VoiceShot action 3, Voicent status polling).
    Query,
    /// A VoiceShot Call Event.
    Event,
}

impl Source {
    /// The word stored in the `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Summary => "summary",
            Source::Callback => "callback",
            Source::Query => "query",
            Source::Event => "event",
        }
    }

    pub(crate) fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "summary" => Source::Summary,
            "callback" => Source::Callback,
            "query" => Source::Query,
            "event" => Source::Event,
            _ => return None,
        })
    }
}

/// One recipient's result: a row of `calls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// `voiceshot`, `voicent` or `voipcomm`.
    pub provider: String,
    /// The campaign's name.
    pub campaign: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number as the journal keys it; empty when the post did not say.
    pub number: String,
    /// The provider's status word, verbatim.
    pub status: String,
    /// What the status means.
    pub outcome: Outcome,
    /// Why the call did not reach anyone, in the provider's words.
    pub reason: Option<String>,
    /// Seconds on the line.
    pub duration: Option<u32>,
    /// `human` or `machine`, when the provider says.
    pub answered_by: Option<String>,
    /// How many times the provider tried.
    pub attempts: Option<u32>,
    /// When the provider says the call took place, as it wrote it.
    pub called_at: Option<String>,
    /// Which kind of report this row came from.
    pub source: Source,
    /// A voicemail recording saved beside the database (relative path).
    pub recording: Option<String>,
}

/// Keys pressed at one prompt: a row of `keypresses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keypress {
    /// `voiceshot`, `voicent` or `voipcomm`.
    pub provider: String,
    /// The campaign's name.
    pub campaign: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number as the journal keys it; empty when the post did not say.
    pub number: String,
    /// The prompt id.
    pub prompt: u32,
    /// The keys, as the provider wrote them.
    pub keys: String,
    /// Which kind of report this row came from.
    pub source: Source,
}

/// One answer an IVR application collected during a call: a row of `responses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `voiceshot`, `voicent` or `voipcomm`.
    pub provider: String,
    /// The campaign's name.
    pub campaign: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number as the journal keys it.
    pub number: String,
    /// The answer's name, as the provider wrote it.
    pub name: String,
    /// The answer, as the provider wrote it.
    pub value: String,
    /// Which kind of report this row came from.
    pub source: Source,
}
