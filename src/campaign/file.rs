//! The campaign file as written: serde types that mirror the TOML, with spans.
//!
//! These types are the single source of truth for the file format. The JSON Schema in
//! `schemas/campaign.schema.json` is generated from them (doc comments become descriptions),
//! and the structure check in [`super::structure`] walks the parsed TOML against that same
//! schema, so a key added here is known everywhere at once.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::pattern;
use crate::provider::name::{ProviderName, with_provider_tables};

with_provider_tables! {
/// A campaign file: one outbound calling campaign, as code.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "outdial campaign file")]
pub struct CampaignFile {
    /// What the campaign is called and which provider it targets.
    #[schemars(required)]
    pub campaign: Option<CampaignSection>,
    /// Campaign-wide values for `{placeholders}` in prompt text.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub vars: BTreeMap<Spanned<String>, Spanned<String>>,
    /// The prompts: each fills one API prompt designed in the provider's campaign.
    #[serde(default, rename = "prompt")]
    #[schemars(rename = "prompt", with = "Vec<PromptEntry>")]
    pub prompts: Vec<Spanned<PromptEntry>>,
    /// Who to call: inline numbers and defaults for every recipient.
    #[serde(default)]
    pub recipients: Option<RecipientsSection>,
    /// One-off recipients with their own call id, time, extension or vars.
    #[serde(default, rename = "recipient")]
    #[schemars(rename = "recipient", with = "Vec<RecipientEntry>")]
    pub recipient: Vec<Spanned<RecipientEntry>>,
    /// Call Commands (VoiceShot): how `outdial listen` answers a keypress Call Event. The
    /// first rule whose prompt and key match is answered with its `<prompt …/>`; a keypress no
    /// rule matches gets an empty reply, and the call goes on as designed.
    #[serde(default, rename = "on_keypress")]
    #[schemars(rename = "on_keypress", with = "Vec<KeypressEntry>")]
    pub on_keypress: Vec<Spanned<KeypressEntry>>,
}
}

/// `[[on_keypress]]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeypressEntry {
    /// The prompt the keys were pressed at: the id of a `[[prompt]]`.
    #[schemars(required, with = "u32", range(min = 1))]
    pub prompt: Option<Spanned<u32>>,
    /// The keys, as VoiceShot reports them: digits, `*` and `#`, e.g. "1" or "1234".
    #[schemars(required, with = "String")]
    pub key: Option<Spanned<String>>,
    /// Jump to this prompt (the id of a `[[prompt]]`).
    #[serde(default)]
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub goto: Option<Spanned<u32>>,
    /// Text to speak.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tts: Option<Spanned<String>>,
    /// A sound file already in the account to play, e.g. "thanks.wav".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub filename: Option<Spanned<String>>,
    /// Transfer the call to this number (10-digit NANP number). A rule moves the call at most
    /// one way: `goto` or `transferto`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub transferto: Option<Spanned<String>>,
    /// Caller ID shown to the party the transfer reaches: exactly 10 digits; needs `transferto`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub callerid: Option<Spanned<String>>,
    /// DTMF tones to play: digits, `*` and `#`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub dtmf: Option<Spanned<String>>,
}

/// `[campaign]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignSection {
    /// Lower-case slug (letters, digits, single hyphens), at most 40 characters. It prefixes
    /// generated call ids and names the journal, so give each send its own name, e.g.
    /// "outage-2026-12-01".
    #[schemars(required, with = "String", regex(pattern = pattern::NAME), length(max = 40))]
    #[schemars(example = "outage-2026-12-01")]
    pub name: Option<Spanned<String>>,
    /// The provider the campaign is compiled for.
    #[serde(default)]
    pub provider: ProviderName,
    /// IANA time zone in which `at` times are written, e.g. "America/Chicago". Required when
    /// any `at` time is given.
    #[serde(default)]
    #[schemars(with = "Option<String>", example = "America/Chicago")]
    pub timezone: Option<Spanned<String>>,
}

