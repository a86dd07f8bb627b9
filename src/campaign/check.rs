//! The context every check of the campaign file reports into, and the checks that any part
//! of the file (a provider's table included) may use: URLs, time zones, caller IDs, text.

use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::model::Zone;
use super::structure::Pruned;
use crate::diagnostic::{Problem, Problems, did_you_mean};
use crate::phone;
use crate::provider::name::ProviderName;
use crate::schedule;
use crate::source::SourceFile;
use crate::xmltext;

/// Where problems go while a campaign file is checked, with what the checks need to know.
/// (`pub` only so that [`ProviderRules`](super::rules::ProviderRules) can name it: nothing
/// outside the crate can make or read one.)
pub struct Checker<'a> {
    pub(crate) source: &'a Arc<SourceFile>,
    pub(crate) problems: &'a mut Problems,
    /// Values the structure check already reported and removed.
    pub(crate) pruned: &'a [Pruned],
    /// Inline entries dropped as duplicates.
    pub(crate) duplicates: u64,
    /// The provider the campaign names (messages say who has a rule).
    pub(crate) provider: ProviderName,
    /// Where `[campaign] name` stands, for problems that belong to the campaign as a whole.
    pub(crate) campaign_span: Range<usize>,
    /// Where `[campaign] provider` stands, when it is written.
    pub(crate) provider_span: Option<Range<usize>>,
    /// The campaign's time zone is missing because a problem with it was already reported
    /// (a misspelt `timezone` key, an unknown zone): its absence is not reported again.
    pub(crate) zone_reported: bool,
    /// `allow_number_types`: the kinds of numbers called although refused by default.
    pub(crate) allowed: crate::phone::NumberTypes,
}

impl Checker<'_> {
    /// The provider as people call it, for messages.
    pub(crate) fn provider_name(&self) -> &'static str {
        self.provider.display()
    }

    /// Whether the structure check removed a key of `table` (see [`Pruned::table`]).
    pub(crate) fn pruned_in(&self, table: &str) -> bool {
        self.pruned.iter().any(|p| p.table == table)
    }

    /// An endpoint URL: `http://` or `https://` with a host. Whether credentials may travel
    /// over plain HTTP is decided when sending, not here.
    pub(crate) fn url(
        &mut self,
        url: &Spanned<String>,
        key: &str,
        example: &str,
    ) -> Option<String> {
        let text = url.get_ref().trim();
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"));
        if rest.is_some_and(|r| {
            !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace)
        }) {
            return Some(text.to_string());
        }
        self.error(
            "campaign::bad-endpoint",
            format!("`{key}` \"{text}\" is not an http(s) URL"),
            url.span(),
            "not a URL",
            format!("write the full URL, e.g. \"{example}\""),
        );
        None
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        message: impl Into<String>,
        span: Range<usize>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.problems.push(
            Problem::error(code, message)
                .at(self.source, span, label)
                .help(help),
        );
    }

    /// The span of `inner` (a byte range of the string's value) in the file, when the string
    /// is written without escapes; otherwise the whole string.
    pub(crate) fn inner_span(&self, value: &Spanned<String>, inner: Range<usize>) -> Range<usize> {
        let span = value.span();
        let Some(raw) = self.source.slice(span.clone()) else {
            return span;
        };
        for delimiter in ["\"\"\"", "'''", "\"", "'"] {
            if raw.len() >= 2 * delimiter.len()
                && raw.starts_with(delimiter)
                && raw.ends_with(delimiter)
            {
                let mut body_start = delimiter.len();
                let body = &raw[body_start..raw.len() - delimiter.len()];
                let body = if delimiter.len() == 3 {
                    let trimmed = body
                        .strip_prefix("\r\n")
                        .or_else(|| body.strip_prefix('\n'))
                        .unwrap_or(body);
                    body_start += body.len() - trimmed.len();
                    trimmed
                } else {
                    body
                };
                if body == value.get_ref() {
                    return span.start + body_start + inner.start
                        ..span.start + body_start + inner.end;
                }
                break;
            }
        }
        span
    }

    /// Text that will travel in XML: reports the first character XML cannot carry.
    pub(crate) fn xml_text(&mut self, value: &Spanned<String>, what: &str) -> bool {
        let Some((at, ch)) = xmltext::first_forbidden(value.get_ref()) else {
            return true;
        };
        let span = self.inner_span(value, at..at + ch.len_utf8());
        self.error(
            "campaign::xml-char",
            format!(
                "{what} contains {}, a control character XML cannot carry",
                xmltext::describe(ch)
            ),
            span,
            "this character",
            "remove it; only tab and line breaks are allowed among control characters",
        );
        false
    }

    pub(crate) fn zone(&mut self, name: &Spanned<String>, key: &str) -> Option<Zone> {
        if let Some(tz) = schedule::zone(name.get_ref()) {
            return Some(Zone {
                name: name.get_ref().clone(),
                tz,
            });
        }
        let names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .collect();
        let help = match did_you_mean(name.get_ref(), names.iter().map(String::as_str)) {
            Some(close) => format!("did you mean \"{close}\"?"),
            None => "use an IANA time zone name such as \"America/Chicago\" or \"UTC\"".to_string(),
        };
        self.error(
            "campaign::unknown-timezone",
            format!("unknown time zone \"{}\" in `{key}`", name.get_ref()),
            name.span(),
            "not a time zone",
            help,
        );
        None
    }

    pub(crate) fn callerid(&mut self, id: &Spanned<String>, key: &str) -> Option<String> {
        let text = id.get_ref();
        if phone::is_ten_digits(text) {
            return Some(text.clone());
        }
        let help = match phone::parse(text) {
            Ok(number) => format!("write it as \"{number}\""),
            Err(_) => {
                "a caller ID is a North American number of exactly 10 digits, e.g. \"8185550199\""
                    .to_string()
            }
        };
        self.error(
            "campaign::bad-callerid",
            format!("`{key}` \"{text}\" is not exactly 10 digits"),
            id.span(),
            "not 10 digits",
            help,
        );
        None
    }
}
