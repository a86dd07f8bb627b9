//! The missing-journal guard: before a campaign whose journal holds nothing is sent, look for
//! signs that it was sent before (a journal of it under another path in its `.outdial/`
//! folder, results stored for it). A journal lost with a CI runner, a second `--journal`, or a
//! store named on one runner and not the other would otherwise call everyone again, and for a
//! provider that cannot be asked nothing else would notice.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::journal::Record;
use crate::provider::name::ProviderName;

/// A sign that a campaign was sent before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A journal file of the campaign with posts in it, not the one in use.
    Journal {
        /// The file.
        path: PathBuf,
        /// Its records.
        records: usize,
    },
    /// Results the provider posted back or was asked for, stored for the campaign.
    Results {
        /// The results store.
        path: PathBuf,
        /// Recipients with a result.
        calls: usize,
    },
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Journal { path, records } => write!(
                f,
                "the journal {} records {records} lines of this campaign",
                path.display()
            ),
            Evidence::Results { path, calls } => write!(
                f,
                "the results store {} holds results for {calls} of its calls",
                path.display()
            ),
        }
    }
}

/// Where to look for a campaign's earlier sends.
#[derive(Clone, Copy, Debug)]
pub struct Look<'a> {
    /// The campaign's name.
    pub campaign: &'a str,
    /// Its provider.
    pub provider: ProviderName,
    /// The `.outdial/` folder next to the campaign file.
    pub folder: &'a Path,
    /// The local journal in use, which is not evidence of anything (none with a state store).
    pub journal: Option<&'a Path>,
    /// The results store next to the campaign file.
    pub results: &'a Path,
}

/// Every sign that the campaign was sent before, in a stable order; none is nothing found.
/// What cannot be read is passed over: the guard adds a refusal, it never stops a send that
/// would go ahead without it.
pub fn evidence(look: &Look<'_>) -> Vec<Evidence> {
    let mut found = Vec::new();
    let own = look.journal.and_then(|p| p.canonicalize().ok());
    let mut paths = super::local_journals(look.folder);
    // A --journal outside the folder can hold this campaign too.
    if let Some(journal) = look.journal.filter(|j| j.parent() != Some(look.folder)) {
        let default = look.folder.join(format!("{}.jsonl", look.campaign));
        if default != journal {
            paths.push(default);
        }
    }
    paths.sort();
    paths.dedup();
    for path in paths {
        if own.is_some() && path.canonicalize().ok() == own {
            continue;
        }
        if let Some(records) = journal_of(&path, look.campaign, look.provider) {
            found.push(Evidence::Journal { path, records });
        }
    }
    if look.results.is_file()
        && let Ok(store) = crate::results::Store::open(look.results)
        && let Ok(calls) = store.calls(look.provider.key(), look.campaign)
        && !calls.is_empty()
    {
        found.push(Evidence::Results {
            path: look.results.to_owned(),
            calls: calls.len(),
        });
    }
    found
}

/// Results stored for `campaign` of `provider` in the state store's results tables (none
/// when `listen` never wrote there): evidence the campaign was sent.
pub fn store_results(
    at: &super::PgLocation,
    provider: ProviderName,
    campaign: &str,
) -> Result<Option<Evidence>, super::StateError> {
    let mut client = at.connect()?;
    let err = |e: postgres::Error| at.query_error(&e);
    let exists: bool = client
        .query_one("SELECT to_regclass('outdial_calls') IS NOT NULL", &[])
        .map_err(err)?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let calls: i64 = client
        .query_one(
            "SELECT count(*) FROM outdial_calls WHERE provider = $1 AND campaign = $2",
            &[&provider.key(), &campaign],
        )
        .map_err(err)?
        .get(0);
    Ok((calls > 0).then(|| Evidence::Results {
        path: PathBuf::from(at.shown()),
        calls: calls as usize,
    }))
}

/// The number of lines of the journal at `path` if it is `campaign`'s (of `provider`) and
/// records more than its opening line.
fn journal_of(path: &Path, campaign: &str, provider: ProviderName) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    match serde_json::from_str::<Record>(lines.next()?).ok()? {
        Record::Open {
            campaign: found,
            provider: p,
            ..
        } if found == campaign && p.is_none_or(|p| p == provider) => {}
        _ => return None,
    }
    let rest = lines.count();
    (rest > 0).then_some(rest + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: &str = r#"{"event":"open","campaign":"c","version":2,"provider":"voiceshot"}"#;

    fn look<'a>(folder: &'a Path, journal: Option<&'a Path>, results: &'a Path) -> Look<'a> {
        Look {
            campaign: "c",
            provider: ProviderName::Voiceshot,
            folder,
            journal,
            results,
        }
    }

    #[test]
    fn a_journal_of_the_campaign_under_another_path_is_found_and_the_one_in_use_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        let results = folder.join("results.db");
        std::fs::write(folder.join("c.jsonl"), format!("{OPEN}\n{{}}\n")).unwrap();
        // Only an opening line: nothing was posted.
        std::fs::write(folder.join("empty.jsonl"), format!("{OPEN}\n")).unwrap();
        // Another campaign's journal.
        std::fs::write(
            folder.join("other.jsonl"),
            format!("{}\n{{}}\n", OPEN.replace(r#""c""#, r#""other""#)),
        )
        .unwrap();
        let backup = folder.join("backup.jsonl");
        std::fs::copy(folder.join("c.jsonl"), &backup).unwrap();
        let in_use = folder.join("c.jsonl");
        assert_eq!(
            evidence(&look(folder, Some(&in_use), &results)),
            [Evidence::Journal {
                path: backup.clone(),
                records: 2
            }]
        );
        // With a state store, no file is in use: the local journal is evidence too.
        assert_eq!(evidence(&look(folder, None, &results)).len(), 2);
        // A --journal elsewhere: the default one in the folder is found.
        let elsewhere = tempfile::tempdir().unwrap();
        let other = elsewhere.path().join("c.jsonl");
        let found = evidence(&look(folder, Some(&other), &results));
        assert!(found.contains(&Evidence::Journal {
            path: in_use,
            records: 2
        }));
        assert!(
            found[0].to_string().contains("records 2 lines"),
            "{}",
            found[0]
        );
    }
}
