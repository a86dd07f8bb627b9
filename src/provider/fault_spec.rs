//! The compact spelling of the faults every local stand-in injects (`outdial sandbox
//! --faults "fail-first=2,reset=3,drop=5+6,delay=200ms"`): `key=value` items separated by
//! commas; request numbers `K` from 1, repeatable or joined by `+`; durations in `ms` or `s`.
//! Each sandbox has its own faults; this is the one parser of their spelling.

use std::time::Duration;

/// A fault specification that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec {item:?}: {reason} (expected e.g. \"{example}\")")]
pub struct FaultsParseError {
    item: String,
    reason: &'static str,
    example: &'static str,
}

/// One `key=value` item of a spec.
pub(crate) struct Item<'a> {
    /// The key, trimmed.
    pub key: &'a str,
    value: &'a str,
    raw: &'a str,
    example: &'static str,
}

impl Item<'_> {
    fn err(&self, reason: &'static str) -> FaultsParseError {
        FaultsParseError {
            item: self.raw.to_owned(),
            reason,
            example: self.example,
        }
    }

    /// Request numbers: `3`, `3+7`.
    pub fn numbers(&self) -> Result<Vec<u32>, FaultsParseError> {
        self.value
            .split('+')
            .map(|n| match n.trim().parse::<u32>() {
                Ok(k) if k >= 1 => Ok(k),
                _ => Err(self.err("request numbers start at 1")),
            })
            .collect()
    }

    /// Names joined by `+` (`call+remove`): each sandbox says which it knows.
    pub fn words(&self) -> Vec<&str> {
        self.value.split('+').map(str::trim).collect()
    }

    /// A count: `2`.
    pub fn count(&self) -> Result<u32, FaultsParseError> {
        self.value.parse().map_err(|_| self.err("not a count"))
    }

    /// A duration: `200ms`, `1.5s`.
    pub fn duration(&self) -> Result<Duration, FaultsParseError> {
        parse_duration(self.value).ok_or_else(|| self.err("not a duration like 200ms or 2s"))
    }

    /// The value as written, for keys with their own values.
    pub fn value(&self) -> &str {
        self.value
    }

    /// The names joined by `+` as the values of `known` they name (by `name`), or `reason`
    /// for a name that is none of them: a sandbox's `on=` routes.
    pub fn named<T: Copy>(
        &self,
        known: &[T],
        name: impl Fn(T) -> &'static str,
        reason: &'static str,
    ) -> Result<Vec<T>, FaultsParseError> {
        self.words()
            .into_iter()
            .map(|word| {
                known
                    .iter()
                    .copied()
                    .find(|&t| name(t) == word)
                    .ok_or_else(|| self.refuse(reason))
            })
            .collect()
    }

    /// The error for a key the sandbox does not know, or a value it refuses.
    pub fn refuse(&self, reason: &'static str) -> FaultsParseError {
        self.err(reason)
    }

    /// The error for a key the sandbox does not know.
    pub fn unknown(&self) -> FaultsParseError {
        self.err("unknown fault")
    }
}

/// The items of `spec` (the empty string has none); `example` is shown in errors.
pub(crate) fn items<'a>(
    spec: &'a str,
    example: &'static str,
) -> impl Iterator<Item = Result<Item<'a>, FaultsParseError>> {
    spec.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(move |raw| {
            let (key, value) = raw.split_once('=').ok_or(FaultsParseError {
                item: raw.to_owned(),
                reason: "missing '='",
                example,
            })?;
            Ok(Item {
                key: key.trim(),
                value: value.trim(),
                raw,
                example,
            })
        })
}

/// Whether requests to `route` are numbered and faulted when a sandbox's `on=` named `on`:
/// those it named, or only `default` when it named none.
pub(crate) fn counts<R: PartialEq>(on: &[R], route: R, default: R) -> bool {
    if on.is_empty() {
        route == default
    } else {
        on.contains(&route)
    }
}

/// Whether request `k`'s reply waits `delay`: when one is set and `slow` names `k`, or names
/// nothing (every request is slow).
pub(crate) fn is_slow(delay: Duration, slow: &[u32], k: u32) -> bool {
    !delay.is_zero() && (slow.is_empty() || slow.contains(&k))
}

/// `500ms`, `2s`, `1.5s` (see [`crate::schedule::parse_duration`]).
pub(crate) fn parse_duration(value: &str) -> Option<Duration> {
    crate::schedule::parse_duration(value)
}

/// A spec written back in the spelling [`items`] reads, item by item (what is unset is left
/// out), so a sandbox's faults round-trip through their text.
#[derive(Default)]
pub(crate) struct Spelling(Vec<String>);

impl Spelling {
    /// `key=N` when `n` is not 0.
    pub fn count(mut self, key: &str, n: u32) -> Self {
        if n > 0 {
            self.0.push(format!("{key}={n}"));
        }
        self
    }

    /// `key=K` for each request number.
    pub fn numbers(mut self, key: &str, list: &[u32]) -> Self {
        self.0.extend(list.iter().map(|k| format!("{key}={k}")));
        self
    }

    /// `key=a+b` when `words` is not empty.
    pub fn words(mut self, key: &str, words: &[&str]) -> Self {
        if !words.is_empty() {
            self.0.push(format!("{key}={}", words.join("+")));
        }
        self
    }

    /// `key=Nms` when `d` is not zero.
    pub fn duration(mut self, key: &str, d: Duration) -> Self {
        if !d.is_zero() {
            self.0.push(format!("{key}={}ms", d.as_millis()));
        }
        self
    }

    /// The spec.
    pub fn write(self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(","))
    }
}
