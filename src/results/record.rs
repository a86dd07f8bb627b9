//! The result model `query` and `report` share: one record per recipient, with the same
//! fields and names whichever command made it (the `"type":"result"` record of the JSON
//! stream, validated against `schemas/result.schema.json`).
//!
//! A `report` record comes from the results store (see `rows.rs`); a `query` record from the
//! provider's reply joined with the journal. Times are RFC 3339 in UTC (`called_at`), with the
//! provider's own text beside them (`provider_time`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::rows::Row;
use crate::journal::CallState;
use crate::outcome::Outcome;
use crate::provider::{Provider, Reach};
use crate::submit::CallReport;

/// The reason stored for a call the provider holds for the campaign that outdial did not
/// place.
pub const NOT_SENT_BY_OUTDIAL: &str = "not sent by outdial";

/// Where one recipient stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The provider says someone (or a machine) answered.
    Reached,
    /// The provider dialled and gave up (busy, no answer, failed).
    NotReached,
    /// Sent and accepted, no final word from the provider yet.
    Pending,
    /// The provider said something outdial does not recognise (kept in `provider_status`):
    /// not retried, since the call may have reached the person.
    Unknown,
    /// Posted without a clear answer: the provider may or may not hold the call (settle it
    /// with `send`'s lookup or `resolve` before trying again).
    InDoubt,
    /// The provider took the call and no longer holds it (removed by `delete`, or deleted by
    /// the provider once made): not retried, since it may have been made.
    Removed,
    /// Never sent, or known not taken by the provider.
    NeverSent,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 7] = [
        Status::Reached,
        Status::NotReached,
        Status::Pending,
        Status::Unknown,
        Status::InDoubt,
        Status::Removed,
        Status::NeverSent,
    ];

    /// The word reports use (`not-reached`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reached => "reached",
            Status::NotReached => "not-reached",
            Status::Pending => "pending",
            Status::Unknown => "unknown",
            Status::InDoubt => "in-doubt",
            Status::Removed => "removed",
            Status::NeverSent => "never-sent",
        }
    }

    /// What the status means, in a sentence fragment for people.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::Reached => "answered, by a person or a machine",
            Status::NotReached => "dialled, nobody answered (busy, no answer, failed)",
            Status::Pending => "accepted by the provider, no outcome yet",
            Status::Unknown => "the provider's answer is not one outdial recognises; see its words",
            Status::InDoubt => "posted without a clear answer; settle before trying again",
            Status::Removed => "taken, then removed (delete, or deleted once made); not retried",
            Status::NeverSent => "not sent, or not taken by the provider",
        }
    }

    /// Whether the recipient belongs in the list to try again: not reached, or never sent.
    /// Calls in doubt are left out (the provider may hold them: trying again could call
    /// twice), pending calls are still the provider's, and unknown or removed calls may have
    /// reached the person.
    pub fn retry(self) -> bool {
        matches!(self, Status::NotReached | Status::NeverSent)
    }

    /// The status of a stored outcome.
    pub(super) fn of(outcome: Outcome) -> Status {
        match outcome {
            Outcome::Reached => Status::Reached,
            Outcome::NotReached => Status::NotReached,
            Outcome::Pending => Status::Pending,
            Outcome::Unknown => Status::Unknown,
            Outcome::Removed => Status::Removed,
        }
    }

    /// The status of a call the results store has no row for, from what the journal says
    /// of it.
    pub fn of_journal(call: Option<CallState>) -> Status {
        match call {
            Some(CallState::Accepted) => Status::Pending,
            Some(CallState::InDoubt) => Status::InDoubt,
            Some(CallState::NotTaken) | None => Status::NeverSent,
        }
    }
}

/// Keys pressed at one prompt (one entry per keypress when the provider reported them one by
/// one, in the order pressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptKey {
    /// The prompt id.
    pub prompt: u32,
    /// The keys, as the provider wrote them.
    pub keys: String,
}

/// One recipient's result, as `query` and `report` both show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientResult {
    /// The number, as the journal keys it.
    pub number: String,
    /// The call id.
    pub callid: String,
    /// Where it stands.
    pub status: Status,
    /// The provider's own status word, verbatim, when it reported one.
    pub provider_status: Option<String>,
    /// Why it was not reached (or why it stands as it does), in the provider's words.
    pub reason: Option<String>,
    /// Seconds on the line.
    pub duration: Option<u32>,
    /// `human` or `machine`, when the provider says.
    pub answered_by: Option<String>,
    /// How many times the provider dialled, when it says.
    pub attempts: Option<u32>,
    /// When the call took place, RFC 3339 in UTC, when the provider's time could be read.
    pub called_at: Option<String>,
    /// When the call took place, as the provider wrote it.
    pub provider_time: Option<String>,
    /// Which kind of report the result came from (`summary`, `callback`, `query`, `event`).
    pub source: Option<&'static str>,
    /// Keys pressed, in prompt order, then in the order pressed.
    pub keypresses: Vec<PromptKey>,
    /// Answers an IVR application collected (the Voicent Gateway's responses), by name.
    pub responses: BTreeMap<String, String>,
    /// A voicemail recording saved by `listen`, relative to the results store's folder.
    pub recording: Option<String>,
    /// A call the provider holds for the campaign that this campaign's journal never sent
    /// (found by `query --all`); its reason says so too. Written only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_sent_by_outdial: bool,
}

