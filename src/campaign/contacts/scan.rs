//! The first pass: every recipient checked once, the CSV streamed through the row rules on
//! one thread and through the dedupe, suppression and call-id sets on another.
//!
//! [`scan`] goes in steps: the suppression lists ([`suppression`]), the `max_calls` set, the
//! campaign file's own recipients ([`keep_inline`]), then the CSV ([`CsvScan::run`]), and
//! last what the calling rules did ([`RuleCounts::finish`]).

use std::sync::Arc;

use jiff::Timestamp;

use super::cap::Capped;
use super::checked::Contacts;
use super::csv_pass::CsvScan;
use super::inline::keep_inline;
use super::rule_counts::RuleCounts;
use super::rules::CallingRules;
use super::scan_input::{ScanInput, Sets};
use super::stats::RecipientStats;
use super::suppress::suppression;
use crate::campaign::model::Recipient;
use crate::diagnostic::{Problem, Problems};

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
