//! `[voipcomm]` as written: the table's serde and schema types, which the campaign file
//! names (so they depend on nothing but serde, schemars and the schema's patterns).

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// `[voipcomm]`. Every key is optional: a campaign with one `tts` prompt and North American
/// numbers works without the table.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "VoipcommSection")]
pub struct Section {
    /// The make-calls URL posts go to; default
    /// "https://voip-communications.net/api-v2/index.php/pcall/call". `--endpoint` overrides it.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub endpoint: Option<Spanned<String>>,
    /// Caller ID shown to every recipient (`from`), e.g. "+1 818 555 0199"; default: the
    /// caller ID of the account's endpoint. A recipient's own `callerid` wins.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub from: Option<Spanned<String>>,
    /// Record calls as soon as they are answered: "YES" or "NO"; default: the account
    /// endpoint's setting.
    #[serde(default)]
    pub record: Option<Record>,
    /// URL the provider POSTs to when a call ends (answered by a person or a machine, seconds
    /// billed).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub callback_url: Option<Spanned<String>>,
    /// IANA time zone `call_date` is written in. The API page does not say which zone it reads
    /// (probably the account's); default `campaign.timezone`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timezone: Option<Spanned<String>>,
    /// URL of the scheduled-calls list (not documented publicly: off unless set), or a path
    /// (`/…`) on the endpoint's host.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scheduled_list_url: Option<Spanned<String>>,
    /// URL that deletes a scheduled call by the provider's `callid` (not documented
    /// publicly: off unless set), or a path (`/…`) on the endpoint's host. `delete` needs it.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scheduled_delete_url: Option<Spanned<String>>,
    /// How the scheduled-calls list is asked for: "POST" (the default) or "GET".
    #[serde(default)]
    pub scheduled_list_method: Option<MethodSetting>,
    /// How a scheduled-call delete is sent: "POST" (the default, the id in a form body) or
    /// "GET" (the id in the query string).
    #[serde(default)]
    pub scheduled_delete_method: Option<MethodSetting>,
    /// The delete's parameter carrying the provider's callid; default "callid".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scheduled_id_param: Option<Spanned<String>>,
    /// JSON pointer to the list reply's array of `{callid, to, call_date}`; default "/data"
    /// ("" when the reply is the array itself).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scheduled_list_array: Option<Spanned<String>>,
    /// What happens when a person answers, in the provider's order: play, speak, tts, ivr,
    /// then dial. At least one of them is required (one `tts` prompt alone is spoken in
    /// en-US without this table).
    #[serde(default)]
    pub answer: Option<AnswerSection>,
    /// What happens when a machine (voicemail) answers, in order: play, speak, tts, sms.
    /// Without it the call ends.
    #[serde(default)]
    pub machine: Option<MachineSection>,
}

/// `record`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Record {
    /// Record the call.
    #[serde(rename = "YES")]
    Yes,
    /// Do not record it.
    #[serde(rename = "NO")]
    No,
}

/// `[voipcomm.answer]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerSection {
    /// URL of a WAV (PCM 16-bit, 8000 or 11025 Hz) or MP3 file to play (`answer_play`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub play_url: Option<Spanned<String>>,
    /// A local copy of the `play_url` file, relative to the campaign file: checked against
    /// the formats the provider plays before anything is sent (it is not uploaded).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub play_file: Option<Spanned<String>>,
    /// The id of the `[[prompt]]` whose `tts` the free basic engine speaks (`answer_speak`).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub speak: Option<Spanned<u32>>,
    /// Language of `speak`: en-GB, en-US, fr-FR, de-DE, it-IT, pt-BR, ru-RU, es-ES, es-US.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub speak_lang: Option<Spanned<String>>,
    /// The id of the `[[prompt]]` whose `tts` a premium voice reads (`answer_tts`; extra
    /// charges apply).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub tts: Option<Spanned<u32>>,
    /// Voice of `tts`, e.g. "en-US_AllisonVoice".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tts_voice: Option<Spanned<String>>,
    /// Code of an IVR (phone menu) of the account to present (`answer_ivr`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ivr: Option<Spanned<String>>,
    /// A number to call and bridge once the options before it are done (`answer_dial_to`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dial_to: Option<Spanned<String>>,
    /// Caller ID shown to `dial_to`; default: the recipient's number.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dial_from: Option<Spanned<String>>,
    /// URL of a WAV or MP3 played to the recipient instead of ringing while `dial_to` is
    /// called.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dial_tone_url: Option<Spanned<String>>,
}

/// `[voipcomm.machine]`
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineSection {
    /// URL of a WAV or MP3 file to play to the voicemail (`answermachine_play`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub play_url: Option<Spanned<String>>,
    /// A local copy of `play_url`, checked before sending.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub play_file: Option<Spanned<String>>,
    /// The id of the `[[prompt]]` spoken by the basic engine (`answermachine_speak`).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub speak: Option<Spanned<u32>>,
    /// Language of `speak`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub speak_lang: Option<Spanned<String>>,
    /// The id of the `[[prompt]]` read by a premium voice (`answermachine_tts`).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub tts: Option<Spanned<u32>>,
    /// Voice of `tts`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tts_voice: Option<Spanned<String>>,
    /// The id of the `[[prompt]]` whose text is sent by SMS to the recipient
    /// (`answermachine_sms`).
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub sms: Option<Spanned<u32>>,
    /// The SMS sender: a number of the account that can send SMS.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub sms_from: Option<Spanned<String>>,
}

/// `scheduled_list_method` and `scheduled_delete_method` as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[schemars(rename = "VoipcommScheduledMethod")]
pub enum MethodSetting {
    /// Parameters in the body, form-encoded (the default).
    #[serde(rename = "POST")]
    Post,
    /// Parameters in the query string.
    #[serde(rename = "GET")]
    Get,
}
