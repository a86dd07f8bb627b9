//! The `[recipients]` settings that stand on their own: `region` and `window`.

use std::sync::Arc;

use super::Window;
use crate::campaign::Zone;
use crate::campaign::file::RecipientsSection;
use crate::diagnostic::{Problem, Problems};
use crate::phone::Region;
use crate::source::SourceFile;

/// The `region` and `window` settings, checked even when other parts of the campaign have
/// errors (they need nothing else to be valid). `zone_reported`: the campaign's missing zone
/// was already reported (a misspelt or unknown `timezone`), so its absence is not again.
pub(in crate::campaign) fn settings(
    section: Option<&RecipientsSection>,
    zone: Option<&Zone>,
    zone_reported: bool,
    provider: &str,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> (Region, Option<Window>) {
    let region = match section.and_then(|s| s.region.as_ref()) {
        Some(text) => match Region::parse(text.get_ref()) {
            Ok(region) => region,
            Err(err) => {
                problems.push(
                    Problem::error("campaign::bad-region", err.message(provider))
                        .at(source, text.span(), "not a NANP region")
                        .help("use \"US\", \"CA\" or another NANP region, or remove `region`"),
                );
                Region::US
            }
        },
        None => Region::US,
    };
    let window = section.and_then(|s| s.window.as_ref()).and_then(|text| {
        match Window::parse(text.get_ref()) {
            Some(window) if zone.is_some() => Some(window),
            Some(_) if zone_reported => None,
            Some(_) => {
                problems.push(
                    Problem::error(
                        "campaign::missing-timezone",
                        "calling hours are given but the campaign has no time zone",
                    )
                    .at(source, text.span(), "in which time zone?")
                    .help("add `timezone = \"America/Chicago\"` (your zone) to [campaign]"),
                );
                None
            }
            None => {
                problems.push(
                    Problem::error(
                        "campaign::bad-window",
                        format!("\"{}\" is not a calling-hours window", text.get_ref()),
                    )
                    .at(source, text.span(), "not HH:MM-HH:MM")
                    .help("write the hours as \"08:00-21:00\" (24-hour, in campaign.timezone)"),
                );
                None
            }
        }
    });
    (region, window)
}
