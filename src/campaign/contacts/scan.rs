//! The first pass: every recipient checked once, the CSV streamed through the row rules on
//! one thread and through the dedupe, suppression and call-id sets on another.
//!
//! [`scan`] goes in steps: the suppression lists ([`suppression`]), the campaign file's own
//! recipients ([`keep_inline`]), then the CSV ([`CsvScan::run`]): its rows are read and
//! checked by [`read_rows`] while [`Tally::add`] takes them in file order, and what they
//! showed is reported by [`super::report`].

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufReader;
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use csv::ByteRecord;
use jiff::{Timestamp, Zoned};

use super::cap::{CallHistory, Capped};
use super::dedupe::{CallIds, Seen};
use super::excerpt::Spot;
use super::header::{Columns, Header, columns};
use super::report::Report;
use super::rows::{NO_GROUP, RowError, Rules, TimeCheck};
use super::rules::{CallingRules, Closed, Placed, QuietDays, Verdict};
use super::suppress::suppression;
use super::window::{PastTimes, TimeChecks};
use super::{Contacts, Fingerprint, RecipientStats, SHOWN, Window, ZoneRules, open_error, reader};
use crate::callid;
use crate::campaign::file::{OnInvalid, RecipientsSection};
use crate::campaign::model::{LoadOptions, Prompt, Recipient, Zone};
use crate::diagnostic::{Problem, Problems};
use crate::phone::{NumberError, PhoneNumber, Region};
use crate::source::SourceFile;

/// Rows handed from the reading thread to the dedupe thread at a time.
const CHECK_BATCH: usize = 4096;

/// One row as the reading thread checked it: where it is, and what the checks said.
struct Checked {
    line: u64,
    byte: u64,
    end: u64,
    outcome: Result<Good, RowError>,
}

/// A row that passed the checks: the number, whether it is scheduled in the past, its call
/// id's hash (0 when call ids are not tracked), the zone group the calling rules judged it in,
/// and whether it was deferred.
struct Good {
    number: PhoneNumber,
    past: bool,
    id: u64,
    group: u16,
    deferred: bool,
    /// The zone table overruled the row's own `timezone`.
    overruled: bool,
}

/// A duplicate kept for showing.
pub(super) struct DupSpot {
    pub(super) spot: Spot,
    pub(super) number: PhoneNumber,
    pub(super) first: u64,
}

/// Everything [`scan`] needs from the validated campaign file.
pub(in crate::campaign) struct ScanInput<'a> {
    pub source: &'a Arc<SourceFile>,
    pub section: Option<&'a RecipientsSection>,
    pub header: Option<Header>,
    pub prefix: &'a str,
    pub zone: Option<&'a Zone>,
    pub default_at: Option<&'a Zoned>,
    pub prompts: &'a [Prompt],
    pub vars: &'a BTreeMap<String, String>,
    pub options: &'a LoadOptions,
    /// Inline recipients, already deduplicated among themselves.
    pub inline: Vec<Recipient>,
    /// Inline entries dropped as duplicates.
    pub inline_duplicates: u64,
    /// Inline entries read.
    pub inline_count: u64,
    /// From [`settings`](fn@super::settings).
    pub region: Region,
    /// From [`settings`](fn@super::settings).
    pub window: Option<Window>,
    /// From [`settings`](fn@super::settings).
    pub quiet: QuietDays,
    /// From [`settings`](fn@super::settings): `outside_window = "defer"`.
    pub defer: bool,
    /// From [`settings`](fn@super::settings).
    pub max_calls: Option<(u32, jiff::SignedDuration)>,
    /// The campaign's name (its own journal does not count against `max_calls`).
    pub name: &'a str,
    /// What other campaigns called, for `max_calls`.
    pub history: &'a dyn CallHistory,
    /// The provider's display name, for the messages that say what the provider does; the
    /// checks themselves name no provider.
    pub provider: &'static str,
    /// The provider's own rule for times: whether it would read one other than meant.
    pub time_check: Option<TimeCheck<'a>>,
    /// Whether the provider calls numbers abroad.
    pub abroad: bool,
    /// `allow_number_types`.
    pub allowed: crate::phone::NumberTypes,
}

/// The outcome of [`scan`].
pub(in crate::campaign) struct Scanned {
    pub inline: Vec<Recipient>,
    pub contacts: Option<Contacts>,
    pub stats: RecipientStats,
}

