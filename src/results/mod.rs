//! Results: what providers report back about calls (Call Summaries, Call Events, callbacks,
//! query replies), kept in an embedded SQLite store that `report` reads, and the `listen`
//! server that receives them.

mod attention;
pub mod cell;
mod chart;
mod columns;
mod error;
mod filing;
mod html;
pub mod listen;
mod page;
mod pg;
mod pg_query;
mod posts;
mod query;
mod record;
mod report;
mod rows;
mod schema;
mod store;
mod transfer;
mod version;
mod watch;

use std::path::{Path, PathBuf};

pub use crate::outcome::{CallRecord, Keypress, Outcome, Response, Source};
pub use error::StoreError;
pub use filing::Filing;
pub use html::write_html;
pub use pg::PgResults;
pub use posts::{Filed, Post, Unmatched, Verdict};
pub use query::query_rows;
pub use record::{Clock, PromptKey, RecipientResult, Status};
pub use report::{
    ATTENTION, Bucket, KeyCount, PromptKeys, ReachedBy, ResultsError, RetryWriter, StatusCounts,
    Summary, build, stored_result,
};
pub use store::Store;
pub use transfer::{MoveError, Moved, pull as pull_results, push as push_results};
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
