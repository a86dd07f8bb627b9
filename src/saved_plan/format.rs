//! The saved plan's file: its JSON shape (the posts' hashes, the inputs' hashes, the counts,
//! the provider and endpoint), reading it back, and comparing two plans.

use std::fs::File;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::journal::{HashingWriter, sha256_hex};
use crate::plan::PostKind;
use crate::prepared::Prepared;
use crate::provider::name::ProviderName;

/// The version of the saved plan format; a plan of another version is refused.
pub const PLAN_FORMAT: u32 = 1;

/// A saved plan (the JSON file `plan --out` writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlan {
    /// [`PLAN_FORMAT`].
    pub outdial_plan: u32,
    /// The outdial version that wrote it.
    pub outdial: String,
    /// The campaign's name.
    pub campaign: String,
    /// The provider (`voiceshot`).
    pub provider: ProviderName,
    /// Where the posts go first.
    pub endpoint: String,
    /// What the plan counts.
    pub counts: PlanCounts,
    /// The files the posts are made from.
    pub inputs: Vec<Input>,
    /// Every post of `send`, in order.
    pub posts: Vec<PostHash>,
    /// The calls `send` removes first (an edit after a send, see [`crate::converge`]), as
    /// [`removal_entries`] writes them; `send --plan` removes no call not listed here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removals: Vec<String>,
}

/// The calls `changes` replaces or removes, as a saved plan lists them: `replace HASH` or
/// `remove HASH`, the hash the first 16 bytes of the SHA-256 of the recipient key (a saved
/// plan names no number), sorted.
pub fn removal_entries(changes: &crate::converge::Converge) -> Vec<String> {
    let mut out: Vec<String> = changes
        .targets
        .iter()
        .map(|t| {
            let act = if t.replace { "replace" } else { "remove" };
            let hash = sha256_hex(t.key.as_bytes());
            format!("{act} {}", &hash[..32])
        })
        .collect();
    out.sort_unstable();
    out
}

/// The counts of a saved plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    /// Recipients to call.
    pub recipients: u64,
    /// Left out: on a do-not-call list.
    pub suppressed: u64,
    /// Left out: the number came earlier.
    pub duplicates: u64,
    /// CSV rows left out as invalid.
    pub invalid: u64,
    /// Sound uploads.
    pub uploads: u64,
    /// Call posts.
    pub call_posts: u64,
    /// All posts.
    pub posts: u64,
}

/// What an input file is to the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// The campaign file.
    Campaign,
    /// The CSV contact list.
    Csv,
    /// A do-not-call list.
    Suppress,
    /// A local sound file.
    Sound,
}

impl InputKind {
    /// How people call it.
    pub fn describe(self) -> &'static str {
        match self {
            InputKind::Campaign => "the campaign file",
            InputKind::Csv => "the CSV contact list",
            InputKind::Suppress => "the do-not-call list",
            InputKind::Sound => "the sound file",
        }
    }
}

/// One input file and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// What the file is.
    pub kind: InputKind,
    /// The path as resolved from the campaign file.
    pub path: String,
    /// SHA-256 of its bytes (hex).
    pub sha256: String,
}

/// One post of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostHash {
    /// 1-based position.
    pub seq: usize,
    /// What it does.
    pub kind: PostKind,
    /// Numbers in it.
    pub numbers: usize,
    /// SHA-256 of the document as `compile` renders it (hex).
    pub sha256: String,
}

/// Why a saved plan cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// Not JSON of the saved plan's shape.
    #[error("{path} is not a saved plan: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// What serde said.
        message: String,
    },
    /// Another version of the format.
    #[error("{path} is a saved plan of format {found}; this outdial reads format {PLAN_FORMAT}")]
    Version {
        /// The file.
        path: String,
        /// Its version.
        found: u32,
    },
}