/// Checks everything about recipients that goes beyond one TOML value: region, window,
/// suppression lists, and every CSV row; removes suppressed inline recipients.
pub(in crate::campaign) fn scan(mut input: ScanInput<'_>, problems: &mut Problems) -> Scanned {
    let mut stats = RecipientStats {
        inline: input.inline_count,
        duplicates: input.inline_duplicates,
        ..RecipientStats::default()
    };
    let now = input.options.now.unwrap_or_else(Timestamp::now);
    let suppress = suppression(input.section, input.source, problems);
    stats.suppress_list = suppress.len() as u64;
    // A written window or quiet days without a zone were reported when the settings were
    // read; the protective hours need none.
    let judged = !input.options.rings_no_one && (input.window.is_some() || !input.quiet.is_empty());
    let calling = judged.then(|| {
        Arc::new(CallingRules::new(
            input.window,
            input.quiet.clone(),
            input.defer,
            now,
            input.default_at.cloned(),
            input.zone.cloned(),
        ))
    });
    let cap = input.max_calls.map(|(count, per)| {
        let mut capped = Capped::new(per, now);
        let mut count_call = |at, numbers: &[String]| capped.call(at, numbers);
        match input.history.calls_by_others(input.name, &mut count_call) {
            Ok(journals) => stats.journals = journals,
            Err(e) => problems.push(
                Problem::error(
                    "recipients::max-calls-store",
                    format!("max_calls cannot be checked: {e}"),
                )
                .in_file(input.source)
                .help("run again once the state store is reachable; nothing was sent"),
            ),
        }
        capped.at_least(count)
    });
    let given = std::mem::take(&mut input.inline);
    let header = input.header.take();
    let mut counts = RuleCounts::default();
    let sets = Sets {
        suppress: &suppress,
        capped: cap.as_ref(),
        calling: calling.as_deref(),
    };
    let inline = keep_inline(given, &input, now, &sets, &mut counts, &mut stats, problems);
    let contacts = header.and_then(|header| {
        let csv = CsvScan {
            input: &input,
            now,
            sets: &sets,
            calling: calling.clone(),
            inline: &inline.recipients,
            inline_spans: &inline.spans,
        };
        csv.run(header, inline.seen, &mut counts, &mut stats, problems)
    });
    stats.recipients += inline.recipients.len() as u64;
    counts.finish(calling.as_deref(), &mut stats, problems, input.source);
    Scanned {
        inline: inline.recipients,
        contacts,
        stats,
    }
}

/// The campaign file's own recipients that are called, and what the CSV is checked against.
struct Inline {
    recipients: Vec<Recipient>,
    /// Their numbers, as first seen in the campaign file (line 0).
    seen: Seen,
    /// Where each number is written, to name it when a CSV row repeats it.
    spans: HashMap<u64, Range<usize>>,
}

