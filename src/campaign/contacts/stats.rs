//! What loading counted of the recipients ([`RecipientStats`]), per zone for the calling
//! rules ([`ZoneRules`]), and how many row problems of a kind are shown.

use crate::diagnostic::Problem;

/// At most this many row problems of one kind are shown; the rest are counted.
pub const SHOWN: usize = 20;

/// What loading counted. `rows = valid + invalid`; `recipients` is what `send` calls: the
/// campaign file's own recipients plus the valid rows, less duplicates and suppressed numbers.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RecipientStats {
    /// Numbers written in the campaign file (`numbers` and `[[recipient]]`).
    pub inline: u64,
    /// CSV data rows read.
    pub rows: u64,
    /// CSV rows that passed every check.
    pub valid: u64,
    /// CSV rows left out as invalid (`on_invalid = "skip"`).
    pub invalid: u64,
    /// Entries left out because their number came earlier.
    pub duplicates: u64,
    /// Entries left out because their number is on a suppression list.
    pub suppressed: u64,
    /// Distinct numbers on the suppression lists.
    pub suppress_list: u64,
    /// Recipients to call.
    pub recipients: u64,
    /// Calls scheduled in the past (warned about, or errors with `deny_past`).
    pub past: u64,
    /// Entries left out because `max_calls` was reached (other campaigns' journals).
    pub capped: u64,
    /// Journals read for `max_calls`.
    pub journals: u64,
    /// Immediate calls moved to the next opening of the calling hours.
    pub deferred: u64,
    /// Entries left out by the calling hours (`on_invalid = "skip"`).
    pub outside_window: u64,
    /// Entries left out by `quiet_days` (`on_invalid = "skip"`).
    pub quiet_day: u64,
    /// What the calling rules did, per time zone (the zones of an area code that spans
    /// several are one entry), in zone order.
    pub rules: Vec<ZoneRules>,
    /// The first skipped rows, as warnings naming file, line and column (for `plan`).
    #[serde(skip)]
    pub skipped: Vec<Problem>,
}

/// What the calling rules did to the recipients of one time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ZoneRules {
    /// The zone, or the zones of area codes that span several ("America/Halifax,
    /// America/St_Johns").
    pub zone: String,
    /// Left out: outside the calling hours.
    pub outside_window: u64,
    /// Left out: a quiet day.
    pub quiet_day: u64,
    /// Left out: `max_calls` reached.
    pub capped: u64,
    /// Immediate calls deferred to the next opening.
    pub deferred: u64,
    /// When the deferred calls ring (RFC 9557, in the campaign's zone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deferred_to: Option<String>,
}
