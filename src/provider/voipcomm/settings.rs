//! `[voipcomm]`: the table as written, the checks of its values (and of the parts of the
//! campaign this API reads differently), and the settings it becomes.

use toml::Spanned;

use super::number::number;
use super::options::{language, play, speak, tts};
use super::prompts::{PromptIds, prompt_ids, prompt_ref, unused_prompts};
use super::section::{AnswerSection, MachineSection, Section};
use super::tables::DEFAULT_LANGUAGE;
use super::unsupported::not_for_this_api;
use super::{DEFAULT_ENDPOINT, Field, VoipComm};
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

/// The `answer_*` parameters: what happens when a person answers, in the provider's order.
fn answer(c: &mut Checker<'_>, vc: &Section, prompts: &mut PromptIds, region: &str) -> Vec<Field> {
    let default_answer = AnswerSection::default();
    let a = vc.answer.as_ref().unwrap_or(&default_answer);
    let mut answer = Vec::new();
    play(
        c,
        "answer",
        a.play_url.as_ref(),
        a.play_file.as_ref(),
        &mut answer,
    );
    // One tts prompt and no option that names a prompt: it is spoken, in en-US unless
    // `speak_lang` says otherwise (the plain campaign the issue promises works unchanged).
    let names_a_prompt = [&a.speak, &a.tts]
        .into_iter()
        .chain(vc.machine.iter().flat_map(|m| [&m.speak, &m.tts, &m.sms]))
        .any(Option::is_some);
    let implicit = (!names_a_prompt && prompts.tts.len() == 1)
        .then(|| *prompts.tts.keys().next().expect("one prompt"));
    match implicit {
        Some(id) => implicit_speak(c, prompts, id, a.speak_lang.as_ref(), &mut answer),
        None => speak(
            c,
            prompts,
            "answer",
            a.speak.as_ref(),
            a.speak_lang.as_ref(),
            &mut answer,
        ),
    }
    tts(
        c,
        prompts,
        "answer",
        a.tts.as_ref(),
        a.tts_voice.as_ref(),
        &mut answer,
    );
    ivr(c, a, &mut answer);
    dial(c, a, region, &mut answer);
    answer
}

/// The campaign's one `tts` prompt, spoken by the basic engine though no option names it.
fn implicit_speak(
    c: &mut Checker<'_>,
    prompts: &mut PromptIds,
    id: u32,
    speak_lang: Option<&Spanned<String>>,
    answer: &mut Vec<Field>,
) {
    prompts.used.push(id);
    let lang = speak_lang
        .and_then(|l| language(c, l, "answer.speak_lang"))
        .unwrap_or_else(|| DEFAULT_LANGUAGE.to_string());
    answer.push(Field::prompt("answer_speak", id));
    answer.push(Field::fixed("answer_speak_lang", lang));
}

/// `answer.ivr`: the code of one of the account's phone menus.
fn ivr(c: &mut Checker<'_>, a: &AnswerSection, answer: &mut Vec<Field>) {
    if let Some(ivr) = &a.ivr {
        let code = ivr.get_ref().trim();
        if code.is_empty() || code.contains(char::is_whitespace) {
            c.error(
                "voipcomm::bad-ivr",
                format!("`answer.ivr` \"{code}\" is not an IVR code"),
                ivr.span(),
                "not a code",
                "copy the code of the IVR (phone menu) from your voip-communications.net account",
            );
        } else {
            answer.push(Field::fixed("answer_ivr", code.to_string()));
        }
    }
}

/// `answer.dial_to` and the keys that only go with it.
fn dial(c: &mut Checker<'_>, a: &AnswerSection, region: &str, answer: &mut Vec<Field>) {
    let Some(to) = &a.dial_to else {
        for (key, value) in [
            ("dial_from", &a.dial_from),
            ("dial_tone_url", &a.dial_tone_url),
        ] {
            if let Some(v) = value {
                c.error(
                    "voipcomm::dial-without-to",
                    format!("`answer.{key}` is set but there is no `answer.dial_to`"),
                    v.span(),
                    "used only with dial_to",
                    "add `dial_to = \"+1 818 555 0123\"` (the number to bridge), or remove this key",
                );
            }
        }
        return;
    };
    if let Some(n) = number(c, to, "answer.dial_to", region) {
        answer.push(Field::fixed("answer_dial_to", n));
    }
    if let Some(n) = a
        .dial_from
        .as_ref()
        .and_then(|n| number(c, n, "answer.dial_from", region))
    {
        answer.push(Field::fixed("answer_dial_from", n));
    }
    if let Some(u) = a
        .dial_tone_url
        .as_ref()
        .and_then(|u| c.url(u, "answer.dial_tone_url", "https://example.com/hold.mp3"))
    {
        answer.push(Field::fixed("answer_dial_tone_url", u));
    }
}

/// The `answermachine_*` parameters: what a voicemail gets, in the provider's order.
fn machine(
    c: &mut Checker<'_>,
    m: &MachineSection,
    prompts: &mut PromptIds,
    region: &str,
) -> Vec<Field> {
    let mut machine = Vec::new();
    play(
        c,
        "answermachine",
        m.play_url.as_ref(),
        m.play_file.as_ref(),
        &mut machine,
    );
    speak(
        c,
        prompts,
        "answermachine",
        m.speak.as_ref(),
        m.speak_lang.as_ref(),
        &mut machine,
    );
    tts(
        c,
        prompts,
        "answermachine",
        m.tts.as_ref(),
        m.tts_voice.as_ref(),
        &mut machine,
    );
    sms(c, m, prompts, region, &mut machine);
    machine
}

/// `machine.sms` and its sender.
fn sms(
    c: &mut Checker<'_>,
    m: &MachineSection,
    prompts: &mut PromptIds,
    region: &str,
    machine: &mut Vec<Field>,
) {
    if let Some(id) = &m.sms {
        if prompt_ref(c, prompts, id, "machine.sms") {
            machine.push(Field::prompt("answermachine_sms", *id.get_ref()));
        }
        if let Some(n) = m
            .sms_from
            .as_ref()
            .and_then(|n| number(c, n, "machine.sms_from", region))
        {
            machine.push(Field::fixed("answermachine_sms_from", n));
        }
    } else if let Some(from) = &m.sms_from {
        c.error(
            "voipcomm::sms-from-without-sms",
            "`machine.sms_from` is set but there is no `machine.sms`",
            from.span(),
            "used only with sms",
            "add `sms = N` (the id of the [[prompt]] whose text is sent), or remove sms_from",
        );
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
