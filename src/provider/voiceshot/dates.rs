//! VoiceShot's `dateandtime` format.

use jiff::Zoned;
use jiff::tz::TimeZone;

/// VoiceShot's request format, in the account's zone: `1/1/2003 3:00 PM` (12-hour, no
/// padding).
///
/// ```
/// use outdial::provider::voiceshot::dates::format;
/// use outdial::schedule::{parse_at, zone};
/// let chicago = zone("America/Chicago").unwrap();
/// let at = parse_at("2003-01-01 15:00", &chicago, "America/Chicago").unwrap();
/// assert_eq!(format(&at, &chicago), "1/1/2003 3:00 PM");
/// ```
pub fn format(at: &Zoned, account_zone: &TimeZone) -> String {
    at.with_time_zone(account_zone.clone())
        .strftime("%-m/%-d/%Y %-I:%M %p")
        .to_string()
}

#[cfg(test)]
mod tests {
    use jiff::tz::TimeZone;

    use super::*;
    use crate::schedule::{parse_at, zone};

    fn chicago() -> TimeZone {
        zone("America/Chicago").unwrap()
    }

    #[test]
    fn renders_voiceshot_dates() {
        let at = parse_at("2003-01-01 15:00", &chicago(), "America/Chicago").unwrap();
        assert_eq!(format(&at, &chicago()), "1/1/2003 3:00 PM");
        let at = parse_at("2026-12-01T09:05", &chicago(), "America/Chicago").unwrap();
        assert_eq!(format(&at, &chicago()), "12/1/2026 9:05 AM");
        let midnight = parse_at("2026-12-01 00:30", &chicago(), "America/Chicago").unwrap();
        assert_eq!(format(&midnight, &chicago()), "12/1/2026 12:30 AM");
    }

    #[test]
    fn converts_to_the_account_zone() {
        let at = parse_at("2026-12-01 09:00", &chicago(), "America/Chicago").unwrap();
        let ny = zone("America/New_York").unwrap();
        assert_eq!(format(&at, &ny), "12/1/2026 10:00 AM");
        let explicit = parse_at("2026-12-01T09:00-05:00", &chicago(), "America/Chicago").unwrap();
        assert_eq!(format(&explicit, &chicago()), "12/1/2026 8:00 AM");
    }
}
