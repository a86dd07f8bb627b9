//! The registry: builds the provider a campaign names from its table. (The names themselves,
//! and the tables the campaign file has, are listed in [`super::name`].) Sits above every
//! provider's folder; only the loader calls it.

use super::name::ProviderName;
use super::{Provider, voicent, voiceshot, voipcomm};
use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;

/// Builds the provider a campaign names from its table, reporting problems into `check`.
/// `None` when the table has errors (already reported).
pub(crate) fn settings(
    name: ProviderName,
    file: &CampaignFile,
    check: &mut Checker<'_>,
) -> Option<Box<dyn Provider>> {
    match name {
        ProviderName::Voiceshot => voiceshot::settings::build(file.voiceshot.as_ref(), check)
            .map(|p| Box::new(p) as Box<dyn Provider>),
        ProviderName::Voipcomm => {
            voipcomm::settings::build(file, check).map(|p| Box::new(p) as Box<dyn Provider>)
        }
        ProviderName::Voicent => {
            voicent::settings::build(file, check).map(|p| Box::new(p) as Box<dyn Provider>)
        }
    }
}
