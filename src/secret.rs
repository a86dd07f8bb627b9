//! The one scrubber: what must never be printed, journaled, traced or stored, and how it is
//! taken out of text that may carry it (a provider's page that echoes the request, an error
//! naming a URL).
//!
//! Two rules make it hold whatever the text goes through next:
//!
//! - every form a secret can travel in is scrubbed (as written, XML-escaped, percent-encoded,
//!   and the HTTP Basic base64 of `user:password`);
//! - a page is scrubbed whole *before* it is cut to an excerpt ([`Secrets::excerpt`]): a cut
//!   inside a secret would leave a prefix no scrubber recognises.
//!
//! Credentials in a URL's userinfo (`https://user:password@host/`) are secrets too: the
//! transport adds them ([`Secrets::with_urls`]), and [`redact_userinfo`] hides any URL's
//! userinfo wherever a URL is shown.

use std::borrow::Cow;

/// Secret values and the forms they may be echoed in, to scrub from text.
#[derive(Clone, Default)]
pub struct Secrets(Vec<String>);

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.0.len())
    }
}

/// What replaces a secret (and a URL's userinfo).
const MASK: &str = "***";

impl Secrets {
    /// Each of `values` (empty ones are ignored) in the forms a server may echo it: as
    /// written, XML-escaped, percent-encoded, and a user:password pair as HTTP Basic's base64.
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>, basic: Option<(&str, &str)>) -> Self {
        let mut s = Secrets::default();
        s.add(values, basic);
        s
    }

    /// These secrets and the userinfo of every URL of `urls` (its user and password, each in
    /// every form, and the pair as HTTP Basic's base64, which is how the credentials of a
    /// URL travel).
    pub fn with_urls<'a>(mut self, urls: impl IntoIterator<Item = &'a str>) -> Self {
        for url in urls {
            let Ok(url) = reqwest::Url::parse(url) else {
                continue;
            };
            let user = decoded(url.username());
            let password = url.password().map(decoded).unwrap_or_default();
            if user.is_empty() && password.is_empty() {
                continue;
            }
            // Both as the URL writes them and decoded: a page may echo either.
            let raw = [url.username(), url.password().unwrap_or_default()];
            let values = [user.as_str(), password.as_str()].into_iter().chain(raw);
            self.add(values, Some((&user, &password)));
        }
        self
    }

    fn add<'a>(&mut self, values: impl IntoIterator<Item = &'a str>, basic: Option<(&str, &str)>) {
        use base64::Engine as _;
        for value in values.into_iter().filter(|v| !v.is_empty()) {
            self.0.push(value.to_owned());
            self.0.push(quick_xml::escape::escape(value).into_owned());
            self.0.push(percent_encode(value));
        }
        if let Some((user, password)) = basic {
            self.0.push(
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")),
            );
        }
        // Longest first: a form that contains another is replaced whole.
        self.0.sort_by_key(|f| std::cmp::Reverse(f.len()));
        self.0.dedup();
    }

    /// Whether there is nothing to scrub.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every secret form replaced by `***`, and the userinfo of every URL in it
    /// too ([`redact_userinfo`]).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = redact_userinfo(text).into_owned();
        for form in &self.0 {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), MASK);
            }
        }
        out
    }

    /// `body` scrubbed as text ([`scrub`](Self::scrub)), or `None` when nothing in it needed
    /// scrubbing: for reading a page again to quote it safely.
    pub fn scrub_bytes(&self, body: &[u8]) -> Option<Vec<u8>> {
        let text = String::from_utf8_lossy(body);
        let scrubbed = self.scrub(&text);
        (scrubbed != text).then(|| scrubbed.into_bytes())
    }

    /// At most `max` characters of `text` (then `…`), scrubbed before the cut, so that the
    /// cut cannot leave part of a secret. Line breaks become spaces and the ends are trimmed.
    pub fn excerpt(&self, text: &str, max: usize) -> String {
        // Only a head of the text is scrubbed, so its last `longest` characters (once
        // scrubbed) may hold the start of a secret cut at the head's end: the excerpt ends
        // before them. Scrubbing shortens the head, hence the loop.
        let longest = self.0.first().map_or(0, |f| f.chars().count());
        let mut take = max + longest + 1;
        let (scrubbed, cleared) = loop {
            let Some((at, _)) = text.char_indices().nth(take) else {
                break (self.scrub(text), usize::MAX);
            };
            let scrubbed = self.scrub(&text[..at]);
            let mut cleared = scrubbed.chars().count().saturating_sub(longest);
            // A URL whose authority runs on past the head may have its userinfo's `@` beyond
            // the cut, unredacted here: the excerpt ends before it.
            if let Some(open) = open_authority(&scrubbed) {
                cleared = cleared.min(scrubbed[..open].chars().count());
            }
            if cleared > max {
                break (scrubbed, cleared);
            }
            take *= 2;
        };
        let trimmed = scrubbed.trim_start();
        let cleared = cleared.saturating_sub(scrubbed.chars().count() - trimmed.chars().count());
        let trimmed = trimmed.trim_end();
        let mut out: String = trimmed
            .chars()
            .take(max.min(cleared))
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        if trimmed.chars().nth(max).is_some() {
            out.push('…');
        }
        out
    }
}

