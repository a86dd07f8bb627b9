//! What loading asks of the provider a campaign names, without knowing providers.
//!
//! Providers sit above the campaign (they render campaigns into requests), so validation
//! sees the provider only through [`ProviderRules`], a supertrait of
//! [`Provider`](crate::provider::Provider), and the loader (above both) hands validation the
//! function that builds the provider from its table ([`BuildProvider`]).

use super::check::Checker;
use super::contacts::{CallHistory, RecipientStats};
use super::file::CampaignFile;
use crate::provider::name::ProviderName;

/// The rules a provider adds to a campaign's: what it takes and how it reads what it is sent.
pub trait ProviderRules: Send + Sync {
    /// Largest local audio file an `audio` prompt may use, in bytes.
    fn max_upload_bytes(&self) -> u64 {
        crate::audio::DEFAULT_MAX_BYTES
    }

    /// Why the provider would read `at` other than meant (`None`: it reads it right). Checked
    /// for every scheduled call before anything is sent.
    fn time_problem(&self, at: &jiff::Zoned) -> Option<String> {
        let _ = at;
        None
    }

    /// Why the provider would refuse a sound file `name` (`None`: it takes it). Checked for
    /// `sound` and `audio` prompts before anything is sent.
    fn sound_name_problem(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// Names of `[vars]` the provider's settings use besides the prompts (the gateway's
    /// extra form fields, its `info` text), so that they are not reported unused.
    fn vars_used(&self) -> Vec<&str> {
        Vec::new()
    }

    /// The provider's own rules about the campaign as a whole, once it is otherwise valid
    /// (`file` as written, `stats` as loading counted them): problems go to `check`.
    fn check_campaign(&self, check: &mut Checker<'_>, file: &CampaignFile, stats: &RecipientStats) {
        let _ = (check, file, stats);
    }
}

/// Builds the provider `name` from its table, reporting problems into the checker: `None`
/// when the table has errors (already reported). Given to validation by the loader, which
/// keeps the provider it builds.
pub(crate) type BuildProvider<'p> =
    dyn Fn(ProviderName, &CampaignFile, &mut Checker<'_>) -> Option<&'p dyn ProviderRules> + 'p;

/// What loading takes from the layers above the campaign, handed in by the loader.
pub(crate) struct LoadContext<'a> {
    /// Builds the provider the campaign names from its table.
    pub(crate) build: &'a BuildProvider<'a>,
    /// What other campaigns called, for `max_calls`.
    pub(crate) history: &'a dyn CallHistory,
}
