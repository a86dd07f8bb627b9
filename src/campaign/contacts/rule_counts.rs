//! What the calling rules did, by zone group: counted as recipients are judged, then named,
//! merged by zone and said in one warning; and the warnings about numbers the zone table
//! cannot place or whose own zone it overrules.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::rows::NO_GROUP;
use super::rules::{CallingRules, Closed, Verdict};
use super::stats::{RecipientStats, ZoneRules};
use crate::diagnostic::{Problem, Problems};
use crate::phone::PhoneNumber;
use crate::source::SourceFile;

/// What the calling rules did, by zone group.
#[derive(Default)]
pub(super) struct RuleCounts {
    by_group: BTreeMap<u16, ZoneRules>,
    /// Numbers the zone table cannot place and that name no zone of their own.
    unplaced: u64,
    /// Where the first of them is written (the campaign file, or an excerpt of the CSV).
    pub(super) first_unplaced: Option<(Arc<SourceFile>, Range<usize>)>,
}

impl RuleCounts {
    /// Counts a number judged in `group` when the table could not place it; whether it was.
    pub(super) fn placed(&mut self, group: u16, rules: &CallingRules) -> bool {
        let unplaced = group == rules.fallback();
        self.unplaced += u64::from(unplaced);
        unplaced
    }
    fn entry(&mut self, group: u16) -> &mut ZoneRules {
        self.by_group.entry(group).or_default()
    }
    pub(super) fn deferred(&mut self, group: u16) {
        self.entry(group).deferred += 1;
    }
    pub(super) fn capped(&mut self, group: u16) {
        self.entry(group).capped += 1;
    }
    pub(super) fn closed(&mut self, group: u16, rule: Closed) {
        match rule {
            Closed::Window => self.entry(group).outside_window += 1,
            Closed::QuietDay => self.entry(group).quiet_day += 1,
        }
    }

    /// Names the groups, sorts them by name, and says in one warning what the rules did.
    pub(super) fn finish(
        self,
        calling: Option<&CallingRules>,
        stats: &mut RecipientStats,
        problems: &mut Problems,
        source: &Arc<SourceFile>,
    ) {
        let rules = by_zone(self.by_group, calling);
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
            problems.push(summary(&rules, stats).in_file(source).help(
                "`outdial plan` counts them; the rules are window, quiet_days and max_calls in [recipients]",
            ));
        }
        stats.rules = rules;
    }
}

/// The counts of each zone group, named (and with when deferred calls ring), sorted by name;
/// a zone named by a recipient and the same zone of an area code are one entry.
fn by_zone(by_group: BTreeMap<u16, ZoneRules>, calling: Option<&CallingRules>) -> Vec<ZoneRules> {
    let table = crate::zones::table();
    let mut rules: Vec<ZoneRules> = by_group
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
    rules
}

/// The one warning that says what the calling rules did, zone by zone.
fn summary(rules: &[ZoneRules], stats: &RecipientStats) -> Problem {
    let mut lines = Vec::new();
    for r in rules {
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
    Problem::warning(
        "campaign::calling-rules",
        format!(
            "calling rules: {total} left out, {} deferred ({})",
            stats.deferred,
            lines.join("; ")
        ),
    )
}

/// The zone group a left-out number is counted under: the one the rules judged it in, else
/// its area code's.
pub(super) fn group_for_count(group: u16, number: &PhoneNumber) -> u16 {
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
