//! The results report: each recipient of a campaign joined with what the journal says was
//! sent and what the store says became of the call, with the counts `report` shows.
//!
//! The recipients are streamed (a CSV contact list is read as the report goes) and each one's
//! row is looked up in the store as it comes (see `rows.rs`), so memory holds the counts,
//! never the recipient list or the store's rows.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::rows::Rows;
use super::store::{Outcome, Store, StoreError};
use crate::campaign::{Campaign, PromptContent, Recipient};
use crate::diagnostic::Problem;
use crate::journal::{CallState, JournalState};
use crate::plan::{self, Action};

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
    /// Never sent, or known not taken by the provider.
    NeverSent,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 6] = [
        Status::Reached,
        Status::NotReached,
        Status::Pending,
        Status::Unknown,
        Status::InDoubt,
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
            Status::NeverSent => "not sent, or not taken by the provider",
        }
    }

    /// Whether the recipient belongs in the list to try again: not reached, or never sent.
    /// Calls in doubt are left out (the provider may hold them: trying again could call
    /// twice), and pending calls are still the provider's.
    pub fn retry(self) -> bool {
        matches!(self, Status::NotReached | Status::NeverSent)
    }
}

/// Keys pressed at one prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptKey {
    /// The prompt id.
    pub prompt: u32,
    /// The keys, as the provider wrote them.
    pub keys: String,
}

/// One recipient in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientResult {
    /// The number, as the journal keys it.
    pub number: String,
    /// The call id.
    pub callid: String,
    /// Where it stands.
    pub status: Status,
    /// The provider's own status word, when it reported one.
    pub provider_status: Option<String>,
    /// Why it was not reached, in the provider's words.
    pub reason: Option<String>,
    /// Seconds on the line.
    pub duration: Option<u32>,
    /// `human` or `machine`, when the provider says.
    pub answered_by: Option<String>,
    /// How many times the provider dialled, when it says (the Voicent Gateway's status
    /// records).
    pub attempts: Option<u32>,
    /// When the provider says the call took place, as it wrote it.
    pub called_at: Option<String>,
    /// Which kind of report the result came from (`summary`, `callback`, `query`, `event`).
    pub source: Option<&'static str>,
    /// Keys pressed, per prompt, in prompt order.
    pub keypresses: Vec<PromptKey>,
}

/// Recipients per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    /// [`Status::Reached`].
    pub reached: u64,
    /// [`Status::NotReached`].
    pub not_reached: u64,
    /// [`Status::Pending`].
    pub pending: u64,
    /// [`Status::Unknown`].
    pub unknown: u64,
    /// [`Status::InDoubt`].
    pub in_doubt: u64,
    /// [`Status::NeverSent`].
    pub never_sent: u64,
}

impl StatusCounts {
    /// The count of `status`.
    pub fn get(&self, status: Status) -> u64 {
        match status {
            Status::Reached => self.reached,
            Status::NotReached => self.not_reached,
            Status::Pending => self.pending,
            Status::Unknown => self.unknown,
            Status::InDoubt => self.in_doubt,
            Status::NeverSent => self.never_sent,
        }
    }

    fn add(&mut self, status: Status) {
        *match status {
            Status::Reached => &mut self.reached,
            Status::NotReached => &mut self.not_reached,
            Status::Pending => &mut self.pending,
            Status::Unknown => &mut self.unknown,
            Status::InDoubt => &mut self.in_doubt,
            Status::NeverSent => &mut self.never_sent,
        } += 1;
    }
}

/// How often one value occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyCount {
    /// The value (a key pressed, a reason).
    pub value: String,
    /// How many recipients.
    pub count: u64,
}

/// The keys pressed at one prompt, over all recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptKeys {
    /// The prompt id.
    pub prompt: u32,
    /// Recipients who pressed something there.
    pub pressed: u64,
    /// Each distinct key sequence and how many pressed it, most pressed first.
    pub keys: Vec<KeyCount>,
}

/// Dialled calls in one period of the provider's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The start of the period (`2026-06-01 14:05`, or a date for daily periods).
    pub start: String,
    /// Reached in it.
    pub reached: u64,
    /// Not reached in it.
    pub not_reached: u64,
}

