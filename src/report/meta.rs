//! Records about outdial itself: the version record that opens every JSON Lines stream, the
//! campaign file's schema, shell completions, the man page, and the sandbox's address.

use serde::Serialize;

/// Version of the JSON Lines event stream.
pub const EVENT_SCHEMA: u32 = 2;

/// `{"type":"version","outdial":…,"schema":…}`.
#[derive(Debug, Serialize)]
pub struct Version {
    /// The outdial version.
    pub outdial: &'static str,
    /// [`EVENT_SCHEMA`].
    pub schema: u32,
    /// The git commit this build was made from, when it was built from a checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<&'static str>,
}

impl Version {
    /// This build's version record.
    pub fn current() -> Self {
        Version {
            outdial: env!("CARGO_PKG_VERSION"),
            schema: EVENT_SCHEMA,
            commit: option_env!("OUTDIAL_COMMIT"),
        }
    }
}

/// Where the local sandbox listens.
#[derive(Debug, Serialize)]
pub struct SandboxUrl<'a> {
    /// Its API URL.
    pub url: &'a str,
}

/// The campaign file's JSON Schema.
#[derive(Debug, Serialize)]
pub struct Schema {
    /// The schema document.
    pub schema: &'static serde_json::Value,
}

impl Schema {
    /// The campaign file's schema.
    pub fn campaign() -> Self {
        Schema {
            schema: crate::campaign::file::json_schema(),
        }
    }

    /// The schema as pretty-printed text with a trailing line break (the checked-in file).
    pub fn text(&self) -> String {
        crate::campaign::file::json_schema_text()
    }
}

/// A shell completion script: people get the script itself, JSON a record that carries it.
#[derive(Debug, Serialize)]
pub struct Completions<'a> {
    /// The shell (`bash`, `zsh`, `fish`).
    pub shell: &'a str,
    /// The script.
    pub script: &'a str,
}

/// The man page: people get the roff itself, JSON a record that carries it.
#[derive(Debug, Serialize)]
pub struct ManPage<'a> {
    /// The page in roff.
    pub roff: &'a str,
}
