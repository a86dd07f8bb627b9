//! Saved plans: made by `plan --out`, read and checked by `send --plan`.

use std::fs;
use std::path::Path;

use outdial::diagnostic::Problem;
use outdial::plan::{Post, PostKind};
use outdial::prepared::Prepared;
use outdial::report::Message;
use outdial::saved_plan::{self, Change, Mismatch, PLAN_FORMAT, PlanCounts, PostHash, SavedPlan};

use super::provider;
use crate::exit::Exit;
use crate::output::Report;

/// One post's line in a saved plan.
pub fn post_hash(campaign: &Prepared, post: &Post<'_>) -> std::io::Result<PostHash> {
    Ok(PostHash {
        seq: post.seq,
        kind: post.body.kind(),
        numbers: post.body.recipients().len(),
        sha256: provider::post_sha256(campaign, post)?,
    })
}

/// The saved plan of `campaign` with these posts, for `endpoint` (`--endpoint`, else the
/// campaign's own).
pub fn make(
    campaign: &Prepared,
    posts: Vec<PostHash>,
    removals: Vec<String>,
    endpoint: Option<&str>,
    out: &dyn Report,
) -> Result<SavedPlan, Exit> {
    let inputs = saved_plan::inputs(campaign).map_err(|e| {
        out.show(Message::Problem(&Problem::error(
            "plan::input",
            format!("cannot read an input of the campaign to hash it: {e}"),
        )));
        Exit::Invalid
    })?;
    let count = |kind| posts.iter().filter(|p| p.kind == kind).count() as u64;
    let stats = &campaign.stats;
    Ok(SavedPlan {
        outdial_plan: PLAN_FORMAT,
        outdial: env!("CARGO_PKG_VERSION").to_owned(),
        campaign: campaign.name.clone(),
        provider: campaign.provider().name(),
        endpoint: provider::endpoint(campaign, endpoint),
        counts: PlanCounts {
            recipients: stats.recipients,
            suppressed: stats.suppressed,
            duplicates: stats.duplicates,
            invalid: stats.invalid,
            uploads: count(PostKind::SoundSave),
            call_posts: count(PostKind::Send),
            posts: posts.len() as u64,
        },
        inputs,
        posts,
        removals,
    })
}

/// Writes a saved plan.
pub fn write(plan: &SavedPlan, path: &Path, out: &dyn Report) -> Result<(), Exit> {
    fs::write(path, plan.to_json()).map_err(|e| {
        out.show(Message::Problem(
            &Problem::error(
                "plan::write",
                format!("cannot write the plan to {}: {e}", path.display()),
            )
            .help("check that the folder exists and is writable"),
        ));
        Exit::Invalid
    })
}

/// Reads a saved plan.
pub fn read(path: &Path, out: &dyn Report) -> Result<SavedPlan, Exit> {
    let text = fs::read_to_string(path).map_err(|e| {
        out.show(Message::Problem(
            &Problem::error(
                "plan::read",
                format!("cannot read the saved plan {}: {e}", path.display()),
            )
            .help("make one with `outdial plan FILE --out PLAN`"),
        ));
        Exit::Invalid
    })?;
    SavedPlan::from_json(path, &text).map_err(|e| {
        out.show(Message::Problem(
            &Problem::error("plan::read", e.to_string())
                .help("make a new one with `outdial plan FILE --out PLAN`"),
        ));
        Exit::Invalid
    })
}

/// Refuses (exit 1, with what changed) unless `now` posts exactly what `saved` does, to the
/// same provider and endpoint.
pub fn check(
    saved: &SavedPlan,
    now: &SavedPlan,
    path: &Path,
    out: &dyn Report,
) -> Result<(), Exit> {
    let mismatch = saved.compare(now);
    if !mismatch.refuses() {
        return Ok(());
    }
    out.show(Message::Problem(
        &Problem::error(
            "plan::changed",
            format!(
                "the campaign no longer compiles to the saved plan {}: {}; nothing was sent",
                path.display(),
                what_differs(&mismatch)
            ),
        )
        .help(remedy(&mismatch)),
    ));
    Err(Exit::Invalid)
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
