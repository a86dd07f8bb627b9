//! Providers: the voice services a campaign can be sent to, behind one interface.
//!
//! Everything a provider owns lives in its folder: its settings table, how a planned post
//! becomes a request (body, content type, where credentials go), how its replies read, its
//! error codes, its date format, whether it can be asked which calls it holds, and a local
//! stand-in for tests and demos. The rest of outdial (campaign, plan, submit, journal, the
//! binary) only sees [`Provider`] ([`interface`]), with the types of [`request`] and
//! [`reply`], and [`credentials`].
//!
//! ## The registry
//!
//! [`ProviderName`] ([`name`]) lists the values `provider = "…"` accepts,
//! `with_provider_tables!` the provider tables of the campaign file, and `registry` builds
//! the provider from its table. This file only declares the modules and re-exports their
//! items for the rest of outdial.

pub mod credentials;
pub(crate) mod fault_spec;
pub mod from_env;
pub mod inbound;
pub mod inbound_routes;
pub mod interface;
pub mod name;
pub(crate) mod registry;
pub mod reply;
pub mod request;
pub mod voicent;
pub mod voiceshot;
pub mod voipcomm;

pub(crate) use credentials::control_character;
pub use credentials::{CredentialError, Credentials};
pub use from_env::credentials_from;
pub use interface::{ById, CallRemoval, Limits, Lookup, Pacing, Provider, ScheduledList};
pub use name::ProviderName;
pub use reply::{CallResult, LookupReply, Reach, Rejection, ReplyOutcome, ScheduledCall, Status};
pub use request::{EncodeError, Method, RequestHead};