/// How a plan made now differs from a saved one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mismatch {
    /// The campaign's name, as saved and now.
    pub campaign: Option<(String, String)>,
    /// The provider, as saved and now.
    pub provider: Option<(ProviderName, ProviderName)>,
    /// The endpoint, as saved and now.
    pub endpoint: Option<(String, String)>,
    /// Positions of posts that differ, are new, or are gone.
    pub posts: Vec<usize>,
    /// Posts in the saved plan and now.
    pub post_counts: (usize, usize),
    /// Inputs whose bytes changed, that are new, or that are gone.
    pub inputs: Vec<InputChange>,
    /// Calls `send` would replace or remove now that the saved plan does not list.
    pub removals: usize,
}

/// One input that is not as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputChange {
    /// What the file is.
    pub kind: InputKind,
    /// Its path.
    pub path: String,
    /// What became of it.
    pub change: Change,
}

/// What became of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Its bytes changed.
    Modified,
    /// The campaign uses it now, not then.
    Added,
    /// The campaign used it then, not now.
    Removed,
}

impl Mismatch {
    /// Whether sending the plan now would send something else than was saved.
    pub fn refuses(&self) -> bool {
        self.campaign.is_some()
            || self.provider.is_some()
            || self.endpoint.is_some()
            || !self.posts.is_empty()
            || self.removals > 0
    }
}

impl SavedPlan {
    /// Reads a saved plan from its JSON text.
    pub fn from_json(path: &Path, text: &str) -> Result<SavedPlan, PlanFileError> {
        let shown = path.display().to_string();
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| PlanFileError::Malformed {
                path: shown.clone(),
                message: e.to_string(),
            })?;
        match value
            .get("outdial_plan")
            .and_then(serde_json::Value::as_u64)
        {
            Some(v) if v == u64::from(PLAN_FORMAT) => {}
            Some(v) => {
                return Err(PlanFileError::Version {
                    path: shown,
                    found: u32::try_from(v).unwrap_or(u32::MAX),
                });
            }
            None => {
                return Err(PlanFileError::Malformed {
                    path: shown,
                    message: "no \"outdial_plan\" format version".into(),
                });
            }
        }
        serde_json::from_value(value).map_err(|e| PlanFileError::Malformed {
            path: shown,
            message: e.to_string(),
        })
    }

    /// The plan as the file holds it: pretty JSON with a line break at the end.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Whether sending `now` (made the same way from the campaign as it is) would send
    /// exactly the saved posts, and if not what changed.
    pub fn compare(&self, now: &SavedPlan) -> Mismatch {
        let differ = |a: &String, b: &String| (a != b).then(|| (a.clone(), b.clone()));
        let mut posts: Vec<usize> = self
            .posts
            .iter()
            .zip(&now.posts)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.seq)
            .collect();
        let (longer, shorter) = if self.posts.len() > now.posts.len() {
            (&self.posts, now.posts.len())
        } else {
            (&now.posts, self.posts.len())
        };
        posts.extend(longer[shorter..].iter().map(|p| p.seq));
        let mut inputs = Vec::new();
        for was in &self.inputs {
            match now
                .inputs
                .iter()
                .find(|i| i.kind == was.kind && i.path == was.path)
            {
                Some(is) if is.sha256 != was.sha256 => inputs.push(InputChange {
                    kind: was.kind,
                    path: was.path.clone(),
                    change: Change::Modified,
                }),
                Some(_) => {}
                None => inputs.push(InputChange {
                    kind: was.kind,
                    path: was.path.clone(),
                    change: Change::Removed,
                }),
            }
        }
        for is in &now.inputs {
            if !self
                .inputs
                .iter()
                .any(|i| i.kind == is.kind && i.path == is.path)
            {
                inputs.push(InputChange {
                    kind: is.kind,
                    path: is.path.clone(),
                    change: Change::Added,
                });
            }
        }
        Mismatch {
            campaign: differ(&self.campaign, &now.campaign),
            provider: (self.provider != now.provider).then_some((self.provider, now.provider)),
            endpoint: differ(&self.endpoint, &now.endpoint),
            posts,
            post_counts: (self.posts.len(), now.posts.len()),
            inputs,
            // Fewer is fine (sent since), another is not: only listed calls are removed.
            removals: now
                .removals
                .iter()
                .filter(|r| self.removals.binary_search(r).is_err())
                .count(),
        }
    }
}

