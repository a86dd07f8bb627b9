//! The cross-campaign call-id guard: a call id given by hand (a `callid` column, or `callid =`
//! in the campaign file) that another campaign already posted to the same provider. Calls are
//! told apart by their call ids (VoiceShot queries and deletes by call id, and its Call
//! Summaries name nothing else; `listen` and `report` file results under them), so two
//! campaigns sharing one would query, delete and report each other's calls.
//!
//! The other campaigns are those whose journals sit next to the campaign file (as `max_calls`
//! reads them), or every campaign in the state store. Only ids given by hand are compared:
//! derived ids start with their campaign's name, and another campaign's derived ids are left
//! out of what is compared against for the same reason.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::{StateError, StateLocation};
use crate::callid;
use crate::diagnostic::Problem;
use crate::journal::Record;
use crate::plan::{self, Action};
use crate::prepared::Prepared;
use crate::provider::name::ProviderName;

/// Clashes named in full in the problem; the rest are counted.
const SHOWN: usize = 5;

/// A recipient whose call id another campaign used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clash {
    /// The call id.
    pub callid: String,
    /// The campaign that used it first.
    pub other: String,
    /// The file the recipient is written in (the CSV, or the campaign file).
    pub file: PathBuf,
    /// Its line there.
    pub line: u64,
    /// Where the recipient (or its `csv = …`) is written in the campaign file.
    pub span: std::ops::Range<usize>,
}

/// Every recipient of a campaign whose call id another campaign used: the first few in file
/// order, and how many in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clashes {
    /// The first clashes, in the order the recipients are called.
    pub first: Vec<Clash>,
    /// How many recipients clash.
    pub count: u64,
}

/// Why the guard could not look.
#[derive(Debug)]
pub enum GuardError {
    /// The state store could not be read.
    Store(StateError),
    /// The recipients could not be read again (the CSV changed since loading).
    Plan(Box<Problem>),
}

/// The call ids given by hand that campaigns other than `own` posted to `provider`, each with
/// the campaign that used it (the first found, in a stable order).
pub fn used_elsewhere(
    folder: &Path,
    own: &str,
    provider: ProviderName,
    state: &StateLocation,
) -> Result<HashMap<String, String>, StateError> {
    let mut used = HashMap::new();
    if let StateLocation::Postgres(pg) = state {
        let mut client = pg.connect()?;
        // One row per (campaign, call id) of every call post's intent at this provider; the
        // text test first spares parsing every other record.
        let rows = client
            .query(
                "SELECT DISTINCT c.campaign, id.value
                 FROM outdial_journal j
                 JOIN outdial_campaigns c ON c.key = j.campaign_key
                 CROSS JOIN LATERAL jsonb_array_elements_text(
                     CASE WHEN jsonb_typeof(j.line::jsonb -> 'callids') = 'array'
                          THEN j.line::jsonb -> 'callids' ELSE '[]'::jsonb END) AS id(value)
                 WHERE c.provider = $1 AND c.campaign <> $2
                   AND j.line LIKE '%\"callids\":%'
                   AND j.line::jsonb ->> 'event' = 'intent'
                 ORDER BY c.campaign, id.value",
                &[&provider.key(), &own],
            )
            .map_err(|e| pg.query_error(&e))?;
        for row in rows {
            let (campaign, id): (String, String) = (row.get(0), row.get(1));
            if !is_derived(&id, &campaign) {
                used.entry(id).or_insert(campaign);
            }
        }
        return Ok(used);
    }
    for path in super::local_journals(folder) {
        // Unreadable files are passed over, as `max_calls` passes them over.
        if let Ok(file) = std::fs::File::open(&path) {
            read_journal(std::io::BufReader::new(file), own, provider, &mut used);
        }
    }
    Ok(used)
}

