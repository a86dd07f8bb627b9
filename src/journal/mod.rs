//! The send journal: an append-only JSON Lines record of every post, so a re-run after a crash
//! or a network failure finishes the job without calling anyone twice.
//!
//! Each post is written as an **intent** (before a byte goes out) and an **outcome** (after the
//! reply, or the failure). Every line is flushed to disk (`fsync`) before the next step, so a
//! process killed at any instant leaves one of three states for a post: no intent (nothing
//! was sent), an intent without an outcome (maybe sent: *in doubt*), or both. A line torn by a
//! kill mid-write is cut off when the journal is next opened; it was never followed by a send.
//!
//! Call state is kept **per call id**, not per post: a call id becomes *accepted* from an
//! accepted outcome or from a resolution query that found it, and nothing accepted is posted
//! again, whatever happens to the campaign file in between. In memory the state is compact
//! (fixed-size hashes of the recipient keys, see `journal/calls.rs`); the keys as text are
//! kept only for calls in doubt, which a person may have to look up.

mod calls;
pub mod changes;
mod error;
mod history;
mod lock;
mod named;
mod open;
mod read_back;
mod record;
mod replay;
mod state;
mod store;
#[cfg(test)]
mod tests;
mod transfer;
mod write;

pub use crate::digest::{HashingWriter, sha256_hex};
pub use calls::CallState;
pub(crate) use calls::{KeyHash, key_hash};
pub use error::JournalError;
pub(crate) use history::OtherJournals;
pub use named::{NamedCalls, named_calls, named_calls_in_store};
pub use open::Journal;
pub use read_back::sides;
pub use record::{JOURNAL_VERSION, Outcome, Record, Said, call_key};
pub use replay::read_state;
pub use state::JournalState;
pub use store::{LinesAt, default_path, read_state_in_store};
pub use transfer::{Transfer, TransferError, pull, push};