/// The report's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The campaign's name.
    pub campaign: String,
    /// The provider's key (`voiceshot`).
    pub provider: &'static str,
    /// Recipients in the campaign.
    pub recipients: u64,
    /// Recipients per status.
    pub counts: StatusCounts,
    /// Recipients whose call was (or may have been) sent: all but `never-sent`.
    pub sent: u64,
    /// Recipients dialled: reached or not reached.
    pub dialled: u64,
    /// Recipients to try again (`not-reached` and `never-sent`).
    pub retry: u64,
    /// Why calls were not reached, most frequent first.
    pub reasons: Vec<KeyCount>,
    /// Keys pressed, per prompt of the campaign, in prompt order.
    pub keypresses: Vec<PromptKeys>,
    /// Dialled calls over time, in periods of 1, 5, 15 or 60 minutes, 6 hours or a day (the
    /// shortest that keeps it to 60 periods), empty periods included, on the provider's clock.
    pub timeline: Vec<Bucket>,
    /// How long each period of the timeline is (`1 minute`, `5 minutes`, … `1 day`).
    pub period: &'static str,
    /// Dialled calls without a time the report could read (the provider's own format, RFC
    /// 3339 or ISO 8601).
    pub untimed: u64,
    /// Rows of the store for this campaign that match none of its recipients (a recipient
    /// removed from the campaign since, say).
    pub unmatched: u64,
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The recipients could not be read again (a CSV changed since it was checked).
    #[error("{0}")]
    Recipients(Box<Problem>),
    /// Writing a recipient's row failed.
    #[error("writing the report failed: {0}")]
    Io(#[from] io::Error),
}

/// Builds the report of `campaign` from its journal's state and the store, handing each
/// recipient (with its result) to `on` as it goes, in campaign order.
pub fn build(
    campaign: &Campaign,
    journal: &JournalState,
    store: &Store,
    on: &mut dyn FnMut(&Recipient, &RecipientResult) -> io::Result<()>,
) -> Result<Summary, ResultsError> {
    let provider = campaign.provider();
    let key = provider.name().key();
    let mut rows = Rows::open(store, key, &campaign.name)?;
    let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
    let mut counts = StatusCounts::default();
    let mut recipients = 0;
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut pressed: BTreeMap<u32, BTreeMap<String, u64>> = BTreeMap::new();
    let mut times: BTreeMap<jiff::civil::DateTime, (u64, u64)> = BTreeMap::new();
    let mut untimed = 0;
    for post in plan::posts(campaign, Action::Query) {
        let post = post.map_err(|p| ResultsError::Recipients(Box::new(p)))?;
        for r in post.body.recipients() {
            recipients += 1;
            let number = r.number.as_str();
            let mut result = RecipientResult {
                number: number.to_owned(),
                callid: r.callid.clone(),
                status: Status::NeverSent,
                provider_status: None,
                reason: None,
                duration: None,
                answered_by: None,
                attempts: None,
                called_at: None,
                source: None,
                keypresses: Vec::new(),
            };
            match rows.find(&r.callid, number)? {
                Some(row) => {
                    result.status = match row.outcome {
                        Outcome::Reached => Status::Reached,
                        Outcome::NotReached => Status::NotReached,
                        Outcome::Pending => Status::Pending,
                        Outcome::Unknown => Status::Unknown,
                    };
                    result.provider_status = Some(row.status);
                    result.reason = row.reason;
                    result.duration = row.duration;
                    result.answered_by = row.answered_by.map(str::to_owned);
                    result.attempts = row.attempts;
                    result.called_at = row.called_at;
                    result.source = Some(row.source.as_str());
                    for &prompt in &prompts {
                        let Some((_, keys)) =
                            row.keys.iter().find(|(p, k)| *p == prompt && !k.is_empty())
                        else {
                            continue;
                        };
                        result.keypresses.push(PromptKey {
                            prompt,
                            keys: keys.to_string(),
                        });
                        *pressed
                            .entry(prompt)
                            .or_default()
                            .entry(keys.to_string())
                            .or_default() += 1;
                    }
                }
                None => {
                    result.status = match journal.call(&r.callid, number) {
                        Some(CallState::Accepted) => Status::Pending,
                        Some(CallState::InDoubt) => Status::InDoubt,
                        Some(CallState::NotTaken) | None => Status::NeverSent,
                    };
                }
            }
            counts.add(result.status);
            if result.status == Status::NotReached {
                let reason = result
                    .reason
                    .clone()
                    .unwrap_or_else(|| "no reason given".into());
                *reasons.entry(reason).or_default() += 1;
            }
            if matches!(result.status, Status::Reached | Status::NotReached) {
                match result
                    .called_at
                    .as_deref()
                    .and_then(|t| provider.result_time(t).or_else(|| iso_time(t)))
                {
                    Some(at) => {
                        let minute = at.with().second(0).subsec_nanosecond(0).build();
                        let slot = times.entry(minute.unwrap_or(at)).or_default();
                        if result.status == Status::Reached {
                            slot.0 += 1;
                        } else {
                            slot.1 += 1;
                        }
                    }
                    None => untimed += 1,
                }
            }
            on(r, &result)?;
        }
    }
    let unmatched = rows.unmatched()?;
    Ok(Summary {
        campaign: campaign.name.clone(),
        provider: key,
        recipients,
        sent: recipients - counts.never_sent,
        dialled: counts.reached + counts.not_reached,
        retry: counts.not_reached + counts.never_sent,
        counts,
        reasons: by_count(reasons),
        keypresses: prompts
            .iter()
            .map(|&prompt| {
                let keys = by_count(pressed.remove(&prompt).unwrap_or_default());
                PromptKeys {
                    prompt,
                    pressed: keys.iter().map(|k| k.count).sum(),
                    keys,
                }
            })
            .collect(),
        period: period_name(period_of(&times)),
        timeline: timeline(&times),
        untimed,
        unmatched,
    })
}

