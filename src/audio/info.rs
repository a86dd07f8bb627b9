//! What a good WAV file's header says.

use std::time::Duration;

use super::format::{Encoding, Format};

/// What a good file's header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavInfo {
    /// The file's size in bytes.
    pub file_len: u64,
    /// Frames per second (always 8000 for a good file).
    pub sample_rate: u32,
    /// Channels (always 1 for a good file).
    pub channels: u16,
    /// Bits per sample (always 16 for a good file).
    pub bits_per_sample: u16,
    /// Plain PCM, or PCM wrapped in `WAVE_FORMAT_EXTENSIBLE`.
    pub format: Format,
    /// Bytes of sample data.
    pub data_len: u64,
    /// Sample frames (one sample per channel each).
    pub frames: u64,
}

impl WavInfo {
    /// The sample format, e.g. for [`Encoding::describe`].
    pub fn encoding(&self) -> Encoding {
        Encoding {
            format: self.format,
            sample_rate: self.sample_rate,
            channels: self.channels,
            bits_per_sample: self.bits_per_sample,
        }
    }

    /// How long the prompt plays.
    pub fn duration(&self) -> Duration {
        if self.sample_rate == 0 {
            return Duration::ZERO;
        }
        let rate = u64::from(self.sample_rate);
        let nanos = (self.frames % rate) * 1_000_000_000 / rate;
        Duration::new(self.frames / rate, nanos as u32)
    }
}
