//! What each call plays, checked against what the gateway can do: exactly one prompt, or
//! an IVR app, a VoiceXML application, a program (`startexec`) or callTillConfirm; and the
//! keys that go with each.

use std::ops::Range;

use toml::Spanned;

use super::section::Section;
use super::{Play, till_confirm, vxml};
use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;
use crate::diagnostic::Problem;

/// What each call plays: exactly one prompt, or the IVR app, or the program.
pub(super) fn play(c: &mut Checker<'_>, s: &Section, file: &CampaignFile) -> Option<Play> {
    let mut things = things_to_play(c, s, file);
    let mut ok = true;
    let vxml = vxml::start(c, s, &mut things, &mut ok);
    ok &= one_thing(c, &things)?;
    ok &= program(c, s);
    let audio_dir = audio_dir(c, s, file, &mut ok);
    let fields = vxml::fields(c, s, file, vxml.is_some(), &mut ok);
    if !ok {
        return None;
    }
    Some(if let Some(start) = vxml {
        Play::Vxml {
            start,
            exit: vxml::exit(s),
            fields: fields.unwrap_or_default(),
        }
    } else if let Some(app) = &s.ivr {
        Play::Ivr(app.get_ref().clone())
    } else if let Some(t) = &s.till_confirm {
        till_confirm::play(t.get_ref())
    } else if let Some(exec) = &s.startexec {
        Play::Exec {
            program: exec.get_ref().clone(),
            cmdline: s
                .cmdline
                .as_ref()
                .map(|c| c.get_ref().clone())
                .unwrap_or_default(),
            phoneno: till_confirm::DUMMY_PHONENO.to_owned(),
        }
    } else {
        Play::Prompt { audio_dir }
    })
}

/// Every thing the file asks a call to play, with where it is written; a prompt's keys the
/// gateway cannot use are reported.
fn things_to_play(
    c: &mut Checker<'_>,
    s: &Section,
    file: &CampaignFile,
) -> Vec<(&'static str, Range<usize>)> {
    let mut things: Vec<(&'static str, Range<usize>)> = Vec::new();
    for p in &file.prompts {
        let e = p.get_ref();
        let key = [("tts", &e.tts), ("audio", &e.audio), ("sound", &e.sound)]
            .into_iter()
            .find_map(|(k, v)| v.as_ref().map(|v| (k, v.span())));
        things.push(key.unwrap_or(("[[prompt]]", p.span())));
        for (key, value) in [("transferto", &e.transferto), ("callerid", &e.callerid)] {
            if let Some(v) = value {
                c.error(
                    "voicent::prompt-key",
                    format!("the Voicent Gateway cannot use `{key}` in a prompt"),
                    v.span(),
                    "not available through the gateway's call requests",
                    "remove it (a caller ID for every call goes in [voicent] callerid)",
                );
            }
        }
    }
    if let Some(app) = &s.ivr {
        things.push(("ivr", app.span()));
    }
    if let Some(exec) = &s.startexec {
        things.push(("startexec", exec.span()));
    }
    if let Some(t) = &s.till_confirm {
        things.push(("till_confirm", t.span()));
    }
    things
}

/// Whether the file gives exactly one thing to play; `None` when it gives none.
fn one_thing(c: &mut Checker<'_>, things: &[(&str, Range<usize>)]) -> Option<bool> {
    match things {
        [] => {
            c.problems.push(
                Problem::error("voicent::nothing-to-play", "each call has nothing to play")
                    .at(c.source, c.campaign_span.clone(), "this campaign")
                    .help("add one [[prompt]] with tts, audio or sound, or [voicent] ivr = \"appname\", or [voicent] startvxml = \"path of a VoiceXML file on the gateway\""),
            );
            None
        }
        [_] => Some(true),
        [first, second, ..] => {
            c.problems.push(
                Problem::error(
                    "voicent::one-thing-per-call",
                    format!(
                        "the Voicent Gateway plays one thing per call, but this campaign gives {} (`{}` and `{}`)",
                        things.len(),
                        first.0,
                        second.0
                    ),
                )
                .at(c.source, second.1.clone(), format!("`{}` here", second.0))
                .note(first.1.clone(), format!("`{}` here", first.0))
                .help(if second.0.starts_with("start") && second.0 != "startexec" {
                    "a VoiceXML application plays what the call says: remove the [[prompt]] (or startapp / startexec), or drop startvxml / starturl to play the prompt"
                } else {
                    "keep exactly one: one [[prompt]] (tts, audio or sound), or [voicent] ivr, startvxml, starturl or startexec"
                }),
            );
            Some(false)
        }
    }
}

/// A program the gateway runs (`startexec` or callTillConfirm) needs the explicit opt-in,
/// and `cmdline` needs a program.
fn program(c: &mut Checker<'_>, s: &Section) -> bool {
    let exec_span = s
        .startexec
        .as_ref()
        .map(Spanned::span)
        .or(s.till_confirm.as_ref().map(Spanned::span));
    let mut ok = true;
    if let Some(t) = &s.till_confirm {
        ok &= till_confirm::check(c, t, s.cmdline.as_ref());
    }
    if let Some(exec) = exec_span {
        let allowed = s.allow_startexec.as_ref().is_some_and(|a| *a.get_ref());
        if allowed {
            c.problems.push(
                Problem::warning(
                    "voicent::startexec",
                    "the campaign's one request makes the gateway run a program on its host",
                )
                .at(c.source, exec.clone(), "run by the gateway")
                .help("anyone who can reach the gateway can do the same; keep it on a private network"),
            );
        } else {
            c.error(
                "voicent::startexec-not-allowed",
                "startexec makes the gateway run a program on its host, and needs an explicit opt-in",
                exec.clone(),
                "a program to run",
                "add `allow_startexec = true` to [voicent] if that is what you want",
            );
            ok = false;
        }
    } else if let Some(cmd) = &s.cmdline {
        c.error(
            "voicent::cmdline-without-startexec",
            "cmdline is given without startexec",
            cmd.span(),
            "nothing runs it",
            "add startexec = \"path of the program\", or remove cmdline",
        );
        ok = false;
    }
    ok
}

/// `audio_dir`: the folder on the gateway host an `audio` or `sound` prompt is played from.
fn audio_dir(
    c: &mut Checker<'_>,
    s: &Section,
    file: &CampaignFile,
    ok: &mut bool,
) -> Option<String> {
    let audio_prompt = file.prompts.iter().find_map(|p| {
        let e = p.get_ref();
        e.audio
            .as_ref()
            .map(|a| ("audio", a.span()))
            .or(e.sound.as_ref().map(|a| ("sound", a.span())))
    });
    match (&s.audio_dir, audio_prompt) {
        (Some(dir), _) if dir.get_ref().trim().is_empty() => {
            c.error(
                "voicent::bad-audio-dir",
                "audio_dir is empty",
                dir.span(),
                "no folder",
                "give the folder on the gateway host, e.g. \"C:\\\\Voicent\\\\audio\"",
            );
            *ok = false;
            None
        }
        (Some(dir), _) => Some(dir.get_ref().clone()),
        (None, Some((key, span))) => {
            c.error(
                "voicent::missing-audio-dir",
                format!("an `{key}` prompt needs [voicent] audio_dir"),
                span,
                "played from the gateway's disk",
                "the gateway plays WAV files on its own host: copy the file there and add\n[voicent]\naudio_dir = \"C:\\\\Voicent\\\\audio\"   # the folder on the gateway host",
            );
            *ok = false;
            None
        }
        (None, None) => None,
    }
}