/// The campaign's input files with their hashes: the campaign file (as it was read), the
/// CSV, the do-not-call lists and the sound files, in that order.
pub fn inputs(campaign: &Prepared) -> io::Result<Vec<Input>> {
    let mut out = vec![Input {
        kind: InputKind::Campaign,
        path: campaign.source.path().display().to_string(),
        sha256: sha256_hex(campaign.source.text().as_bytes()),
    }];
    let mut add = |kind, path: &Path| -> io::Result<()> {
        out.push(Input {
            kind,
            path: path.display().to_string(),
            sha256: file_sha256(path)?,
        });
        Ok(())
    };
    if let Some(contacts) = &campaign.contacts {
        add(InputKind::Csv, &contacts.path)?;
    }
    for list in &campaign.suppress_lists {
        add(InputKind::Suppress, list)?;
    }
    for sound in &campaign.sounds {
        add(InputKind::Sound, &sound.path)?;
    }
    Ok(out)
}

/// SHA-256 (hex) of a file's bytes, streamed.
pub fn file_sha256(path: &Path) -> io::Result<String> {
    let mut w = HashingWriter::new(io::sink());
    io::copy(&mut File::open(path)?, &mut w)?;
    Ok(w.finish().1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SavedPlan {
        SavedPlan {
            outdial_plan: PLAN_FORMAT,
            outdial: "0.1.0".into(),
            campaign: "web".into(),
            provider: ProviderName::Voiceshot,
            endpoint: "http://127.0.0.1:1/ivrapi.asp".into(),
            counts: PlanCounts::default(),
            inputs: vec![
                Input {
                    kind: InputKind::Campaign,
                    path: "c.toml".into(),
                    sha256: "a".into(),
                },
                Input {
                    kind: InputKind::Suppress,
                    path: "dnc.txt".into(),
                    sha256: "b".into(),
                },
            ],
            removals: Vec::new(),
            posts: vec![PostHash {
                seq: 1,
                kind: PostKind::Send,
                numbers: 2,
                sha256: "c".into(),
            }],
        }
    }

    #[test]
    fn the_same_plan_matches_and_round_trips() {
        let p = plan();
        assert!(!p.compare(&p).refuses());
        assert_eq!(
            p.compare(&p),
            Mismatch {
                post_counts: (1, 1),
                ..Mismatch::default()
            }
        );
        let back = SavedPlan::from_json(Path::new("p.json"), &p.to_json()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn changes_are_named() {
        let was = plan();
        let mut now = plan();
        now.inputs[1].sha256 = "B".into();
        now.posts[0].sha256 = "C".into();
        now.posts.push(PostHash {
            seq: 2,
            kind: PostKind::Send,
            numbers: 1,
            sha256: "d".into(),
        });
        let m = was.compare(&now);
        assert!(m.refuses());
        assert_eq!(m.posts, [1, 2]);
        assert_eq!(m.inputs.len(), 1);
        assert_eq!(m.inputs[0].kind, InputKind::Suppress);
        assert_eq!(m.inputs[0].change, Change::Modified);
    }

    #[test]
    fn other_versions_are_refused() {
        let text = plan()
            .to_json()
            .replace("\"outdial_plan\": 1", "\"outdial_plan\": 9");
        assert!(matches!(
            SavedPlan::from_json(Path::new("p.json"), &text),
            Err(PlanFileError::Version { found: 9, .. })
        ));
        assert!(SavedPlan::from_json(Path::new("p.json"), "{}").is_err());
    }
}
