//! outdial: campaigns as code for outbound phone calls.
//!
//! The pipeline: a campaign file is loaded ([`load`]): parsed and validated into a
//! provider-neutral [`campaign::Campaign`] (collecting every [`diagnostic::Problem`]) beside
//! the [`provider::Provider`] built from its table (together a [`prepared::Prepared`]),
//! planned into ordered [`plan::Post`]s, and encoded as requests by that provider. The
//! library never prints: it returns values that the `outdial` binary renders as human text
//! or JSON.

pub mod audio;
pub mod callid;
pub mod campaign;
pub mod converge;
pub mod diagnostic;
pub mod diff;
pub(crate) mod digest;
pub(crate) mod http_server;
pub mod journal;
pub mod load;
pub(crate) mod multipart;
pub mod outcome;
pub mod phone;
pub mod plan;
pub mod prepared;
pub mod provider;
pub mod report;
pub mod results;
pub mod saved_plan;
pub mod schedule;
pub mod secret;
pub mod session;
pub(crate) mod source;
pub mod state;
pub mod submit;
pub mod template;
pub(crate) mod xmltext;
pub(crate) mod zones;
