//! Injected transport faults, spelled like the VoiceShot sandbox's, plus `garbage`, and `on=`
//! naming the requests that are numbered and faulted.

use std::str::FromStr;

use crate::provider::fault_spec;
use std::time::Duration;

/// A request of the stand-in that can be faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Make-calls posts.
    Call,
    /// The scheduled-calls list.
    List,
    /// The scheduled-call delete.
    Delete,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Call => "call",
            Route::List => "list",
            Route::Delete => "delete",
        }
    }
}

/// Faults the stand-in injects into the requests [`on`](Self::on) names (make-calls posts
/// only, by default).
///
/// Request numbers `K` count those requests from 1, in the order their heads arrive.
/// `fail_first` and `reset_before` change nothing; `drop_after`, `error_after`,
/// `garbage_after` and a `delay` beyond the client's timeout apply the request (store the
/// call, delete it) and then leave the client without a clear answer; a `late` request is
/// applied only after the client gave up on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    /// The requests numbered and faulted; empty: make-calls posts only.
    pub on: Vec<Route>,
    /// The first N posts get HTTP 500 after their body is read; nothing is stored.
    pub fail_first: u32,
    /// Posts K whose connection is reset (RST) before the body is read; nothing is stored.
    pub reset_before: Vec<u32>,
    /// Posts K that are taken, after which the connection closes without a reply.
    pub drop_after: Vec<u32>,
    /// Posts K that are taken and then answered with HTTP 500.
    pub error_after: Vec<u32>,
    /// Posts K that are taken and then answered with HTTP 200 and a body that is not JSON.
    pub garbage_after: Vec<u32>,
    /// Wait this long before the reply to requests `slow` (every numbered request when
    /// `slow` is empty), after applying it.
    pub delay: Duration,
    /// Requests K whose reply waits `delay`.
    pub slow: Vec<u32>,
    /// Requests K held `late_by` before they are applied and answered.
    pub late: Vec<u32>,
    /// How long a `late` request is held.
    pub late_by: Duration,
}

impl Faults {
    /// Whether requests to `route` are numbered and faulted.
    pub fn counts(&self, route: Route) -> bool {
        fault_spec::counts(&self.on, route, Route::Call)
    }

    /// Whether request `k`'s reply waits.
    pub fn is_slow(&self, k: u32) -> bool {
        fault_spec::is_slow(self.delay, &self.slow, k)
    }
}

pub use crate::provider::fault_spec::FaultsParseError;

/// How a spec looks, for errors.
const EXAMPLE: &str = "on=call+delete,fail-first=2,reset=3,drop=5,error=6,garbage=7,delay=200ms";

/// `key=value` items separated by commas: `on=` with `call`, `list`, `delete` joined by `+`;
/// `fail-first=N`, `reset=K`, `drop=K`, `error=K`, `garbage=K`, `slow=K`, `late=K`
/// (repeatable, or several joined by `+`); `delay=` and `late-by=` like `200ms` or `2s`.
impl FromStr for Faults {
    type Err = FaultsParseError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut faults = Faults::default();
        for item in fault_spec::items(spec, EXAMPLE) {
            let item = item?;
            match item.key {
                "on" => faults.on.extend(item.named(
                    &[Route::Call, Route::List, Route::Delete],
                    Route::name,
                    "requests are call, list, delete",
                )?),
                "fail-first" => faults.fail_first = item.count()?,
                "reset" => faults.reset_before.extend(item.numbers()?),
                "drop" => faults.drop_after.extend(item.numbers()?),
                "error" => faults.error_after.extend(item.numbers()?),
                "garbage" => faults.garbage_after.extend(item.numbers()?),
                "delay" => faults.delay = item.duration()?,
                "slow" => faults.slow.extend(item.numbers()?),
                "late" => faults.late.extend(item.numbers()?),
                "late-by" => faults.late_by = item.duration()?,
                _ => return Err(item.unknown()),
            }
        }
        Ok(faults)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_compact_spec() {
        let f: Faults = "fail-first=1,reset=2,drop=3+4,error=5,garbage=6,delay=20ms"
            .parse()
            .unwrap();
        assert_eq!(
            f,
            Faults {
                fail_first: 1,
                reset_before: vec![2],
                drop_after: vec![3, 4],
                error_after: vec![5],
                garbage_after: vec![6],
                delay: Duration::from_millis(20),
                ..Faults::default()
            }
        );
        let f: Faults = "on=delete+list,slow=2,late=3+4,late-by=1s,delay=5ms"
            .parse()
            .unwrap();
        assert_eq!(f.on, [Route::Delete, Route::List]);
        assert!(f.counts(Route::Delete) && !f.counts(Route::Call));
        assert!(Faults::default().counts(Route::Call));
        assert!(f.is_slow(2) && !f.is_slow(3));
        assert_eq!((f.late, f.late_by), (vec![3, 4], Duration::from_secs(1)));
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
        for bad in ["garbage=0", "drop", "explode=1", "delay=5", "on=call+ring"] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }
}
