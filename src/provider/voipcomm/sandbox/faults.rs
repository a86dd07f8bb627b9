//! Injected transport faults, spelled like the VoiceShot sandbox's, plus `garbage`.

use std::str::FromStr;

use crate::provider::fault_spec;
use std::time::Duration;

/// Faults the stand-in injects into make-calls posts.
///
/// Request numbers `K` count POSTs to the make-calls path from 1, in the order their heads
/// arrive. `fail_first` and `reset_before` store nothing; `drop_after`, `error_after`,
/// `garbage_after` and a `delay` beyond the client's timeout store the call and then leave
/// the client without a clear answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
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
    /// Wait this long before every reply to a make-calls post (after storing the call).
    pub delay: Duration,
}

pub use crate::provider::fault_spec::FaultsParseError;

/// How a spec looks, for errors.
const EXAMPLE: &str = "fail-first=2,reset=3,drop=5,error=6,garbage=7,delay=200ms";

/// `key=value` items separated by commas: `fail-first=N`, `reset=K`, `drop=K`, `error=K`,
/// `garbage=K` (repeatable, or several joined by `+`), `delay=200ms` or `delay=2s`.
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
                "garbage" => faults.garbage_after.extend(item.numbers()?),
                "delay" => faults.delay = item.duration()?,
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
            }
        );
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
        for bad in ["garbage=0", "drop", "explode=1", "delay=5"] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }
}
