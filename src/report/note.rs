//! Remarks for a person watching: progress and notes that have no JSON record.

use std::path::Path;

use crate::plan::{Action, PostKind};

/// What only a person watching needs: progress and remarks.
#[derive(Debug)]
pub enum Note<'a> {
    /// A submission of this many posts begins (the length of a progress bar).
    Posting {
        /// Posts.
        posts: usize,
    },
    /// One more post is done (where posts have no record of their own).
    Posted,
    /// Posts the report's rows do not show: kept as unmatched, or kept in history because
    /// the stored word outranked them.
    PostsAside {
        /// Unmatched posts of the campaign's provider.
        unmatched: u64,
        /// Posts with a lesser word than the stored one.
        lesser: u64,
        /// Posts with another final word than the stored one.
        conflicts: u64,
    },
    /// `report --unmatched` listed this many posts.
    Unmatched {
        /// Posts listed.
        posts: usize,
    },
    /// `compile` found nothing to post for the action.
    NothingToPost {
        /// The campaign file.
        file: &'a Path,
        /// The action.
        action: Action,
    },
    /// `compile -o` wrote its files.
    Wrote {
        /// Posts written.
        posts: usize,
        /// The folder.
        dir: &'a Path,
    },
    /// A dry `send` found posts that differ from what the journal recorded.
    Changed {
        /// Posts that differ.
        posts: usize,
    },
    /// A dry `send` would skip a post the journal shows accepted.
    AlreadyAccepted {
        /// Position in the plan.
        seq: usize,
        /// Post kind.
        kind: PostKind,
    },
    /// A dry `send` would query calls in doubt before posting.
    InDoubt {
        /// Position in the plan.
        seq: usize,
        /// Calls in doubt.
        calls: usize,
    },
    /// The provider answered a `ping` made by its own ids.
    Answered {
        /// The campaign's name.
        campaign: &'a str,
        /// The provider's name as people know it.
        provider: &'a str,
    },
    /// What a `send` changes at the provider, said when it does not ask first (`--yes`).
    Converging {
        /// "create 3, replace 2 (time 10:00 → 11:00), remove 1".
        changes: &'a str,
    },
    /// `report` of a campaign edited since it was sent: what `send` would do about it.
    Unsent {
        /// "create 3, replace 2 (time 10:00 → 11:00), remove 1".
        changes: &'a str,
    },
    /// `plan --out` saved the plan.
    SavedPlan {
        /// The plan file.
        path: &'a Path,
    },
    /// `query` kept its results in the results store.
    Stored {
        /// Rows written.
        rows: usize,
        /// Rows left as they were: a Call Summary or callback had them.
        kept: usize,
        /// The store.
        path: &'a Path,
    },
    /// `report` wrote a file (`--html`, `--retry`).
    WroteFile {
        /// What it holds.
        what: &'a str,
        /// The file.
        path: &'a Path,
    },
    /// Where this campaign's results will come from, when not from where they are posted
    /// ([`crate::provider::Provider::results_note`]).
    ResultsFrom {
        /// The provider's sentence.
        why: &'a str,
    },
    /// A command had no posts to make.
    NothingToDo {
        /// The campaign's name.
        campaign: &'a str,
        /// The action.
        action: Action,
    },
}