/// Adds the hand-given call ids of the journal `reader` holds, when it is another campaign's
/// at `provider` (a journal that does not say its provider counts: it may be).
fn read_journal(
    reader: impl BufRead,
    own: &str,
    provider: ProviderName,
    used: &mut HashMap<String, String>,
) {
    let mut lines = reader.lines().map_while(Result::ok);
    let Some(Ok(Record::Open {
        campaign,
        provider: p,
        ..
    })) = lines.next().map(|l| serde_json::from_str::<Record>(&l))
    else {
        return;
    };
    if campaign == own || p.is_some_and(|p| p != provider) {
        return;
    }
    for line in lines {
        // Only intents name call ids; a torn or unknown line is passed over.
        if !line.contains("\"callids\"") {
            continue;
        }
        if let Ok(Record::Intent { callids, .. }) = serde_json::from_str::<Record>(&line) {
            for id in callids {
                if !is_derived(&id, &campaign) {
                    used.entry(id).or_insert_with(|| campaign.clone());
                }
            }
        }
    }
}

/// Whether `id` has the shape of an id outdial derives for `campaign` (its prefix, then a
/// number's digits).
fn is_derived(id: &str, campaign: &str) -> bool {
    id.strip_prefix(callid::prefix(campaign).as_str())
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// The recipients of `campaign` whose hand-given call id another campaign at its provider
/// used (see [`used_elsewhere`]); the recipients are streamed only when some campaign used
/// hand-given ids.
pub fn find(campaign: &Prepared, state: &StateLocation) -> Result<Clashes, GuardError> {
    let folder = campaign.source.resolve(".outdial");
    let provider = campaign.provider().name();
    let used =
        used_elsewhere(&folder, &campaign.name, provider, state).map_err(GuardError::Store)?;
    let mut clashes = Clashes::default();
    if used.is_empty() {
        return Ok(clashes);
    }
    for post in plan::posts(campaign, Action::Send) {
        let post = post.map_err(|p| GuardError::Plan(Box::new(p)))?;
        for r in post.body.recipients() {
            let Some(other) = used.get(&r.callid) else {
                continue;
            };
            if r.callid == callid::derive(&campaign.callid_prefix, &r.number) {
                continue;
            }
            clashes.count += 1;
            if clashes.first.len() < SHOWN {
                let (file, line) = match (r.row, &campaign.contacts) {
                    (Some(row), Some(contacts)) => (contacts.path.clone(), row),
                    _ => (
                        campaign.source.path().to_owned(),
                        campaign.line_of(&r.span) as u64,
                    ),
                };
                clashes.first.push(Clash {
                    callid: r.callid.clone(),
                    other: other.clone(),
                    file,
                    line,
                    span: r.span.clone(),
                });
            }
        }
    }
    Ok(clashes)
}

impl Clashes {
    /// The problem `send` refuses with (and `plan` and `check` show), naming each call id, the
    /// campaign that used it and where the recipient is written; `None` when nothing clashes.
    pub fn problem(&self, campaign: &Prepared) -> Option<Problem> {
        let first = self.first.first()?;
        let named: Vec<String> = self
            .first
            .iter()
            .map(|c| {
                format!(
                    "call id \"{}\" (line {} of {}) is campaign \"{}\"'s",
                    c.callid,
                    c.line,
                    c.file.display(),
                    c.other
                )
            })
            .collect();
        let more = self.count - self.first.len() as u64;
        let more = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        let label = if first.file == campaign.source.path() {
            "this recipient"
        } else {
            "this file"
        };
        Some(
            Problem::error(
                "state::callid-elsewhere",
                format!(
                    "{} recipient{} of campaign \"{}\" {} a call id another campaign already posted to {}: {}{more}. Calls are told apart by call id, so the two campaigns would query, delete and report each other's calls",
                    self.count,
                    if self.count == 1 { "" } else { "s" },
                    campaign.name,
                    if self.count == 1 { "has" } else { "have" },
                    campaign.provider().name().display(),
                    named.join("; "),
                ),
            )
            .at(&campaign.source, first.span.clone(), label)
            .help("rename these call ids so no other campaign uses them (prefix them with this campaign's name, say), or leave them out and outdial derives ids from the campaign name; nothing was sent"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = r#"{"event":"open","campaign":"spring","version":2,"provider":"voiceshot"}"#;

    fn intent(ids: &[&str]) -> String {
        let ids: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
        format!(
            r#"{{"event":"intent","attempt":1,"action":"send","seq":0,"kind":"send","post_hash":"x","body_hash":"x","callids":[{}],"numbers":[],"at":"2026-12-01T00:00:00Z"}}"#,
            ids.join(",")
        )
    }

    #[test]
    fn another_campaigns_hand_given_ids_are_found_and_derived_ones_and_its_own_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        std::fs::write(
            folder.join("spring.jsonl"),
            format!(
                "{OPEN}\n{}\n{{torn",
                intent(&["vip1", "spring8185550100", "springx"])
            ),
        )
        .unwrap();
        // This campaign's own journal under another file name is no other's, nor is another
        // provider's campaign.
        std::fs::write(
            folder.join("backup.jsonl"),
            format!(
                "{}\n{}\n",
                OPEN.replace("spring", "fall"),
                intent(&["own1"])
            ),
        )
        .unwrap();
        std::fs::write(
            folder.join("voicent.jsonl"),
            format!(
                "{}\n{}\n",
                OPEN.replace("spring", "x").replace("voiceshot", "voicent"),
                intent(&["vip2"])
            ),
        )
        .unwrap();
        let used = used_elsewhere(
            folder,
            "fall",
            ProviderName::Voiceshot,
            &StateLocation::Local,
        )
        .unwrap();
        let mut found: Vec<(&str, &str)> =
            used.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        found.sort();
        assert_eq!(found, [("springx", "spring"), ("vip1", "spring")]);
        // The campaign that used them sees none of its own, only the other's.
        let used = used_elsewhere(
            folder,
            "spring",
            ProviderName::Voiceshot,
            &StateLocation::Local,
        )
        .unwrap();
        assert_eq!(used.len(), 1, "{used:?}");
        assert_eq!(used.get("own1").map(String::as_str), Some("fall"));
    }

    #[test]
    fn a_derived_id_is_the_prefix_then_digits() {
        assert!(is_derived("weboutage8185550100", "web-outage"));
        assert!(!is_derived("weboutage", "web-outage"));
        assert!(!is_derived("weboutagevip", "web-outage"));
        assert!(!is_derived("vip1", "web-outage"));
    }

    #[test]
    fn a_clash_is_named_with_its_id_campaign_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".outdial")).unwrap();
        std::fs::write(
            dir.path().join(".outdial/spring.jsonl"),
            format!("{OPEN}\n{}\n", intent(&["vip1", "vip9"])),
        )
        .unwrap();
        let path = dir.path().join("fall.toml");
        std::fs::write(
            &path,
            "[campaign]\nname = \"fall\"\n\n[voiceshot]\nmenuid = \"1-1\"\ncallerid = \"8185550199\"\n\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550100\"]\n\n[[recipient]]\nnumber = \"8185550101\"\ncallid = \"vip1\"\n",
        )
        .unwrap();
        let campaign = crate::load::load(&path).unwrap().campaign;
        let clashes = find(&campaign, &StateLocation::Local).unwrap();
        assert_eq!(clashes.count, 1, "{clashes:?}");
        let clash = &clashes.first[0];
        assert_eq!(
            (clash.callid.as_str(), clash.other.as_str(), clash.line),
            ("vip1", "spring", 17)
        );
        let problem = clashes.problem(&campaign).unwrap();
        assert_eq!(problem.code(), "state::callid-elsewhere");
        let text = problem.message();
        assert!(
            text.contains("call id \"vip1\" (line 17 of") && text.contains("\"spring\"'s"),
            "{text}"
        );
        assert!(problem.help_text().unwrap().contains("rename"));
        // Without the other campaign's journal, nothing clashes.
        std::fs::remove_file(dir.path().join(".outdial/spring.jsonl")).unwrap();
        let clashes = find(&campaign, &StateLocation::Local).unwrap();
        assert_eq!(clashes, Clashes::default());
        assert!(clashes.problem(&campaign).is_none());
    }
}