/// The campaign file's own recipients: times, then suppression, then the dedupe set.
fn keep_inline(
    given: Vec<Recipient>,
    input: &ScanInput<'_>,
    now: Timestamp,
    sets: &Sets<'_>,
    counts: &mut RuleCounts,
    stats: &mut RecipientStats,
    problems: &mut Problems,
) -> Inline {
    let suppress = sets.suppress;
    let mut seen = Seen::new();
    let mut spans: HashMap<u64, Range<usize>> = HashMap::new();
    let mut recipients = Vec::with_capacity(given.len());
    let times = TimeChecks {
        now,
        source: input.source,
        deny_past: input.options.deny_past,
        provider: input.provider,
    };
    let mut past = PastTimes::new(
        times,
        input.default_at,
        input.section.and_then(|s| s.at.as_ref()).map(|a| a.span()),
    );
    for mut r in given {
        let mut group = NO_GROUP;
        if let Some(rules) = sets.calling {
            // The zone was checked when the campaign file was validated.
            let placed;
            (group, placed) = rules
                .group(&r.number, r.timezone.as_deref())
                .unwrap_or((NO_GROUP, Placed::Table));
            if counts.placed(group, rules) && counts.first_unplaced.is_none() {
                counts.first_unplaced = Some((Arc::clone(input.source), r.span.clone()));
            }
            if placed == Placed::Overruled {
                problems.push(overruled(
                    1,
                    Some(&r.number),
                    r.timezone.as_deref().unwrap_or_default(),
                    &rules.label(group),
                    (input.source, r.span.clone(), None),
                ));
            }
            match rules.judge(group, r.at.as_ref()) {
                Verdict::Open => {}
                Verdict::Deferred(at) => {
                    if suppress.first(r.number.as_u64()).is_none()
                        && !sets.is_capped(r.number.as_u64())
                    {
                        counts.deferred(group);
                        stats.deferred += 1;
                    }
                    r.at = Some(at);
                }
                Verdict::Closed { rule, immediate } => {
                    let t = r.at.as_ref().map_or(now, Zoned::timestamp);
                    let why = match (rule, rules.window) {
                        (Closed::Window, Some(w)) => format!("outside the calling hours {w}"),
                        _ => "on a quiet day".to_string(),
                    };
                    let help = if immediate {
                        "set outside_window = \"defer\" in [recipients] to call at the next opening, or give the recipient an `at` inside the hours"
                    } else {
                        "move the call into the calling hours of the recipient's own time zone"
                    };
                    let code = match rule {
                        Closed::Window => "campaign::outside-window",
                        Closed::QuietDay => "campaign::quiet-day",
                    };
                    problems.push(
                        Problem::error(
                            code,
                            format!("{} {}: {why}", r.number, rules.when(group, t, immediate)),
                        )
                        .at(input.source, r.span.clone(), "this recipient")
                        .help(help),
                    );
                    continue;
                }
            }
        }
        past.check(&r, problems, stats);
        if suppress.first(r.number.as_u64()).is_some() {
            stats.suppressed += 1;
            continue;
        }
        if sets.is_capped(r.number.as_u64()) {
            stats.capped += 1;
            counts.capped(group_for_count(group, &r.number));
            continue;
        }
        seen.insert(r.number.as_u64(), 0);
        spans.insert(r.number.as_u64(), r.span.clone());
        recipients.push(r);
    }
    past.finish(problems, stats);
    Inline {
        recipients,
        seen,
        spans,
    }
}

/// The sets and rules every recipient is checked against.
struct Sets<'a> {
    suppress: &'a Seen,
    /// Numbers that reached `max_calls`.
    capped: Option<&'a Seen>,
    calling: Option<&'a CallingRules>,
}

impl Sets<'_> {
    fn is_capped(&self, number: u64) -> bool {
        self.capped.is_some_and(|c| c.first(number).is_some())
    }
}

/// The zone group a left-out number is counted under: the one the rules judged it in, else
/// its area code's.
fn group_for_count(group: u16, number: &PhoneNumber) -> u16 {
    if group != NO_GROUP {
        return group;
    }
    crate::zones::table()
        .group_of_number(number)
        .unwrap_or(NO_GROUP)
}

/// The numbers the zone table cannot place and that name no zone of their own: judged in
/// the campaign's zone (a warning), or, without one, an error: the calling hours protect
/// the people called, and a number with no zone cannot be held to them.
fn unplaced(
    count: u64,
    calling: &CallingRules,
    first: Option<(Arc<SourceFile>, Range<usize>)>,
    source: &Arc<SourceFile>,
) -> Problem {
    let what = format!("{count} numbers the zone table cannot place (toll-free, non-geographic)");
    let problem = match &calling.zone {
        Some(zone) => Problem::warning(
            "campaign::unplaced-numbers",
            format!("{what} were judged in campaign.timezone ({})", zone.name),
        )
        .help("give them a `timezone` of their own where they ring elsewhere"),
        None => Problem::error(
            "campaign::unplaced-numbers",
            format!("{what} have no zone to judge the calling hours in"),
        )
        .help(
            "set campaign.timezone (they are judged in it), give them a `timezone` column, \
             or set window = \"always\" in [recipients] if they may ring at any hour",
        ),
    };
    match first {
        Some((file, span)) => problem.at(&file, span, "the first of them"),
        None => problem.in_file(source),
    }
}

