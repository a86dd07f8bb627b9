//! Simulated call outcomes: deterministic in (seed, callid, number), so a test can predict
//! them and a duplicate post of the same call gets the same outcome.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::call::{CallStatus, SandboxCall};

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// When a call accepted (or resumed) at `now` gets its outcome: after the dial delay, and not
/// before its scheduled time.
pub(crate) fn due_ms(now: u64, dial_delay: Duration, scheduled: Option<&str>) -> u64 {
    let after_delay = now.saturating_add(dial_delay.as_millis() as u64);
    let at = scheduled
        .and_then(parse_dateandtime)
        .and_then(|dt| dt.to_zoned(TimeZone::UTC).ok());
    match at {
        Some(z) => after_delay.max(z.timestamp().as_millisecond().max(0) as u64),
        None => after_delay,
    }
}

/// Parses VoiceShot's request format `M/D/YYYY h:mm AM/PM` (zero padding tolerated); `None`
/// when it is not that format or not a real date.
pub(crate) fn parse_dateandtime(s: &str) -> Option<DateTime> {
    let (date, rest) = s.split_once(' ')?;
    let (time, meridiem) = rest.split_once(' ')?;
    let mut d = date.split('/');
    let (month, day, year) = (d.next()?, d.next()?, d.next()?);
    let (hour, minute) = time.split_once(':')?;
    let ok = |f: &str, min: usize, max: usize| {
        (min..=max).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit())
    };
    if d.next().is_some()
        || !ok(month, 1, 2)
        || !ok(day, 1, 2)
        || !ok(year, 4, 4)
        || !ok(hour, 1, 2)
        || !ok(minute, 2, 2)
    {
        return None;
    }
    let hour: i8 = hour.parse().ok()?;
    if !(1..=12).contains(&hour) {
        return None;
    }
    let hour24 = match meridiem {
        "AM" => hour % 12,
        "PM" => hour % 12 + 12,
        _ => return None,
    };
    DateTime::new(
        year.parse().ok()?,
        month.parse().ok()?,
        day.parse().ok()?,
        hour24,
        minute.parse().ok()?,
        0,
        0,
    )
    .ok()
}

/// Formats a time as VoiceShot's results do: `5/22/2004 4:15:15 PM` (UTC).
pub(crate) fn format_result_time(ms: u64) -> String {
    let ts = Timestamp::from_millisecond(ms as i64).unwrap_or(Timestamp::UNIX_EPOCH);
    let dt = ts.to_zoned(TimeZone::UTC).datetime();
    let (h12, meridiem) = match dt.hour() {
        0 => (12, "AM"),
        h @ 1..=11 => (h, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{} {}:{:02}:{:02} {meridiem}",
        dt.month(),
        dt.day(),
        dt.year(),
        h12,
        dt.minute(),
        dt.second()
    )
}

/// Gives a pending call whose time has come its final outcome. Returns whether it changed.
pub(crate) fn resolve(call: &mut SandboxCall, seed: u64, success_rate: f64, now: u64) -> bool {
    if call.status != CallStatus::Pending || now < call.due_unix_ms {
        return false;
    }
    let mut rng = SplitMix(
        seed ^ fnv1a(call.callid.as_bytes()) ^ fnv1a(call.number.as_bytes()).rotate_left(17),
    );
    // `< rate` makes 0.0 never and 1.0 always succeed, exactly.
    let answered = rng.unit() < success_rate;
    let human = rng.unit() < 0.8;
    call.dialled_at = Some(format_result_time(call.due_unix_ms));
    call.keypresses.clear();
    if !answered {
        call.status = CallStatus::Unsuccessful;
        call.comment = if rng.unit() < 0.7 {
            "No Answer"
        } else {
            "Busy"
        }
        .to_owned();
        call.duration = Some(0);
    } else if human {
        call.status = CallStatus::Successful;
        call.comment = "Human Answer".to_owned();
        call.duration = Some(10 + (rng.next() % 80) as u32);
        for p in &call.prompts {
            let key = ["1", "2", "", "#", "1"][(rng.next() % 5) as usize];
            call.keypresses.push((p.promptid, key.to_owned()));
        }
    } else {
        call.status = CallStatus::Successful;
        call.comment = "Answering Machine".to_owned();
        call.duration = Some(20 + (rng.next() % 30) as u32);
        call.keypresses
            .extend(call.prompts.iter().map(|p| (p.promptid, String::new())));
    }
    true
}

/// FNV-1a: stable across Rust releases, unlike `DefaultHasher`, so outcomes survive upgrades.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_dates() {
        assert_eq!(
            parse_dateandtime("1/1/2003 3:00 PM").unwrap().to_string(),
            "2003-01-01T15:00:00"
        );
        assert_eq!(
            parse_dateandtime("12/31/2026 12:05 AM")
                .unwrap()
                .to_string(),
            "2026-12-31T00:05:00"
        );
        assert_eq!(
            parse_dateandtime("01/02/2026 09:30 AM")
                .unwrap()
                .to_string(),
            "2026-01-02T09:30:00"
        );
        for bad in [
            "",
            "1/1/2003",
            "1/1/2003 15:00",
            "1/1/2003 3:00 pm",
            "2/30/2026 1:00 PM",
            "13/1/2026 1:00 PM",
            "1/1/03 1:00 PM",
            "1/1/2003 0:00 AM",
            "1/1/2003 13:00 PM",
            "1/1/2003 3:0 PM",
            "1/1/2003 3:00:00 PM",
            "2026-01-01 09:00",
            "1/1/2003  3:00 PM",
        ] {
            assert!(parse_dateandtime(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn result_times() {
        assert_eq!(format_result_time(0), "1/1/1970 12:00:00 AM");
        assert_eq!(
            format_result_time(1_085_242_515_000),
            "5/22/2004 4:15:15 PM"
        );
    }

    #[test]
    fn scheduled_calls_wait() {
        let now = 1_800_000_000_000; // 2027
        assert_eq!(due_ms(now, Duration::from_secs(2), None), now + 2000);
        assert_eq!(
            due_ms(now, Duration::ZERO, Some("1/1/2003 3:00 PM")),
            now,
            "past times dial now"
        );
        let future = due_ms(now, Duration::ZERO, Some("1/1/2100 3:00 PM"));
        assert_eq!(format_result_time(future), "1/1/2100 3:00:00 PM");
    }
}
