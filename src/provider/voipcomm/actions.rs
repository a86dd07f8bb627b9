//! What happens when a call is answered: `[voipcomm.answer]` (a person) and
//! `[voipcomm.machine]` (voicemail), each checked and written as the provider's
//! `answer_*` and `answermachine_*` parameters, in the provider's order.

use toml::Spanned;

use super::Field;
use super::number::number;
use super::options::{language, play, speak, tts};
use super::prompts::{PromptIds, prompt_ref};
use super::section::{AnswerSection, MachineSection, Section};
use super::tables::DEFAULT_LANGUAGE;
use crate::campaign::check::Checker;

/// The `answer_*` parameters: what happens when a person answers, in the provider's order.
pub(super) fn answer(
    c: &mut Checker<'_>,
    vc: &Section,
    prompts: &mut PromptIds,
    region: &str,
) -> Vec<Field> {
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
pub(super) fn machine(
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
