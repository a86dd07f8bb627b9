//! Results: what providers report back about calls (Call Summaries, Call Events, callbacks,
//! query replies), kept in an embedded SQLite store that `report` reads.

mod store;

pub use store::{CallRecord, Keypress, Outcome, Source, Store, StoreError};
