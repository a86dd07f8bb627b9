//! Checks WAV prompts before they are uploaded, and streams them out as base64.
//!
//! Phone providers play prompts in the telephony format only: 8000 Hz, mono,
//! 16-bit PCM. [`inspect_file`] walks the RIFF chunks itself, because a
//! decoder's errors are too coarse to tell a person what to do (and hound
//! accepts truncated files), then has hound decode the first and last frame
//! to be sure the samples are really there. Every [`AudioProblem`] comes
//! with a [`fix`](AudioProblem::fix).

mod encode;
mod format;
mod info;
mod problem;
mod riff;

use std::fs::{self, File};
use std::io::{Read, Seek};
use std::path::Path;

pub use encode::{encode_base64, encoded_len};
pub use format::{Encoding, Format, FourCc, SUBTYPE_PCM};
pub use info::WavInfo;
pub(crate) use problem::sox_command;
pub use problem::{AudioProblem, Place};

/// The upload limit callers use unless configured otherwise: 16 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Opens and checks the WAV file at `path`; files over `max_bytes` are
/// refused before any of their content is read.
///
/// Cost does not grow with the file: only headers, the `fmt ` chunk and the
/// first and last frame are read.
pub fn inspect_file(path: &Path, max_bytes: u64) -> Result<WavInfo, AudioProblem> {
    // Look before opening: opening a FIFO would block until someone writes to it.
    let meta = fs::metadata(path).map_err(|e| AudioProblem::io(&e))?;
    if !meta.is_file() {
        return Err(AudioProblem::NotAFile {
            is_dir: meta.is_dir(),
        });
    }
    let file = File::open(path).map_err(|e| AudioProblem::io(&e))?;
    // The length of what was opened, in case the path changed hands meanwhile.
    let size = file.metadata().map_err(|e| AudioProblem::io(&e))?.len();
    if size > max_bytes {
        return Err(AudioProblem::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    inspect(file, size)
}

/// Checks a WAV file of `file_len` bytes read from `reader`: the header walk,
/// the format check and the decoder cross-check of [`inspect_file`], without
/// the size limit.
///
/// `file_len` bounds every offset; a reader that ends sooner makes the file
/// count as truncated. No input panics, and nothing is allocated by a size
/// field read from the file.
pub fn inspect<R: Read + Seek>(reader: R, file_len: u64) -> Result<WavInfo, AudioProblem> {
    riff::inspect(reader, file_len)
}

#[cfg(test)]
mod tests;