/// `text` with the userinfo of every URL in it (`scheme://user:password@host`) replaced by
/// `***`: URLs are shown in errors, retries, traces and the journal, and their credentials
/// must not be.
pub fn redact_userinfo(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let start = at + 3;
        let authority_end = rest[start..]
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`' | ')')
                    || c.is_whitespace()
            })
            .map_or(rest.len(), |n| start + n);
        match rest[start..authority_end].rfind('@') {
            Some(userinfo_len) => {
                out.push_str(&rest[..start]);
                out.push_str(MASK);
                out.push_str(&rest[start + userinfo_len..authority_end]);
                changed = true;
            }
            None => out.push_str(&rest[..authority_end]),
        }
        rest = &rest[authority_end..];
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Where the last URL of `text` starts (its `://`) when its authority runs to the end of
/// `text`: cut there, it may hide userinfo [`redact_userinfo`] would have found.
fn open_authority(text: &str) -> Option<usize> {
    let at = text.rfind("://")?;
    let ended = text[at + 3..].contains(|c: char| {
        matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>' | '`' | ')') || c.is_whitespace()
    });
    (!ended).then_some(at)
}

/// A URL's userinfo part percent-decoded (as it goes into the Basic header).
fn decoded(part: &str) -> String {
    form_urlencoded::parse(format!("x={}", part.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `value` percent-encoded as in a form body or URL (every byte but unreserved ones).
fn percent_encode(value: &str) -> String {
    use std::fmt::Write as _;
    value.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_in_every_form() {
        let s = Secrets::new(["a&b c"], Some(("u", "a&b c")));
        assert_eq!(s.scrub("x a&b c y"), "x *** y");
        assert_eq!(s.scrub("x a&amp;b c y"), "x *** y");
        assert_eq!(s.scrub("x a%26b%20c y"), "x *** y");
        assert_eq!(s.scrub("Basic dTphJmIgYw=="), "Basic ***");
        assert_eq!(Secrets::default().scrub("a&b c"), "a&b c");
    }

    #[test]
    fn an_excerpt_never_ends_in_part_of_a_secret() {
        use base64::Engine as _;
        let (user, password) = ("acct42", "Sup3rS3cretPa55w0rd");
        let s = Secrets::new([user, password], Some((user, password)));
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        for page in [
            format!("password=\"{password}\" and more"),
            format!("Authorization: Basic {basic}\r\nHost: x"),
            // Two secrets in a row: scrubbing the first shortens the text, pulling the
            // second under the cut.
            format!("Basic {basic}\r\nAuthorization: Basic {basic}\r\n{password} {password}"),
        ] {
            for filler in 0..160 {
                let text = format!("{}{page}", "x".repeat(filler));
                let cut = s.excerpt(&text, 100);
                assert!(cut.chars().count() <= 101, "{cut}");
                for secret in [password, basic.as_str()] {
                    for run in secret.as_bytes().windows(4) {
                        let run = std::str::from_utf8(run).unwrap();
                        assert!(!cut.contains(run), "{filler}: {run:?} in {cut:?}");
                    }
                }
            }
        }
        assert_eq!(s.excerpt("short\r\npage ", 100), "short  page");
        assert_eq!(s.excerpt(&"y".repeat(10), 4), "yyyy…");
    }

    /// Found by the `scrub` fuzz target: a URL whose `@` lies past the scrubbed head showed
    /// its userinfo in the excerpt.
    #[test]
    fn an_excerpt_never_shows_userinfo_whose_at_sign_is_past_the_cut() {
        let s = Secrets::new(["Tr0ubadour4Horse"], None);
        for filler in 0..40 {
            let page = format!(
                "{}<pr http://1wuw%3D0pass{}@host/x {}",
                "x".repeat(filler),
                "\0".repeat(60),
                "y".repeat(40)
            );
            for max in [4, 20, 40, 60] {
                let cut = s.excerpt(&page, max);
                assert!(!cut.contains("1wuw"), "{filler} {max}: {cut:?}");
                let whole = s.scrub(&page);
                let cut = cut.strip_suffix('…').unwrap_or(&cut);
                assert!(whole.trim().starts_with(cut), "{cut:?} / {whole:?}");
            }
        }
    }

    #[test]
    fn url_userinfo_is_redacted_and_its_credentials_are_secrets() {
        assert_eq!(
            redact_userinfo("failed: http://gwuser:gw%40pass@host:8/x?a=b, then https://h/"),
            "failed: http://***@host:8/x?a=b, then https://h/"
        );
        assert_eq!(
            redact_userinfo("mailto:a@b https://h/p@q"),
            "mailto:a@b https://h/p@q"
        );
        assert!(matches!(redact_userinfo("no url"), Cow::Borrowed(_)));
        let s = Secrets::default().with_urls(["http://gwuser:gw%40pass@127.0.0.1:9/"]);
        // The Basic header a client sends for it: base64 of the decoded pair.
        assert_eq!(s.scrub("Basic Z3d1c2VyOmd3QHBhc3M="), "Basic ***");
        assert_eq!(
            s.scrub("user gwuser pass gw@pass or gw%40pass"),
            "user *** pass *** or ***"
        );
        assert!(Secrets::default().with_urls(["http://h/"]).is_empty());
    }
}
