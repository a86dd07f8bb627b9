//! Results: what providers report back about calls (Call Summaries, Call Events, callbacks,
//! query replies), kept in an embedded SQLite store that `report` reads, and the `listen`
//! server that receives them.

mod chart;
mod html;
pub mod listen;
mod posts;
mod query;
mod report;
mod rows;
mod store;
mod version;
mod watch;

use std::path::{Path, PathBuf};

pub use html::write_html;
pub use posts::{Filed, Post, Unmatched, Verdict};
pub use query::query_rows;
pub use report::{
    Bucket, KeyCount, PromptKeys, RecipientResult, ResultsError, RetryWriter, Status, StatusCounts,
    Summary, build,
};
pub use store::{CallRecord, Keypress, Outcome, Source, Store, StoreError};
pub use watch::{Miss, Watched};

/// The results store of the campaign in `campaign_file` when no `--db` is given:
/// `.outdial/results.db` in the campaign file's folder (one store per project; `listen`,
/// `query` and `report` all use this default).
pub fn default_db(campaign_file: &Path) -> PathBuf {
    campaign_file
        .parent()
        .unwrap_or(Path::new("."))
        .join(".outdial")
        .join("results.db")
}
