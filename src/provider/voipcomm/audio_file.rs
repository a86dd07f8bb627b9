//! A local copy of an audio URL (`play_file`), checked against the formats
//! voip-communications.net plays before anything is sent (the file itself is never uploaded).

use toml::Spanned;

use crate::audio::{self, AudioProblem};
use crate::campaign::check::Checker;

/// Checks a local copy of an audio URL against the formats the make-calls page lists: WAV
/// PCM 16-bit at 8000 or 11025 Hz, or MP3. A WAV file is described, and its conversion
/// written, as for every other provider (the audio module's words and sox command).
pub(super) fn audio_file(c: &mut Checker<'_>, value: &Spanned<String>, key: &str) {
    let path = c.source.resolve(value.get_ref());
    let shown = path.display();
    let (message, help) = match std::fs::read(&path) {
        Err(e) => (
            format!("cannot read {shown}: {e} (paths are relative to the campaign file's folder)"),
            AudioProblem::io(&e).fix(&path),
        ),
        Ok(bytes) if bytes.starts_with(b"ID3") || is_mp3_frame(&bytes) => return,
        Ok(bytes) if bytes.starts_with(b"RIFF") => {
            let len = bytes.len() as u64;
            // The audio module judges by the telephony format; this provider plays more.
            let found = match audio::inspect(std::io::Cursor::new(bytes), len) {
                Ok(info) => info.encoding(),
                Err(AudioProblem::WrongFormat { found }) => found,
                Err(problem) => {
                    c.error(
                        "voipcomm::bad-audio",
                        format!("{shown}: not a readable WAV file: {problem}"),
                        value.span(),
                        format!("`{key}`"),
                        problem.fix(&path),
                    );
                    return;
                }
            };
            if found.format.is_pcm()
                && found.bits_per_sample == 16
                && matches!(found.sample_rate, 8000 | 11025)
            {
                return;
            }
            (
                format!(
                    "{shown}: the audio is {}, but voip-communications.net plays WAV PCM 16-bit at 8000 or 11025 Hz",
                    found.describe()
                ),
                format!(
                    "convert it: {}, then publish the new file at play_url and name it in `{key}`",
                    audio::sox_command(&path)
                ),
            )
        }
        Ok(_) => (
            format!("{shown}: neither WAV nor MP3 (voip-communications.net plays those two)"),
            format!(
                "convert it: {}, then publish the new file at play_url and name it in `{key}`",
                audio::sox_command(&path)
            ),
        ),
    };
    c.error(
        "voipcomm::bad-audio",
        message,
        value.span(),
        format!("`{key}`"),
        help,
    );
}

/// An MPEG audio frame header without ID3 tag: 11 sync bits.
fn is_mp3_frame(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0
}
