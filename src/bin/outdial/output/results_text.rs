//! Results for people: the summary of a report, and the pieces of a result row.

use outdial::report::QuerySummary;
use outdial::results::cell::escape_controls as shown;
use outdial::results::{RecipientResult, Status};

use super::phrases::plural;

/// Unknown results the human report names, with the provider's words; the rest are in the
/// CSV and JSON rows.
const UNKNOWN_LINES: usize = 20;

/// The human summary of a results report: a table of statuses, then reasons and keys.
pub(super) fn results_text(s: &outdial::results::Summary) -> String {
    let mut t = format!(
        "{}: {} ({})",
        s.campaign,
        plural(s.recipients as usize, "recipient", "recipients"),
        s.provider
    );
    let share = |n: u64| {
        (n * 100 + s.recipients / 2)
            .checked_div(s.recipients)
            .map(|p| format!("{p:>5}%"))
            .unwrap_or_default()
    };
    for status in Status::ALL {
        let n = s.counts.get(status);
        t.push_str(&format!("\n  {:<14}{n:>10}{}", status.as_str(), share(n)));
    }
    t.push_str(&format!("\n  {:<14}{:>10}", "to try again", s.retry));
    if s.counts.reached > 0 {
        let by = s.reached_by;
        t.push_str(&format!(
            "\n  reached: {} by a person, {} by a machine, {} not said",
            by.person, by.machine, by.unsaid
        ));
    }
    // The provider's own words for what outdial could not read: a person decides.
    let unknown: Vec<_> = s
        .attention
        .iter()
        .filter(|r| r.status == Status::Unknown)
        .collect();
    for r in unknown.iter().take(UNKNOWN_LINES) {
        t.push_str(&format!(
            "\n  unknown: {} {} said \"{}\"",
            shown(&r.number),
            s.provider,
            shown(r.provider_status.as_deref().unwrap_or(""))
        ));
    }
    if unknown.len() > UNKNOWN_LINES || (s.attention_more > 0 && !unknown.is_empty()) {
        t.push_str("\n  unknown: more in `outdial report --format csv`");
    }
    if !s.reasons.is_empty() {
        let reasons: Vec<String> = s
            .reasons
            .iter()
            .map(|r| format!("{} {}", shown(&r.value), r.count))
            .collect();
        t.push_str(&format!("\n  not reached: {}", reasons.join(", ")));
    }
    for prompt in s.keypresses.iter().filter(|p| !p.keys.is_empty()) {
        let keys: Vec<String> = prompt
            .keys
            .iter()
            .map(|k| format!("\"{}\" {}", shown(&k.value), k.count))
            .collect();
        t.push_str(&format!(
            "\n  prompt {} keys: {}",
            prompt.prompt,
            keys.join(", ")
        ));
    }
    if s.unmatched > 0 {
        t.push_str(&format!(
            "\n  {} no recipient of the campaign",
            plural(
                s.unmatched as usize,
                "stored result matches",
                "stored results match"
            )
        ));
    }
    t
}

/// `prompt:keys …`, every keypress in order.
fn keys(r: &RecipientResult) -> String {
    r.keypresses
        .iter()
        .map(|k| format!("{}:{}", k.prompt, k.keys))
        .collect::<Vec<_>>()
        .join(" ")
}

/// ` name=value …` (empty without answers).
pub(super) fn responses_text(r: &RecipientResult) -> String {
    r.responses
        .iter()
        .map(|(k, v)| format!(" {k}={v}"))
        .collect()
}

/// The header of the `query` table for people.
pub(super) fn query_header() -> String {
    format!(
        "{:<12} {:<32} {:<12} {:<13} {:<18} {:>5}  KEYS",
        "NUMBER", "CALLID", "STATUS", "PROVIDER", "DETAIL", "SECS"
    )
}

/// One row of the `query` table for people, under [`query_header`].
pub(super) fn call_row(r: &RecipientResult) -> String {
    let detail = r.reason.as_deref().or(r.answered_by.as_deref());
    format!(
        "{:<12} {:<32} {:<12} {:<13} {:<18} {:>5}  {}{}{}",
        shown(&r.number),
        shown(&r.callid),
        r.status.as_str(),
        shown(r.provider_status.as_deref().unwrap_or("")),
        shown(detail.unwrap_or("")),
        r.duration.map(|d| d.to_string()).unwrap_or_default(),
        shown(&keys(r)),
        shown(&responses_text(r)),
        if r.not_sent_by_outdial {
            "  (not sent by outdial)"
        } else {
            ""
        }
    )
}

/// The last line of a `query` for people: the counts, the rarer statuses only when they
/// happened.
pub(super) fn query_text(q: &QuerySummary) -> String {
    let c = &q.counts;
    let mut line = format!(
        "{}: {} reached, {} not reached, {} pending",
        plural(q.recipients, "recipient", "recipients"),
        c.reached,
        c.not_reached,
        c.pending,
    );
    for status in [
        Status::Unknown,
        Status::InDoubt,
        Status::Removed,
        Status::NeverSent,
    ] {
        match c.get(status) {
            0 => {}
            n => line.push_str(&format!(", {n} {}", status.as_str())),
        }
    }
    line
}
