//! `[voiceshot]` as written: the table's serde and schema type, which the campaign file
//! names (so it depends on nothing but serde, schemars and the schema's patterns).

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

/// A menuid, for the schema: "account-campaign".
const MENUID: &str = r"^[0-9]+-[0-9]+$";

/// `[voiceshot]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "VoiceShotSection")]
pub struct Section {
    /// The VoiceShot campaign to post to, written "account-campaign", e.g. "1-1234".
    #[schemars(required, with = "String", example = "1-1234")]
    #[schemars(regex(pattern = MENUID))]
    pub menuid: Option<Spanned<String>>,
    /// Default caller ID for every call: exactly 10 digits, e.g. "8185550199".
    #[serde(default)]
    #[schemars(with = "Option<String>", example = "8185550199")]
    #[schemars(regex(pattern = crate::campaign::pattern::CALLERID))]
    pub callerid: Option<Spanned<String>>,
    /// How many numbers go in one post (1 to 5000; default 500).
    #[serde(default)]
    #[schemars(range(min = 1, max = 5000))]
    pub batch_size: Option<u32>,
    /// Largest WAV file `audio` prompts may upload, in bytes (default 16777216, 16 MiB:
    /// about 17 minutes of 8 kHz 16-bit mono).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_upload_bytes: Option<u64>,
    /// Time zone of the VoiceShot account, in which `dateandtime` is written; defaults to
    /// `campaign.timezone`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub account_timezone: Option<Spanned<String>>,
    /// The API URL posts go to; default "https://api.voiceshot.com/ivrapi.asp". `--endpoint`
    /// overrides it.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub endpoint: Option<Spanned<String>>,
    /// Where a post goes when the endpoint cannot be reached (only when nothing was sent);
    /// default "https://apiproxy.voiceshot.com/ivrapi.asp".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub fallback_endpoint: Option<Spanned<String>>,
    /// Where `outdial listen` receives this campaign's Call Summaries, as entered in
    /// VoiceShot's web designer (outdial cannot set it there). Nothing is sent to it; without
    /// it `plan` and `send` note that results come only from `outdial query`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub summary_url: Option<Spanned<String>>,
}
