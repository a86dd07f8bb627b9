//! The `[recipients]` settings that stand on their own: `region`, `window`, `quiet_days`,
//! `outside_window`, `max_calls` and `allow_number_types`.

use std::sync::Arc;

use toml::Spanned;

use super::rules::QuietDays;
use super::window::Window;
use crate::campaign::file::{OutsideWindow, RecipientsSection};
use crate::campaign::model::Zone;
use crate::diagnostic::{Problem, Problems};
use crate::phone::{NumberTypes, Region, Restricted};
use crate::source::SourceFile;

/// The `region` and `window` settings, checked even when other parts of the campaign have
/// errors (they need nothing else to be valid). `zone_reported`: the campaign's missing zone
/// was already reported (a misspelt or unknown `timezone`), so its absence is not again.
pub(in crate::campaign) fn settings(
    section: Option<&RecipientsSection>,
    zone: Option<&Zone>,
    zone_reported: bool,
    provider: &str,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Settings {
    let region = region(section, provider, source, problems);
    let written = section.and_then(|s| s.window.as_ref());
    let hours = match written {
        None => Hours::Protective,
        // `check` says so in its summary: the one place every run shows.
        Some(text) if text.get_ref().trim() == "always" => Hours::Always,
        Some(_) => Hours::Written,
    };
    let window = match hours {
        Hours::Protective => Some(Window::PROTECTIVE),
        Hours::Always => None,
        Hours::Written => written
            .and_then(|text| written_window(text, zone.is_some(), zone_reported, source, problems)),
    };
    let quiet = quiet_days(section, source, problems);
    // A written window without a zone already said the zone is missing.
    let window_said_so =
        hours == Hours::Written && written.is_some_and(|t| Window::parse(t.get_ref()).is_some());
    if !quiet.is_empty() && zone.is_none() && !zone_reported && !window_said_so {
        let span = section
            .and_then(|s| s.quiet_days.first())
            .map_or(0..0, toml::Spanned::span);
        problems.push(
            Problem::error(
                "campaign::missing-timezone",
                "quiet days are given but the campaign has no time zone",
            )
            .at(source, span, "for numbers outside the area-code table")
            .help("add `timezone = \"America/Chicago\"` (your zone) to [campaign]"),
        );
    }
    Settings {
        region,
        window,
        any_hour: hours == Hours::Always,
        quiet,
        defer: section.and_then(|s| s.outside_window) == Some(OutsideWindow::Defer),
        max_calls: max_calls(section, source, problems),
    }
}

/// `region`: the NANP region numbers are read in (US when not given, or not one).
fn region(
    section: Option<&RecipientsSection>,
    provider: &str,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Region {
    let Some(text) = section.and_then(|s| s.region.as_ref()) else {
        return Region::US;
    };
    match Region::parse(text.get_ref()) {
        Ok(region) => region,
        Err(err) => {
            problems.push(
                Problem::error("campaign::bad-region", err.message(provider))
                    .at(source, text.span(), "not a NANP region")
                    .help("use \"US\", \"CA\" or another NANP region, or remove `region`"),
            );
            Region::US
        }
    }
}

/// A written `window = "HH:MM-HH:MM"`: `None` when it does not read as one, or there is no
/// zone to judge it in (`has_zone`; reported unless `zone_reported`).
fn written_window(
    text: &Spanned<String>,
    has_zone: bool,
    zone_reported: bool,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Option<Window> {
    match Window::parse(text.get_ref()) {
        Some(window) if has_zone => Some(window),
        Some(_) if zone_reported => None,
        Some(_) => {
            problems.push(
                Problem::error(
                    "campaign::missing-timezone",
                    "calling hours are given but the campaign has no time zone",
                )
                .at(source, text.span(), "in which time zone?")
                .help("add `timezone = \"America/Chicago\"` (your zone) to [campaign]"),
            );
            None
        }
        None => {
            problems.push(
                Problem::error(
                    "campaign::bad-window",
                    format!("\"{}\" is not a calling-hours window", text.get_ref()),
                )
                .at(source, text.span(), "not HH:MM-HH:MM")
                .help("write the hours as \"08:00-21:00\" (24-hour, judged in each recipient's own time zone), or \"always\""),
            );
            None
        }
    }
}

/// `quiet_days`: weekdays and dates no one is called on.
fn quiet_days(
    section: Option<&RecipientsSection>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> QuietDays {
    let mut quiet = QuietDays::default();
    for day in section.iter().flat_map(|s| &s.quiet_days) {
        if !quiet.add(day.get_ref()) {
            problems.push(
                Problem::error(
                    "campaign::bad-quiet-day",
                    format!("\"{}\" is not a weekday or a date", day.get_ref()),
                )
                .at(source, day.span(), "not a day")
                .help("write a weekday (\"sat\", \"sunday\") or a date (\"2026-12-25\")"),
            );
        }
    }
    quiet
}

/// `max_calls = { count, per }`: calls allowed within a period.
fn max_calls(
    section: Option<&RecipientsSection>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Option<(u32, jiff::SignedDuration)> {
    let m = section.and_then(|s| s.max_calls.as_ref())?;
    let cap = m.get_ref();
    match parse_period(&cap.per) {
        Some(per) if cap.count > 0 => Some((cap.count, per)),
        _ => {
            problems.push(
                Problem::error(
                    "campaign::bad-max-calls",
                    format!(
                        "max_calls = {{ count = {}, per = \"{}\" }} is not a cap",
                        cap.count, cap.per
                    ),
                )
                .at(source, m.span(), "here")
                .help("give a count of at least 1 and a period such as \"7d\" or \"24h\""),
            );
            None
        }
    }
}

/// The `[recipients]` settings [`settings`] checked.
pub(in crate::campaign) struct Settings {
    pub region: Region,
    pub window: Option<Window>,
    /// `window = "always"`: no calling hours, by choice.
    pub any_hour: bool,
    pub quiet: QuietDays,
    pub defer: bool,
    /// `max_calls`: calls allowed, within this span.
    pub max_calls: Option<(u32, jiff::SignedDuration)>,
}

/// Where a campaign's calling hours come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hours {
    /// `window = "HH:MM-HH:MM"`.
    Written,
    /// No `window`: 08:00-21:00 in the recipient's time ([`Window::PROTECTIVE`]).
    Protective,
    /// `window = "always"`.
    Always,
}

/// The `allow_number_types` setting: the kinds of numbers called although refused by
/// default. Read before the recipients, whose numbers it judges.
pub(in crate::campaign) fn number_types(
    section: Option<&RecipientsSection>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> NumberTypes {
    let mut allowed = NumberTypes::default();
    for name in section.iter().flat_map(|s| &s.allow_number_types) {
        match Restricted::parse(name.get_ref()) {
            Some(kind) if kind.allowable() => allowed.allow(kind),
            Some(_) => problems.push(
                Problem::error(
                    "campaign::premium-rate-allowed",
                    "premium-rate numbers cannot be allowed: the person called pays for the call",
                )
                .at(source, name.span(), "never allowed")
                .help("remove \"premium-rate\" from allow_number_types"),
            ),
            None => problems.push(
                Problem::error(
                    "campaign::bad-number-type",
                    format!(
                        "\"{}\" is not a kind of number outdial refuses",
                        name.get_ref()
                    ),
                )
                .at(source, name.span(), "not a number type")
                .help("name \"personal\", \"shared-cost\", \"uan\" or \"satellite\""),
            ),
        }
    }
    allowed
}

/// "7d", "24h" as a span of time.
fn parse_period(text: &str) -> Option<jiff::SignedDuration> {
    let text = text.trim();
    let (n, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = n.parse().ok().filter(|&n| n > 0 && n <= 3650)?;
    match unit.trim() {
        "d" => Some(jiff::SignedDuration::from_hours(n * 24)),
        "h" => Some(jiff::SignedDuration::from_hours(n)),
        _ => None,
    }
}
