//! Making a saved plan from a campaign, and reading and writing its file; each failure is a
//! [`Problem`] that says what to do.

use std::fs;
use std::path::Path;

use super::format::{PLAN_FORMAT, PlanCounts, PostHash, SavedPlan, inputs};
use crate::diagnostic::Problem;
use crate::plan::{Post, PostKind};
use crate::prepared::Prepared;
use crate::provider::EncodeError;

/// One post's line in a saved plan.
pub fn post_hash(campaign: &Prepared, post: &Post<'_>) -> Result<PostHash, EncodeError> {
    Ok(PostHash {
        seq: post.seq,
        kind: post.body.kind(),
        numbers: post.body.recipients().len(),
        sha256: crate::prepared::post_sha256(campaign, post)?,
    })
}

/// The saved plan of `campaign` with these posts and removals, for `endpoint`.
pub fn make(
    campaign: &Prepared,
    posts: Vec<PostHash>,
    removals: Vec<String>,
    endpoint: String,
) -> Result<SavedPlan, Box<Problem>> {
    let inputs = inputs(campaign).map_err(|e| {
        Box::new(Problem::error(
            "plan::input",
            format!("cannot read an input of the campaign to hash it: {e}"),
        ))
    })?;
    let count = |kind| posts.iter().filter(|p| p.kind == kind).count() as u64;
    let stats = &campaign.stats;
    Ok(SavedPlan {
        outdial_plan: PLAN_FORMAT,
        outdial: env!("CARGO_PKG_VERSION").to_owned(),
        campaign: campaign.name.clone(),
        provider: campaign.provider().name(),
        endpoint,
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

/// Writes a saved plan to `path`.
pub fn write(plan: &SavedPlan, path: &Path) -> Result<(), Box<Problem>> {
    fs::write(path, plan.to_json()).map_err(|e| {
        Box::new(
            Problem::error(
                "plan::write",
                format!("cannot write the plan to {}: {e}", path.display()),
            )
            .help("check that the folder exists and is writable"),
        )
    })
}

/// Reads the saved plan at `path`.
pub fn read(path: &Path) -> Result<SavedPlan, Box<Problem>> {
    let text = fs::read_to_string(path).map_err(|e| {
        Box::new(
            Problem::error(
                "plan::read",
                format!("cannot read the saved plan {}: {e}", path.display()),
            )
            .help("make one with `outdial plan FILE --out PLAN`"),
        )
    })?;
    SavedPlan::from_json(path, &text).map_err(|e| {
        Box::new(
            Problem::error("plan::read", e.to_string())
                .help("make a new one with `outdial plan FILE --out PLAN`"),
        )
    })
}
