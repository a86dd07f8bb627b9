//! `[voipcomm]`: the checks of the table's values (and of the parts of the campaign this
//! API reads differently), and the settings it becomes. What a call does once answered is
//! [`super::actions`]'s.

use toml::Spanned;

use super::actions::{answer, machine};
use super::number::number;
use super::prompts::{prompt_ids, unused_prompts};
use super::section::Section;
use super::unsupported::not_for_this_api;
use super::{DEFAULT_ENDPOINT, VoipComm};
use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;
use crate::diagnostic::Problem;

/// Builds the provider from the campaign file; every problem goes to `c`.
pub(crate) fn build(file: &CampaignFile, c: &mut Checker<'_>) -> Option<VoipComm> {
    let default = Section::default();
    let vc = file.voipcomm.as_ref().unwrap_or(&default);
    let errors_before = c.problems.error_count();
    let region = region(file);

    let mut prompts = prompt_ids(file);
    let endpoint = vc
        .endpoint
        .as_ref()
        .and_then(|u| c.url(u, "endpoint", DEFAULT_ENDPOINT))
        .unwrap_or_else(|| DEFAULT_ENDPOINT.into());
    let from = vc.from.as_ref().and_then(|n| number(c, n, "from", &region));
    let callback_url = callback_url(c, vc);
    let zone = vc.timezone.as_ref().and_then(|tz| c.zone(tz, "timezone"));
    let (list_url, delete_url) = scheduled_urls(c, vc);
    let scheduled = super::scheduled::build(
        c,
        vc.scheduled_list_method,
        vc.scheduled_delete_method,
        vc.scheduled_id_param.as_ref(),
        vc.scheduled_list_array.as_ref(),
    );
    let answer = answer(c, vc, &mut prompts, &region);
    let machine = vc
        .machine
        .as_ref()
        .map(|m| machine(c, m, &mut prompts, &region))
        .unwrap_or_default();

    if answer.is_empty() && c.problems.error_count() == errors_before {
        no_answer_option(c, vc);
    }
    unused_prompts(c, &prompts);
    not_for_this_api(file, c);

    (c.problems.error_count() == errors_before).then(|| VoipComm {
        endpoint,
        from,
        record: vc.record,
        callback_url,
        zone: zone.map(|z| z.tz),
        scheduled_list_url: list_url,
        scheduled_delete_url: delete_url,
        scheduled,
        answer,
        machine,
    })
}

/// The region numbers without `+` are read in: `[recipients] region`, "US" by default.
fn region(file: &CampaignFile) -> String {
    file.recipients
        .as_ref()
        .and_then(|r| r.region.as_ref())
        .map_or_else(
            || "US".to_string(),
            |r| r.get_ref().trim().to_ascii_uppercase(),
        )
}

/// `callback_url`, checked; its absence is warned about.
fn callback_url(c: &mut Checker<'_>, vc: &Section) -> Option<String> {
    let callback_url = vc
        .callback_url
        .as_ref()
        .and_then(|u| c.url(u, "callback_url", "https://example.com/calls/done"));
    if vc.callback_url.is_none() {
        no_results_warning(c);
    }
    callback_url
}

/// Without `callback_url` nothing ever says who was reached: the provider has no status
/// request, and its callback is the only place results come from.
fn no_results_warning(c: &mut Checker<'_>) {
    let span = c.provider_span.clone().unwrap_or(c.campaign_span.clone());
    c.problems.push(
        Problem::warning(
            "voipcomm::no-results",
            "no result will ever arrive: voip-communications.net has no status request and posts results only to callback_url, which is not set",
        )
        .at(c.source, span, "sent to voip-communications.net")
        .help("add callback_url = \"https://your-host/outdial\" to [voipcomm] and run `outdial listen` there (docs/guide/listen.md); without it `report` shows every call pending"),
    );
}

/// `scheduled_list_url` and `scheduled_delete_url`, checked.
fn scheduled_urls(c: &mut Checker<'_>, vc: &Section) -> (Option<String>, Option<String>) {
    let list_url = vc
        .scheduled_list_url
        .as_ref()
        .and_then(|u| url_or_path(c, u, "scheduled_list_url"));
    let delete_url = vc
        .scheduled_delete_url
        .as_ref()
        .and_then(|u| url_or_path(c, u, "scheduled_delete_url"));
    (list_url, delete_url)
}

/// Their paths are not published: a full URL, or a path taken on the endpoint's host
/// (so that `--endpoint` moves them along with the calls).
fn url_or_path(c: &mut Checker<'_>, u: &Spanned<String>, key: &str) -> Option<String> {
    let text = u.get_ref().trim();
    if text.starts_with('/') && !text.contains(char::is_whitespace) {
        Some(text.to_owned())
    } else {
        c.url(u, key, DEFAULT_ENDPOINT)
    }
}

/// No answer option at all: a person who picks up hears nothing.
fn no_answer_option(c: &mut Checker<'_>, vc: &Section) {
    let span = c
        .provider_span
        .clone()
        .unwrap_or_else(|| c.campaign_span.clone());
    let mut problem = Problem::error(
        "voipcomm::no-answer-option",
        "nothing happens when a person answers: voip-communications.net needs at least one answer option",
    )
    .at(c.source, span, "this campaign posts to voip-communications.net");
    if vc.machine.is_some() {
        problem = problem.help("[voipcomm.machine] only covers voicemail; add [voipcomm.answer] with play_url, speak, tts, ivr or dial_to");
    } else {
        problem = problem.help(
            "add one [[prompt]] with tts (spoken in en-US), or [voipcomm.answer] with play_url, speak, tts, ivr or dial_to",
        );
    }
    c.problems.push(problem);
}
