//! What a run did, in words for people: the one-line summaries and notes of the commands
//! (a plan, a send, an action done, a removal, a settlement, a transfer, a submission's
//! progress), each a pure function of its message.

use outdial::plan::Action;
use outdial::report::{Done, PlanReport, Progress, Removed, Sent, Settled, Transferred};
use outdial::submit::Event;

use super::phrases::{one_line, plural, prompt_lines};

/// A plan for people: what it reads, what it posts, what the journal holds, what people will
/// hear.
pub(super) fn plan_text(plan: &PlanReport<'_>) -> String {
    let stats = plan.stats;
    let mut rows: Vec<(&str, u64)> = vec![("numbers in the file", stats.inline)];
    if plan.contacts.is_some() {
        rows.extend([
            ("CSV rows read", stats.rows),
            ("  valid", stats.valid),
            ("  invalid (skipped)", stats.invalid),
        ]);
    }
    rows.extend([
        ("duplicates", stats.duplicates),
        ("suppressed", stats.suppressed),
        ("recipients to call", stats.recipients),
        ("uploads", plan.uploads as u64),
        ("call posts", plan.call_posts),
        ("posts", plan.posts as u64),
        ("bytes", plan.bytes),
    ]);
    if plan.journal.used {
        rows.extend([
            ("already sent (journal)", plan.journal.accepted),
            ("in doubt (journal)", plan.journal.in_doubt),
            ("still to send", plan.journal.to_send),
        ]);
    }
    let mut text = format!(
        "{}: plan for \"{}\" (send) to {} at {}",
        plan.file.display(),
        plan.campaign,
        plan.provider,
        plan.endpoint
    );
    if let Some(csv) = plan.contacts {
        text.push_str(&format!("\n  contacts: {}", csv.display()));
    }
    for (label, n) in rows {
        text.push_str(&format!("\n  {label:<24}{n:>12}"));
    }
    if plan.journal.used {
        text.push_str(&crate::changes_text::human(plan.changes));
    }
    // What people will hear, as the Markdown comment shows it.
    let prompts = prompt_lines(plan, one_line, |id| id.to_string());
    if !prompts.is_empty() {
        text.push_str("\n  prompts:");
    }
    for (prompt, example) in prompts {
        text.push_str(&format!("\n    {prompt}"));
        if let Some(example) = example {
            text.push_str(&format!("\n      {example}"));
        }
    }
    text
}

/// The remark on a submission's progress event, if it has one.
pub(super) fn progress_note(progress: Progress<'_>) -> Option<String> {
    match progress.event {
        Event::Post { .. } => None,
        Event::Retry {
            seq,
            error,
            next,
            wait_ms,
        } => Some(format!(
            "post {seq}: {error}; retrying on {next} in {wait_ms} ms"
        )),
        Event::Ambiguous {
            seq,
            error,
            numbers,
        } => Some(format!(
            "post {seq}: {error}; {} may hold {} — querying before anything is re-sent",
            progress.provider,
            plural(*numbers, "call", "calls")
        )),
        Event::Resolved {
            seq,
            present,
            missing,
        } => Some(format!(
            "post {seq}: query found {present} of {} calls in doubt; {missing} will be sent",
            present + missing
        )),
    }
}

/// The summary of a `send`.
pub(super) fn sent_text(sent: &Sent<'_>) -> String {
    let s = sent.summary;
    format!(
        "{}: sent {} in {} ({} skipped as already accepted{}); journal {}",
        sent.campaign,
        plural(s.numbers_sent, "number", "numbers"),
        plural(s.accepted, "post", "posts"),
        s.skipped,
        if s.resolved_present > 0 {
            format!(
                ", {} already at {}, not sent again",
                s.resolved_present, sent.provider
            )
        } else {
            String::new()
        },
        sent.journal.display()
    )
}

/// The summary of an action done (`ping`, `pause`, `resume`, `delete`, `sounds`).
pub(super) fn done_text(done: &Done<'_>) -> String {
    let (action, posts, provider) = (done.action, done.posts, done.provider);
    let what = match action {
        Action::Ping => format!("{provider} answered: this host can post"),
        Action::Pause => "paused pending calls".to_string(),
        Action::Resume => "resumed paused calls".to_string(),
        Action::Delete => format!(
            "asked {provider} to delete this campaign's undialled calls ({})",
            plural(posts, "post", "posts")
        ),
        Action::Sounds => format!("uploaded {}", plural(posts, "sound file", "sound files")),
        Action::SoundsDelete => {
            format!("deleted {}", plural(posts, "sound file", "sound files"))
        }
        _ => format!("{} done", action.name()),
    };
    format!("{}: {what}", done.campaign)
}

/// The summary of a `delete` by call id.
pub(super) fn removed_text(r: &Removed<'_>) -> String {
    format!(
        "{}: {} removed {} not made yet; {} already gone, {} kept (made or failed), {} never taken or in doubt",
        r.campaign,
        r.provider,
        plural(r.removal.removed, "call", "calls"),
        r.removal.not_found,
        r.removal.finished,
        r.removal.unknown
    )
}

/// The summary of a `resolve`.
pub(super) fn settled_text(s: &Settled<'_>) -> String {
    format!(
        "{}: settled {} as sent (never sent again) and {} as not sent (the next send posts them); {} still in doubt",
        s.campaign,
        plural(s.sent, "call", "calls"),
        s.not_sent,
        s.in_doubt.len()
    )
}

/// The posts a `query` kept aside: unmatched, or in history beside a stored final word.
pub(super) fn posts_aside_text(unmatched: u64, lesser: u64, conflicts: u64) -> String {
    let mut parts = Vec::new();
    if unmatched > 0 {
        parts.push(format!(
            "{} kept as unmatched (outdial report --unmatched)",
            plural(unmatched as usize, "post", "posts")
        ));
    }
    if lesser + conflicts > 0 {
        parts.push(format!(
            "{} kept in history: {conflicts} conflicting with a stored final word, {lesser} saying less",
            plural((lesser + conflicts) as usize, "later post", "later posts")
        ));
    }
    parts.join("; ")
}

/// One line for `state push` / `state pull`.
pub(super) fn transferred_text(t: &Transferred<'_>) -> String {
    let (from, to) = match t.direction {
        "push" => (t.file.display().to_string(), t.store.to_owned()),
        _ => (t.store.to_owned(), t.file.display().to_string()),
    };
    let mut text = format!(
        "{}: copied {} from {from} to {to}; {} already in both",
        t.campaign,
        plural(t.counts.copied, "record", "records"),
        t.counts.shared
    );
    if t.counts.ahead > 0 {
        text.push_str(&format!(
            "; {to} holds {} more, which `outdial state {}` copies back",
            t.counts.ahead,
            if t.direction == "push" {
                "pull"
            } else {
                "push"
            }
        ));
    }
    let r = &t.results;
    if r.copied + r.shared + r.kept == 0 {
        text.push_str("; no results to copy");
    } else {
        text.push_str(&format!(
            "; results: copied {}, {} already in both",
            plural(r.copied, "call", "calls"),
            r.shared
        ));
        if r.kept > 0 {
            text.push_str(&format!(
                ", {} kept in {to}, which says as much or more",
                r.kept
            ));
        }
    }
    text
}
