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

/// Reads a time as VoiceShot's results write it, in the account's zone: `5/22/2004 4:15:15
/// PM` (12-hour, no padding, seconds); `None` when it is not that.
pub fn parse_result(text: &str) -> Option<jiff::civil::DateTime> {
    jiff::civil::DateTime::strptime("%m/%d/%Y %I:%M:%S %p", text.trim()).ok()
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

    #[test]
    fn reads_result_times() {
        assert_eq!(
            parse_result("5/22/2004 4:15:15 PM").unwrap().to_string(),
            "2004-05-22T16:15:15"
        );
        assert_eq!(
            parse_result("12/1/2026 12:05:09 AM").unwrap().to_string(),
            "2026-12-01T00:05:09"
        );
        for bad in [
            "",
            "5/22/2004",
            "2004-05-22 16:15",
            "13/1/2026 1:00:00 PM",
            "x",
        ] {
            assert!(parse_result(bad).is_none(), "{bad}");
        }
    }
}