/// Recipients whose own `timezone` names none of the zones the table gives their number: the
/// table wins, and each is judged in its prefix's zones. `first`: the first such number (if
/// known), the zone it names ("" when the excerpt shows it), its prefix's zones and where it
/// is written.
pub(super) fn overruled(
    count: u64,
    number: Option<&PhoneNumber>,
    named: &str,
    zones: &str,
    (file, span, line): (&Arc<SourceFile>, Range<usize>, Option<u64>),
) -> Problem {
    let named = if named.is_empty() {
        "the timezone given".to_owned()
    } else {
        format!("its timezone {named}")
    };
    let number = number.map_or_else(|| "the number".to_owned(), ToString::to_string);
    let first = format!("{number} rings in {zones} by its prefix, not in {named}");
    let message = match (count, line) {
        (1, _) | (_, None) => format!("{first}; it is judged in {zones}"),
        (n, Some(line)) => format!(
            "{n} recipients name a timezone their number's prefix contradicts (first on line \
             {line}: {first}); each is judged in its prefix's zones"
        ),
    };
    Problem::warning("campaign::timezone-overruled", message)
        .at(file, span, "contradicted by the number's prefix")
        .help("correct or remove the timezone: a number's prefix decides where it rings")
}

/// What the calling rules did, by zone group.
#[derive(Default)]
struct RuleCounts {
    by_group: BTreeMap<u16, ZoneRules>,
    /// Numbers the zone table cannot place and that name no zone of their own.
    unplaced: u64,
    /// Where the first of them is written (the campaign file, or an excerpt of the CSV).
    first_unplaced: Option<(Arc<SourceFile>, Range<usize>)>,
}

impl RuleCounts {
    /// Counts a number judged in `group` when the table could not place it; whether it was.
    fn placed(&mut self, group: u16, rules: &CallingRules) -> bool {
        let unplaced = group == rules.fallback();
        self.unplaced += u64::from(unplaced);
        unplaced
    }
    fn entry(&mut self, group: u16) -> &mut ZoneRules {
        self.by_group.entry(group).or_default()
    }
    fn deferred(&mut self, group: u16) {
        self.entry(group).deferred += 1;
    }
    fn capped(&mut self, group: u16) {
        self.entry(group).capped += 1;
    }
    fn closed(&mut self, group: u16, rule: Closed) {
        match rule {
            Closed::Window => self.entry(group).outside_window += 1,
            Closed::QuietDay => self.entry(group).quiet_day += 1,
        }
    }

    /// Names the groups, sorts them by name, and says in one warning what the rules did.
    fn finish(
        self,
        calling: Option<&CallingRules>,
        stats: &mut RecipientStats,
        problems: &mut Problems,
        source: &Arc<SourceFile>,
    ) {
        let table = crate::zones::table();
        let mut rules: Vec<ZoneRules> = self
            .by_group
            .into_iter()
            .map(|(group, mut counts)| {
                counts.zone = match calling {
                    Some(rules) if group != NO_GROUP => rules.label(group),
                    _ if usize::from(group) < table.groups() => table.group(group).label.clone(),
                    _ => "area code not in the table".into(),
                };
                if counts.deferred > 0
                    && let Some(rules) = calling
                    && let Verdict::Deferred(at) = rules.judge(group, None)
                {
                    counts.deferred_to = Some(at.to_string());
                }
                counts
            })
            .collect();
        rules.sort_by(|a, b| a.zone.cmp(&b.zone));
        // A zone named by a recipient and the same zone of an area code are one entry.
        rules.dedup_by(|later, kept| {
            let same = later.zone == kept.zone;
            if same {
                kept.outside_window += later.outside_window;
                kept.quiet_day += later.quiet_day;
                kept.capped += later.capped;
                kept.deferred += later.deferred;
                if kept.deferred_to.is_none() {
                    kept.deferred_to = later.deferred_to.take();
                }
            }
            same
        });
        if self.unplaced > 0
            && let Some(calling) = calling
        {
            problems.push(unplaced(
                self.unplaced,
                calling,
                self.first_unplaced,
                source,
            ));
        }
        stats.outside_window = rules.iter().map(|r| r.outside_window).sum();
        stats.quiet_day = rules.iter().map(|r| r.quiet_day).sum();
        if !rules.is_empty() {
            let mut lines = Vec::new();
            for r in &rules {
                let mut parts = Vec::new();
                for (n, what) in [
                    (r.outside_window, "outside the calling hours"),
                    (r.quiet_day, "on a quiet day"),
                    (r.capped, "at max_calls"),
                ] {
                    if n > 0 {
                        parts.push(format!("{n} left out {what}"));
                    }
                }
                if r.deferred > 0 {
                    let to = r.deferred_to.as_deref().unwrap_or("?");
                    parts.push(format!("{} deferred to {to}", r.deferred));
                }
                lines.push(format!("{}: {}", r.zone, parts.join(", ")));
            }
            let total = stats.outside_window + stats.quiet_day + stats.capped;
            problems.push(
                Problem::warning(
                    "campaign::calling-rules",
                    format!(
                        "calling rules: {total} left out, {} deferred ({})",
                        stats.deferred,
                        lines.join("; ")
                    ),
                )
                .in_file(source)
                .help("`outdial plan` counts them; the rules are window, quiet_days and max_calls in [recipients]"),
            );
        }
        stats.rules = rules;
    }
}

