//! Voicemail recordings a post carries, saved beside the store under names made from
//! outdial's own ids, so nothing a provider writes becomes a path.

use std::io::{Cursor, Write};

use axum::http::StatusCode;

use super::app::{App, Refused, refused};
use super::event::ListenEvent;
use crate::audio;
use crate::provider::inbound::Recording;

/// The folder beside the database that holds voicemail recordings.
pub const RECORDINGS: &str = "recordings";

impl App {
    /// Saves a recording under `recordings/` beside the store, named from outdial's own ids
    /// and a sanitized form of the provider's name, synced before the row that names it is
    /// committed. Returns its path relative to the store's folder.
    pub(super) fn save_recording(
        &self,
        campaign: &str,
        callid: &str,
        number: &str,
        r: &Recording,
    ) -> Result<String, Refused> {
        let stem = r
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim_end_matches(".wav")
            .trim_end_matches(".WAV");
        let name = format!(
            "{}-{}-{}-p{}-{}.wav",
            safe(campaign),
            safe(callid),
            safe(number),
            r.prompt,
            safe(stem)
        );
        let relative = format!("{RECORDINGS}/{name}");
        let folder = self.folder.join(RECORDINGS);
        let failed = |e: std::io::Error| {
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("recording {relative} could not be saved: {e}"),
            )
        };
        std::fs::create_dir_all(&folder).map_err(failed)?;
        let tmp = folder.join(format!(".{name}.tmp"));
        let mut file = std::fs::File::create(&tmp).map_err(failed)?;
        file.write_all(&r.wav).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        drop(file);
        std::fs::rename(&tmp, folder.join(&name)).map_err(failed)?;
        let problem = audio::inspect(Cursor::new(&r.wav), r.wav.len() as u64)
            .err()
            .map(|p| p.to_string());
        (self.on_event)(ListenEvent::Recording {
            path: relative.clone(),
            problem,
        });
        Ok(relative)
    }
}

/// A provider-supplied piece of a file name, made harmless: letters, digits, `-` and `_`
/// only (so no separators, no dots, no `..`), at most 48 characters, never empty.
fn safe(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_never_leave_the_folder() {
        for evil in ["../../etc/passwd", "..", "", "a/b\\c.wav", "vm 1.wav\0"] {
            let s = safe(evil);
            assert!(!s.is_empty());
            assert!(!s.contains(['/', '\\', '.', '\0']), "{s}");
        }
        assert_eq!(safe("vm123"), "vm123");
        assert_eq!(safe(&"x".repeat(100)).len(), 48);
    }
}
