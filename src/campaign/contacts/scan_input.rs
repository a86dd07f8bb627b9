//! What the first pass is given: the validated campaign file's recipients settings, and the
//! sets and rules every recipient is checked against.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Zoned;

use super::cap::CallHistory;
use super::dedupe::Seen;
use super::header::Header;
use super::rows::TimeCheck;
use super::rules::{CallingRules, QuietDays};
use super::window::Window;
use crate::campaign::file::RecipientsSection;
use crate::campaign::model::{LoadOptions, Prompt, Recipient, Zone};
use crate::phone::Region;
use crate::source::SourceFile;

/// Everything [`scan`] needs from the validated campaign file.
pub(in crate::campaign) struct ScanInput<'a> {
    pub source: &'a Arc<SourceFile>,
    pub section: Option<&'a RecipientsSection>,
    pub header: Option<Header>,
    pub prefix: &'a str,
    pub zone: Option<&'a Zone>,
    pub default_at: Option<&'a Zoned>,
    pub prompts: &'a [Prompt],
    pub vars: &'a BTreeMap<String, String>,
    pub options: &'a LoadOptions,
    /// Inline recipients, already deduplicated among themselves.
    pub inline: Vec<Recipient>,
    /// Inline entries dropped as duplicates.
    pub inline_duplicates: u64,
    /// Inline entries read.
    pub inline_count: u64,
    /// From [`settings`](fn@super::settings).
    pub region: Region,
    /// From [`settings`](fn@super::settings).
    pub window: Option<Window>,
    /// From [`settings`](fn@super::settings).
    pub quiet: QuietDays,
    /// From [`settings`](fn@super::settings): `outside_window = "defer"`.
    pub defer: bool,
    /// From [`settings`](fn@super::settings).
    pub max_calls: Option<(u32, jiff::SignedDuration)>,
    /// The campaign's name (its own journal does not count against `max_calls`).
    pub name: &'a str,
    /// What other campaigns called, for `max_calls`.
    pub history: &'a dyn CallHistory,
    /// The provider's display name, for the messages that say what the provider does; the
    /// checks themselves name no provider.
    pub provider: &'static str,
    /// The provider's own rule for times: whether it would read one other than meant.
    pub time_check: Option<TimeCheck<'a>>,
    /// Whether the provider calls numbers abroad.
    pub abroad: bool,
    /// `allow_number_types`.
    pub allowed: crate::phone::NumberTypes,
}

/// The sets and rules every recipient is checked against.
pub(super) struct Sets<'a> {
    pub(super) suppress: &'a Seen,
    /// Numbers that reached `max_calls`.
    pub(super) capped: Option<&'a Seen>,
    pub(super) calling: Option<&'a CallingRules>,
}

impl Sets<'_> {
    pub(super) fn is_capped(&self, number: u64) -> bool {
        self.capped.is_some_and(|c| c.first(number).is_some())
    }
}
