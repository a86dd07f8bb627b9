//! `[voicent]`: the checks of the table's values and of the rules a Voicent campaign must
//! follow (what a call plays: [`super::play`]), and the settings it becomes.

use std::time::Duration;

use toml::Spanned;

use super::play::play;
use super::section::Section;
use super::{DEFAULT_ENDPOINT, DEFAULT_INFO, Voicent, till_confirm};
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
    let empty = unset();
    let s = file.voicent.as_ref().unwrap_or(&empty);
    let mut ok = true;
    let endpoint = endpoint(c, s, &mut ok);
    let callerid = match &s.callerid {
        Some(id) => {
            let v = c.callerid(id, "callerid");
            ok &= v.is_some();
            v
        }
        None => None,
    };
    let dial_prefix = dial_prefix(c, s, &mut ok);
    let info = match &s.info {
        Some(t) => info_template(c, t, file),
        // callTillConfirm's request describes the broadcast, as the SDKs write it.
        None if s.till_confirm.is_some() => Template::parse(till_confirm::INFO).ok(),
        None => Template::parse(DEFAULT_INFO).ok(),
    };
    ok &= info.is_some();
    let play = play(c, s, file);
    ok &= play.is_some();
    let rate = rate(c, s, &mut ok);
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

/// The table of a campaign without `[voicent]`: every key unset.
fn unset() -> Section {
    Section {
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
    }
}

/// `endpoint`, without its trailing `/`; a public host is warned about.
fn endpoint(c: &mut Checker<'_>, s: &Section, ok: &mut bool) -> Option<String> {
    match &s.endpoint {
        Some(u) => match c.url(u, "endpoint", DEFAULT_ENDPOINT) {
            Some(url) => {
                public_host_warning(c, &url, u.span());
                Some(url.trim_end_matches('/').to_owned())
            }
            None => {
                *ok = false;
                None
            }
        },
        None => None,
    }
}

/// `dial_prefix`: up to 4 digits dialled before the number.
fn dial_prefix(c: &mut Checker<'_>, s: &Section, ok: &mut bool) -> String {
    match &s.dial_prefix {
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
                *ok = false;
                String::new()
            }
        }
        None => String::new(),
    }
}

/// `requests_per_second`, between 0 and 1000.
fn rate(c: &mut Checker<'_>, s: &Section, ok: &mut bool) -> f64 {
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
        *ok = false;
    }
    rate
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
