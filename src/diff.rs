//! What changed between two versions of a campaign, for a reviewer: settings, prompts, and
//! every recipient whose call would differ (added, removed, or called with another text,
//! time or caller ID).
//!
//! Both sides are validated campaigns, so the comparison is between what would be sent, not
//! between texts: a number written `(818) 555-0100` in one version and `8185550100` in the
//! other is the same recipient, and a CSV row moved elsewhere in its file is no change.
//! Recipients are keyed by call id and number. The old side's recipients are held in memory
//! as a 16-byte digest each of how they are called; the new side streams past them and only
//! the changes are kept; the old side is read a second time for the details of the recipients
//! that changed or went.

pub mod base;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::campaign::model::{PromptContent, Recipient};
use crate::campaign::validated::Campaign;
use crate::diagnostic::Problem;
use crate::plan::{self, Action, PostBody, ToPlan};

/// Every difference between two campaigns, in a stable order: settings, prompts, then
/// recipients (added and changed in the new file's order, then removed in the old one's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignDiff {
    /// The differences, one record each.
    pub changes: Vec<Change>,
    /// Recipients called exactly the same way in both versions.
    pub unchanged: u64,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Change {
    /// A setting of the campaign file (provider, schedule, calling rules, vars, lists).
    Setting(SettingChange),
    /// A prompt, by its API prompt id.
    Prompt(PromptChange),
    /// A recipient, by call id and number.
    Recipient(RecipientChange),
}

/// Whether something is new, gone or different.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, different.
    Changed,
}

impl Op {
    fn of<T>(old: &Option<T>, new: &Option<T>) -> Op {
        match (old, new) {
            (None, _) => Op::Added,
            (_, None) => Op::Removed,
            _ => Op::Changed,
        }
    }
}

/// Which part of the campaign a setting belongs to (so a reviewer sees at once that the
/// calling hours moved, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    /// `[campaign]`: name (so the journal), provider.
    Campaign,
    /// When calls ring: `campaign.timezone`, `recipients.at`.
    Schedule,
    /// The calling rules: `window`, `outside_window`, `quiet_days`, `max_calls`.
    CallingRules,
    /// `[vars]`.
    Vars,
    /// Where recipients come from: the CSV, suppression lists, region and the like.
    Recipients,
    /// The provider's own table (`[voiceshot]`, `[voicent]`, `[voipcomm]`).
    Provider,
}

/// A setting added, removed or changed: its dotted key and its values as TOML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingChange {
    /// Added, removed or changed.
    pub change: Op,
    /// What the setting is about.
    pub area: Area,
    /// The dotted key, e.g. `recipients.window`.
    pub key: String,
    /// The old value as TOML, if it was set.
    pub old: Option<String>,
    /// The new value as TOML, if it is set.
    pub new: Option<String>,
}

/// A prompt added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptChange {
    /// Added, removed or changed.
    pub change: Op,
    /// The API prompt id.
    pub id: u32,
    /// The old prompt.
    pub old: Option<PromptSide>,
    /// The new prompt.
    pub new: Option<PromptSide>,
}

/// A prompt as it plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptSide {
    /// `tts` (text as written, placeholders in braces), `audio` (the file's name) or `sound`.
    pub plays: PromptPlays,
    /// The transfer number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transferto: Option<String>,
    /// Caller ID on transfer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callerid: Option<String>,
}

/// What a prompt plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptPlays {
    /// Text to speak, as written.
    Tts(String),
    /// A local file uploaded first, by the name it is played under.
    Audio(String),
    /// A sound already in the account.
    Sound(String),
}

/// A recipient added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientChange {
    /// Added, removed or changed.
    pub change: Op,
    /// The call id.
    pub callid: String,
    /// The number (10 digits).
    pub number: String,
    /// How the old version calls it.
    pub old: Option<RecipientSide>,
    /// How the new version calls it.
    pub new: Option<RecipientSide>,
}

/// How one recipient is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientSide {
    /// When (RFC 9557, in the campaign's zone); `None` = as soon as it is sent.
    pub at: Option<String>,
    /// The recipient's own caller ID, if it has one (the provider's table sets the default).
    pub callerid: Option<String>,
    /// The extension dialled after connecting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext: Option<String>,
    /// Each text prompt as it will be spoken to this recipient, by prompt id.
    pub spoken: BTreeMap<u32, String>,
}

impl CampaignDiff {
    /// Whether the two versions differ at all.
    pub fn differs(&self) -> bool {
        !self.changes.is_empty()
    }

