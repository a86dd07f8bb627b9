//! The validated campaign: what a valid campaign file becomes, provider-neutral. Every part of
//! outdial reads campaigns through it; it holds the checked contact list, so it stands above
//! [`super::contacts`], which reads the model's parts.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Zoned;

use super::contacts::{Contacts, RecipientStats, StreamFrom};
use super::model::{KeypressRule, Prompt, Recipient, Sound, Zone};
use crate::provider::name::ProviderName;
use crate::source::SourceFile;

/// A validated campaign: provider-neutral data. (The provider built from its table is kept
/// beside it, in [`crate::prepared::Prepared`].)
#[derive(Debug)]
pub struct Campaign {
    /// The slug that names the campaign.
    pub name: String,
    /// The provider it is sent to, by name.
    pub provider_name: ProviderName,
    /// The zone `at` times are written in, if given.
    pub timezone: Option<Zone>,
    /// Campaign-wide template values.
    pub vars: BTreeMap<String, String>,
    /// Prompts in file order.
    pub prompts: Vec<Prompt>,
    /// Local audio files to upload, each once, in first-use order.
    pub sounds: Vec<Sound>,
    /// The recipients written in the campaign file, deduplicated and with suppressed numbers
    /// removed, in order: `[[recipient]]` entries, then `numbers`. CSV recipients are not here:
    /// they stream from [`Campaign::contacts`] when posts are planned.
    pub recipients: Vec<Recipient>,
    /// The CSV contact list, checked row by row while loading.
    pub contacts: Option<Contacts>,
    /// The do-not-call lists (`[recipients] suppress`), resolved against the campaign file's
    /// folder, in file order.
    pub suppress_lists: Vec<PathBuf>,
    /// What loading found: rows read, invalid, duplicates, suppressed, recipients to call.
    pub stats: RecipientStats,
    /// Derived call ids start with this.
    pub callid_prefix: String,
    /// `[recipients] at`: when CSV rows without an `at` cell are called.
    pub default_at: Option<Zoned>,
    /// The campaign file.
    pub source: Arc<SourceFile>,
    /// Call Commands: how `listen` answers keypress Call Events, in file order.
    pub on_keypress: Vec<KeypressRule>,
    /// `window = "always"`: calls ring at any hour, by the campaign's explicit choice (else
    /// they ring within `window`, or 08:00-21:00 recipient-local without one).
    pub any_hour: bool,
}

impl Campaign {
    /// The value of placeholder `name` for `r`: the recipient's own, else the campaign's
    /// `[vars]`; what every rendering of a prompt's text looks up.
    pub fn var<'a>(&'a self, r: &'a Recipient, name: &str) -> Option<&'a str> {
        r.vars
            .get(name)
            .or_else(|| self.vars.get(name).map(String::as_str))
    }

    /// Line number of a span in the campaign file.
    pub fn line_of(&self, span: &Range<usize>) -> usize {
        self.source.line_col(span.start).line
    }

    /// What the second pass over the contact list needs of the campaign.
    pub fn stream_from(&self) -> StreamFrom<'_> {
        StreamFrom {
            source: &self.source,
            timezone: self.timezone.as_ref(),
            default_at: self.default_at.as_ref(),
            provider_name: self.provider_name,
            callid_prefix: &self.callid_prefix,
        }
    }
}
