//! outdial: campaigns as code for outbound phone calls.
//!
//! The pipeline: a campaign file is parsed and validated into a [`campaign::Campaign`]
//! (collecting every [`diagnostic::Problem`]), planned into ordered [`plan::Post`]s, and
//! encoded as requests by the campaign's [`provider::Provider`]. The library never prints: it returns values
//! that the `outdial` binary renders as human text or JSON.

pub mod audio;
pub mod callid;
pub mod campaign;
pub mod converge;
pub mod diagnostic;
pub mod diff;
pub(crate) mod digest;
pub(crate) mod http_server;
pub mod journal;
pub(crate) mod multipart;
pub mod outcome;
pub mod phone;
pub mod plan;
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