/// The scan of the CSV, with what it is checked against.
struct CsvScan<'a> {
    input: &'a ScanInput<'a>,
    now: Timestamp,
    sets: &'a Sets<'a>,
    calling: Option<Arc<CallingRules>>,
    /// The campaign file's recipients that are called.
    inline: &'a [Recipient],
    inline_spans: &'a HashMap<u64, Range<usize>>,
}

impl CsvScan<'_> {
    /// Checks every row of the CSV against the rules and the sets (`seen` holds the campaign
    /// file's numbers) and reports what it found. `None` when the columns do not fit the
    /// prompts or the file cannot be read through.
    fn run(
        &self,
        header: Header,
        seen: Seen,
        counts: &mut RuleCounts,
        stats: &mut RecipientStats,
        problems: &mut Problems,
    ) -> Option<Contacts> {
        let input = self.input;
        let columns = columns(
            &header,
            input.prompts,
            input.vars,
            input.zone,
            input.source,
            problems,
        )?;
        let callids = self.call_ids(&columns);
        let rules = Rules {
            columns: &columns,
            zone: input.zone,
            default_at: None,
            calling: self.calling.as_deref(),
            now: self.now,
            deny_past: input.options.deny_past,
            trusted: false,
            abroad: input.abroad,
            allowed: input.allowed,
            time_check: input.time_check,
        };
        let file = match super::open_list(&header.path) {
            Ok(file) => file,
            Err(err) => {
                problems.push(
                    Problem::error("csv::unreadable", open_error(&header.path, &err)).at(
                        input.source,
                        header.span.clone(),
                        "this file",
                    ),
                );
                return None;
            }
        };
        let fingerprint = Fingerprint::of(&file)?;
        let tally = Tally {
            columns: &columns,
            on_invalid: input.section.and_then(|s| s.on_invalid).unwrap_or_default(),
            sets: self.sets,
            seen,
            callids,
            stats,
            counts,
            found: Found::default(),
        };
        let found = self.check_rows(file, fingerprint.len, &header, rules, tally, problems)?;
        self.report(&header, &columns, &found, stats, problems);
        if let Some(calling) = self.calling.as_deref() {
            let mut report = Report::new(
                input.source,
                &header,
                &columns,
                input.region,
                input.provider,
            );
            if counts.first_unplaced.is_none()
                && let Some(spot) = &found.first_unplaced
            {
                counts.first_unplaced = Some(report.locate(spot, Some(columns.number)));
            }
            if let Some((spot, number, group)) = &found.first_overruled {
                let (file, span) = report.locate(spot, columns.timezone);
                problems.push(overruled(
                    found.overruled,
                    number.as_ref(),
                    "",
                    &calling.label(*group),
                    (&file, span, Some(spot.line)),
                ));
            }
        }
        Some(Contacts {
            path: header.path,
            span: header.span,
            columns,
            skip: found.skip,
            fingerprint,
            region: input.region,
            line_fix: u64::from(header.crlf),
            calling: self.calling.clone(),
            allowed: input.allowed,
        })
    }

    /// The call ids used so far, when every row must have its own: the ids are explicit (a
    /// callid column, or campaign-file ids other than the derived ones) and not shared.
    fn call_ids(&self, columns: &Columns) -> Option<CallIds> {
        let input = self.input;
        let shared_callids = input.section.is_some_and(|s| s.shared_callids);
        let explicit_ids = columns.callid.is_some()
            || self
                .inline
                .iter()
                .any(|r| r.callid != callid::derive(input.prefix, &r.number));
        (explicit_ids && !shared_callids).then(|| {
            let mut ids = CallIds::new();
            for r in self.inline {
                ids.insert(&r.callid, 0);
            }
            ids
        })
    }

    /// Streams the rows through two threads: a second one reads and checks rows (no shared
    /// state), this one keeps the sets (dedupe, suppression, call ids) in file order. Batches
    /// of rows between them keep the hand-over cheap; a bounded channel keeps memory flat.
    /// `len` is the file's size.
    fn check_rows(
        &self,
        file: File,
        len: u64,
        header: &Header,
        rules: Rules<'_>,
        mut tally: Tally<'_>,
        problems: &mut Problems,
    ) -> Option<Found> {
        let track_ids = tally.callids.is_some();
        let prefix = self.input.prefix;
        let crlf = u64::from(header.crlf);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Checked>>(4);
        let read = std::thread::scope(|scope| {
            let reading = scope.spawn(move || read_rows(file, rules, track_ids, prefix, crlf, tx));
            for (index, checked) in rx.iter().flatten().enumerate() {
                if index == CHECK_BATCH && checked.end > 0 {
                    // Size the dedupe set from the first rows' average length.
                    let expected = len / (checked.end / CHECK_BATCH as u64).max(1);
                    let seen = &mut tally.seen;
                    seen.reserve((expected as usize).saturating_sub(seen.len()));
                }
                tally.add(index as u64, checked);
            }
            reading.join()
        });
        let source = self.input.source;
        match read {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                problems.push(
                    Problem::error(
                        "csv::unreadable",
                        format!("{}: {err}", header.path.display()),
                    )
                    .at(source, header.span.clone(), "this file"),
                );
                return None;
            }
            Err(_) => {
                problems.push(
                    Problem::error("csv::unreadable", "the CSV reading thread failed").at(
                        source,
                        header.span.clone(),
                        "this file",
                    ),
                );
                return None;
            }
        }
        // The sets are dropped here, before the excerpts are read back.
        Some(tally.found)
    }

    /// Shows what the rows showed: errors, skipped rows, duplicates, past times, in that
    /// order.
    fn report(
        &self,
        header: &Header,
        columns: &Columns,
        found: &Found,
        stats: &mut RecipientStats,
        problems: &mut Problems,
    ) {
        let input = self.input;
        let mut report = Report::new(input.source, header, columns, input.region, input.provider);
        report.errors(found, problems);
        report.skipped(found, stats, problems);
        report.duplicates(
            found,
            stats,
            self.inline_spans,
            input.inline_duplicates,
            problems,
        );
        report.past(found, stats, input.provider, problems);
    }
}