/// `[[prompt]]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromptEntry {
    /// The API prompt id designed in the provider's campaign: a positive integer, unique.
    #[schemars(required, with = "u32", range(min = 1))]
    pub id: Option<Spanned<u32>>,
    /// Text to speak. `{name}` is replaced by the recipient's var, else the campaign's
    /// `[vars]`; write `{{` and `}}` for literal braces. Give exactly one of tts, audio, sound.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub tts: Option<Spanned<String>>,
    /// A local WAV file (8 kHz, 16-bit, mono PCM), relative to the campaign file: checked,
    /// uploaded, then played by its file name.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub audio: Option<Spanned<String>>,
    /// The name of a sound file already stored in the provider account, e.g. "greeting.wav".
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub sound: Option<Spanned<String>>,
    /// A number to transfer the call to from this prompt (10-digit NANP number).
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = pattern::NUMBER))]
    #[schemars(example = "(818) 555-0123")]
    pub transferto: Option<Spanned<String>>,
    /// Caller ID shown to the party a transfer reaches: exactly 10 digits.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = pattern::CALLERID))]
    #[schemars(example = "8185550199")]
    pub callerid: Option<Spanned<String>>,
}

/// `[recipients]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientsSection {
    /// Numbers to call, in any common shape: "8185550100", "(818) 555-0100", "+1 818 555 0100".
    #[serde(default)]
    #[schemars(with = "Vec<String>", inner(regex(pattern = pattern::NUMBER)))]
    #[schemars(example = ["8185550100", "(818) 555-0117"])]
    pub numbers: Vec<Spanned<String>>,
    /// Default schedule for every call, "YYYY-MM-DD HH:MM" in `campaign.timezone`; absent means
    /// call now.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = pattern::TIME))]
    #[schemars(example = "2026-12-01 17:30")]
    pub at: Option<Spanned<String>>,
    /// A CSV contact list, relative to the campaign file: UTF-8 (a BOM is fine) with a header
    /// row. `number_column` holds the number; a `callid` column and an `at` column override the
    /// defaults; every other column is a var for `{placeholders}` (an empty cell has no value,
    /// so `[vars]` fills it or the row is invalid).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub csv: Option<Spanned<String>>,
    /// The CSV column that holds the number (default "number").
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub number_column: Option<Spanned<String>>,
    /// Do-not-call lists, relative to the campaign file: numbers never to call. A `.csv` file
    /// has a header row with a `number` column (or `number_column`); any other file has one
    /// number per line, `#` starting a comment.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub suppress: Vec<Spanned<String>>,
    /// How to read numbers written without `+`: a NANP region code such as "US" (default) or
    /// "CA". Only NANP regions are accepted.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub region: Option<Spanned<String>>,
    /// What an invalid CSV row does: "error" (default) fails the check; "skip" leaves the row
    /// out, and `outdial plan` counts and lists it. Rows that are not UTF-8 or have the wrong
    /// number of fields always fail: they mean the file itself is damaged.
    #[serde(default)]
    pub on_invalid: Option<OnInvalid>,
    /// Calling hours in each recipient's own local time, "HH:MM-HH:MM" (e.g. "08:00-21:00"),
    /// or "always" for urgent alerts. Without it, calls ring 08:00-21:00 recipient-local (the
    /// US federal telemarketing hours, 47 CFR 64.1200(c)(1)). The zone comes from the
    /// number's prefix in the zone table, for every country (every zone of a prefix that
    /// spans several must be inside the hours); a number the table cannot place is judged in
    /// the recipient's `timezone`, else `campaign.timezone`. Checked for scheduled and
    /// immediate calls; see `outside_window`. A window written here needs
    /// `campaign.timezone`.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = pattern::WINDOW))]
    #[schemars(example = "08:00-21:00")]
    pub window: Option<Spanned<String>>,
    /// Kinds of numbers called although they are refused by default: "personal" (NANP 5XX
    /// and 700, UK 070), "shared-cost", "uan" and "satellite". Premium-rate numbers are never
    /// called.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allow_number_types: Vec<Spanned<String>>,
    /// What an immediate call that would ring outside `window` (or on a quiet day) does:
    /// "error" (default) makes it invalid; "defer" schedules it at the next opening in the
    /// recipient's time, and `outdial plan` says how many and to when. Scheduled calls outside
    /// the window are always invalid.
    #[serde(default)]
    pub outside_window: Option<OutsideWindow>,
    /// Days no call may ring, in the recipient's local calendar: weekdays ("sat", "sun", …)
    /// and dates ("2026-12-25").
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub quiet_days: Vec<Spanned<String>>,
    /// A cap on how often one number is called across campaigns: a number called `count`
    /// times within `per` (e.g. "7d", "24h") by other campaigns recorded in the journals
    /// next to this file (`.outdial/*.jsonl`) is left out and counted, like a suppressed
    /// number.
    #[serde(default)]
    #[schemars(with = "Option<MaxCalls>")]
    pub max_calls: Option<Spanned<MaxCalls>>,
    /// Let several recipients share one call id (a household, say): querying or deleting the
    /// id then covers all of them. Without it a repeated call id is an error.
    #[serde(default)]
    pub shared_callids: bool,
}

