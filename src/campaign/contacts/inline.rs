//! The campaign file's own recipients in the first pass: judged by the calling rules, checked
//! for past times, then suppression, `max_calls` and the dedupe set.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use jiff::{Timestamp, Zoned};

use super::dedupe::Seen;
use super::rows::NO_GROUP;
use super::rule_counts::{RuleCounts, group_for_count, overruled};
use super::rules::{CallingRules, Closed, Placed, Verdict};
use super::scan_input::{ScanInput, Sets};
use super::stats::RecipientStats;
use super::window::{PastTimes, TimeChecks};
use crate::campaign::model::Recipient;
use crate::diagnostic::{Problem, Problems};
use crate::source::SourceFile;

/// The campaign file's own recipients that are called, and what the CSV is checked against.
pub(super) struct Inline {
    pub(super) recipients: Vec<Recipient>,
    /// Their numbers, as first seen in the campaign file (line 0).
    pub(super) seen: Seen,
    /// Where each number is written, to name it when a CSV row repeats it.
    pub(super) spans: HashMap<u64, Range<usize>>,
}

/// The campaign file's own recipients: calling rules, times, then suppression, `max_calls`
/// and the dedupe set.
pub(super) fn keep_inline(
    given: Vec<Recipient>,
    input: &ScanInput<'_>,
    now: Timestamp,
    sets: &Sets<'_>,
    counts: &mut RuleCounts,
    stats: &mut RecipientStats,
    problems: &mut Problems,
) -> Inline {
    let mut kept = Inline {
        recipients: Vec::with_capacity(given.len()),
        seen: Seen::new(),
        spans: HashMap::new(),
    };
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
    let judge = Judge {
        source: input.source,
        now,
        sets,
    };
    for mut r in given {
        let group = match sets.calling {
            Some(rules) => match judge.calling_rules(&mut r, rules, counts, stats, problems) {
                Some(group) => group,
                None => continue,
            },
            None => NO_GROUP,
        };
        past.check(&r, problems, stats);
        let n = r.number.as_u64();
        if sets.suppress.first(n).is_some() {
            stats.suppressed += 1;
            continue;
        }
        if sets.is_capped(n) {
            stats.capped += 1;
            counts.capped(group_for_count(group, &r.number));
            continue;
        }
        kept.seen.insert(n, 0);
        kept.spans.insert(n, r.span.clone());
        kept.recipients.push(r);
    }
    past.finish(problems, stats);
    kept
}

/// What the calling rules judge a campaign-file recipient with.
struct Judge<'a> {
    source: &'a Arc<SourceFile>,
    now: Timestamp,
    sets: &'a Sets<'a>,
}

impl Judge<'_> {
    /// The calling rules on one recipient: where it rings (counted, and a warning when the
    /// table overrules its own zone), then whether it may ring then (a deferred call gets its
    /// new time). Its zone group; `None` when the rules leave it out, reported as an error.
    fn calling_rules(
        &self,
        r: &mut Recipient,
        rules: &CallingRules,
        counts: &mut RuleCounts,
        stats: &mut RecipientStats,
        problems: &mut Problems,
    ) -> Option<u16> {
        // The zone was checked when the campaign file was validated.
        let (group, placed) = rules
            .group(&r.number, r.timezone.as_deref())
            .unwrap_or((NO_GROUP, Placed::Table));
        if counts.placed(group, rules) && counts.first_unplaced.is_none() {
            counts.first_unplaced = Some((Arc::clone(self.source), r.span.clone()));
        }
        if placed == Placed::Overruled {
            problems.push(overruled(
                1,
                Some(&r.number),
                r.timezone.as_deref().unwrap_or_default(),
                &rules.label(group),
                (self.source, r.span.clone(), None),
            ));
        }
        match rules.judge(group, r.at.as_ref()) {
            Verdict::Open => {}
            Verdict::Deferred(at) => {
                let n = r.number.as_u64();
                if self.sets.suppress.first(n).is_none() && !self.sets.is_capped(n) {
                    counts.deferred(group);
                    stats.deferred += 1;
                }
                r.at = Some(at);
            }
            Verdict::Closed { rule, immediate } => {
                let t = r.at.as_ref().map_or(self.now, Zoned::timestamp);
                let when = rules.when(group, t, immediate);
                problems.push(closed(r, rule, immediate, rules, &when).at(
                    self.source,
                    r.span.clone(),
                    "this recipient",
                ));
                return None;
            }
        }
        Some(group)
    }
}

/// The error for a recipient the calling rules leave out: `when` is its local time.
fn closed(
    r: &Recipient,
    rule: Closed,
    immediate: bool,
    rules: &CallingRules,
    when: &str,
) -> Problem {
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
    Problem::error(code, format!("{} {when}: {why}", r.number)).help(help)
}
