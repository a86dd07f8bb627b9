//! The options of `[voipcomm.answer]` and `[voipcomm.machine]` that both tables share
//! (play, speak, tts), each checked and written as the provider's `answer_*` or
//! `answermachine_*` parameters.

use toml::Spanned;

use super::Field;
use super::audio_file::audio_file;
use super::prompts::{PromptIds, prompt_ref};
use super::tables::{self, DEFAULT_LANGUAGE};
use crate::campaign::check::Checker;
use crate::diagnostic::did_you_mean;

/// `play_url` (and its local copy `play_file`) as the `<prefix>_play` parameter.
pub(super) fn play(
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

/// `speak` and `speak_lang` as the `<prefix>_speak` and `<prefix>_speak_lang` parameters.
pub(super) fn speak(
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

/// `tts` and `tts_voice` as the `<prefix>_tts` and `<prefix>_tts_voice` parameters.
pub(super) fn tts(
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

/// A basic TTS language code, or an error naming the known ones.
pub(super) fn language(c: &mut Checker<'_>, lang: &Spanned<String>, key: &str) -> Option<String> {
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
