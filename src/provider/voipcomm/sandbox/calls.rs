//! The calls the stand-in took: where each stands, who answered, what it billed.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

/// Where a call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    /// Waiting for its `call_date`.
    Scheduled,
    /// Being dialled.
    Dialling,
    /// Finished; see the outcome.
    Ended,
    /// Deleted before it was dialled.
    Deleted,
}

/// Who (or what) answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A person: the `answer_` options ran.
    Person,
    /// Voicemail: the `answermachine_` options ran.
    Machine,
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
}

/// One call the stand-in accepted.
#[derive(Clone, Debug, Serialize)]
pub struct SandboxCall {
    /// The stand-in's unique callid.
    pub callid: String,
    /// The number called.
    pub to: String,
    /// Every parameter as posted.
    pub params: BTreeMap<String, String>,
    /// Where the call stands.
    pub status: CallStatus,
    /// Who answered, once ended.
    pub outcome: Option<Outcome>,
    /// Seconds billed, once ended.
    pub billed_seconds: u32,
    /// The SMS sent when a machine answered.
    pub sms: Option<String>,
    /// Whether the callback was delivered (`None`: none configured, or not yet ended).
    pub callback_delivered: Option<bool>,
    /// Which make-calls request (K) carried it.
    pub request: u32,
    #[serde(skip)]
    pub(super) due: Option<Instant>,
}

/// The outcome a number gets: by its last digit, so tests and demos can pick one.
pub(super) fn outcome_for(to: &str) -> Outcome {
    match to.bytes().last() {
        Some(b'7') => Outcome::Machine,
        Some(b'8') => Outcome::NoAnswer,
        Some(b'9') => Outcome::Busy,
        _ => Outcome::Person,
    }
}

/// Ends a call that was dialling: its outcome, seconds billed and SMS.
pub(super) fn end(call: &mut SandboxCall) {
    let outcome = outcome_for(&call.to);
    call.status = CallStatus::Ended;
    call.outcome = Some(outcome);
    let text_len = |keys: &[&str]| -> u32 {
        keys.iter()
            .filter_map(|k| call.params.get(*k))
            .map(|v| v.len() as u32)
            .sum()
    };
    call.billed_seconds = match outcome {
        // About 15 characters a second of speech, at least 6 seconds.
        Outcome::Person => 6 + text_len(&["answer_speak", "answer_tts"]) / 15,
        Outcome::Machine => 6 + text_len(&["answermachine_speak", "answermachine_tts"]) / 15,
        Outcome::NoAnswer | Outcome::Busy => 0,
    };
    if outcome == Outcome::Machine {
        call.sms = call.params.get("answermachine_sms").cloned();
    }
}

/// A callid unique to this stand-in: 27 hex digits like the page's example, from the request
/// number and the number called.
pub(super) fn callid(k: u32, params: &BTreeMap<String, String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in params["to"].bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{k:011x}{:016x}", hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn outcomes_follow_the_last_digit() {
        assert_eq!(outcome_for("18185550100"), Outcome::Person);
        assert_eq!(outcome_for("18185550107"), Outcome::Machine);
        assert_eq!(outcome_for("18185550108"), Outcome::NoAnswer);
        assert_eq!(outcome_for("18185550109"), Outcome::Busy);
        let p = form(&[("to", "18185550100")]);
        assert_ne!(callid(1, &p), callid(2, &p));
        assert_eq!(callid(1, &p).len(), 27);
    }
}
