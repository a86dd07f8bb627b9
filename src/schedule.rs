//! When calls happen: `at` times written in the campaign's time zone, checked for daylight-saving
//! gaps and folds; each provider writes them in its own format.

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, Zoned};

/// Why an `at` text is not a usable time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Not a time in any accepted shape.
    #[error("\"{0}\" is not a date and time")]
    Unparsable(String),
    /// The local time is skipped by a daylight-saving change.
    #[error("{0} does not exist in {1}: the clocks jump forward over it")]
    Gap(String, String),
    /// The local time happens twice.
    #[error("{0} happens twice in {1}: the clocks fall back over it")]
    Fold(String, String),
    /// The offset written does not hold in the zone written at that time.
    #[error("{0}: the offset {1} is not {2}'s offset at that time ({3})")]
    OffsetConflict(String, String, String, String),
}

/// Loads an IANA time zone from the bundled database (independent of the host).
pub fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

/// Parses an `at` value: a local "YYYY-MM-DD HH:MM[:SS]" in `zone`, or an RFC 3339 / RFC 9557
/// time that carries its own offset or zone.
pub fn parse_at(text: &str, zone: &TimeZone, zone_name: &str) -> Result<Zoned, ScheduleError> {
    let trimmed = text.trim();
    if trimmed.contains('[') {
        return parse_bracketed(trimmed);
    }
    if let Ok(zoned) = trimmed.parse::<Zoned>() {
        return Ok(zoned);
    }
    if let Ok(timestamp) = trimmed.parse::<Timestamp>() {
        return Ok(timestamp.to_zoned(zone.clone()));
    }
    let civil: DateTime = trimmed
        .parse()
        .map_err(|_| ScheduleError::Unparsable(text.to_string()))?;
    match zone.to_ambiguous_zoned(civil).offset() {
        AmbiguousOffset::Unambiguous { .. } => {}
        AmbiguousOffset::Gap { .. } => {
            return Err(ScheduleError::Gap(
                trimmed.to_string(),
                zone_name.to_string(),
            ));
        }
        AmbiguousOffset::Fold { .. } => {
            return Err(ScheduleError::Fold(
                trimmed.to_string(),
                zone_name.to_string(),
            ));
        }
    }
    civil
        .to_zoned(zone.clone())
        .map_err(|_| ScheduleError::Unparsable(text.to_string()))
}

/// An RFC 9557 time with its zone in brackets: the wall time must exist in that zone and be
/// read one way only (an offset must pick one of the two readings of a repeated hour), and
/// an offset must agree with the zone. jiff's default would move a skipped time forward and
/// pick one reading of a repeated one, silently.
fn parse_bracketed(text: &str) -> Result<Zoned, ScheduleError> {
    use jiff::fmt::temporal::DateTimeParser;
    use jiff::tz::{Disambiguation, OffsetConflict};
    let strict = DateTimeParser::new()
        .disambiguation(Disambiguation::Reject)
        .offset_conflict(OffsetConflict::Reject);
    if let Ok(zoned) = strict.parse_zoned(text) {
        return Ok(zoned);
    }
    // Why it failed: the zone in the brackets, and the wall time on its own.
    let unparsable = || ScheduleError::Unparsable(text.to_string());
    let open = text.find('[').ok_or_else(unparsable)?;
    let name = text[open + 1..]
        .split(']')
        .next()
        .unwrap_or_default()
        .trim_start_matches('!');
    let zone = TimeZone::get(name).map_err(|_| unparsable())?;
    let name = name.to_string();
    let civil: DateTime = text[..text.find('[').unwrap_or(text.len())]
        .trim_end_matches('Z')
        .parse()
        .map_err(|_| unparsable())?;
    let written_offset = text[..text.find('[').unwrap_or(text.len())]
        .rfind(['+', '-'])
        .filter(|&i| i > 10)
        .map(|i| text[i..text.find('[').unwrap_or(text.len())].to_string());
    match zone.to_ambiguous_zoned(civil).offset() {
        AmbiguousOffset::Gap { .. } => Err(ScheduleError::Gap(text.to_string(), name)),
        AmbiguousOffset::Fold { before, after } => match written_offset {
            Some(offset) => Err(ScheduleError::OffsetConflict(
                text.to_string(),
                offset,
                name,
                format!("{before} or {after}"),
            )),
            None => Err(ScheduleError::Fold(text.to_string(), name)),
        },
        AmbiguousOffset::Unambiguous { offset } => Err(ScheduleError::OffsetConflict(
            text.to_string(),
            written_offset.unwrap_or_default(),
            name,
            offset.to_string(),
        )),
    }
}

/// A non-negative duration as people write it: `500ms`, `2s`, `1.5s`, `1m30s`, `2 minutes`
/// (jiff's "friendly" format, ISO 8601 `PT2S` too). One reader for every duration outdial
/// takes (`--timeout`, `--backoff`, the sandboxes' `delay=`), so they all accept the same.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let signed: jiff::SignedDuration = text.trim().parse().ok()?;
    std::time::Duration::try_from(signed).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chicago() -> TimeZone {
        zone("America/Chicago").unwrap()
    }

    #[test]
    fn rejects_bad_and_daylight_saving_times() {
        let tz = chicago();
        assert!(matches!(
            parse_at("tomorrow", &tz, "America/Chicago"),
            Err(ScheduleError::Unparsable(_))
        ));
        assert!(matches!(
            parse_at("2026-03-08 02:30", &tz, "America/Chicago"),
            Err(ScheduleError::Gap(..))
        ));
        assert!(matches!(
            parse_at("2026-11-01 01:30", &tz, "America/Chicago"),
            Err(ScheduleError::Fold(..))
        ));
        assert!(zone("Mars/Olympus").is_none());
    }

    /// A bracketed zone gets the same checks as the campaign's: no skipped or repeated wall
    /// time read silently, no offset that contradicts the zone.
    #[test]
    fn bracketed_zones_are_checked_too() {
        let tz = chicago();
        let p = |t: &str| parse_at(t, &tz, "America/Chicago");
        assert!(matches!(
            p("2027-03-14T02:30:00[America/New_York]"),
            Err(ScheduleError::Gap(..))
        ));
        assert!(matches!(
            p("2027-11-07T01:30:00[America/New_York]"),
            Err(ScheduleError::Fold(..))
        ));
        // An offset picks one of the two readings of a repeated hour.
        let early = p("2027-11-07T01:30:00-04:00[America/New_York]").unwrap();
        let late = p("2027-11-07T01:30:00-05:00[America/New_York]").unwrap();
        assert_eq!(
            late.timestamp().as_second() - early.timestamp().as_second(),
            3600
        );
        let err = p("2027-06-01T09:00:00-07:00[America/New_York]").unwrap_err();
        assert!(matches!(err, ScheduleError::OffsetConflict(..)), "{err}");
        assert!(err.to_string().contains("-04"), "{err}");
        assert!(p("2027-06-01T09:00:00[America/New_York]").is_ok());
        assert!(p("2027-06-01T09:00:00-04:00[America/New_York]").is_ok());
    }

    #[test]
    fn durations_read_as_people_write_them() {
        use std::time::Duration;
        for (text, ms) in [
            ("500ms", 500),
            ("2s", 2000),
            ("1.5s", 1500),
            (" 10s ", 10_000),
            ("1m30s", 90_000),
            ("0s", 0),
        ] {
            assert_eq!(
                parse_duration(text),
                Some(Duration::from_millis(ms)),
                "{text}"
            );
        }
        for bad in ["2", "s", "-2s", "soon", ""] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
