//! Why `send --plan` refuses: what differs between the saved plan and what the campaign
//! compiles to now, and what to do about it.

use std::path::Path;

use super::format::{Change, Mismatch, SavedPlan};
use crate::diagnostic::Problem;

/// Refuses (with what changed and what to do) unless `now` posts exactly what `saved`, read
/// from `path`, does, to the same provider and endpoint.
pub fn check(saved: &SavedPlan, now: &SavedPlan, path: &Path) -> Result<(), Box<Problem>> {
    let mismatch = saved.compare(now);
    if !mismatch.refuses() {
        return Ok(());
    }
    Err(Box::new(
        Problem::error(
            "plan::changed",
            format!(
                "the campaign no longer compiles to the saved plan {}: {}; nothing was sent",
                path.display(),
                what_differs(&mismatch)
            ),
        )
        .help(remedy(&mismatch)),
    ))
}

/// What would be sent otherwise, in a phrase.
fn what_differs(m: &Mismatch) -> String {
    let mut parts = Vec::new();
    if let Some((was, is)) = &m.campaign {
        parts.push(format!("the campaign was \"{was}\", it is \"{is}\""));
    }
    if let Some((was, is)) = &m.provider {
        parts.push(format!(
            "the provider was {}, it is {}",
            was.key(),
            is.key()
        ));
    }
    if let Some((was, is)) = &m.endpoint {
        parts.push(format!("the plan is for {was}, this send goes to {is}"));
    }
    if !m.posts.is_empty() {
        let shown: Vec<String> = m.posts.iter().take(10).map(usize::to_string).collect();
        let more = m.posts.len().saturating_sub(10);
        parts.push(format!(
            "{} of {} planned posts differ (post {}{}), {} now",
            m.posts.len(),
            m.post_counts.0,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            m.post_counts.1
        ));
    }
    if m.removals > 0 {
        parts.push(format!(
            "{} {} to replace or remove that the plan does not list (the journal changed since it was saved)",
            m.removals,
            if m.removals == 1 { "call" } else { "calls" }
        ));
    }
    parts.join("; ")
}

/// What to do: the inputs that changed and a new plan; when only the endpoint differs, no
/// file changed and sending where the plan says is the other way.
fn remedy(m: &Mismatch) -> String {
    const NEW_PLAN: &str =
        "make a new plan with `outdial plan FILE --out PLAN`, review it, and send that";
    match &m.endpoint {
        Some((was, _)) if m.inputs.is_empty() && m.posts.is_empty() => format!(
            "no input file changed; send where the plan is for with `--endpoint {was}`, or make a plan for this endpoint with `outdial plan FILE --endpoint URL --out PLAN`"
        ),
        _ => format!("{}; {NEW_PLAN}", changed_inputs(m)),
    }
}

/// The inputs that changed, in a phrase.
fn changed_inputs(m: &Mismatch) -> String {
    if m.inputs.is_empty() && m.posts.is_empty() {
        return "no input file changed".to_owned();
    }
    if m.inputs.is_empty() {
        return "no input file changed, yet the posts differ (was the plan made by another outdial version, or with another --now?)".to_owned();
    }
    let list: Vec<String> = m
        .inputs
        .iter()
        .map(|c| {
            let what = match c.change {
                Change::Modified => "changed",
                Change::Added => "is new",
                Change::Removed => "is no longer used",
            };
            format!("{} {} {what}", c.kind.describe(), c.path)
        })
        .collect();
    format!("since the plan was made: {}", list.join(", "))
}
