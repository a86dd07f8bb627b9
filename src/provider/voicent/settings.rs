//! `[voicent]`: the table as written, the rules a Voicent campaign must follow, and the
//! settings it becomes.

use std::time::Duration;

use toml::Spanned;

use super::section::Section;
use super::{DEFAULT_ENDPOINT, DEFAULT_INFO, Play, Voicent, till_confirm, vxml};
use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;
use crate::diagnostic::Problem;
use crate::provider::Pacing;
use crate::template::Template;

/// Default call requests per second.
pub const DEFAULT_RATE: f64 = 2.0;

/// Builds the provider from its table and checks the rest of the file against what the
/// gateway can do; every problem goes to `c`.
pub(crate) fn build(file: &CampaignFile, c: &mut Checker<'_>) -> Option<Voicent> {
    let empty = Section {
        endpoint: None,
        firstocc: None,
        selfdelete: false,
        info: None,
        callerid: None,
        dial_prefix: None,
        audio_dir: None,
        ivr: None,
        startexec: None,
        cmdline: None,
        till_confirm: None,
        startvxml: None,
        starturl: None,
        exitvxml: None,
        exiturl: None,
        fields: None,
        allow_startexec: None,
        requests_per_second: None,
        max_in_flight: None,
        poll_interval_ms: None,
    };
    let s = file.voicent.as_ref().unwrap_or(&empty);
    let mut ok = true;
    let endpoint = match &s.endpoint {
        Some(u) => match c.url(u, "endpoint", DEFAULT_ENDPOINT) {
            Some(url) => {
                public_host_warning(c, &url, u.span());
                Some(url.trim_end_matches('/').to_owned())
            }
            None => {
                ok = false;
                None
            }
        },
        None => None,
    };
    let callerid = match &s.callerid {
        Some(id) => {
            let v = c.callerid(id, "callerid");
            ok &= v.is_some();
            v
        }
        None => None,
    };
    let dial_prefix = match &s.dial_prefix {
        Some(p) => {
            let text = p.get_ref();
            if text.len() <= 4 && text.bytes().all(|b| b.is_ascii_digit()) {
                text.clone()
            } else {
                c.error(
                    "voicent::bad-dial-prefix",
                    format!("dial_prefix \"{text}\" is not up to 4 digits"),
                    p.span(),
                    "digits only",
                    "write the digits dialled before the number, e.g. \"1\" or \"9\"",
                );
                ok = false;
                String::new()
            }
        }
        None => String::new(),
    };
    let info = match &s.info {
        Some(t) => info_template(c, t, file),
        // callTillConfirm's request describes the broadcast, as the SDKs write it.
        None if s.till_confirm.is_some() => Template::parse(till_confirm::INFO).ok(),
        None => Template::parse(DEFAULT_INFO).ok(),
    };
    ok &= info.is_some();
    let play = play(c, s, file);
    ok &= play.is_some();
    let rate = s.requests_per_second.unwrap_or(DEFAULT_RATE);
    if !(rate.is_finite() && rate > 0.0 && rate <= 1000.0) {
        c.problems.push(
            Problem::error(
                "voicent::bad-rate",
                format!("requests_per_second = {rate} is not between 0 and 1000"),
            )
            .in_file(c.source)
            .help("give a positive number, e.g. 2 (two call requests a second)"),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    Some(Voicent {
        endpoint: endpoint.unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned()),
        firstocc: s.firstocc.unwrap_or(10),
        selfdelete: s.selfdelete,
        info: info?,
        callerid,
        dial_prefix,
        play: play?,
        pacing: Pacing {
            interval: Duration::from_secs_f64(1.0 / rate),
            poll_interval: Duration::from_millis(s.poll_interval_ms.unwrap_or(3000)),
            in_flight: s.max_in_flight.unwrap_or(2).max(1) as usize,
        },
    })
}

/// Plain HTTP without authentication is all the gateway offers: anyone who can reach it can
/// place calls (and, with `startexec`, run programs), so a public host deserves a warning.
fn public_host_warning(c: &mut Checker<'_>, url: &str, span: std::ops::Range<usize>) {
    if super::is_private_url(url) {
        return;
    }
    c.problems.push(
        Problem::warning(
            "voicent::public-gateway",
            "the gateway is reached over plain HTTP without authentication, on a host that is neither loopback nor a private address",
        )
        .at(c.source, span, "this host")
        .help("keep the gateway on a private network, or put a reverse proxy with TLS and authentication in front of it"),
    );
}

/// The `info` template: placeholders are `{campaign}`, `{callid}`, `{number}` or `[vars]`
/// names (every recipient has those; a recipient's own vars are not guaranteed).
fn info_template(
    c: &mut Checker<'_>,
    text: &Spanned<String>,
    file: &CampaignFile,
) -> Option<Template> {
    if !c.xml_text(text, "the info text") {
        return None;
    }
    let template = match Template::parse(text.get_ref()) {
        Ok(t) => t,
        Err(errors) => {
            for err in errors {
                let span = c.inner_span(text, err.span.clone());
                c.error(
                    "campaign::bad-template",
                    err.message,
                    span,
                    "here",
                    err.help,
                );
            }
            return None;
        }
    };
    let mut ok = true;
    for (name, span) in template.vars() {
        let known = matches!(name, "campaign" | "callid" | "number")
            || file.vars.keys().any(|k| k.get_ref() == name);
        if !known {
            let at = c.inner_span(text, span.clone());
            c.error(
                "voicent::info-var",
                format!("`{{{name}}}` in info has no value"),
                at,
                "unknown placeholder",
                "info may use {campaign}, {callid}, {number} and names from [vars]",
            );
            ok = false;
        }
    }
    ok.then_some(template)
}

/// What each call plays: exactly one prompt, or the IVR app, or the program.
fn play(c: &mut Checker<'_>, s: &Section, file: &CampaignFile) -> Option<Play> {
    // Every thing the file asks a call to play, with where it is written.
    let mut things: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
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
    let mut ok = true;
    let vxml = vxml::start(c, s, &mut things, &mut ok);
    match things.as_slice() {
        [] => {
            c.problems.push(
                Problem::error("voicent::nothing-to-play", "each call has nothing to play")
                    .at(c.source, c.campaign_span.clone(), "this campaign")
                    .help("add one [[prompt]] with tts, audio or sound, or [voicent] ivr = \"appname\", or [voicent] startvxml = \"path of a VoiceXML file on the gateway\""),
            );
            return None;
        }
        [_] => {}
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
            ok = false;
        }
    }
    let exec_span = s
        .startexec
        .as_ref()
        .map(Spanned::span)
        .or(s.till_confirm.as_ref().map(Spanned::span));
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
    let audio_prompt = file.prompts.iter().find_map(|p| {
        let e = p.get_ref();
        e.audio
            .as_ref()
            .map(|a| ("audio", a.span()))
            .or(e.sound.as_ref().map(|a| ("sound", a.span())))
    });
    let audio_dir = match (&s.audio_dir, audio_prompt) {
        (Some(dir), _) if dir.get_ref().trim().is_empty() => {
            c.error(
                "voicent::bad-audio-dir",
                "audio_dir is empty",
                dir.span(),
                "no folder",
                "give the folder on the gateway host, e.g. \"C:\\\\Voicent\\\\audio\"",
            );
            ok = false;
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
            ok = false;
            None
        }
        (None, None) => None,
    };
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
