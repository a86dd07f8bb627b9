//! `[voipcomm]`: the table as written, the checks of its values (and of the parts of the
//! campaign this API reads differently), and the settings it becomes.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::section::{AnswerSection, Section};
use super::tables::{self, DEFAULT_LANGUAGE};
use super::{DEFAULT_ENDPOINT, Field, VoipComm};
use crate::audio::{self, AudioProblem};
use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;
use crate::diagnostic::{Problem, did_you_mean};
use crate::phone;

/// The `[[prompt]]` entries as this provider sees them: ids of prompts with `tts`.
struct PromptIds {
    tts: HashMap<u32, Range<usize>>,
    used: Vec<u32>,
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

/// Builds the provider from the campaign file; every problem goes to `c`.
pub(crate) fn build(file: &CampaignFile, c: &mut Checker<'_>) -> Option<VoipComm> {
    let default = Section::default();
    let vc = file.voipcomm.as_ref().unwrap_or(&default);
    let errors_before = c.problems.error_count();
    let region = file
        .recipients
        .as_ref()
        .and_then(|r| r.region.as_ref())
        .map_or_else(
            || "US".to_string(),
            |r| r.get_ref().trim().to_ascii_uppercase(),
        );

    let mut prompts = prompt_ids(file);
    let endpoint = vc
        .endpoint
        .as_ref()
        .and_then(|u| c.url(u, "endpoint", DEFAULT_ENDPOINT))
        .unwrap_or_else(|| DEFAULT_ENDPOINT.into());
    let from = vc.from.as_ref().and_then(|n| number(c, n, "from", &region));
    let callback_url = vc
        .callback_url
        .as_ref()
        .and_then(|u| c.url(u, "callback_url", "https://example.com/calls/done"));
    if vc.callback_url.is_none() {
        no_results_warning(c);
    }
    let zone = vc.timezone.as_ref().and_then(|tz| c.zone(tz, "timezone"));
    // Their paths are not published: a full URL, or a path taken on the endpoint's host
    // (so that `--endpoint` moves them along with the calls).
    let url_or_path = |c: &mut Checker<'_>, u: &Spanned<String>, key: &str| {
        let text = u.get_ref().trim();
        if text.starts_with('/') && !text.contains(char::is_whitespace) {
            Some(text.to_owned())
        } else {
            c.url(u, key, DEFAULT_ENDPOINT)
        }
    };
    let list_url = vc
        .scheduled_list_url
        .as_ref()
        .and_then(|u| url_or_path(c, u, "scheduled_list_url"));
    let delete_url = vc
        .scheduled_delete_url
        .as_ref()
        .and_then(|u| url_or_path(c, u, "scheduled_delete_url"));
    let scheduled = super::scheduled::build(
        c,
        vc.scheduled_list_method,
        vc.scheduled_delete_method,
        vc.scheduled_id_param.as_ref(),
        vc.scheduled_list_array.as_ref(),
    );

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
        Some(id) => {
            prompts.used.push(id);
            let lang = a
                .speak_lang
                .as_ref()
                .and_then(|l| language(c, l, "answer.speak_lang"))
                .unwrap_or_else(|| DEFAULT_LANGUAGE.to_string());
            answer.push(Field::prompt("answer_speak", id));
            answer.push(Field::fixed("answer_speak_lang", lang));
        }
        None => speak(
            c,
            &mut prompts,
            "answer",
            a.speak.as_ref(),
            a.speak_lang.as_ref(),
            &mut answer,
        ),
    }
    tts(
        c,
        &mut prompts,
        "answer",
        a.tts.as_ref(),
        a.tts_voice.as_ref(),
        &mut answer,
    );
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
    if let Some(to) = &a.dial_to {
        if let Some(n) = number(c, to, "answer.dial_to", &region) {
            answer.push(Field::fixed("answer_dial_to", n));
        }
        if let Some(n) = a
            .dial_from
            .as_ref()
            .and_then(|n| number(c, n, "answer.dial_from", &region))
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
    } else {
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
    }

    let mut machine = Vec::new();
    if let Some(m) = &vc.machine {
        play(
            c,
            "answermachine",
            m.play_url.as_ref(),
            m.play_file.as_ref(),
            &mut machine,
        );
        speak(
            c,
            &mut prompts,
            "answermachine",
            m.speak.as_ref(),
            m.speak_lang.as_ref(),
            &mut machine,
        );
        tts(
            c,
            &mut prompts,
            "answermachine",
            m.tts.as_ref(),
            m.tts_voice.as_ref(),
            &mut machine,
        );
        if let Some(id) = &m.sms {
            if prompt_ref(c, &mut prompts, id, "machine.sms") {
                machine.push(Field::prompt("answermachine_sms", *id.get_ref()));
            }
            if let Some(n) = m
                .sms_from
                .as_ref()
                .and_then(|n| number(c, n, "machine.sms_from", &region))
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

/// The ids of the prompts with `tts`; prompts this API cannot play are reported by
/// [`not_for_this_api`].
fn prompt_ids(file: &CampaignFile) -> PromptIds {
    let tts = file
        .prompts
        .iter()
        .filter_map(|p| {
            let entry = p.get_ref();
            let id = entry.id.as_ref()?;
            entry.tts.as_ref()?;
            Some((*id.get_ref(), id.span()))
        })
        .collect();
    PromptIds {
        tts,
        used: Vec::new(),
    }
}

/// Whether `id` names a `[[prompt]]` with `tts`; reports it when not.
fn prompt_ref(c: &mut Checker<'_>, prompts: &mut PromptIds, id: &Spanned<u32>, key: &str) -> bool {
    if prompts.tts.contains_key(id.get_ref()) {
        prompts.used.push(*id.get_ref());
        return true;
    }
    let ids: Vec<String> = {
        let mut ids: Vec<u32> = prompts.tts.keys().copied().collect();
        ids.sort_unstable();
        ids.iter().map(u32::to_string).collect()
    };
    let known = if ids.is_empty() {
        "there is none: add [[prompt]] id = N, tts = \"…\"".to_string()
    } else {
        format!("prompts with tts: {}", ids.join(", "))
    };
    c.error(
        "voipcomm::unknown-prompt",
        format!(
            "`{key}` names prompt {}, but no [[prompt]] with that id has tts",
            id.get_ref()
        ),
        id.span(),
        "no such tts prompt",
        format!("give the id of a [[prompt]] with tts ({known})"),
    );
    false
}

fn play(
    c: &mut Checker<'_>,
    prefix: &'static str,
    url: Option<&Spanned<String>>,
    local: Option<&Spanned<String>>,
    out: &mut Vec<Field>,
) {
    let table = table_of(prefix);
    if let Some(u) = url.and_then(|u| {
        c.url(
            u,
            &format!("{table}.play_url"),
            "https://example.com/message.wav",
        )
    }) {
        out.push(Field::fixed(param(prefix, "play"), u));
    }
    match (url, local) {
        (None, Some(file)) => c.error(
            "voipcomm::audio-needs-url",
            format!("`{table}.play_file` is set but there is no `{table}.play_url`"),
            file.span(),
            "a local file with no URL",
            "voip-communications.net plays audio from a URL: publish the file and give its URL as `play_url`; `play_file` only lets outdial check the copy",
        ),
        (_, Some(file)) => audio_file(c, file, &format!("{table}.play_file")),
        _ => {}
    }
}

fn speak(
    c: &mut Checker<'_>,
    prompts: &mut PromptIds,
    prefix: &'static str,
    id: Option<&Spanned<u32>>,
    lang: Option<&Spanned<String>>,
    out: &mut Vec<Field>,
) {
    let table = table_of(prefix);
    match (id, lang) {
        (Some(id), Some(lang)) => {
            let ok = prompt_ref(c, prompts, id, &format!("{table}.speak"));
            let lang = language(c, lang, &format!("{table}.speak_lang"));
            if let (true, Some(lang)) = (ok, lang) {
                out.push(Field::prompt(param(prefix, "speak"), *id.get_ref()));
                out.push(Field::fixed(param(prefix, "speak_lang"), lang));
            }
        }
        (Some(id), None) => {
            prompt_ref(c, prompts, id, &format!("{table}.speak"));
            c.error(
                "voipcomm::speak-without-lang",
                format!("`{table}.speak` has no language"),
                id.span(),
                "needs speak_lang",
                format!(
                    "add `speak_lang = \"{DEFAULT_LANGUAGE}\"` to [voipcomm.{table}] (one of {})",
                    languages()
                ),
            );
        }
        (None, Some(lang)) => c.error(
            "voipcomm::lang-without-speak",
            format!("`{table}.speak_lang` is set but there is no `{table}.speak`"),
            lang.span(),
            "nothing to speak",
            "add `speak = N` (the id of the [[prompt]] to speak), or remove speak_lang",
        ),
        (None, None) => {}
    }
}

fn tts(
    c: &mut Checker<'_>,
    prompts: &mut PromptIds,
    prefix: &'static str,
    id: Option<&Spanned<u32>>,
    voice: Option<&Spanned<String>>,
    out: &mut Vec<Field>,
) {
    let table = table_of(prefix);
    match (id, voice) {
        (Some(id), Some(voice)) => {
            let ok = prompt_ref(c, prompts, id, &format!("{table}.tts"));
            let name = voice.get_ref().trim();
            if !tables::is_voice(name) {
                let help = match did_you_mean(name, tables::VOICES.iter().copied()) {
                    Some(close) => format!("did you mean \"{close}\"?"),
                    None => format!("use one of {}", tables::VOICES.join(", ")),
                };
                c.error(
                    "voipcomm::unknown-voice",
                    format!("unknown voice \"{name}\" in `{table}.tts_voice`"),
                    voice.span(),
                    "not a voip-communications.net voice",
                    help,
                );
            } else if ok {
                out.push(Field::prompt(param(prefix, "tts"), *id.get_ref()));
                out.push(Field::fixed(param(prefix, "tts_voice"), name.to_string()));
            }
        }
        (Some(id), None) => {
            prompt_ref(c, prompts, id, &format!("{table}.tts"));
            c.error(
                "voipcomm::tts-without-voice",
                format!("`{table}.tts` has no voice"),
                id.span(),
                "needs tts_voice",
                "add `tts_voice = \"en-US_AllisonVoice\"` (or another voice of the TTS API)",
            );
        }
        (None, Some(voice)) => c.error(
            "voipcomm::voice-without-tts",
            format!("`{table}.tts_voice` is set but there is no `{table}.tts`"),
            voice.span(),
            "nothing to read",
            "add `tts = N` (the id of the [[prompt]] to read), or remove tts_voice",
        ),
        (None, None) => {}
    }
}

fn language(c: &mut Checker<'_>, lang: &Spanned<String>, key: &str) -> Option<String> {
    let code = lang.get_ref().trim();
    if tables::is_language(code) {
        return Some(code.to_string());
    }
    let help = match did_you_mean(code, tables::LANGUAGES.iter().map(|(c, _)| *c)) {
        Some(close) => format!("did you mean \"{close}\"?"),
        None => format!("use one of {}", languages()),
    };
    c.error(
        "voipcomm::unknown-language",
        format!("unknown language \"{code}\" in `{key}`"),
        lang.span(),
        "not a basic TTS language",
        help,
    );
    None
}

fn languages() -> String {
    tables::LANGUAGES
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A number in one of the provider's tables, written as the API wants it: country code and
/// number, digits only. With `+` any valid number is accepted; without, it is read as a
/// North American number (the only kind `region` can name today).
fn number(c: &mut Checker<'_>, value: &Spanned<String>, key: &str, region: &str) -> Option<String> {
    let text = value.get_ref().trim();
    if text.starts_with('+') {
        if let Ok(n) = phonenumber::parse(None, text)
            && n.is_valid()
        {
            let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
            return Some(e164.trim_start_matches('+').to_string());
        }
    } else if let Ok(n) = phone::parse(text) {
        return Some(format!("1{n}"));
    }
    c.error(
        "voipcomm::bad-number",
        format!("`{key}` \"{text}\" cannot be read as a phone number in region {region}"),
        value.span(),
        "not a callable number",
        "write it with + and the country code, e.g. \"+44 20 7946 0958\", or as a North American number, e.g. \"818-555-0100\"",
    );
    None
}

/// Checks a local copy of an audio URL against the formats the make-calls page lists: WAV
/// PCM 16-bit at 8000 or 11025 Hz, or MP3. A WAV file is described, and its conversion
/// written, as for every other provider (the audio module's words and sox command).
fn audio_file(c: &mut Checker<'_>, value: &Spanned<String>, key: &str) {
    let path = c.source.resolve(value.get_ref());
    let shown = path.display();
    let (message, help) = match std::fs::read(&path) {
        Err(e) => (
            format!("cannot read {shown}: {e} (paths are relative to the campaign file's folder)"),
            AudioProblem::io(&e).fix(&path),
        ),
        Ok(bytes) if bytes.starts_with(b"ID3") || is_mp3_frame(&bytes) => return,
        Ok(bytes) if bytes.starts_with(b"RIFF") => {
            let len = bytes.len() as u64;
            // The audio module judges by the telephony format; this provider plays more.
            let found = match audio::inspect(std::io::Cursor::new(bytes), len) {
                Ok(info) => info.encoding(),
                Err(AudioProblem::WrongFormat { found }) => found,
                Err(problem) => {
                    c.error(
                        "voipcomm::bad-audio",
                        format!("{shown}: not a readable WAV file: {problem}"),
                        value.span(),
                        format!("`{key}`"),
                        problem.fix(&path),
                    );
                    return;
                }
            };
            if found.format.is_pcm()
                && found.bits_per_sample == 16
                && matches!(found.sample_rate, 8000 | 11025)
            {
                return;
            }
            (
                format!(
                    "{shown}: the audio is {}, but voip-communications.net plays WAV PCM 16-bit at 8000 or 11025 Hz",
                    found.describe()
                ),
                format!(
                    "convert it: {}, then publish the new file at play_url and name it in `{key}`",
                    audio::sox_command(&path)
                ),
            )
        }
        Ok(_) => (
            format!("{shown}: neither WAV nor MP3 (voip-communications.net plays those two)"),
            format!(
                "convert it: {}, then publish the new file at play_url and name it in `{key}`",
                audio::sox_command(&path)
            ),
        ),
    };
    c.error(
        "voipcomm::bad-audio",
        message,
        value.span(),
        format!("`{key}`"),
        help,
    );
}

/// An MPEG audio frame header without ID3 tag: 11 sync bits.
fn is_mp3_frame(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0
}

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

fn unused_prompts(c: &mut Checker<'_>, prompts: &PromptIds) {
    let mut unused: Vec<(&u32, &Range<usize>)> = prompts
        .tts
        .iter()
        .filter(|(id, _)| !prompts.used.contains(id))
        .collect();
    unused.sort_by_key(|(id, _)| **id);
    for (id, span) in unused {
        c.error(
            "voipcomm::unused-prompt",
            format!("prompt {id} is not used by any voip-communications.net option"),
            span.clone(),
            "never sent",
            format!("name it in [voipcomm.answer] (speak = {id} or tts = {id}) or [voipcomm.machine] (speak, tts or sms), or remove it"),
        );
    }
}

/// Parts of the campaign file this API has no use for: audio files (it plays URLs), stored
/// sounds, transfers on a prompt, extensions.
fn not_for_this_api(file: &CampaignFile, c: &mut Checker<'_>) {
    for prompt in &file.prompts {
        let p = prompt.get_ref();
        if let Some(audio) = &p.audio {
            c.error(
                "voipcomm::audio-needs-url",
                "this audio prompt has no URL: voip-communications.net plays audio from a URL, it does not take uploads",
                audio.span(),
                "a local file with no URL",
                format!("publish the file, then in [voipcomm.answer] (or [voipcomm.machine]) set play_url = \"https://…\" and play_file = \"{}\" (checked before sending); remove this prompt", audio.get_ref()),
            );
        }
        if let Some(sound) = &p.sound {
            c.error(
                "voipcomm::no-stored-sounds",
                "voip-communications.net has no stored sound files to play by name",
                sound.span(),
                "not playable here",
                "give the file's URL as play_url in [voipcomm.answer] (or [voipcomm.machine]), and remove this prompt",
            );
        }
        if let Some(to) = &p.transferto {
            c.error(
                "voipcomm::transfer-on-prompt",
                "voip-communications.net bridges calls with [voipcomm.answer] dial_to, not from a prompt",
                to.span(),
                "not used by this provider",
                format!("set dial_to = \"{}\" in [voipcomm.answer] and remove transferto (and callerid) here", to.get_ref()),
            );
        }
    }
    for entry in &file.recipient {
        if let Some(ext) = &entry.get_ref().ext {
            c.error(
                "voipcomm::no-extensions",
                "voip-communications.net cannot dial an extension after connecting",
                ext.span(),
                "not supported by this provider",
                "remove ext, or call the extension's direct number",
            );
        }
    }
}

/// `answer` or `machine`: the table name for a parameter prefix.
fn table_of(prefix: &str) -> &'static str {
    if prefix == "answer" {
        "answer"
    } else {
        "machine"
    }
}

/// `answer_play`, `answermachine_speak_lang`, …
fn param(prefix: &'static str, option: &'static str) -> &'static str {
    super::PARAMS
        .iter()
        .find(|p| p.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) == Some(option))
        .copied()
        .expect("every option is a documented parameter")
}
