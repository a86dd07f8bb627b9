//! Calling hours (`window = "08:00-21:00"`, judged in each recipient's time by
//! [`super::rules`]) and the checks on the times written in the campaign file itself (a CSV's
//! times are checked with the rest of each row).

use std::ops::Range;
use std::sync::Arc;

use jiff::{Timestamp, Zoned};

use super::stats::RecipientStats;
use crate::campaign::model::Recipient;
use crate::diagnostic::{Problem, Problems};
use crate::source::SourceFile;

/// A `window = "HH:MM-HH:MM"` calling-hours setting, in minutes after midnight; `end` is
/// excluded, and a window whose end is before its start runs past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    start: u16,
    end: u16,
}

impl Window {
    /// The calling hours without a `window`: 08:00-21:00 in the recipient's time, the US
    /// federal telemarketing hours (47 CFR 64.1200(c)(1); 16 CFR 310.4(c)).
    pub const PROTECTIVE: Window = Window {
        start: 8 * 60,
        end: 21 * 60,
    };

    /// Parses "08:00-21:00".
    pub fn parse(text: &str) -> Option<Window> {
        let (a, b) = text.split_once('-')?;
        let minutes = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60 && m.to_string().len() <= 2).then_some(h * 60 + m)
        };
        let (start, end) = (minutes(a)?, minutes(b)?);
        (start != end).then_some(Window { start, end })
    }

    /// Whether a local time of day (minutes after midnight) is inside the window.
    pub fn contains(&self, minute: u16) -> bool {
        if self.start < self.end {
            self.start <= minute && minute < self.end
        } else {
            minute >= self.start || minute < self.end
        }
    }

    /// When the window opens, in minutes after midnight.
    pub fn start_minute(&self) -> u16 {
        self.start
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

/// The checks on a time written in the campaign file.
pub(super) struct TimeChecks<'a> {
    pub(super) now: Timestamp,
    pub(super) source: &'a Arc<SourceFile>,
    pub(super) deny_past: bool,
    /// The provider's name, for the warning that it calls past times now.
    pub(super) provider: &'a str,
}

impl TimeChecks<'_> {
    /// Reports `at` (written at `span`) when it is in the past, and counts it in `stats.past` when it is in the past.
    pub(super) fn check(
        &self,
        at: &Zoned,
        span: &Range<usize>,
        problems: &mut Problems,
        stats: &mut RecipientStats,
    ) {
        let (now, source, deny_past, provider) =
            (self.now, self.source, self.deny_past, self.provider);
        if at.timestamp() < now {
            stats.past += 1;
            let problem = if deny_past {
                Problem::error("campaign::past-time", "this call is scheduled in the past")
            } else {
                Problem::warning(
                    "campaign::past-time",
                    format!("this call is scheduled in the past; {provider} calls it now"),
                )
            };
            problems.push(
                problem
                    .at(source, span.clone(), "in the past")
                    .help("pick a future time, or remove `at` to call now"),
            );
        }
    }
}

/// Past-time warnings for the recipients written in the campaign file: the `[recipients]
/// at` default is reported once, where it is written; a recipient's own time where the
/// recipient is.
pub(super) struct PastTimes<'a> {
    times: TimeChecks<'a>,
    default_at: Option<&'a Zoned>,
    default_span: Option<Range<usize>>,
    default_reported: bool,
}

impl<'a> PastTimes<'a> {
    pub(super) fn new(
        times: TimeChecks<'a>,
        default_at: Option<&'a Zoned>,
        default_span: Option<Range<usize>>,
    ) -> Self {
        Self {
            times,
            default_at,
            default_span,
            default_reported: false,
        }
    }

    /// Reports `r`'s time when it is in the past.
    pub(super) fn check(
        &mut self,
        r: &Recipient,
        problems: &mut Problems,
        stats: &mut RecipientStats,
    ) {
        let Some(at) = &r.at else {
            return;
        };
        let default = self.default_at.is_some_and(|d| d == at);
        let span = match (default, &self.default_span, &r.at_span) {
            (true, Some(d), _) => d.clone(),
            (false, _, Some(own)) => own.clone(),
            _ => r.span.clone(),
        };
        if !(default && self.default_reported) {
            self.times.check(at, &span, problems, stats);
            self.default_reported |= default;
        }
    }

    /// Reports the default where it is written if no recipient did (they all had their own
    /// times, say).
    pub(super) fn finish(self, problems: &mut Problems, stats: &mut RecipientStats) {
        if let (Some(at), Some(span), false) =
            (self.default_at, &self.default_span, self.default_reported)
        {
            self.times.check(at, span, problems, stats);
        }
    }
}

/// The past-time warnings of the campaign file's recipients, for a campaign whose other
/// errors keep the scan from running: they are worth knowing while the errors are fixed.
pub(in crate::campaign) fn past_times(
    recipients: &[Recipient],
    default_at: Option<&Zoned>,
    default_span: Option<Range<usize>>,
    source: &Arc<SourceFile>,
    options: &crate::campaign::model::LoadOptions,
    provider: &str,
    problems: &mut Problems,
) {
    let times = TimeChecks {
        now: options.now.unwrap_or_else(Timestamp::now),
        source,
        deny_past: options.deny_past,
        provider,
    };
    let mut past = PastTimes::new(times, default_at, default_span);
    let mut stats = RecipientStats::default();
    for r in recipients {
        past.check(r, problems, &mut stats);
    }
    past.finish(problems, &mut stats);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let w = Window::parse("08:00-21:00").unwrap();
        assert!(w.contains(8 * 60) && w.contains(20 * 60 + 59));
        assert!(!w.contains(21 * 60) && !w.contains(7 * 60 + 59));
        let night = Window::parse("22:00-06:00").unwrap();
        assert!(night.contains(23 * 60) && night.contains(60) && !night.contains(12 * 60));
        assert_eq!(Window::parse("8-21"), None);
        assert_eq!(Window::parse("08:00-08:00"), None);
        assert_eq!(w.to_string(), "08:00-21:00");
    }
}