/// The reading thread: reads and checks every row, hashes its call id when call ids are
/// tracked, and sends the rows on in batches. Stops early when the other side hangs up.
fn read_rows(
    file: File,
    rules: Rules<'_>,
    track_ids: bool,
    prefix: &str,
    crlf: u64,
    tx: SyncSender<Vec<Checked>>,
) -> Result<(), csv::Error> {
    let mut reader = reader(BufReader::with_capacity(1 << 16, file));
    // The header was read already; reading it again keeps positions right.
    let _ = reader.byte_headers();
    let mut record = ByteRecord::new();
    let mut derived = String::new();
    let mut batch = Vec::with_capacity(CHECK_BATCH);
    while super::read_row(&mut reader, &mut record)? {
        let (line, byte) = record
            .position()
            .map_or((0, 0), |p| (p.line() + crlf, p.byte()));
        let outcome = rules.row(&record).map(|row| {
            let id = match (track_ids, row.callid) {
                (false, _) => 0,
                (true, Some(id)) => CallIds::hash(id),
                (true, None) => {
                    derived.clear();
                    derived.push_str(prefix);
                    derived.push_str(row.number.as_str());
                    CallIds::hash(&derived)
                }
            };
            Good {
                number: row.number,
                past: row.past,
                id,
                group: row.group,
                deferred: row.deferred,
                overruled: row.overruled,
            }
        });
        batch.push(Checked {
            line,
            byte,
            end: reader.position().byte(),
            outcome,
        });
        if batch.len() == CHECK_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(CHECK_BATCH));
            if tx.send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
    Ok(())
}

/// What the rows showed, beyond the counts in [`RecipientStats`].
#[derive(Default)]
pub(super) struct Found {
    /// Data-row indexes not to call, ascending.
    pub(super) skip: Vec<u64>,
    /// The first rows that are errors, and how many there are in all.
    pub(super) errors: Vec<Spot>,
    pub(super) error_count: u64,
    /// The first rows left out as invalid.
    pub(super) skipped: Vec<Spot>,
    /// The first numbers listed again.
    pub(super) dups: Vec<DupSpot>,
    /// The first row scheduled in the past.
    pub(super) first_past: Option<Spot>,
    /// The first row the zone table cannot place, with no zone of its own.
    pub(super) first_unplaced: Option<Spot>,
    /// Rows whose own `timezone` the zone table overruled, and the first of them (its
    /// number and zone group).
    pub(super) overruled: u64,
    pub(super) first_overruled: Option<(Spot, Option<PhoneNumber>, u16)>,
}

