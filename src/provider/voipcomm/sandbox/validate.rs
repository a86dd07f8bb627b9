//! The make-calls page's rules, checked as the real service checks a post: the first
//! broken one becomes the 400's `code_desc`.

use std::collections::BTreeMap;

use super::super::{PARAMS, tables};

/// The page's rules, as a 400 `code_desc` would state them.
pub(super) fn validate(p: &BTreeMap<String, String>) -> Result<(), String> {
    if let Some(unknown) = p.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(format!("unknown parameter {unknown}"));
    }
    numbers(p)?;
    if let Some(date) = p.get("call_date")
        && jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", date).is_err()
    {
        return Err("call_date must be YYYY-MM-DD HH:MM".into());
    }
    if p.get("record").is_some_and(|r| r != "YES" && r != "NO") {
        return Err("record must be YES or NO".into());
    }
    urls(p)?;
    let answers = [
        "answer_play",
        "answer_speak",
        "answer_tts",
        "answer_ivr",
        "answer_dial_to",
    ];
    if !answers.iter().any(|k| p.contains_key(*k)) {
        return Err("at least one of the answer_ options must be provided".into());
    }
    for prefix in ["answer", "answermachine"] {
        speech(p, prefix)?;
    }
    Ok(())
}

/// `to` and the other numbers: digits only.
fn numbers(p: &BTreeMap<String, String>) -> Result<(), String> {
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let to = p.get("to").ok_or("to is required")?;
    if !digits(to) || !(8..=15).contains(&to.len()) {
        return Err("to must be COUNTRY CODE + AREA CODE + NUMBER, digits only".into());
    }
    for key in [
        "from",
        "answer_dial_to",
        "answer_dial_from",
        "answermachine_sms_from",
    ] {
        if p.get(key).is_some_and(|v| !digits(v)) {
            return Err(format!("{key} must be a phone number, digits only"));
        }
    }
    Ok(())
}

/// The URLs, and those that must name a WAV or MP3 file.
fn urls(p: &BTreeMap<String, String>) -> Result<(), String> {
    for key in [
        "callback_url",
        "answer_play",
        "answer_dial_tone_url",
        "answermachine_play",
    ] {
        if p.get(key)
            .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            return Err(format!("{key} must be a URL"));
        }
    }
    for key in ["answer_play", "answer_dial_tone_url", "answermachine_play"] {
        let audio = |u: &str| {
            let path = u.split(['?', '#']).next().unwrap_or(u).to_ascii_lowercase();
            path.ends_with(".wav") || path.ends_with(".mp3")
        };
        if p.get(key).is_some_and(|u| !audio(u)) {
            return Err(format!("{key} must be the URL of a WAV or MP3 file"));
        }
    }
    Ok(())
}

/// `<prefix>_speak` needs a known language, `<prefix>_tts` a known voice.
fn speech(p: &BTreeMap<String, String>, prefix: &str) -> Result<(), String> {
    if p.contains_key(&format!("{prefix}_speak")) {
        match p.get(&format!("{prefix}_speak_lang")) {
            None => {
                return Err(format!(
                    "{prefix}_speak_lang is required with {prefix}_speak"
                ));
            }
            Some(l) if !tables::is_language(l) => {
                return Err(format!("{prefix}_speak_lang {l} is not supported"));
            }
            _ => {}
        }
    }
    if p.contains_key(&format!("{prefix}_tts")) {
        match p.get(&format!("{prefix}_tts_voice")) {
            None => return Err(format!("{prefix}_tts_voice is required with {prefix}_tts")),
            Some(v) if !tables::is_voice(v) => {
                return Err(format!("{prefix}_tts_voice {v} is not supported"));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn validation_follows_the_page() {
        let ok = form(&[
            ("to", "18185550100"),
            ("answer_speak", "Hello"),
            ("answer_speak_lang", "en-US"),
        ]);
        assert_eq!(validate(&ok), Ok(()));
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("answer_play", "http://x/a.wav")], "to is required"),
            (
                &[("to", "+18185550100"), ("answer_ivr", "1")],
                "digits only",
            ),
            (&[("to", "18185550100")], "at least one of the answer_"),
            (
                &[("to", "18185550100"), ("answer_speak", "Hi")],
                "answer_speak_lang is required",
            ),
            (
                &[
                    ("to", "18185550100"),
                    ("answer_tts", "Hi"),
                    ("answer_tts_voice", "en-US_Bogus"),
                ],
                "not supported",
            ),
            (
                &[
                    ("to", "18185550100"),
                    ("answer_ivr", "1"),
                    ("call_date", "12/1/2026 9:00"),
                ],
                "call_date",
            ),
            (
                &[
                    ("to", "18185550100"),
                    ("answer_ivr", "1"),
                    ("colour", "red"),
                ],
                "unknown parameter colour",
            ),
        ];
        for (pairs, want) in cases {
            let err = validate(&form(pairs)).unwrap_err();
            assert!(err.contains(want), "{pairs:?}: {err}");
        }
    }
}
