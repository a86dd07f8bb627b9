//! Results: what providers report back about calls (Call Summaries, Call Events, callbacks,
//! query replies), kept in an embedded SQLite store that `report` reads, and the `listen`
//! server that receives them.

pub mod listen;
mod store;
mod watch;

pub use store::{CallRecord, Keypress, Outcome, Source, Store, StoreError};
pub use watch::Watched;
