//! The meaning check: from well-typed raw values to the clean [`Campaign`] model, one file
//! per part of the campaign file; this one runs them in order.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use toml::Spanned;

use super::check::Checker;
use super::contacts::{self, Contacts, Header, RecipientStats, ScanInput};
use super::file::{CampaignFile, CampaignSection};
use super::model::{KeypressRule, LoadOptions, Prompt, Recipient, Sound, Zone};
use super::rules::{LoadContext, ProviderRules};
use super::structure::Pruned;
use super::validated::Campaign;
use crate::diagnostic::{Problem, Problems};
use crate::phone::{self};
use crate::source::SourceFile;
use crate::{audio, callid};

mod keypress;
mod placeholders;
mod prompts;
mod recipients;
mod values;

pub(super) fn validate(
    raw: CampaignFile,
    source: &Arc<SourceFile>,
    pruned: &[Pruned],
    provider_span: Option<Range<usize>>,
    options: &LoadOptions,
    problems: &mut Problems,
    above: &LoadContext<'_>,
) -> Option<Campaign> {
    let section = raw.campaign.as_ref()?;
    let provider_name = section.provider;
    let mut c = Checker {
        source,
        problems,
        pruned,
        duplicates: 0,
        provider: provider_name,
        campaign_span: section.name.as_ref().map_or(0..0, Spanned::span),
        provider_span,
        zone_reported: false,
        allowed: phone::NumberTypes::default(),
    };
    let mut parts = check_parts(&mut c, &raw, section, above);
    let provider = parts.provider;
    let (recipients, contacts, stats) = scan_contacts(&mut c, &raw, &mut parts, options, above)?;
    let suppress_lists = raw
        .recipients
        .iter()
        .flat_map(|s| &s.suppress)
        .map(|list| source.resolve(list.get_ref()))
        .collect();
    warn_no_recipients(&mut c, &raw, &stats);

    // The provider's own rules about the campaign as a whole.
    let provider = provider?;
    provider.check_campaign(&mut c, &raw, &stats);

    Some(Campaign {
        name: parts.name?,
        provider_name,
        timezone: parts.timezone,
        vars: parts.vars,
        prompts: parts.prompts,
        sounds: parts.sounds,
        recipients,
        contacts,
        suppress_lists,
        stats,
        callid_prefix: parts.prefix,
        default_at: parts.default_at,
        source: Arc::clone(source),
        on_keypress: parts.on_keypress,
        any_hour: parts.any_hour,
    })
}

/// What the campaign file's own tables yield once checked, before the contact list is
/// scanned.
struct Parts<'p> {
    name: Option<String>,
    timezone: Option<Zone>,
    provider: Option<&'p dyn ProviderRules>,
    vars: BTreeMap<String, String>,
    prompts: Vec<Prompt>,
    sounds: Vec<Sound>,
    on_keypress: Vec<KeypressRule>,
    prefix: String,
    /// The inline recipients (`numbers` and `[[recipient]]`), until the scan takes them.
    recipients: Vec<Recipient>,
    default_at: Option<jiff::Zoned>,
    /// The contact list's header, until the scan takes it.
    header: Option<Header>,
    /// `window = "always"`, known once the scan has read the calling rules.
    any_hour: bool,
}

/// Checks the campaign file's tables in order (name, zone, provider, vars, prompts,
/// keypresses, recipients, placeholders), collecting every problem.
fn check_parts<'p>(
    c: &mut Checker<'_>,
    raw: &CampaignFile,
    section: &CampaignSection,
    above: &LoadContext<'p>,
) -> Parts<'p> {
    let name = section.name.as_ref().and_then(|n| c.name(n));
    let timezone = section
        .timezone
        .as_ref()
        .and_then(|tz| c.zone(tz, "timezone"));
    c.zone_reported = (section.timezone.is_some() && timezone.is_none())
        || c.pruned
            .iter()
            .any(|p| p.table == "campaign" && p.meant.as_deref() == Some("timezone"));
    let provider = (above.build)(section.provider, raw, c);

    let vars = c.vars(&raw.vars);
    let max_upload = provider.map_or(audio::DEFAULT_MAX_BYTES, |p| p.max_upload_bytes());
    let (prompts, sounds) = c.prompts(&raw.prompts, max_upload, provider);
    let on_keypress = c.keypress_rules(&raw.on_keypress, &raw.prompts, provider);

    c.allowed = contacts::number_types(raw.recipients.as_ref(), c.source, c.problems);
    let prefix = name.as_deref().map(callid::prefix).unwrap_or_default();
    let (recipients, default_at) = c.recipients(raw, &prefix, timezone.as_ref());
    if let Some(p) = provider {
        c.provider_times(p, raw, default_at.as_ref(), &recipients);
    }
    let header = csv_header(c, raw);
    c.placeholders(
        &prompts,
        &raw.prompts,
        &recipients,
        (&vars, &raw.vars),
        header.as_ref(),
        provider.map(|p| p.vars_used()).unwrap_or_default(),
    );
    Parts {
        name,
        timezone,
        provider,
        vars,
        prompts,
        sounds,
        on_keypress,
        prefix,
        recipients,
        default_at,
        header,
        any_hour: false,
    }
}