/// The dedupe thread's side of the scan: the sets, the counts, and what is kept to show.
struct Tally<'t> {
    columns: &'t Columns,
    on_invalid: OnInvalid,
    sets: &'t Sets<'t>,
    /// Numbers seen so far, with where they were first seen.
    seen: Seen,
    /// Call ids used so far, when each row must have its own.
    callids: Option<CallIds>,
    stats: &'t mut RecipientStats,
    counts: &'t mut RuleCounts,
    found: Found,
}

impl Tally<'_> {
    /// Takes the next row, in file order; `index` counts data rows from 0.
    fn add(&mut self, index: u64, checked: Checked) {
        let Checked {
            line,
            byte,
            end,
            mut outcome,
        } = checked;
        let spot = |error: RowError| Spot {
            line,
            byte,
            end,
            error,
        };
        // One hash probe per row; a binary search over 10,000 numbers was a fifth of the scan.
        let sets = self.sets;
        let suppressed = |n: u64| sets.suppress.first(n).is_some();
        let (columns, stats, found) = (self.columns, &mut *self.stats, &mut self.found);
        stats.rows += 1;
        if let Some(calling) = sets.calling
            && let Ok(Good {
                group, overruled, ..
            })
            | Err(RowError::Closed {
                group, overruled, ..
            }) = &outcome
        {
            let number = columns.number;
            if self.counts.placed(*group, calling) && found.first_unplaced.is_none() {
                found.first_unplaced = Some(spot(RowError::Number(number, NumberError::Empty)));
            }
            if *overruled {
                found.overruled += 1;
                if found.first_overruled.is_none() {
                    let col = columns.timezone.unwrap_or(number);
                    let n = outcome.as_ref().ok().map(|good| good.number);
                    found.first_overruled = Some((spot(RowError::Timezone(col)), n, *group));
                }
            }
        }
        if let (Ok(good), Some(ids)) = (&outcome, self.callids.as_mut())
            && !suppressed(good.number.as_u64())
            && self.seen.first(good.number.as_u64()).is_none()
            && let Some(first) = ids.insert_hash(good.id, line)
        {
            let col = columns.callid.unwrap_or(columns.number);
            outcome = Err(RowError::DuplicateCallId(col, first));
        }
        match outcome {
            Err(error) => {
                found.skip.push(index);
                if error.fatal() || self.on_invalid == OnInvalid::Error {
                    found.error_count += 1;
                    if found.errors.len() < SHOWN {
                        found.errors.push(spot(error));
                    }
                } else {
                    stats.invalid += 1;
                    if let RowError::Closed { group, rule, .. } = &error {
                        self.counts.closed(*group, *rule);
                    }
                    if found.skipped.len() < SHOWN {
                        found.skipped.push(spot(error));
                    }
                }
            }
            Ok(Good {
                number,
                past,
                group,
                deferred,
                ..
            }) => {
                stats.valid += 1;
                let n = number.as_u64();
                if past {
                    stats.past += 1;
                    if found.first_past.is_none() {
                        found.first_past = Some(spot(RowError::Past(columns.at.unwrap_or(0))));
                    }
                }
                if suppressed(n) {
                    stats.suppressed += 1;
                    found.skip.push(index);
                } else if sets.is_capped(n) {
                    stats.capped += 1;
                    self.counts.capped(group_for_count(group, &number));
                    found.skip.push(index);
                } else if let Some(first) = self.seen.first_or_insert(n, line) {
                    stats.duplicates += 1;
                    found.skip.push(index);
                    if found.dups.len() < SHOWN {
                        found.dups.push(DupSpot {
                            spot: spot(RowError::Number(columns.number, NumberError::Empty)),
                            number,
                            first,
                        });
                    }
                } else {
                    stats.recipients += 1;
                    if deferred {
                        stats.deferred += 1;
                        self.counts.deferred(group);
                    }
                }
            }
        }
    }
}
