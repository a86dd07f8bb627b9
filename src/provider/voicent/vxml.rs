//! `[voicent]` startvxml / starturl / exitvxml / exiturl / fields: calls driven by a
//! VoiceXML application, and the checks that explain the combinations that make no sense.
//!
//! The gateway's reference (seed 002) says every call request names its starting VoiceXML
//! file (`startvxml`, a path on the gateway host) or URL (`starturl`), with an optional
//! `exitvxml`/`exiturl` run when the call ends. The Simple Call Interface's `txt`,
//! `audiofile` and `startapp` stand in for it; a VoiceXML start replaces them.

use std::ops::Range;

use toml::Spanned;

use super::section::Section;
use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;
use crate::diagnostic::Problem;

/// Form fields the gateway reads itself: an extra field may not take one of their names.
pub const GATEWAY_FIELDS: &[&str] = &[
    "info",
    "attendee",
    "phoneno",
    "firstocc",
    "startvxml",
    "exitvxml",
    "starturl",
    "exiturl",
    "schedule",
    "calltime",
    "selfdelete",
    "sms",
    "txt",
    "audiofile",
    "startapp",
    "startexec",
    "cmdline",
    "callerid",
    "detection",
    "reqid",
];

/// The VoiceXML start, if any (added to `things`, what each call plays); both keys at once
/// is an error.
pub(super) fn start(
    c: &mut Checker<'_>,
    s: &Section,
    things: &mut Vec<(&'static str, Range<usize>)>,
    ok: &mut bool,
) -> Option<(&'static str, String)> {
    let file = s
        .startvxml
        .as_ref()
        .and_then(|v| path(c, v, "startvxml", ok));
    let url = s.starturl.as_ref().and_then(|u| {
        let url = c.url(u, "starturl", "http://apps.example.com/vxml/start.vxml");
        *ok &= url.is_some();
        url
    });
    pair(
        c,
        ("startvxml", &s.startvxml),
        ("starturl", &s.starturl),
        ok,
    );
    if let Some(v) = &s.startvxml {
        things.push(("startvxml", v.span()));
    } else if let Some(u) = &s.starturl {
        things.push(("starturl", u.span()));
    }
    let exit_file = s.exitvxml.as_ref().and_then(|v| path(c, v, "exitvxml", ok));
    let exit_url = s.exiturl.as_ref().and_then(|u| {
        let url = c.url(u, "exiturl", "http://apps.example.com/vxml/exit.vxml");
        *ok &= url.is_some();
        url
    });
    pair(c, ("exitvxml", &s.exitvxml), ("exiturl", &s.exiturl), ok);
    let start = file
        .map(|f| ("startvxml", f))
        .or(url.map(|u| ("starturl", u)));
    if start.is_none()
        && let Some((key, span)) = [("exitvxml", &s.exitvxml), ("exiturl", &s.exiturl)]
            .into_iter()
            .find_map(|(k, v)| v.as_ref().map(|v| (k, v.span())))
        && (exit_file.is_some() || exit_url.is_some())
    {
        c.problems.push(
            Problem::warning(
                "voicent::exit-without-vxml",
                format!("{key} is given for calls that do not start from VoiceXML"),
            )
            .at(c.source, span, "run when the call ends")
            .help("the gateway's reference pairs it with startvxml or starturl; whether it runs after a txt, audiofile or startapp call is undocumented"),
        );
    }
    start
}

/// The exit key and value, once [`start`] has passed.
pub(super) fn exit(s: &Section) -> Option<(&'static str, String)> {
    s.exitvxml
        .as_ref()
        .map(|v| ("exitvxml", v.get_ref().trim().to_owned()))
        .or(s
            .exiturl
            .as_ref()
            .map(|u| ("exiturl", u.get_ref().trim().to_owned())))
}

/// Extra form fields: names of `[vars]` (each with a default there), not a gateway field,
/// and only with a VoiceXML start (nothing else reads them).
pub(super) fn fields(
    c: &mut Checker<'_>,
    s: &Section,
    file: &CampaignFile,
    vxml: bool,
    ok: &mut bool,
) -> Option<Vec<String>> {
    let list = s.fields.as_ref()?;
    let mut names = Vec::new();
    for name in list {
        let text = name.get_ref().trim();
        if !vxml {
            c.error(
                "voicent::fields-without-vxml",
                "fields are sent only with a VoiceXML start",
                name.span(),
                "no application reads it",
                "add startvxml or starturl to [voicent], or remove fields",
            );
            *ok = false;
            return None;
        }
        let plain = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let problem = if !plain {
            Some((
                format!("field name \"{text}\" is not letters, digits, `_` or `-`"),
                "name a var from [vars], e.g. \"name\"".to_owned(),
            ))
        } else if GATEWAY_FIELDS.iter().any(|g| g.eq_ignore_ascii_case(text)) {
            Some((
                format!("`{text}` is a field the gateway reads itself"),
                format!(
                    "rename the var (e.g. `vx_{text}`): the gateway would take `{text}` as its own setting"
                ),
            ))
        } else if !file.vars.keys().any(|k| k.get_ref() == text) {
            Some((
                format!("field `{text}` has no default in [vars]"),
                format!(
                    "add `{text} = \"…\"` to [vars]: recipients without their own value send it"
                ),
            ))
        } else if names.iter().any(|n| n == text) {
            Some((
                format!("field `{text}` is listed twice"),
                "list each name once".to_owned(),
            ))
        } else {
            None
        };
        match problem {
            Some((message, help)) => {
                c.error(
                    "voicent::bad-field",
                    message,
                    name.span(),
                    "this field",
                    help,
                );
                *ok = false;
            }
            None => names.push(text.to_owned()),
        }
    }
    Some(names)
}

/// A path on the gateway host: not empty.
fn path(c: &mut Checker<'_>, v: &Spanned<String>, key: &str, ok: &mut bool) -> Option<String> {
    let text = v.get_ref().trim();
    if text.is_empty() {
        c.error(
            "voicent::bad-vxml",
            format!("{key} is empty"),
            v.span(),
            "no file",
            format!("give the VoiceXML file's path on the gateway host, e.g. {key} = \"C:\\\\apps\\\\survey.vxml\""),
        );
        *ok = false;
        return None;
    }
    Some(text.to_owned())
}

/// Two keys that say the same thing in two ways: at most one.
fn pair(
    c: &mut Checker<'_>,
    (a, va): (&str, &Option<Spanned<String>>),
    (b, vb): (&str, &Option<Spanned<String>>),
    ok: &mut bool,
) {
    if let (Some(x), Some(y)) = (va, vb) {
        c.problems.push(
            Problem::error(
                "voicent::vxml-twice",
                format!("both {a} and {b} are given: the gateway takes one"),
            )
            .at(c.source, y.span(), format!("`{b}` here"))
            .note(x.span(), format!("`{a}` here"))
            .help(format!(
                "{a} is a file on the gateway host, {b} the same file as a URL: keep one"
            )),
        );
        *ok = false;
    }
}
