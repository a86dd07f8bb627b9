//! Injected transport faults, and their compact command-line spelling.

use std::fmt;
use std::str::FromStr;

use crate::provider::fault_spec;
use std::time::Duration;

/// Faults the sandbox injects into `POST /ivrapi.asp` requests.
///
/// Request numbers `K` count POSTs to `/ivrapi.asp` from 1, across all connections, in the
/// order their headers arrive. Each fault models one side of the ambiguity the client must
/// handle: [`fail_first`](Self::fail_first) and [`reset_before`](Self::reset_before) store
/// nothing; [`drop_after`](Self::drop_after) and [`error_after`](Self::error_after) store the
/// calls and then fail, so the client cannot tell whether it was heard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The first N posts get HTTP 500 after their body is read; nothing is stored.
    pub fail_first: u32,
    /// Posts K whose connection is reset (RST) after the headers, before the body is read;
    /// nothing is stored.
    pub reset_before: Vec<u32>,
    /// Posts K that are taken (calls stored), after which the connection is closed without a
    /// reply.
    pub drop_after: Vec<u32>,
    /// Wait this long before every reply to a post.
    pub delay: Duration,
    /// Posts K that are taken (calls stored) and then answered with HTTP 500.
    pub error_after: Vec<u32>,
    /// Posts K that are taken (calls stored) and answered 200 with a body that is not the
    /// API's XML.
    pub garbage_after: Vec<u32>,
    /// Posts K that are held [`late_by`](Self::late_by) before they are applied and
    /// answered: the client has given up by then, and the calls appear afterwards.
    pub late: Vec<u32>,
    /// Posts K refused with errorid 19 (no campaign for the menuid) and a comment in
    /// VoiceShot's manner; nothing is stored.
    pub refuse: Vec<u32>,
    /// How long a `late` post is held.
    pub late_by: Duration,
    /// Posts K answered with a redirect ([`redirect_status`](Self::redirect_status)) to the
    /// sandbox's recorder, `/_sandbox/recorder`, without storing anything.
    pub redirect: Vec<u32>,
    /// The redirect's status: 302, 307 (default) or 308.
    pub redirect_status: u16,
}

impl Faults {
    /// Whether no fault is configured.
    pub fn is_none(&self) -> bool {
        *self == Faults::default()
    }
}

pub use crate::provider::fault_spec::FaultsParseError;

/// How a spec looks, for errors.
const EXAMPLE: &str = "fail-first=2,reset=3,drop=5,error=6,delay=200ms";

/// Parses `key=value` items separated by commas: `fail-first=N`, `reset=K`, `drop=K`,
/// `error=K`, `refuse=K` (repeatable, or with several numbers joined by `+`, e.g.
/// `reset=3+7`), and `delay=` with a unit `ms` or `s`. The empty string means no faults.
impl FromStr for Faults {
    type Err = FaultsParseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in fault_spec::items(spec, EXAMPLE) {
            let item = item?;
            match item.key {
                "fail-first" => faults.fail_first = item.count()?,
                "reset" | "reset-before" => faults.reset_before.extend(item.numbers()?),
                "drop" | "drop-after" => faults.drop_after.extend(item.numbers()?),
                "error" | "error-after" => faults.error_after.extend(item.numbers()?),
                "garbage" => faults.garbage_after.extend(item.numbers()?),
                "late" => faults.late.extend(item.numbers()?),
                "refuse" => faults.refuse.extend(item.numbers()?),
                "late-by" => faults.late_by = item.duration()?,
                "redirect" => faults.redirect.extend(item.numbers()?),
                "redirect-status" => {
                    faults.redirect_status = match item.value() {
                        "302" => 302,
                        "307" => 307,
                        "308" => 308,
                        _ => return Err(item.refuse("a redirect status is 302, 307 or 308")),
                    }
                }
                "delay" => faults.delay = item.duration()?,
                _ => return Err(item.unknown()),
            }
        }
        Ok(faults)
    }
}

/// Prints the spec back in the form [`FromStr`] reads.
impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fault_spec::Spelling::default()
            .count("fail-first", self.fail_first)
            .numbers("reset", &self.reset_before)
            .numbers("drop", &self.drop_after)
            .numbers("error", &self.error_after)
            .numbers("garbage", &self.garbage_after)
            .numbers("late", &self.late)
            .numbers("refuse", &self.refuse)
            .numbers("redirect", &self.redirect)
            .duration("delay", self.delay)
            .duration("late-by", self.late_by)
            .count("redirect-status", u32::from(self.redirect_status))
            .write(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_compact_spec() {
        let f: Faults = "fail-first=2, reset=3,drop=5+6,delay=200ms,error=9,reset=4"
            .parse()
            .unwrap();
        assert_eq!(
            f,
            Faults {
                fail_first: 2,
                reset_before: vec![3, 4],
                drop_after: vec![5, 6],
                delay: Duration::from_millis(200),
                error_after: vec![9],
                ..Faults::default()
            }
        );
        let g: Faults = "garbage=2,late=3+4,late-by=1s,redirect=5,redirect-status=308"
            .parse()
            .unwrap();
        assert_eq!(
            (
                g.garbage_after.clone(),
                g.late.clone(),
                g.late_by,
                g.redirect.clone(),
                g.redirect_status
            ),
            (vec![2], vec![3, 4], Duration::from_secs(1), vec![5], 308)
        );
        assert_eq!(g.to_string().parse::<Faults>().unwrap(), g);
        assert!("redirect-status=301".parse::<Faults>().is_err());
        assert_eq!(
            "delay=1.5s".parse::<Faults>().unwrap().delay,
            Duration::from_millis(1500)
        );
        assert!("".parse::<Faults>().unwrap().is_none());
        let round: Faults = f.to_string().parse().unwrap();
        assert_eq!(round, f);
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "fail-first",
            "reset=0",
            "drop=x",
            "delay=5",
            "delay=-1s",
            "explode=1",
            "fail-first=-1",
        ] {
            let e = bad.parse::<Faults>().unwrap_err();
            assert!(e.to_string().contains("invalid fault spec"), "{bad}: {e}");
        }
    }
}