    /// Counts by kind: settings, prompts, and recipients added, removed and changed.
    pub fn counts(&self) -> DiffCounts {
        let mut counts = DiffCounts {
            unchanged: self.unchanged,
            ..DiffCounts::default()
        };
        for change in &self.changes {
            match change {
                Change::Setting(_) => counts.settings += 1,
                Change::Prompt(_) => counts.prompts += 1,
                Change::Recipient(r) => match r.change {
                    Op::Added => counts.added += 1,
                    Op::Removed => counts.removed += 1,
                    Op::Changed => counts.changed += 1,
                },
            }
        }
        counts
    }
}

/// How many differences of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffCounts {
    /// Settings added, removed or changed.
    pub settings: u64,
    /// Prompts added, removed or changed.
    pub prompts: u64,
    /// Recipients only in the new version.
    pub added: u64,
    /// Recipients only in the old version.
    pub removed: u64,
    /// Recipients called differently.
    pub changed: u64,
    /// Recipients called the same way.
    pub unchanged: u64,
}

/// Compares two validated campaigns. Fails only when a CSV cannot be streamed again (it
/// changed since it was checked).
pub fn diff<P: ToPlan + ?Sized>(old: &P, new: &P) -> Result<CampaignDiff, Box<Problem>> {
    let (old_plan, new_plan) = (old, new);
    let (old, new) = (old.campaign(), new.campaign());
    let _span = tracing::debug_span!("diff", old = %old.name, new = %new.name).entered();
    let mut changes = settings(old, new);
    changes.extend(prompts(old, new));
    let mut diff = CampaignDiff {
        changes,
        unchanged: 0,
    };
    recipients(old_plan, new_plan, &mut diff)?;
    tracing::debug!(changes = diff.changes.len(), "compared");
    Ok(diff)
}

/// The settings of the campaign file as dotted keys and TOML values; the prompts and the
/// recipients are compared as what they become, not here.
fn setting_values(campaign: &Campaign) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    // The file already parsed once while loading, so this cannot fail; an empty table would
    // only hide settings, never invent them.
    let table: toml::Table = campaign.source.text().parse().unwrap_or_default();
    for (key, value) in &table {
        if matches!(key.as_str(), "prompt" | "recipient") {
            continue;
        }
        flatten(key, value, &mut values);
    }
    values.remove("recipients.numbers");
    values
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, value) in table {
                flatten(&format!("{prefix}.{key}"), value, out);
            }
        }
        value => {
            out.insert(prefix.to_owned(), value.to_string());
        }
    }
}

fn area(key: &str) -> Area {
    let (section, rest) = key.split_once('.').unwrap_or((key, ""));
    let field = rest.split('.').next().unwrap_or(rest);
    match (section, field) {
        ("campaign", "timezone") | ("recipients", "at") => Area::Schedule,
        ("recipients", "window" | "outside_window" | "quiet_days" | "max_calls") => {
            Area::CallingRules
        }
        ("campaign", _) => Area::Campaign,
        ("vars", _) => Area::Vars,
        ("recipients", _) => Area::Recipients,
        _ => Area::Provider,
    }
}

fn settings(old: &Campaign, new: &Campaign) -> Vec<Change> {
    let (old, new) = (setting_values(old), setting_values(new));
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort_by(|a, b| (area(a), a).cmp(&(area(b), b)));
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let (o, n) = (old.get(key).cloned(), new.get(key).cloned());
            (o != n).then(|| {
                Change::Setting(SettingChange {
                    change: Op::of(&o, &n),
                    area: area(key),
                    key: key.clone(),
                    old: o,
                    new: n,
                })
            })
        })
        .collect()
}

fn prompt_sides(campaign: &Campaign) -> BTreeMap<u32, PromptSide> {
    campaign
        .prompts
        .iter()
        .map(|p| {
            let plays = match &p.content {
                PromptContent::Tts(template) => PromptPlays::Tts(template.written()),
                PromptContent::Audio(i) => PromptPlays::Audio(
                    campaign
                        .sounds
                        .get(*i)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                ),
                PromptContent::Sound(name) => PromptPlays::Sound(name.clone()),
            };
            let side = PromptSide {
                plays,
                transferto: p.transferto.map(|n| n.as_str().to_owned()),
                callerid: p.callerid.clone(),
            };
            (p.id, side)
        })
        .collect()
}

