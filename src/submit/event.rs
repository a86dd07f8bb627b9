//! What a submission reports as it goes (one [`Event`] per post, retry and lookup) and
//! what a query finds ([`CallReport`]): values the binary renders; nothing here prints.

use serde::Serialize;

use crate::plan::{Action, Post, PostKind};
use crate::provider::Reach;

/// Progress of a submission, one event per post (plus retries and resolutions).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// A post is finished (or skipped).
    Post {
        /// The command.
        action: Action,
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
        /// Numbers the planned post concerns.
        numbers: usize,
        /// Numbers actually posted by this run.
        sent: usize,
        /// What happened.
        status: PostStatus,
        /// The endpoint that answered.
        #[serde(skip_serializing_if = "Option::is_none")]
        endpoint: Option<String>,
    },
    /// A request failed and is tried again.
    Retry {
        /// Position in the plan.
        seq: usize,
        /// The failure.
        error: String,
        /// Where the next try goes.
        next: String,
        /// Milliseconds before it.
        wait_ms: u64,
    },
    /// A call post failed after its body was sent: the provider may hold the calls.
    Ambiguous {
        /// Position in the plan.
        seq: usize,
        /// Why.
        error: String,
        /// Call ids in doubt.
        numbers: usize,
    },
    /// A lookup at the provider settled call ids in doubt.
    Resolved {
        /// Position in the plan.
        seq: usize,
        /// Found at the provider (accepted, not re-sent).
        present: usize,
        /// Not found (sent again).
        missing: usize,
    },
}

/// What became of a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostStatus {
    /// Taken by the provider.
    Accepted,
    /// Nothing to do: the journal shows it accepted.
    Skipped,
}

/// One recipient joined with what the provider reports of its call.
#[derive(Clone, Debug, Serialize)]
pub struct CallReport {
    /// The number.
    pub number: String,
    /// The call id.
    pub callid: String,
    /// The verdict.
    pub result: Reach,
    /// The provider's status text.
    pub status: String,
    /// The provider's comment (`Human Answer`, …).
    pub comment: String,
    /// When it was dialled.
    pub dateandtime: String,
    /// Seconds.
    pub duration: Option<u32>,
    /// `(promptid, keypress)` per prompt reached.
    pub keypresses: Vec<(u32, String)>,
    /// Answers collected by an IVR application, by element name.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub responses: std::collections::BTreeMap<String, String>,
    /// How many times the provider dialled it, when it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// A call the provider holds for this campaign that the campaign's journal does not
    /// know: placed by someone else (the provider's web screens, another tool, another
    /// campaign file on the same provider campaign). Only `query --all` finds these.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_sent_by_outdial: bool,
}

/// The event of a post skipped: the journal shows it done.
pub(super) fn skipped(action: Action, post: &Post<'_>) -> Event {
    Event::Post {
        action,
        seq: post.seq,
        kind: post.body.kind(),
        numbers: post.body.recipients().len(),
        sent: 0,
        status: PostStatus::Skipped,
        endpoint: None,
    }
}
