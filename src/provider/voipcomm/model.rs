//! voip-communications.net as a campaign configures it: the make-calls parameters, the
//! validated settings each post is written from, and the documented endpoint.

use jiff::tz::TimeZone;

use super::scheduled;
use super::section::Record;

/// The documented make-calls endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://voip-communications.net/api-v2/index.php/pcall/call";

/// Every parameter of the make-calls API, in the page's order (which is also the order the
/// provider processes the answer options in: play, speak, tts, ivr, dial). Bodies are written
/// in this order so that a compiled post reads like the page.
pub const PARAMS: &[&str] = &[
    "from",
    "to",
    "call_date",
    "record",
    "callback_url",
    "answer_play",
    "answer_speak",
    "answer_speak_lang",
    "answer_tts",
    "answer_tts_voice",
    "answer_ivr",
    "answer_dial_to",
    "answer_dial_from",
    "answer_dial_tone_url",
    "answermachine_play",
    "answermachine_speak",
    "answermachine_speak_lang",
    "answermachine_tts",
    "answermachine_tts_voice",
    "answermachine_sms",
    "answermachine_sms_from",
];

/// `[voipcomm]`, validated: the provider as a campaign configures it.
#[derive(Debug, Clone)]
pub struct VoipComm {
    /// Where posts go.
    pub endpoint: String,
    /// Caller ID, country code and number.
    pub from: Option<String>,
    /// Record answered calls.
    pub record: Option<Record>,
    /// Where the provider reports a finished call.
    pub callback_url: Option<String>,
    /// Zone `call_date` is written in; `None`: the campaign's.
    pub zone: Option<TimeZone>,
    /// The scheduled-calls list, when configured.
    pub scheduled_list_url: Option<String>,
    /// The scheduled-call delete, when configured.
    pub scheduled_delete_url: Option<String>,
    /// How the scheduled-call list and delete are sent and read.
    pub scheduled: scheduled::Shape,
    /// `answer_*` parameters, in [`PARAMS`] order.
    pub answer: Vec<Field>,
    /// `answermachine_*` parameters, in [`PARAMS`] order.
    pub machine: Vec<Field>,
}

/// One parameter of every call post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The parameter name, one of [`PARAMS`].
    pub name: &'static str,
    /// Its value.
    pub value: Value,
}

/// A parameter's value: the same for every call, or a prompt's text filled per recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Written as is.
    Fixed(String),
    /// The `tts` of the `[[prompt]]` with this id, with the recipient's vars.
    Prompt(u32),
}

impl Field {
    pub(super) fn fixed(name: &'static str, value: String) -> Field {
        Field {
            name,
            value: Value::Fixed(value),
        }
    }

    pub(super) fn prompt(name: &'static str, id: u32) -> Field {
        Field {
            name,
            value: Value::Prompt(id),
        }
    }
}
