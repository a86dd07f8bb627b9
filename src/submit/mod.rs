//! Submitting a campaign: posts over HTTP, recorded in the [`journal`](crate::journal), so that
//! nobody is called twice.
//!
//! `send` walks the plan (uploads, then call batches). Before a batch goes out, any of its call
//! ids the journal holds *in doubt* (posted, no clear answer) are settled by asking the
//! provider (a lookup by call id, where the provider has one); then only call ids not at the
//! provider are posted. A failure before the body left is retried by the transport (backoff,
//! fallback host); a failure after it is recorded as ambiguous and settled the same way. The
//! invariant: a call id the journal knows as accepted, or cannot rule out, is never in a call
//! post again.
//!
//! Everything provider-specific goes through [`Provider`](crate::provider::Provider): how a
//! post is encoded, how a reply reads, whether and how calls can be looked up.
//!
//! Nothing here prints: progress arrives as [`Event`]s, results as values.

pub mod byid;
mod converge;
mod error;
mod event;
mod exchange;
mod flight;
pub mod http;
mod lookup;
mod preview;
mod query;
mod query_all;
mod quote;
mod send;
mod submitter;
mod summary;

pub use crate::provider::Reach;
pub use byid::{Removal, SettleClock, SettleError, Settled, settle};
pub use error::SubmitError;
pub use event::{CallReport, Event, PostStatus};
pub use http::{Failure, Secrets, Transport, TransportConfig, TransportError};
pub use preview::{Preview, changes, preview_send};
pub use submitter::{SubmitOptions, Submitter};
pub use summary::{Change, InDoubtCall, Removals, SendSummary};
