//! Injected faults of the Voicent sandbox, and their compact command-line spelling (the other
//! sandboxes', plus `noreqid` and `slow`, and `on=` naming the handlers whose requests are
//! numbered and faulted).

use std::fmt;
use std::str::FromStr;

use crate::provider::fault_spec;
use std::time::Duration;

/// A handler of the gateway whose requests can be faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Call requests (`/ocall/callreqHandler.jsp`).
    Call,
    /// Status polls (`/ocall/callstatusHandler.jsp`).
    Status,
    /// Removals (`/ocall/callremoveHandler.jsp`).
    Remove,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Call => "call",
            Route::Status => "status",
            Route::Remove => "remove",
        }
    }
}

/// Faults the sandbox injects into requests of the handlers [`on`](Self::on) names (call
/// requests only, by default).
///
/// Request numbers `K` count those requests from 1, in the order their heads arrive. Some
/// faults change nothing ([`fail_first`](Self::fail_first), [`reset_before`](Self::reset_before),
/// [`no_reqid`](Self::no_reqid)); others apply the request (schedule or remove the call) and
/// then fail ([`drop_after`](Self::drop_after), [`error_after`](Self::error_after),
/// [`garbage_after`](Self::garbage_after), a reply slower than the client waits), so the
/// client cannot tell whether it was heard; a [`late`](Self::late) request is applied only
/// after the client gave up on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The handlers whose requests are numbered and faulted; empty: call requests only.
    pub on: Vec<Route>,
    /// The first N requests get HTTP 500 after their body is read; nothing is stored.
    pub fail_first: u32,
    /// Requests K whose connection is reset after the head, before the body is read.
    pub reset_before: Vec<u32>,
    /// Requests K that are scheduled, after which the connection closes without a reply.
    pub drop_after: Vec<u32>,
    /// Requests K that are scheduled and then answered with HTTP 500.
    pub error_after: Vec<u32>,
    /// Requests K applied and then answered 200 with a page that says nothing readable.
    pub garbage_after: Vec<u32>,
    /// Requests K held [`late_by`](Self::late_by) before they are applied and answered.
    pub late: Vec<u32>,
    /// How long a `late` request is held.
    pub late_by: Duration,
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

    /// Whether requests to `route` are numbered and faulted.
    pub fn counts(&self, route: Route) -> bool {
        fault_spec::counts(&self.on, route, Route::Call)
    }

    /// Whether request `k`'s reply is delayed.
    pub fn is_slow(&self, k: u32) -> bool {
        fault_spec::is_slow(self.delay, &self.slow, k)
    }
}

pub use crate::provider::fault_spec::FaultsParseError;

/// How a spec looks, for errors.
const EXAMPLE: &str =
    "on=call+remove,fail-first=1,reset=2,drop=3,error=4,noreqid=5,refuse=6,slow=7,delay=2s";

/// `key=value` items separated by commas: `on=` with `call`, `status`, `remove` joined by
/// `+`; `fail-first=N`, `reset=K`, `drop=K`, `error=K`, `garbage=K`, `late=K`, `noreqid=K`,
/// `refuse=K`, `slow=K` (repeatable, or several numbers joined by `+`); `delay=` and
/// `late-by=` with `ms` or `s`. The empty string means no faults.
impl FromStr for Faults {
    type Err = FaultsParseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in fault_spec::items(spec, EXAMPLE) {
            let item = item?;
            match item.key {
                "on" => faults.on.extend(item.named(
                    &[Route::Call, Route::Status, Route::Remove],
                    Route::name,
                    "handlers are call, status, remove",
                )?),
                "fail-first" => faults.fail_first = item.count()?,
                "reset" => faults.reset_before.extend(item.numbers()?),
                "drop" => faults.drop_after.extend(item.numbers()?),
                "error" => faults.error_after.extend(item.numbers()?),
                "garbage" => faults.garbage_after.extend(item.numbers()?),
                "late" => faults.late.extend(item.numbers()?),
                "late-by" => faults.late_by = item.duration()?,
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
        let on: Vec<&str> = self.on.iter().map(|r| r.name()).collect();
        fault_spec::Spelling::default()
            .words("on", &on)
            .count("fail-first", self.fail_first)
            .numbers("reset", &self.reset_before)
            .numbers("drop", &self.drop_after)
            .numbers("error", &self.error_after)
            .numbers("garbage", &self.garbage_after)
            .numbers("late", &self.late)
            .duration("late-by", self.late_by)
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
        let f: Faults = "fail-first=1,reset=2,drop=3+4,error=5,noreqid=6,refuse=8,slow=7,delay=1.5s,on=remove+call,garbage=9,late=10,late-by=300ms"
            .parse()
            .unwrap();
        assert_eq!(f.on, [Route::Remove, Route::Call]);
        assert!(f.counts(Route::Remove) && !f.counts(Route::Status));
        assert!(Faults::default().counts(Route::Call));
        assert!(!Faults::default().counts(Route::Remove));
        assert_eq!(
            (f.garbage_after.clone(), f.late.clone()),
            (vec![9], vec![10])
        );
        assert_eq!(f.drop_after, vec![3, 4]);
        assert_eq!(f.no_reqid, vec![6]);
        assert_eq!(f.refuse, vec![8]);
        assert_eq!(f.delay, Duration::from_millis(1500));
        assert!(f.is_slow(7) && !f.is_slow(6));
        assert_eq!(f.to_string().parse::<Faults>().unwrap(), f);
        assert!("".parse::<Faults>().unwrap().is_none());
        for bad in ["reset=0", "explode=1", "delay=5", "noreqid", "on=call+ring"] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }
}
