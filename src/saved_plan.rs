//! Saved plans: what `send` would post, pinned in a file that can be reviewed and then sent
//! exactly (`outdial plan FILE --out PLAN`, then `outdial send FILE --plan PLAN`).
//!
//! A saved plan holds the SHA-256 of every post as `compile` renders it (the clock-free form
//! the journal records), the hashes of the inputs they were made from (the campaign file, its
//! CSV, its do-not-call lists, its sound files), the counts, the provider and the endpoint.
//! `send --plan` goes ahead only when the campaign still compiles to exactly those posts for
//! the same provider and endpoint; otherwise the input hashes say what changed.

mod file;
mod format;
mod refusal;

pub use file::{make, post_hash, read, write};
pub use format::{
    Change, Input, InputChange, InputKind, Mismatch, PLAN_FORMAT, PlanCounts, PlanFileError,
    PostHash, SavedPlan, file_sha256, inputs, removal_entries,
};
pub use refusal::check;
