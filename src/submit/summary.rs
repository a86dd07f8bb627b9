//! What a `send` did, and what it left for a person: the summary, the calls in doubt, the
//! removals of a converging campaign, the posts changed since the journal recorded them.

use serde::Serialize;

/// What a `send` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SendSummary {
    /// Posts in the plan.
    pub posts: usize,
    /// Posts accepted by this run.
    pub accepted: usize,
    /// Posts skipped as already accepted.
    pub skipped: usize,
    /// Numbers posted by this run.
    pub numbers_sent: usize,
    /// Call ids found at the provider by resolution queries.
    pub resolved_present: usize,
    /// What the removals of replaced and removed calls did (absent when there were none).
    #[serde(skip_serializing_if = "Removals::is_empty")]
    pub removals: Removals,
}

/// A call in doubt, as a person must find it in the provider's own records.
#[derive(Clone, Debug, Serialize)]
pub struct InDoubtCall {
    /// Position in the plan.
    pub seq: usize,
    /// Our call id.
    pub callid: String,
    /// The number.
    pub number: String,
    /// How the provider shows the call (the Voicent Gateway: its `info` text).
    pub label: String,
}

/// A post changed since the journal recorded it.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// Position in the plan.
    pub seq: usize,
    /// The hash the journal recorded.
    pub was: String,
    /// The hash now (`None`: the plan no longer has this post).
    pub now: Option<String>,
}

/// What the removals of a `send` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Removals {
    /// Calls removed to be posted anew.
    pub replaced: usize,
    /// Calls removed for good.
    pub removed: usize,
    /// Calls the provider would not remove (already ringing or made): kept as they were.
    pub fixed: usize,
}

impl Removals {
    /// Whether nothing was removed or asked to be.
    pub fn is_empty(&self) -> bool {
        self.replaced + self.removed + self.fixed == 0
    }
}
