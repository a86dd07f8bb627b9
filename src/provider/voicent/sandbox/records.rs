//! The call records the sandbox keeps, as the gateway does, and the status page each
//! shows over time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::faults::Faults;

/// A call request the sandbox took (kept after removal, for tests to count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The reqId it got.
    pub reqid: String,
    /// `phoneno` as sent.
    pub phoneno: String,
    /// The form fields as received, in order.
    pub form: Vec<(String, String)>,
}

impl Taken {
    /// The value of form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One call record: the request taken, and when its attempts are due.
#[derive(Debug)]
pub(super) struct Record {
    pub(super) taken: Taken,
    pub(super) due: Instant,
    pub(super) selfdelete: bool,
    pub(super) ivr: bool,
    /// The wall-clock minute of the request, as the gateway writes times.
    pub(super) requested: String,
}

/// Everything the sandbox holds.
#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) records: BTreeMap<u64, Record>,
    pub(super) taken: Vec<Taken>,
    pub(super) call_requests: u32,
    pub(super) last_reqid: u64,
    /// The faults injected now, and how many requests they have numbered.
    pub(super) faults: Faults,
    pub(super) faulted: u32,
}

/// `YYYY M D H m` with the month counted from 0, as the gateway's Java `Calendar` writes it.
pub(super) fn gateway_time(at: jiff::Timestamp) -> String {
    let t = at.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{} {} {} {} {}",
        t.year(),
        t.month() - 1,
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// One attempt record: ten fields, each ending in `^`.
fn record(status: &str, at: &str, requested: &str, reason: &str, responses: &str) -> String {
    format!("0^null^{status}^{at}^{requested}^{reason}^^^{responses}^^")
}

impl State {
    /// The status page of `reqid` at `now`, deleting self-deleting records once final.
    pub(super) fn status(&mut self, reqid: u64, now: Instant, dial: Duration) -> String {
        let Some(r) = self.records.get(&reqid) else {
            return format!("ERROR: no such call record: {reqid}");
        };
        let wall = |at: Instant| {
            let ago = now.saturating_duration_since(at);
            gateway_time(
                jiff::Timestamp::now() - jiff::SignedDuration::try_from(ago).unwrap_or_default(),
            )
        };
        let first = r.due + dial;
        if now < first {
            return "<html><body>[\n]</body></html>".into();
        }
        let (attempts, final_) = attempts(r, first, dial, now, wall);
        if final_ && r.selfdelete {
            self.records.remove(&reqid);
            return format!("ERROR: no such call record: {reqid}");
        }
        format!("<html><body>[{}\n]</body></html>", attempts.concat())
    }
}

/// The attempt records of call `r` by `now`, and whether the last is final. The outcome
/// follows the number's last digit: 6 a machine, 7 no answer then a person a retry later,
/// 8 busy, 9 no answer, else a person.
fn attempts(
    r: &Record,
    first: Instant,
    dial: Duration,
    now: Instant,
    wall: impl Fn(Instant) -> String,
) -> (Vec<String>, bool) {
    let digit = r.taken.phoneno.bytes().last().unwrap_or(b'0');
    let answer = if r.ivr { "confirm=1" } else { "" };
    let once = |status: &str, reason: &str, responses: &str| {
        (
            vec![record(
                status,
                &wall(first),
                &r.requested,
                reason,
                responses,
            )],
            true,
        )
    };
    match digit {
        b'6' => once("made", "Message left on answering machine", ""),
        b'7' => {
            let mut attempts = vec![record(
                "retry",
                &wall(first),
                &r.requested,
                "No answer. Try in 1 minute ",
                "",
            )];
            let second = first + dial;
            if now >= second {
                attempts.push(record(
                    "made",
                    &wall(second),
                    &r.requested,
                    "Call succeeded",
                    answer,
                ));
                (attempts, true)
            } else {
                (attempts, false)
            }
        }
        b'8' => once("failed", "Line Busy", ""),
        b'9' => once("failed", "No Answer", ""),
        _ => once("made", "Call succeeded", answer),
    }
}