fn prompts(old: &Campaign, new: &Campaign) -> Vec<Change> {
    let (mut old, new) = (prompt_sides(old), prompt_sides(new));
    let mut ids: Vec<u32> = old.keys().chain(new.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut new = new;
    ids.into_iter()
        .filter_map(|id| {
            let (o, n) = (old.remove(&id), new.remove(&id));
            (o != n).then(|| {
                Change::Prompt(PromptChange {
                    change: Op::of(&o, &n),
                    id,
                    old: o,
                    new: n,
                })
            })
        })
        .collect()
}

/// How `campaign` calls `r`.
pub(crate) fn side(campaign: &Campaign, r: &Recipient) -> RecipientSide {
    let spoken = campaign
        .prompts
        .iter()
        .filter_map(|p| match &p.content {
            PromptContent::Tts(template) => {
                let text = template
                    .render(|name| campaign.var(r, name))
                    // Validation made sure every placeholder has a value; were one missing,
                    // the text as written is still the best account of the prompt.
                    .unwrap_or_else(|_| template.written());
                Some((p.id, text))
            }
            _ => None,
        })
        .collect();
    RecipientSide {
        at: r.at.as_ref().map(ToString::to_string),
        callerid: r.callerid.clone(),
        ext: r.ext.clone(),
        spoken,
    }
}

/// Every recipient `send` would call, in order: the campaign file's, then the CSV's.
fn each_recipient<P: ToPlan + ?Sized>(
    campaign: &P,
    mut f: impl FnMut(&Recipient),
) -> Result<(), Box<Problem>> {
    for post in plan::posts(campaign, Action::Send) {
        let post = post.map_err(Box::new)?;
        if let PostBody::Calls(batch) = &post.body {
            batch.iter().for_each(&mut f);
        }
    }
    Ok(())
}

type Key = (String, u64);

/// What a recipient's call is, in 16 bytes: the first half of the SHA-256 of its
/// [`RecipientSide`], each field length-prefixed so that no two sides encode alike. The old
/// side is held as these, not as texts: 100,000 recipients took 74 MB held whole.
fn digest(side: &RecipientSide) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut field = |text: Option<&str>| match text {
        None => hash.update([0]),
        Some(t) => {
            hash.update([1]);
            hash.update((t.len() as u64).to_le_bytes());
            hash.update(t.as_bytes());
        }
    };
    field(side.at.as_deref());
    field(side.callerid.as_deref());
    field(side.ext.as_deref());
    for (id, text) in &side.spoken {
        field(Some(&id.to_string()));
        field(Some(text));
    }
    let hash = hash.finalize();
    let mut out = [0; 16];
    out.copy_from_slice(&hash[..16]);
    out
}

