//! `[voiceshot]`: the table as written, and the settings it becomes.

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::{DEFAULT_ENDPOINT, DEFAULT_FALLBACK, VoiceShot};
use crate::campaign::check::Checker;
use crate::diagnostic::Problem;

/// Default number of recipients per post.
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// `[voiceshot]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "VoiceShotSection")]
pub struct Section {
    /// The VoiceShot campaign to post to, written "account-campaign", e.g. "1-1234".
    #[schemars(required, with = "String", example = "1-1234")]
    #[schemars(regex(pattern = crate::campaign::file::pattern::MENUID))]
    pub menuid: Option<Spanned<String>>,
    /// Default caller ID for every call: exactly 10 digits, e.g. "8185550199".
    #[serde(default)]
    #[schemars(with = "Option<String>", example = "8185550199")]
    #[schemars(regex(pattern = crate::campaign::file::pattern::CALLERID))]
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

/// Builds the provider from its table; every problem goes to `c`.
pub(crate) fn build(section: Option<&Section>, c: &mut Checker<'_>) -> Option<VoiceShot> {
    let Some(vs) = section else {
        // A misspelt `[voicshot]` was already reported as an unknown key.
        if !c.pruned_in("") {
            c.problems.push(
                Problem::error(
                    "campaign::missing-section",
                    "a VoiceShot campaign needs a [voiceshot] table",
                )
                .at(
                    c.source,
                    c.campaign_span.clone(),
                    "this campaign posts to VoiceShot (the default provider)",
                )
                .help(
                    "add\n[voiceshot]\nmenuid = \"1-1234\"   # the VoiceShot campaign to post to",
                ),
            );
        }
        return None;
    };
    let menuid = vs.menuid.as_ref().and_then(|m| menuid(c, m));
    let callerid = vs
        .callerid
        .as_ref()
        .and_then(|id| c.callerid(id, "callerid"));
    let account_zone = vs
        .account_timezone
        .as_ref()
        .and_then(|tz| c.zone(tz, "account_timezone"));
    let endpoint = vs
        .endpoint
        .as_ref()
        .and_then(|u| c.url(u, "endpoint", DEFAULT_ENDPOINT));
    let fallback_endpoint = vs
        .fallback_endpoint
        .as_ref()
        .and_then(|u| c.url(u, "fallback_endpoint", DEFAULT_ENDPOINT));
    let summary_url = vs
        .summary_url
        .as_ref()
        .and_then(|u| c.url(u, "summary_url", "https://your-host/outdial"));
    menuid.map(|menuid| VoiceShot {
        menuid,
        callerid,
        batch_size: vs.batch_size.map_or(DEFAULT_BATCH_SIZE, |b| b as usize),
        max_upload_bytes: vs
            .max_upload_bytes
            .unwrap_or(crate::audio::DEFAULT_MAX_BYTES),
        account_zone: account_zone.map(|z| z.tz),
        endpoint: endpoint.unwrap_or_else(|| DEFAULT_ENDPOINT.into()),
        fallback_endpoint: fallback_endpoint.unwrap_or_else(|| DEFAULT_FALLBACK.into()),
        summary_url,
    })
}

fn menuid(c: &mut Checker<'_>, menuid: &Spanned<String>) -> Option<String> {
    let text = menuid.get_ref();
    let ok = text.split_once('-').is_some_and(|(a, b)| {
        !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|d| d.is_ascii_digit())
    });
    if ok {
        return Some(text.clone());
    }
    c.error(
        "campaign::bad-menuid",
        format!("menuid \"{text}\" is not of the form account-campaign"),
        menuid.span(),
        "expected digits-digits",
        "copy the menuid of your VoiceShot campaign, e.g. \"1-1234\" (it is shown in the campaign's API settings)",
    );
    None
}
