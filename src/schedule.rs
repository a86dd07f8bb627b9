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
}

/// Loads an IANA time zone from the bundled database (independent of the host).
pub fn zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

/// Parses an `at` value: a local "YYYY-MM-DD HH:MM[:SS]" in `zone`, or an RFC 3339 / RFC 9557
/// time that carries its own offset or zone.
pub fn parse_at(text: &str, zone: &TimeZone, zone_name: &str) -> Result<Zoned, ScheduleError> {
    let trimmed = text.trim();
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
}
