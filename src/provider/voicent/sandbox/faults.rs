//! Injected faults of the Voicent sandbox, and their compact command-line spelling (the other
//! sandboxes', plus `noreqid` and `slow`).

use std::fmt;
use std::str::FromStr;

use crate::provider::fault_spec;
use std::time::Duration;

/// Faults the sandbox injects into call requests (`/ocall/callreqHandler.jsp`).
///
/// Request numbers `K` count call requests from 1, in the order their heads arrive. Some
/// faults store nothing ([`fail_first`](Self::fail_first), [`reset_before`](Self::reset_before),
/// [`no_reqid`](Self::no_reqid)); others schedule the call and then fail
/// ([`drop_after`](Self::drop_after), [`error_after`](Self::error_after), a reply slower
/// than the client waits), so the client cannot tell whether it was heard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The first N requests get HTTP 500 after their body is read; nothing is stored.
    pub fail_first: u32,
    /// Requests K whose connection is reset after the head, before the body is read.
    pub reset_before: Vec<u32>,
    /// Requests K that are scheduled, after which the connection closes without a reply.
    pub drop_after: Vec<u32>,
    /// Requests K that are scheduled and then answered with HTTP 500.
    pub error_after: Vec<u32>,
    /// Requests K answered with a page without `[ReqId=…]`; nothing is stored.
    pub no_reqid: Vec<u32>,
    /// Requests K refused with the sandbox's "Invalid call request" page; nothing is stored.
    pub refuse: Vec<u32>,
    /// Requests K whose reply waits [`delay`](Self::delay) after the call is scheduled
    /// (every request when empty).
    pub slow: Vec<u32>,
    /// How long slow replies wait.
    pub delay: Duration,
}

impl Faults {
    /// Whether no fault is configured.
    pub fn is_none(&self) -> bool {
        *self == Faults::default()
    }

    /// Whether request `k`'s reply is delayed.
    pub fn is_slow(&self, k: u32) -> bool {
        !self.delay.is_zero() && (self.slow.is_empty() || self.slow.contains(&k))
    }
}

pub use crate::provider::fault_spec::FaultsParseError;

/// How a spec looks, for errors.
const EXAMPLE: &str = "fail-first=1,reset=2,drop=3,error=4,noreqid=5,refuse=6,slow=7,delay=2s";

/// `key=value` items separated by commas: `fail-first=N`, `reset=K`, `drop=K`, `error=K`,
/// `noreqid=K`, `refuse=K`, `slow=K` (repeatable, or several numbers joined by `+`), `delay=` with `ms`
/// or `s`. The empty string means no faults.
impl FromStr for Faults {
    type Err = FaultsParseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in fault_spec::items(spec, EXAMPLE) {
            let item = item?;
            match item.key {
                "fail-first" => faults.fail_first = item.count()?,
                "reset" => faults.reset_before.extend(item.numbers()?),
                "drop" => faults.drop_after.extend(item.numbers()?),
                "error" => faults.error_after.extend(item.numbers()?),
                "noreqid" => faults.no_reqid.extend(item.numbers()?),
                "refuse" => faults.refuse.extend(item.numbers()?),
                "slow" => faults.slow.extend(item.numbers()?),
                "delay" => faults.delay = item.duration()?,
                _ => return Err(item.unknown()),
            }
        }
        Ok(faults)
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fault_spec::Spelling::default()
            .count("fail-first", self.fail_first)
            .numbers("reset", &self.reset_before)
            .numbers("drop", &self.drop_after)
            .numbers("error", &self.error_after)
            .numbers("noreqid", &self.no_reqid)
            .numbers("refuse", &self.refuse)
            .numbers("slow", &self.slow)
            .duration("delay", self.delay)
            .write(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_spec() {
        let f: Faults =
            "fail-first=1,reset=2,drop=3+4,error=5,noreqid=6,refuse=8,slow=7,delay=1.5s"
                .parse()
                .unwrap();
        assert_eq!(f.drop_after, vec![3, 4]);
        assert_eq!(f.no_reqid, vec![6]);
        assert_eq!(f.refuse, vec![8]);
        assert_eq!(f.delay, Duration::from_millis(1500));
        assert!(f.is_slow(7) && !f.is_slow(6));
        assert_eq!(f.to_string().parse::<Faults>().unwrap(), f);
        assert!("".parse::<Faults>().unwrap().is_none());
        for bad in ["reset=0", "explode=1", "delay=5", "noreqid"] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }
}
