//! `[voiceshot]`: the table as written, and the settings it becomes.

use toml::Spanned;

use super::section::Section;
use super::{DEFAULT_ENDPOINT, DEFAULT_FALLBACK, VoiceShot};
use crate::campaign::check::Checker;
use crate::diagnostic::Problem;

/// Default number of recipients per post.
pub const DEFAULT_BATCH_SIZE: usize = 500;

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
