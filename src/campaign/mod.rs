//! The campaign: loaded from its file, checked, and turned into a clean model.
//!
//! Loading has three stages, each collecting every problem it finds before the next runs:
//! TOML syntax ([`toml::de::DeTable::parse_recoverable`]), structure (keys and types against
//! the schema, [`structure`]), then meaning (numbers, ids, templates, times, [`validate`]).
//! The result is a [`Campaign`] that no renderer has to second-guess. The provider a campaign
//! names is built by the loader above ([`crate::load`]); validation asks it its rules through
//! [`rules::ProviderRules`].

pub(crate) mod check;
pub mod contacts;
pub mod file;
pub mod model;
pub(crate) mod parse;
pub(crate) mod pattern;
pub mod rules;
mod structure;
mod validate;
pub mod validated;

pub use contacts::{Contacts, RecipientStats, ZoneRules};
pub use file::OnInvalid;
pub use model::{KeypressRule, LoadOptions, Prompt, PromptContent, Recipient, Sound, Vars, Zone};
pub use validated::Campaign;
