//! Loading a campaign for sending: reads and checks the file ([`crate::campaign`]) with the
//! provider it names built from its table ([`crate::provider::registry`]), and pairs the two
//! in a [`Prepared`]. Sits above both: the campaign does not know the providers, and the
//! providers do not load campaigns.

use std::cell::OnceCell;
use std::path::Path;

use crate::campaign::check::Checker;
use crate::campaign::file::CampaignFile;
use crate::campaign::parse;
use crate::campaign::rules::{LoadContext, ProviderRules};
use crate::diagnostic::{Problem, Problems};
use crate::journal::OtherJournals;
use crate::prepared::Prepared;
use crate::provider::Provider;
use crate::provider::name::ProviderName;
use crate::provider::registry;
use crate::source::SourceFile;

pub use crate::campaign::model::LoadOptions;

/// A campaign and the warnings found while loading it.
#[derive(Debug)]
pub struct Loaded {
    /// The campaign, with its provider.
    pub campaign: Prepared,
    /// Warnings (never errors).
    pub warnings: Problems,
}

/// Reads, parses and validates a campaign file. On failure, every problem found (at least one
/// error) is returned.
///
/// Everything is checked here, before anything could be sent: the campaign file, the
/// suppression lists, and every row of the CSV contact list. The CSV is streamed once and not
/// kept: what remains is a compact list of the rows to leave out (invalid, duplicate,
/// suppressed) and the counts in [`crate::campaign::validated::Campaign::stats`].
/// [`crate::plan::posts`] streams the file a second time to build the posts.
pub fn load(path: &Path) -> Result<Loaded, Problems> {
    load_with(path, &LoadOptions::default())
}

/// [`load`] with options.
///
/// The path `-` reads the campaign from standard input; paths written in it (`csv`, `audio`,
/// `suppress`) then resolve against the current folder, and its default journal is
/// `.outdial/<campaign>.jsonl` there.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Loaded, Problems> {
    let text = parse::read_text(path)?;
    load_str_with(path, text, options)
}

/// Like [`load`], from text already in memory (`path` names it and anchors relative paths).
pub fn load_str(path: &Path, text: String) -> Result<Loaded, Problems> {
    load_str_with(path, text, &LoadOptions::default())
}

/// [`load_str`] with options.
pub fn load_str_with(path: &Path, text: String, options: &LoadOptions) -> Result<Loaded, Problems> {
    let _span = tracing::info_span!("load", file = %path.display()).entered();
    let result = load_source(path, text, options);
    match &result {
        Ok(loaded) => tracing::info!(
            campaign = %loaded.campaign.name,
            recipients = loaded.campaign.stats.recipients,
            warnings = loaded.warnings.warning_count(),
            "valid"
        ),
        Err(problems) => tracing::info!(
            errors = problems.error_count(),
            warnings = problems.warning_count(),
            "invalid"
        ),
    }
    result
}

/// Checks the campaign, building its provider when validation asks for it (validation sees
/// only its rules) and keeping it to pair with the campaign.
fn load_source(path: &Path, text: String, options: &LoadOptions) -> Result<Loaded, Problems> {
    let built: OnceCell<Box<dyn Provider>> = OnceCell::new();
    let build = |name: ProviderName, file: &CampaignFile, check: &mut Checker<'_>| {
        let provider = registry::settings(name, file, check)?;
        let provider: &dyn ProviderRules = built.get_or_init(|| provider).as_ref();
        Some(provider)
    };
    let source = SourceFile::new(path, text);
    // What other campaigns called, for `max_calls`: their journals.
    let history = OtherJournals {
        dir: source.resolve(".outdial"),
        state: &options.state,
    };
    let above = LoadContext {
        build: &build,
        history: &history,
    };
    let (campaign, warnings) = parse::parse(source, options, &above)?;
    let Some(provider) = built.into_inner() else {
        // Validation fails without a provider, so this is a bug in outdial; still report it
        // rather than panic.
        let mut problems = warnings;
        problems.push(Problem::error(
            "campaign::provider",
            "the campaign was checked without its provider",
        ));
        return Err(problems);
    };
    Ok(Loaded {
        campaign: Prepared::new(campaign, provider),
        warnings,
    })
}