impl RecipientResult {
    /// A recipient with nothing known of its call but `status`.
    pub(super) fn bare(number: &str, callid: &str, status: Status) -> Self {
        RecipientResult {
            number: number.to_owned(),
            callid: callid.to_owned(),
            status,
            provider_status: None,
            reason: None,
            duration: None,
            answered_by: None,
            attempts: None,
            called_at: None,
            provider_time: None,
            source: None,
            keypresses: Vec::new(),
            responses: BTreeMap::new(),
            recording: None,
            not_sent_by_outdial: false,
        }
    }

    /// A recipient's result from its row in the store.
    pub(super) fn from_row(
        clock: &Clock<'_>,
        number: &str,
        callid: &str,
        prompts: &[u32],
        row: Row,
    ) -> Self {
        let mut result = RecipientResult::bare(number, callid, Status::of(row.outcome));
        result.provider_status = Some(row.status);
        result.reason = row.reason;
        result.duration = row.duration;
        result.answered_by = row.answered_by.map(str::to_owned);
        result.attempts = row.attempts;
        result.called_at = row.called_at.as_deref().and_then(|t| clock.utc(t));
        result.provider_time = row.called_at;
        result.source = Some(row.source.as_str());
        // Prompts in the campaign's order; keys at a prompt the campaign no longer has are
        // left out, as before.
        for &prompt in prompts {
            result.keypresses.extend(
                row.keys
                    .iter()
                    .filter(|(p, k)| *p == prompt && !k.is_empty())
                    .map(|(_, keys)| PromptKey {
                        prompt,
                        keys: keys.clone(),
                    }),
            );
        }
        result.responses = row.responses.into_iter().collect();
        result.recording = row.recording;
        result
    }

    /// A recipient's result from a query's reply, joined with what the journal says of the
    /// call (`journal`): a call the provider does not know is `removed` when the journal says
    /// the provider took it, `in-doubt` or `never-sent` otherwise.
    pub fn from_report(
        provider: &dyn Provider,
        clock: &Clock<'_>,
        journal: Option<CallState>,
        report: &CallReport,
    ) -> Self {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let status = match report.result {
            Reach::Reached => Status::Reached,
            Reach::NotReached => Status::NotReached,
            Reach::Pending => Status::Pending,
            Reach::Unknown => Status::Unknown,
            Reach::NotFound => match Status::of_journal(journal) {
                Status::Pending => Status::Removed,
                other => other,
            },
        };
        let mut result = RecipientResult::bare(&report.number, &report.callid, status);
        result.provider_status = text(&report.status);
        // The provider's detail says why a call failed (`Busy`, `No Answer`) or why it stands
        // as it does; its status word is the reason when there is no detail.
        let reason = match status {
            Status::Reached | Status::Pending => None,
            Status::NotReached => text(&report.comment).or_else(|| text(&report.status)),
            _ => text(&report.comment),
        };
        // A call outdial did not place (found by `query --all`) says so where a person reads
        // why: its reason.
        result.reason = match (report.not_sent_by_outdial, reason) {
            (false, reason) => reason,
            (true, None) => Some(NOT_SENT_BY_OUTDIAL.to_owned()),
            (true, Some(why)) => Some(format!("{NOT_SENT_BY_OUTDIAL}; {why}")),
        };
        result.not_sent_by_outdial = report.not_sent_by_outdial;
        result.duration = report.duration;
        result.answered_by = provider.answered_by(&report.comment).map(str::to_owned);
        result.attempts = report.attempts;
        result.called_at = clock.utc(&report.dateandtime);
        result.provider_time = text(&report.dateandtime);
        result.source = Some("query");
        result.keypresses = report
            .keypresses
            .iter()
            .filter(|(_, k)| !k.is_empty())
            .map(|(prompt, keys)| PromptKey {
                prompt: *prompt,
                keys: keys.clone(),
            })
            .collect();
        result.responses = report.responses.clone();
        result
    }
}

/// How a provider's times read: its own format, on its clock (the provider's zone, else the
/// campaign's, else this machine's), turned into RFC 3339 in UTC.
pub struct Clock<'a> {
    provider: &'a dyn Provider,
    zone: jiff::tz::TimeZone,
}

impl<'a> Clock<'a> {
    /// The clock of `campaign`'s provider.
    pub fn of(campaign: &'a crate::prepared::Prepared) -> Self {
        let zone = campaign.timezone.as_ref().map(|z| z.tz.clone());
        Clock::with(campaign.provider(), zone)
    }

    /// The clock of `provider`, with `zone` (the campaign's) when the provider names none.
    pub(super) fn with(provider: &'a dyn Provider, zone: Option<jiff::tz::TimeZone>) -> Self {
        let zone = provider
            .result_zone()
            .or(zone)
            .unwrap_or_else(jiff::tz::TimeZone::system);
        Clock { provider, zone }
    }

    /// The provider's time `text` on its own clock, when it can be read: its own format, or
    /// RFC 3339 / ISO 8601 (how `listen` and providers without a format of their own store
    /// times).
    pub(super) fn civil(&self, text: &str) -> Option<jiff::civil::DateTime> {
        let text = text.trim();
        if let Ok(t) = text.parse::<jiff::Timestamp>() {
            return Some(t.to_zoned(self.zone.clone()).datetime());
        }
        self.provider
            .result_time(text)
            .or_else(|| text.parse::<jiff::civil::DateTime>().ok())
    }

    /// The provider's time `text` as RFC 3339 in UTC (`2026-06-01T21:02:10Z`).
    pub fn utc(&self, text: &str) -> Option<String> {
        let text = text.trim();
        let instant = match text.parse::<jiff::Timestamp>() {
            Ok(t) => t,
            Err(_) => self
                .civil(text)?
                .to_zoned(self.zone.clone())
                .ok()?
                .timestamp(),
        };
        Some(instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
    }
}
