//! Reading a campaign file: its bytes (bounded, UTF-8), then the three stages of loading,
//! each collecting every problem it finds before the next runs: TOML syntax
//! ([`toml::de::DeTable::parse_recoverable`]), structure (keys and types against the schema),
//! then meaning (numbers, ids, templates, times: validation).

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::file::CampaignFile;
use super::model::LoadOptions;
use super::rules::LoadContext;
use super::validated::Campaign;
use crate::diagnostic::{Problem, Problems};
use crate::source::SourceFile;

/// Reads the campaign file `path` (`-`: standard input) as text; the problem when it cannot
/// be read or is not UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, Problems> {
    match read_campaign_file(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let source = SourceFile::new(path, lossy);
                let mut problems = Problems::new();
                problems.push(
                    Problem::error(
                        "campaign::not-utf8",
                        format!("{} is not UTF-8 text", path.display()),
                    )
                    .at(&source, at..at + 1, "this byte is not UTF-8")
                    .help("save the campaign file as UTF-8"),
                );
                Err(problems)
            }
        },
        Err(err) => {
            let mut problems = Problems::new();
            problems.push(
                Problem::error(
                    "campaign::unreadable",
                    format!("cannot read {}: {err}", path.display()),
                )
                .help("check the path; campaign files are TOML, e.g. examples/outage-alert.toml"),
            );
            Err(problems)
        }
    }
}

/// The largest campaign file read. Settings and prompts fit in kilobytes; recipients by the
/// thousand belong in a CSV, which is streamed.
const MAX_CAMPAIGN_BYTES: u64 = 16 << 20;

/// Reads a campaign file, at most [`MAX_CAMPAIGN_BYTES`] of it: `/dev/zero` or a runaway
/// generator behind a pipe cannot fill memory. The kernel's files are refused, since a parse
/// error would show their text (`/proc/self/environ` holds the credentials).
fn read_campaign_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    // A pipe (`<(…)`) cannot be resolved, and is read as it is.
    if let Ok(canonical) = std::fs::canonicalize(path)
        && ["/proc", "/sys"].iter().any(|k| canonical.starts_with(k))
    {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "this is a system file, not a campaign",
        ));
    }
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_CAMPAIGN_BYTES + 1)
            .read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(path)?
            .take(MAX_CAMPAIGN_BYTES + 1)
            .read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > MAX_CAMPAIGN_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB; keep recipients in a CSV file ([recipients] csv = \"…\"), which is streamed",
                MAX_CAMPAIGN_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// Parses and checks the campaign file `source`: every problem found, or the campaign and its
/// warnings. `above` builds the provider the campaign names and tells what others called.
pub(crate) fn parse(
    source: Arc<SourceFile>,
    options: &LoadOptions,
    above: &LoadContext<'_>,
) -> Result<(Campaign, Problems), Problems> {
    let mut problems = Problems::new();
    let text = source.text();
    let (mut root, syntax) = toml::de::DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for err in syntax {
            let span = err.span().unwrap_or(0..0);
            problems.push(
                Problem::error(
                    "campaign::syntax",
                    format!("TOML syntax: {}", err.message().trim_end()),
                )
                .at(&source, span, "here")
                .help("fix the TOML syntax; outdial reads the rest once the file parses"),
            );
        }
        return Err(problems);
    }
    tracing::debug!("parsed");
    let pruned = super::structure::check(
        &mut root,
        super::file::json_schema(),
        &source,
        &mut problems,
    );
    let provider_span = super::structure::span_of(&root, &["campaign", "provider"]);
    let raw = match CampaignFile::deserialize(toml::de::Deserializer::from(root)) {
        Ok(raw) => raw,
        Err(err) => {
            // The structure check prunes everything serde would refuse, so this is a bug
            // in outdial; still report it with its position rather than panic.
            problems.push(
                Problem::error("campaign::structure", err.message().to_string()).at(
                    &source,
                    err.span().unwrap_or(0..0),
                    "here",
                ),
            );
            return Err(problems);
        }
    };
    tracing::debug!(problems = problems.error_count(), "structure checked");
    let campaign = super::validate::validate(
        raw,
        &source,
        &pruned,
        provider_span,
        options,
        &mut problems,
        above,
    );
    match campaign {
        Some(campaign) if !problems.has_errors() => Ok((campaign, problems)),
        _ => Err(problems),
    }
}
