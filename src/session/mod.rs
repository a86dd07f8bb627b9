//! The workflow of a campaign as one value: a [`Session`] holds a loaded campaign and its
//! [`Settings`] (where state is kept, how the provider is reached, where credentials come
//! from) and offers what a front end runs: plan, send (with its lookups), the other
//! actions, query, resolve, report and the state store's copies. It emits what happens as
//! typed [`Message`](crate::report::Message)s through a [`Sink`] and returns typed
//! [`Error`]s: the `outdial` binary only parses its arguments, builds a session and renders;
//! a server, a CI action or a test drives the same value.

mod actions;
mod error;
mod journal;
mod network;
mod plan;
mod query;
pub mod render;
mod report;
mod send;
mod transfer;
mod value;

pub use actions::Connection;
pub use error::{Error, Kind};
pub use journal::{ensure_usable, refuse_callids_elsewhere, unusable};
pub use network::{CredentialSource, Network};
pub use plan::{PlanOptions, batch_size, uploads};
pub use report::ReportFiles;
pub use send::{Confirm, SendChoices};
pub use value::{Session, Settings, Sink, first_endpoint};
