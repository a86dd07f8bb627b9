//! One call as the sandbox keeps it: where it stands, its prompts, its outcome once
//! dialled.

use serde::{Deserialize, Serialize};

/// Where a call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallStatus {
    /// Accepted, not yet dialled.
    Pending,
    /// Held by action 7 on its menuid; action 8 makes it pending again.
    Paused,
    /// Removed by action 2 before it was dialled; never dialled, never returned by queries.
    Deleted,
    /// Dialled and answered (by a person or a machine).
    Successful,
    /// Dialled and not answered (no answer, busy).
    Unsuccessful,
}

impl CallStatus {
    /// The `status` text the Call Query reply carries.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Pending => "Pending",
            CallStatus::Paused => "Paused",
            CallStatus::Deleted => "Deleted",
            CallStatus::Successful => "Successful",
            CallStatus::Unsuccessful => "Unsuccessful",
        }
    }

    /// Whether the call can still be paused or deleted (it has not been dialled).
    pub fn is_undialled(self) -> bool {
        matches!(self, CallStatus::Pending | CallStatus::Paused)
    }
}

/// One `<prompt>` as the call will use it (per-number prompts override campaign-level ones
/// with the same promptid).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxPrompt {
    /// The API prompt id.
    pub promptid: u32,
    /// Text to speak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tts: Option<String>,
    /// Sound file to play.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Number to transfer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferto: Option<String>,
    /// SMS text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txt: Option<String>,
}

/// One call accepted by an action-0 post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxCall {
    /// Acceptance order, unique across the sandbox's life (also across restarts with a state file).
    pub seq: u64,
    /// The number of the POST that carried it (see [`super::Faults`]); 0 if unknown.
    pub request: u32,
    /// The campaign it was posted to.
    pub menuid: String,
    /// The number to call.
    pub number: String,
    /// The caller's call id; empty when none was given.
    pub callid: String,
    /// The caller ID in force: the number's own, else the campaign's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callerid: Option<String>,
    /// The requested delivery time, as posted (`M/D/YYYY h:mm AM/PM`, read as UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateandtime: Option<String>,
    /// Extension to dial once connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Prompts in promptid order.
    pub prompts: Vec<SandboxPrompt>,
    /// Where the call stands.
    pub status: CallStatus,
    /// Outcome detail: `Human Answer`, `Answering Machine`, `No Answer`, `Busy`; empty before.
    pub comment: String,
    /// Seconds on the line, once dialled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u32>,
    /// When it was dialled (`M/D/YYYY h:mm:ss AM/PM`, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialled_at: Option<String>,
    /// `(promptid, keypress)` per prompt reached.
    #[serde(default)]
    pub keypresses: Vec<(u32, String)>,
    /// Unix time in milliseconds at which a pending call gets its outcome.
    pub due_unix_ms: u64,
}