/// Reads the contact list's header, and warns about a `number_column` with no list to
/// apply to.
fn csv_header(c: &mut Checker<'_>, raw: &CampaignFile) -> Option<Header> {
    let section = raw.recipients.as_ref();
    let header = section.and_then(|s| {
        let csv = s.csv.as_ref()?;
        contacts::read_header(csv, s.number_column.as_ref(), c.source, c.problems)
    });
    if header.is_none()
        && let Some(column) = section.and_then(|s| s.number_column.as_ref())
        && section.is_some_and(|s| s.csv.is_none() && s.suppress.is_empty())
    {
        c.problems.push(
            Problem::warning(
                "campaign::unused-number-column",
                "number_column is set but there is no csv or suppression list",
            )
            .at(c.source, column.span(), "unused")
            .help("add csv = \"contacts.csv\" to [recipients], or remove number_column"),
        );
    }
    header
}

/// Reads the calling rules and scans the inline recipients and the contact list together
/// under them; on a campaign with errors only warns about past times and gives `None`.
fn scan_contacts(
    c: &mut Checker<'_>,
    raw: &CampaignFile,
    parts: &mut Parts<'_>,
    options: &LoadOptions,
    above: &LoadContext<'_>,
) -> Option<(Vec<Recipient>, Option<Contacts>, RecipientStats)> {
    let section = raw.recipients.as_ref();
    let settings = contacts::settings(
        section,
        parts.timezone.as_ref(),
        c.zone_reported,
        c.provider_name(),
        c.source,
        c.problems,
    );
    parts.any_hour = settings.any_hour;
    let inline_count = (raw.recipient.len() + section.map_or(0, |s| s.numbers.len())) as u64;
    let csv_failed = section.is_some_and(|s| s.csv.is_some()) && parts.header.is_none();
    if c.problems.has_errors() || csv_failed {
        // The scan does not run on a campaign with errors; past times are still worth a
        // warning while the errors are fixed.
        contacts::past_times(
            &parts.recipients,
            parts.default_at.as_ref(),
            section.and_then(|s| s.at.as_ref()).map(Spanned::span),
            c.source,
            options,
            c.provider_name(),
            c.problems,
        );
        return None;
    }
    let provider = parts.provider;
    let time_problem = |at: &jiff::Zoned| provider.and_then(|p| p.time_problem(at));
    let scanned = contacts::scan(
        ScanInput {
            source: c.source,
            section,
            header: parts.header.take(),
            prefix: &parts.prefix,
            zone: parts.timezone.as_ref(),
            default_at: parts.default_at.as_ref(),
            prompts: &parts.prompts,
            vars: &parts.vars,
            options,
            inline: std::mem::take(&mut parts.recipients),
            inline_duplicates: c.duplicates,
            inline_count,
            region: settings.region,
            window: settings.window,
            quiet: settings.quiet,
            defer: settings.defer,
            max_calls: settings.max_calls,
            name: parts.name.as_deref().unwrap_or_default(),
            history: above.history,
            provider: c.provider_name(),
            time_check: Some(&time_problem),
            abroad: c.provider.calls_abroad(),
            allowed: c.allowed,
        },
        c.problems,
    );
    Some((scanned.inline, scanned.contacts, scanned.stats))
}

/// Warns when nothing is left to call and no error already says why.
fn warn_no_recipients(c: &mut Checker<'_>, raw: &CampaignFile, stats: &RecipientStats) {
    if stats.recipients == 0
        && stats.suppressed == 0
        && stats.rows == 0
        && raw.recipients.is_some()
        && !c.pruned_in("recipients")
        // Recipients the calling rules refused, or a list that could not be read, were
        // reported as errors already.
        && !c.problems.iter().any(|p| {
            matches!(
                p.code(),
                "campaign::outside-window" | "campaign::quiet-day" | "csv::unreadable"
            )
        })
    {
        c.problems.push(
            Problem::warning(
                "campaign::no-recipients",
                "the campaign has no recipients: send has nothing to do",
            )
            .in_file(c.source)
            .help("list numbers under [recipients] numbers = [...] or add [[recipient]] entries"),
        );
    }
}