fn recipients<P: ToPlan + ?Sized>(
    old: &P,
    new: &P,
    diff: &mut CampaignDiff,
) -> Result<(), Box<Problem>> {
    let (old_plan, new_plan) = (old, new);
    let (old, new) = (old.campaign(), new.campaign());
    // The old side, by key, as digests.
    let mut before: HashMap<Key, [u8; 16]> = HashMap::new();
    each_recipient(old_plan, |r| {
        let key = (r.callid.clone(), r.number.as_u64());
        // Loading calls each number once; were a key repeated, its first call stands.
        before.entry(key).or_insert_with(|| digest(&side(old, r)));
    })?;
    // The new side streams past it; a changed recipient waits for its old side, by key.
    let mut changed: HashMap<Key, usize> = HashMap::new();
    each_recipient(new_plan, |r| {
        let key = (r.callid.clone(), r.number.as_u64());
        let now = side(new, r);
        let op = match before.remove(&key) {
            Some(was) if was == digest(&now) => {
                diff.unchanged += 1;
                return;
            }
            Some(_) => {
                changed.insert(key.clone(), diff.changes.len());
                Op::Changed
            }
            None => Op::Added,
        };
        diff.changes.push(Change::Recipient(RecipientChange {
            change: op,
            callid: key.0,
            number: r.number.as_str().to_owned(),
            old: None,
            new: Some(now),
        }));
    })?;
    if changed.is_empty() && before.is_empty() {
        return Ok(());
    }
    // A second pass over the old side, only when something changed or went: the old calls
    // of changed recipients, and the removed ones in the old file's order.
    let mut removed = Vec::new();
    each_recipient(old_plan, |r| {
        let key = (r.callid.clone(), r.number.as_u64());
        if let Some(&index) = changed.get(&key) {
            if let Some(Change::Recipient(change)) = diff.changes.get_mut(index)
                && change.old.is_none()
            {
                change.old = Some(side(old, r));
            }
        } else if before.remove(&key).is_some() {
            removed.push(Change::Recipient(RecipientChange {
                change: Op::Removed,
                callid: key.0,
                number: r.number.as_str().to_owned(),
                old: Some(side(old, r)),
                new: None,
            }));
        }
    })?;
    diff.changes.extend(removed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::campaign;

    fn load(text: &str) -> crate::prepared::Prepared {
        let options = campaign::LoadOptions {
            deny_past: false,
            now: Some("2026-06-01T00:00:00Z".parse().unwrap()),
            ..campaign::LoadOptions::default()
        };
        crate::load::load_str_with(Path::new("c.toml"), text.to_owned(), &options)
            .expect("valid")
            .campaign
    }

    const BASE: &str = r#"
[campaign]
name = "d"
timezone = "America/Chicago"
[voiceshot]
menuid = "1-1234"
[[prompt]]
id = 1
tts = "Hello {name}."
[vars]
name = "there"
[recipients]
numbers = ["8185550100", "(818) 555-0101"]
"#;

    #[test]
    fn the_same_campaign_written_differently_has_no_differences() {
        let other = BASE.replace("(818) 555-0101", "+1 818 555 0101");
        let diff = diff(&load(BASE), &load(&other)).unwrap();
        assert!(!diff.differs(), "{diff:?}");
        assert_eq!(diff.unchanged, 2);
    }

    #[test]
    fn a_var_changes_the_setting_and_every_spoken_text() {
        let other = BASE.replace("name = \"there\"", "name = \"friend\"");
        let diff = diff(&load(BASE), &load(&other)).unwrap();
        let counts = diff.counts();
        assert_eq!((counts.settings, counts.prompts, counts.changed), (1, 0, 2));
        let Change::Recipient(r) = &diff.changes[1] else {
            panic!("{diff:?}")
        };
        assert_eq!(r.new.as_ref().unwrap().spoken[&1], "Hello friend.");
        assert_eq!(r.old.as_ref().unwrap().spoken[&1], "Hello there.");
    }

    #[test]
    fn added_and_removed_recipients_keep_file_order() {
        let other = BASE.replace(
            r#"["8185550100", "(818) 555-0101"]"#,
            r#"["8185550102", "8185550100"]"#,
        );
        let diff = diff(&load(BASE), &load(&other)).unwrap();
        let ops: Vec<(Op, &str)> = diff
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Recipient(r) => Some((r.change, r.number.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            ops,
            [(Op::Added, "8185550102"), (Op::Removed, "8185550101")]
        );
        assert_eq!(diff.unchanged, 1);
    }

    #[test]
    fn a_shared_call_id_keeps_its_numbers_apart() {
        let dir = tempfile::tempdir().unwrap();
        let household = |name: &str, numbers: &[&str]| {
            let csv: String = numbers.iter().map(|n| format!("{n},home1\n")).collect();
            std::fs::write(dir.path().join(name), format!("number,callid\n{csv}")).unwrap();
            let text = format!(
                "[campaign]\nname = \"h\"\n[voiceshot]\nmenuid = \"1-1\"\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n[recipients]\ncsv = \"{name}\"\nshared_callids = true\n"
            );
            // At a pinned instant: at the real clock, the default calling hours refuse
            // these numbers at night in Los Angeles.
            let options = campaign::LoadOptions {
                now: Some("2026-06-01T00:00:00Z".parse().unwrap()),
                ..campaign::LoadOptions::default()
            };
            crate::load::load_str_with(&dir.path().join("c.toml"), text, &options)
                .expect("valid")
                .campaign
        };
        let old = household("old.csv", &["8185550100", "8185550101"]);
        let new = household("new.csv", &["8185550101"]);
        let diff = diff(&old, &new).unwrap();
        let counts = diff.counts();
        assert_eq!((counts.removed, counts.unchanged), (1, 1), "{diff:?}");
        let Some(Change::Recipient(gone)) = diff.changes.last() else {
            panic!("{diff:?}")
        };
        assert_eq!(
            (gone.callid.as_str(), gone.number.as_str()),
            ("home1", "8185550100")
        );
    }

    #[test]
    fn settings_are_sorted_by_area() {
        assert_eq!(area("recipients.window"), Area::CallingRules);
        assert_eq!(area("recipients.max_calls.count"), Area::CallingRules);
        assert_eq!(area("recipients.at"), Area::Schedule);
        assert_eq!(area("campaign.timezone"), Area::Schedule);
        assert_eq!(area("campaign.name"), Area::Campaign);
        assert_eq!(area("voiceshot.menuid"), Area::Provider);
        assert_eq!(area("recipients.csv"), Area::Recipients);
    }
}