/// `max_calls = { count = 2, per = "7d" }`
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaxCalls {
    /// Calls allowed within the period, at least 1.
    #[schemars(range(min = 1))]
    pub count: u32,
    /// The period: a number and a unit, "d" (days) or "h" (hours), e.g. "7d".
    pub per: String,
}

/// What an immediate call outside the calling hours does.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutsideWindow {
    /// The recipient is invalid (an error, or a skipped row with `on_invalid = "skip"`).
    #[default]
    Error,
    /// The call is scheduled at the next opening of the window in the recipient's time.
    Defer,
}

/// What to do with an invalid CSV row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnInvalid {
    /// Fail the check, naming the row.
    #[default]
    Error,
    /// Leave the row out; `plan` counts and lists it.
    Skip,
}

/// `[[recipient]]`
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientEntry {
    /// The number to call.
    #[schemars(required, with = "String", regex(pattern = pattern::NUMBER))]
    #[schemars(example = "+1 818 555 0101")]
    pub number: Option<Spanned<String>>,
    /// Your own call id for this call: up to 50 letters and digits. Default: derived from
    /// the campaign name and the number.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub callid: Option<Spanned<String>>,
    /// When to call, "YYYY-MM-DD HH:MM" in `campaign.timezone`.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = pattern::TIME))]
    #[schemars(example = "2026-12-01 18:00")]
    pub at: Option<Spanned<String>>,
    /// This recipient's IANA time zone, e.g. "America/Denver", for the calling rules; default:
    /// from the number's area code. (A CSV's `timezone` column does the same per row.)
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub timezone: Option<Spanned<String>>,
    /// Extension to dial once the call connects (digits).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub ext: Option<Spanned<String>>,
    /// Caller ID for this call only: exactly 10 digits.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = pattern::CALLERID))]
    #[schemars(example = "8185550199")]
    pub callerid: Option<Spanned<String>>,
    /// Values for `{placeholders}` for this recipient; they win over `[vars]`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub vars: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// The JSON Schema of the campaign file, as checked in under `schemas/`. Generated once per
/// process: every campaign load walks its file against it (`check` takes many files).
pub fn json_schema() -> &'static serde_json::Value {
    static SCHEMA: std::sync::LazyLock<serde_json::Value> = std::sync::LazyLock::new(|| {
        let schema = schemars::generate::SchemaSettings::draft2020_12()
            .with_transform(schemars::transform::RecursiveTransform(
                optional_without_null,
            ))
            .into_generator()
            .into_root_schema_for::<CampaignFile>();
        serde_json::to_value(schema).expect("a schema is plain JSON")
    });
    &SCHEMA
}

/// An optional key is one that is not `required`, so it needs no `null`: TOML has no null,
/// and editors (taplo) turn a typo inside `anyOf [X, null]` into "is not valid under any of
/// the schemas listed in the 'anyOf' keyword" instead of naming the key. So `Option<T>`
/// becomes plain `T`: `type: [T, "null"]` loses its null, `anyOf [X, {type: null}]` becomes
/// X, and `default: null` goes.
fn optional_without_null(schema: &mut schemars::Schema) {
    use serde_json::Value;
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object.get("default") == Some(&Value::Null) {
        object.remove("default");
    }
    if let Some(Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [single] = types.as_slice() {
            let single = single.clone();
            object.insert("type".into(), single);
        }
    }
    let is_null = |v: &Value| v.get("type") == Some(&Value::String("null".into()));
    if let Some(Value::Array(branches)) = object.get("anyOf")
        && branches.len() == 2
        && branches.iter().any(is_null)
        && let Some(Value::Object(kept)) = branches.iter().find(|b| !is_null(b)).cloned()
    {
        object.remove("anyOf");
        for (key, value) in kept {
            object.entry(key).or_insert(value);
        }
    }
}

/// The schema as pretty-printed text with a trailing newline.
pub fn json_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(json_schema()).expect("a schema is plain JSON");
    text.push('\n');
    text
}
