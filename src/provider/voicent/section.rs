//! `[voicent]` as written: the table's serde and schema types, which the campaign file
//! names (so they depend on nothing but serde, schemars and the schema's patterns).

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// `[voicent]`: every key is optional.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "VoicentSection")]
pub struct Section {
    /// The gateway's base URL, without a path; default "http://localhost:8155". `--endpoint`
    /// overrides it. The gateway has no authentication: keep it on loopback or a private
    /// network (a warning says so otherwise).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub endpoint: Option<Spanned<String>>,
    /// Minutes, counted from the scheduled time, after which the gateway makes no (re)try
    /// (`firstocc`); default 10, as every Voicent SDK sends.
    #[serde(default)]
    #[schemars(range(min = 1, max = 10080))]
    pub firstocc: Option<u32>,
    /// Ask the gateway to delete each call record once the call is made (`selfdelete=1`).
    /// Default false, so that `query` can read results; `delete` removes records later.
    #[serde(default)]
    pub selfdelete: bool,
    /// The call's description in the gateway's own screens (`info`), a template with
    /// `{campaign}`, `{callid}`, `{number}` and `[vars]` names; default
    /// "outdial {campaign} {callid}".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub info: Option<Spanned<String>>,
    /// Caller ID for every call, exactly 10 digits (sent as `callerid`, a field only newer
    /// gateways are documented to read).
    #[serde(default)]
    #[schemars(with = "Option<String>", example = "8185550199")]
    #[schemars(regex(pattern = crate::campaign::pattern::CALLERID))]
    pub callerid: Option<Spanned<String>>,
    /// Digits dialled before the 10-digit number, e.g. "1" for long distance or "9" for an
    /// outside line; default none. The gateway dials `phoneno` exactly as written.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dial_prefix: Option<Spanned<String>>,
    /// Folder on the gateway host where `audio` and `sound` prompts' WAV files are, e.g.
    /// "C:\\Voicent\\audio". Required by an `audio` or `sound` prompt: the gateway plays
    /// files on its own disk and cannot be sent one.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub audio_dir: Option<Spanned<String>>,
    /// Name of an IVR Studio application deployed on the gateway (`startapp`): each call
    /// runs it instead of playing a prompt, and `query` shows its responses.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ivr: Option<Spanned<String>>,
    /// A program on the gateway host for the gateway to run (`startexec`): one request for
    /// the whole campaign, never one per recipient (each would start the program again). It
    /// runs programs remotely without authentication, so it needs `allow_startexec = true`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub startexec: Option<Spanned<String>>,
    /// callTillConfirm as the vendor's SDKs send it: one request that starts BroadcastByPhone
    /// with a call list, a WAV and a confirm code, all on the gateway host. Needs
    /// `allow_startexec = true`.
    #[serde(default)]
    #[schemars(with = "Option<TillConfirm>")]
    pub till_confirm: Option<Spanned<TillConfirm>>,
    /// The command line given to `startexec` (`cmdline`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub cmdline: Option<Spanned<String>>,
    /// Path, on the gateway host, of the VoiceXML file that drives each call (`startvxml`):
    /// the call runs that application instead of playing a prompt.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub startvxml: Option<Spanned<String>>,
    /// The starting VoiceXML file as a URL the gateway fetches (`starturl`); instead of
    /// `startvxml`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub starturl: Option<Spanned<String>>,
    /// Path, on the gateway host, of a VoiceXML file run when the call ends (`exitvxml`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub exitvxml: Option<Spanned<String>>,
    /// The exit VoiceXML as a URL (`exiturl`); instead of `exitvxml`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub exiturl: Option<Spanned<String>>,
    /// Names of `[vars]` sent with each VoiceXML call request as extra form fields of the
    /// same name: the recipient's own value (inline vars or CSV column) or else the
    /// campaign's. Each needs a default in `[vars]`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub fields: Option<Vec<Spanned<String>>>,
    /// Allow `startexec`. Default false.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub allow_startexec: Option<Spanned<bool>>,
    /// Call requests per second at most (default 2): the gateway is one box on a phone line.
    #[serde(default)]
    pub requests_per_second: Option<f64>,
    /// Status polls in flight at most during `query` (default 2).
    #[serde(default)]
    #[schemars(range(min = 1, max = 16))]
    pub max_in_flight: Option<u32>,
    /// Milliseconds between two status polls of one worker during `query` (default 3000;
    /// Voicent asks for a few seconds).
    #[serde(default)]
    pub poll_interval_ms: Option<u64>,
}

/// `[voicent.till_confirm]`: the SDKs' callTillConfirm(vcastexe, vocfile, wavfile, ccode).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TillConfirm {
    /// BroadcastByPhone's program on the gateway host, e.g.
    /// "C:\Program Files\Voicent\BroadcastByPhone\bin\vcast.exe".
    pub program: String,
    /// The BroadcastByPhone call list (`.voc`) on the gateway host: who is called.
    pub call_list: String,
    /// The WAV the broadcast plays, on the gateway host.
    pub wavfile: String,
    /// The digits a person enters to stop the calling.
    pub confirm_code: String,
    /// The number the request names (the broadcast calls the list, not this); default
    /// "1111111", as the SDKs send.
    #[serde(default)]
    pub phoneno: Option<String>,
}
