//! The results report: each recipient of a campaign joined with what the journal says was
//! sent and what the store says became of the call, with the counts `report` shows.
//!
//! The recipients are streamed (a CSV contact list is read as the report goes) and each one's
//! row is looked up in the store as it comes (see `rows.rs`), so memory holds the counts,
//! never the recipient list or the store's rows.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::error::StoreError;
use super::record::{Clock, RecipientResult, Status};
use super::rows::Rows;
use super::store::Store;
use crate::campaign::model::{PromptContent, Recipient};
use crate::diagnostic::Problem;
use crate::journal::JournalState;
use crate::plan::{self, Action};
use crate::prepared::Prepared;

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
    /// [`Status::Removed`].
    pub removed: u64,
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
            Status::Removed => self.removed,
            Status::NeverSent => self.never_sent,
        }
    }

    /// Counts one recipient of `status`.
    pub fn add(&mut self, status: Status) {
        *match status {
            Status::Reached => &mut self.reached,
            Status::NotReached => &mut self.not_reached,
            Status::Pending => &mut self.pending,
            Status::Unknown => &mut self.unknown,
            Status::InDoubt => &mut self.in_doubt,
            Status::Removed => &mut self.removed,
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

/// Reached recipients by who answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReachedBy {
    /// A person answered (the provider said so).
    pub person: u64,
    /// An answering machine or voicemail took the message.
    pub machine: u64,
    /// The provider did not say who answered.
    pub unsaid: u64,
}

/// The statuses a person should look at, recipient by recipient (the HTML page's table).
pub const ATTENTION: [Status; 4] = [
    Status::NotReached,
    Status::Unknown,
    Status::InDoubt,
    Status::Removed,
];

/// Recipients the HTML page lists by name; past this it says how many more there are (the
/// CSV and JSON formats list everyone). Keeps the report's memory bounded.
const ATTENTION_ROWS: usize = 2000;

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
    /// Reached recipients by who answered.
    pub reached_by: ReachedBy,
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
    /// The first recipients with a status of [`ATTENTION`], in campaign order (for the HTML
    /// page; the JSON and CSV rows carry everyone).
    #[serde(skip)]
    pub attention: Vec<RecipientResult>,
    /// Recipients of those statuses past the first ones.
    #[serde(skip)]
    pub attention_more: u64,
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
    campaign: &Prepared,
    journal: &JournalState,
    store: &Store,
    on: &mut dyn FnMut(&Recipient, &RecipientResult) -> io::Result<()>,
) -> Result<Summary, ResultsError> {
    let key = campaign.provider().name().key();
    let clock = Clock::of(campaign);
    let mut rows = Rows::open(store, key, &campaign.name)?;
    let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
    let mut tally = Tally::default();
    for post in plan::posts(campaign, Action::Query) {
        let post = post.map_err(|p| ResultsError::Recipients(Box::new(p)))?;
        for r in post.body.recipients() {
            let number = r.number.as_str();
            let result = match rows.find(&r.callid, number)? {
                Some(row) => RecipientResult::from_row(&clock, number, &r.callid, &prompts, row),
                None => RecipientResult::bare(
                    number,
                    &r.callid,
                    Status::of_journal(journal.call(&r.callid, number)),
                ),
            };
            tally.add(&clock, &result);
            on(r, &result)?;
        }
    }
    let unmatched = rows.unmatched()?;
    Ok(tally.finish(campaign, key, &prompts, unmatched))
}

/// What the results store says of the call `callid` to `number` of `campaign`, as `report`
/// shows it; `None` when it has no row.
pub fn stored_result(
    store: &Store,
    campaign: &Prepared,
    callid: &str,
    number: &str,
) -> Result<Option<RecipientResult>, StoreError> {
    let key = campaign.provider().name().key();
    let prompts: Vec<u32> = campaign.prompts.iter().map(|p| p.id).collect();
    let clock = Clock::of(campaign);
    let row = Rows::open(store, key, &campaign.name)?.find(callid, number)?;
    Ok(row.map(|row| RecipientResult::from_row(&clock, number, callid, &prompts, row)))
}

/// The counts of a report as its recipients go by.
#[derive(Default)]
struct Tally {
    recipients: u64,
    counts: StatusCounts,
    reached_by: ReachedBy,
    reasons: BTreeMap<String, u64>,
    pressed: BTreeMap<u32, BTreeMap<String, u64>>,
    times: BTreeMap<jiff::civil::DateTime, (u64, u64)>,
    untimed: u64,
    attention: Vec<RecipientResult>,
    attention_more: u64,
}

impl Tally {
    fn add(&mut self, clock: &Clock<'_>, result: &RecipientResult) {
        self.recipients += 1;
        self.counts.add(result.status);
        // The keys that count at a prompt are the last pressed there.
        let mut last: BTreeMap<u32, &str> = BTreeMap::new();
        for k in &result.keypresses {
            last.insert(k.prompt, &k.keys);
        }
        for (prompt, keys) in last {
            *self
                .pressed
                .entry(prompt)
                .or_default()
                .entry(keys.to_owned())
                .or_default() += 1;
        }
        match result.status {
            Status::Reached => match result.answered_by.as_deref() {
                Some("human") => self.reached_by.person += 1,
                Some("machine") => self.reached_by.machine += 1,
                _ => self.reached_by.unsaid += 1,
            },
            Status::NotReached => {
                let reason = result.reason.as_deref().unwrap_or("no reason given");
                *self.reasons.entry(reason.to_owned()).or_default() += 1;
            }
            _ => {}
        }
        if ATTENTION.contains(&result.status) {
            if self.attention.len() < ATTENTION_ROWS {
                self.attention.push(result.clone());
            } else {
                self.attention_more += 1;
            }
        }
        if matches!(result.status, Status::Reached | Status::NotReached) {
            match result.provider_time.as_deref().and_then(|t| clock.civil(t)) {
                Some(at) => {
                    let minute = at.with().second(0).subsec_nanosecond(0).build();
                    let slot = self.times.entry(minute.unwrap_or(at)).or_default();
                    if result.status == Status::Reached {
                        slot.0 += 1;
                    } else {
                        slot.1 += 1;
                    }
                }
                None => self.untimed += 1,
            }
        }
    }

    fn finish(
        mut self,
        campaign: &Prepared,
        key: &'static str,
        prompts: &[u32],
        unmatched: u64,
    ) -> Summary {
        let counts = self.counts;
        Summary {
            campaign: campaign.name.clone(),
            provider: key,
            recipients: self.recipients,
            sent: self.recipients - counts.never_sent,
            dialled: counts.reached + counts.not_reached,
            retry: counts.not_reached + counts.never_sent,
            counts,
            reached_by: self.reached_by,
            reasons: by_count(self.reasons),
            keypresses: prompts
                .iter()
                .map(|&prompt| {
                    let keys = by_count(self.pressed.remove(&prompt).unwrap_or_default());
                    PromptKeys {
                        prompt,
                        pressed: keys.iter().map(|k| k.count).sum(),
                        keys,
                    }
                })
                .collect(),
            period: period_name(period_of(&self.times)),
            timeline: timeline(&self.times),
            untimed: self.untimed,
            unmatched,
            attention: self.attention,
            attention_more: self.attention_more,
        }
    }
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
    pub fn new(out: W, campaign: &Prepared) -> io::Result<Self> {
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
    fn only_the_not_reached_and_the_never_sent_are_tried_again() {
        let retried: Vec<_> = Status::ALL.into_iter().filter(|s| s.retry()).collect();
        assert_eq!(retried, [Status::NotReached, Status::NeverSent]);
    }
}