/// A time written as RFC 3339 (`2026-06-01T14:05:10Z`, read in UTC) or as an ISO 8601 civil
/// time (`2026-06-01T14:05:10`): how `listen` or a provider without its own format may store
/// `called_at`.
fn iso_time(text: &str) -> Option<jiff::civil::DateTime> {
    let text = text.trim();
    text.parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).datetime())
        .or_else(|_| text.parse::<jiff::civil::DateTime>())
        .ok()
}

/// Values with their counts, most frequent first (then by value, for a stable order).
fn by_count(counts: BTreeMap<String, u64>) -> Vec<KeyCount> {
    let mut list: Vec<KeyCount> = counts
        .into_iter()
        .map(|(value, count)| KeyCount { value, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    list
}

/// The periods a timeline may use, in minutes: the shortest that keeps it to
/// [`MAX_PERIODS`] periods is used.
const PERIODS: [i64; 6] = [1, 5, 15, 60, 360, 1440];
/// At most this many periods from the first call to the last (past that, a day each, and
/// only the days with calls).
const MAX_PERIODS: i64 = 60;

/// The length of the timeline's periods in minutes, for calls at `minutes`.
fn period_of(minutes: &BTreeMap<jiff::civil::DateTime, (u64, u64)>) -> i64 {
    let span = match (minutes.first_key_value(), minutes.last_key_value()) {
        (Some((first, _)), Some((last, _))) => first.duration_until(*last).as_secs() / 60,
        _ => 0,
    };
    PERIODS
        .into_iter()
        .find(|&p| span / p < MAX_PERIODS)
        .unwrap_or(1440)
}

/// How people call a period of `minutes`.
fn period_name(minutes: i64) -> &'static str {
    match minutes {
        1 => "1 minute",
        5 => "5 minutes",
        15 => "15 minutes",
        60 => "1 hour",
        360 => "6 hours",
        _ => "1 day",
    }
}

/// Counts per minute as periods from the first to the last, empty ones included.
fn timeline(minutes: &BTreeMap<jiff::civil::DateTime, (u64, u64)>) -> Vec<Bucket> {
    let (Some((&first, _)), Some((&last, _))) =
        (minutes.first_key_value(), minutes.last_key_value())
    else {
        return Vec::new();
    };
    let span = first.duration_until(last).as_secs() / 60;
    let step = period_of(minutes);
    let day = jiff::civil::DateTime::from(first.date());
    // The start of the period `t` falls in: whole periods counted from midnight.
    let start_of = |t: jiff::civil::DateTime| {
        let since = day.duration_until(t).as_secs() / 60;
        day.checked_add(jiff::Span::new().minutes(since - since.rem_euclid(step)))
            .unwrap_or(t)
    };
    let mut periods: BTreeMap<jiff::civil::DateTime, (u64, u64)> = BTreeMap::new();
    for (&t, &(reached, not)) in minutes {
        let slot = periods.entry(start_of(t)).or_default();
        slot.0 += reached;
        slot.1 += not;
    }
    let label = |t: jiff::civil::DateTime| {
        if step == 1440 {
            t.date().to_string()
        } else {
            t.strftime("%Y-%m-%d %H:%M").to_string()
        }
    };
    let bucket = |(t, (reached, not_reached)): (jiff::civil::DateTime, (u64, u64))| Bucket {
        start: label(t),
        reached,
        not_reached,
    };
    if span / step >= MAX_PERIODS {
        return periods.into_iter().map(bucket).collect();
    }
    let mut out = Vec::new();
    let mut t = start_of(first);
    while t <= last {
        out.push(bucket((t, periods.get(&t).copied().unwrap_or_default())));
        match t.checked_add(jiff::Span::new().minutes(step)) {
            Ok(next) => t = next,
            Err(_) => break,
        }
    }
    out
}

/// Writes the recipients to try again as a contacts CSV that a campaign's `csv` can name:
/// a `number` column, then one column per placeholder the prompts use, then `timezone` when
/// the campaign's contact list has one. No `callid` (the new
/// campaign derives its own, so its calls are told apart from these) and no `at` (a retry
/// is scheduled anew).
pub struct RetryWriter<W: Write> {
    csv: csv::Writer<W>,
    vars: Vec<String>,
    /// A `timezone` column, when the campaign's contact list has one (the calling rules
    /// then judge each row in its own zone, and a retry must too).
    timezone: bool,
}

/// Columns a contacts CSV reads for itself: a placeholder of that name is not written.
const RESERVED: [&str; 4] = ["number", "callid", "at", "timezone"];

impl<W: Write> RetryWriter<W> {
    /// Starts the CSV on `out` with its header row.
    pub fn new(out: W, campaign: &Campaign) -> io::Result<Self> {
        let mut vars: Vec<String> = Vec::new();
        for prompt in &campaign.prompts {
            if let PromptContent::Tts(template) = &prompt.content {
                for (name, _) in template.vars() {
                    if !RESERVED.contains(&name) && !vars.iter().any(|v| v == name) {
                        vars.push(name.to_owned());
                    }
                }
            }
        }
        let timezone = campaign.contacts.as_ref().is_some_and(|c| c.has_timezone());
        let mut csv = csv::WriterBuilder::new().from_writer(out);
        csv.write_record(
            std::iter::once("number")
                .chain(vars.iter().map(String::as_str))
                .chain(timezone.then_some("timezone")),
        )
        .map_err(io::Error::other)?;
        Ok(RetryWriter {
            csv,
            vars,
            timezone,
        })
    }

    /// Writes one recipient's row.
    pub fn write(&mut self, recipient: &Recipient) -> io::Result<()> {
        let values = self
            .vars
            .iter()
            .map(|name| recipient.vars.get(name).unwrap_or(""));
        let zone = self
            .timezone
            .then(|| recipient.timezone.as_deref().unwrap_or(""));
        self.csv
            .write_record(
                std::iter::once(recipient.number.as_str())
                    .chain(values)
                    .chain(zone),
            )
            .map_err(io::Error::other)
    }

    /// Flushes the CSV and gives the writer back.
    pub fn finish(self) -> io::Result<W> {
        self.csv
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timelines_fill_empty_periods_and_widen_them_with_the_span() {
        let t = |s: &str| s.parse::<jiff::civil::DateTime>().unwrap();
        let mut minutes = BTreeMap::new();
        minutes.insert(t("2026-06-01T14:02"), (2, 1));
        minutes.insert(t("2026-06-01T14:05"), (1, 0));
        let buckets = timeline(&minutes);
        assert_eq!(buckets.len(), 4, "{buckets:?}");
        assert_eq!(buckets[0].start, "2026-06-01 14:02");
        assert_eq!((buckets[1].reached, buckets[1].not_reached), (0, 0));
        assert_eq!(buckets[3].reached, 1);
        // Three hours: 5-minute periods from the one the first call falls in.
        minutes.insert(t("2026-06-01T17:01"), (0, 4));
        let buckets = timeline(&minutes);
        assert_eq!(buckets[0].start, "2026-06-01 14:00");
        assert_eq!((buckets[0].reached, buckets[0].not_reached), (2, 1));
        assert_eq!((buckets[1].reached, buckets[1].not_reached), (1, 0));
        assert_eq!(buckets.len(), 37);
        assert_eq!(buckets[36].not_reached, 4);
        // Four days: 6-hour periods; a year: only the days with calls.
        minutes.insert(t("2026-06-05T09:00"), (1, 0));
        assert_eq!(timeline(&minutes)[0].start, "2026-06-01 12:00");
        minutes.insert(t("2027-06-05T09:00"), (1, 0));
        let buckets = timeline(&minutes);
        assert_eq!(buckets.len(), 3);
        assert_eq!(buckets[0].start, "2026-06-01");
        assert_eq!((buckets[0].reached, buckets[0].not_reached), (3, 5));
        assert!(timeline(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn iso_times_are_read_for_any_provider() {
        assert_eq!(
            iso_time("2026-06-01T14:05:10Z").unwrap().to_string(),
            "2026-06-01T14:05:10"
        );
        assert_eq!(
            iso_time("2026-06-01T09:05:10-05:00").unwrap().to_string(),
            "2026-06-01T14:05:10"
        );
        assert_eq!(
            iso_time(" 2026-06-01T14:05 ").unwrap().to_string(),
            "2026-06-01T14:05:00"
        );
        for bad in ["", "6/1/2026 2:05:10 PM", "soon", "2026-13-01T00:00"] {
            assert!(iso_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_the_not_reached_and_the_never_sent_are_tried_again() {
        let retried: Vec<_> = Status::ALL.into_iter().filter(|s| s.retry()).collect();
        assert_eq!(retried, [Status::NotReached, Status::NeverSent]);
    }
}
