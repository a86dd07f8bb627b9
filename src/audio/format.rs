//! What a `fmt ` chunk says, put into words a person understands.

use std::fmt;

/// The four-character id of a RIFF chunk or form type, such as `fmt ` or `AVI `.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FourCc(pub [u8; 4]);

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The id comes from an untrusted file: escape anything unprintable so a
        // message can never carry control characters to a terminal.
        for &b in &self.0 {
            if b.is_ascii_graphic() || b == b' ' {
                write!(f, "{}", char::from(b))?;
            } else {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// The trailing twelve bytes shared by every `KSDATAFORMAT_SUBTYPE_*` GUID
/// derived from a classic format tag; the first four bytes hold the tag.
const KS_GUID_TAIL: [u8; 12] = [
    0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// `KSDATAFORMAT_SUBTYPE_PCM` (`00000001-0000-0010-8000-00aa00389b71`) as it
/// is laid out in a file (the first three GUID fields are little-endian).
pub const SUBTYPE_PCM: [u8; 16] = [
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// The encoding named by the format tag of a `fmt ` chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `WAVE_FORMAT_PCM` (tag 1): plain integer samples.
    Pcm,
    /// `WAVE_FORMAT_EXTENSIBLE` (tag 0xFFFE): the real encoding is the sub-format GUID.
    Extensible {
        /// Bits of each sample that carry signal; 0 means "all of them".
        valid_bits_per_sample: u16,
        /// Which speaker each channel feeds.
        channel_mask: u32,
        /// The sub-format GUID, byte for byte as stored in the file.
        sub_format: [u8; 16],
    },
    /// Any other format tag, such as 3 (IEEE float), 6 (A-law) or 7 (µ-law).
    Other(u16),
}

impl Format {
    /// The format tag as stored in the file.
    pub fn tag(&self) -> u16 {
        match self {
            Format::Pcm => 1,
            Format::Extensible { .. } => 0xFFFE,
            Format::Other(tag) => *tag,
        }
    }

    /// Whether the samples are integer PCM, plain or wrapped in an extensible header.
    pub fn is_pcm(&self) -> bool {
        match self {
            Format::Pcm => true,
            Format::Extensible { sub_format, .. } => *sub_format == SUBTYPE_PCM,
            Format::Other(_) => false,
        }
    }

    /// The classic format tag an extensible sub-format stands for, when its
    /// GUID is one of the tag-derived `KSDATAFORMAT_SUBTYPE_*` family.
    fn sub_format_tag(sub_format: &[u8; 16]) -> Option<u16> {
        let (head, tail) = sub_format.split_at(4);
        if tail != KS_GUID_TAIL || head[2..] != [0, 0] {
            return None;
        }
        Some(u16::from_le_bytes([head[0], head[1]]))
    }

    /// The encoding in words: "PCM", "µ-law (format 7)", "PCM (extensible)".
    fn words(&self) -> String {
        match self {
            Format::Pcm => "PCM".to_owned(),
            Format::Other(tag) => tag_words(*tag),
            Format::Extensible { sub_format, .. } => match Format::sub_format_tag(sub_format) {
                Some(1) => "PCM (extensible)".to_owned(),
                Some(tag) => format!("extensible with a non-PCM sub-format: {}", tag_words(tag)),
                None => format!(
                    "extensible with a non-PCM sub-format {}",
                    guid_text(sub_format)
                ),
            },
        }
    }
}

/// A format tag in words, keeping the number so it can be looked up.
fn tag_words(tag: u16) -> String {
    let name = match tag {
        1 => "PCM",
        2 => "ADPCM",
        3 => "IEEE float",
        6 => "A-law",
        7 => "µ-law",
        0x11 => "IMA ADPCM",
        0x31 => "GSM 6.10",
        0x50 => "MPEG audio",
        0x55 => "MP3",
        _ => return format!("unknown encoding (format {tag})"),
    };
    format!("{name} (format {tag})")
}

/// The GUID in its registry spelling, e.g. `00000003-0000-0010-8000-00aa00389b71`.
fn guid_text(g: &[u8; 16]) -> String {
    let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
    let d2 = u16::from_le_bytes([g[4], g[5]]);
    let d3 = u16::from_le_bytes([g[6], g[7]]);
    let rest: String = g[8..].iter().map(|b| format!("{b:02x}")).collect();
    format!("{d1:08x}-{d2:04x}-{d3:04x}-{}-{}", &rest[..4], &rest[4..])
}

/// The sample format a `fmt ` chunk declares: enough to describe it to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoding {
    /// The format tag and, for extensible files, what it wraps.
    pub format: Format,
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels per frame.
    pub channels: u16,
    /// Bits per sample container.
    pub bits_per_sample: u16,
}

impl Encoding {
    /// What the telephony side accepts: 8000 Hz, mono, 16-bit PCM.
    pub const TELEPHONY: Encoding = Encoding {
        format: Format::Pcm,
        sample_rate: 8000,
        channels: 1,
        bits_per_sample: 16,
    };

    /// Whether this is 8000 Hz mono 16-bit integer PCM, however it is wrapped.
    pub fn is_telephony(&self) -> bool {
        self.format.is_pcm()
            && self.padded_bits().is_none()
            && self.sample_rate == 8000
            && self.channels == 1
            && self.bits_per_sample == 16
    }

    /// The bits that carry signal when an extensible header says they are
    /// fewer than the container holds (e.g. 12 in 16), which sox cannot read.
    pub fn padded_bits(&self) -> Option<u16> {
        match self.format {
            Format::Extensible {
                valid_bits_per_sample: valid,
                ..
            } if valid != 0 && valid != self.bits_per_sample => Some(valid),
            _ => None,
        }
    }

    /// Whether sox reads this encoding correctly, so that converting with it can be
    /// suggested. Measured with sox 14.4 on hand-made files (tests/fixtures/audio/make.sh):
    /// it refuses or silently writes an empty file for PCM of 5, 12, 20, 36, 45 or 53 bits,
    /// for any extensible header whose valid bits differ from the container (0 included),
    /// and for big-endian extensible files (see `AudioProblem::Rifx`).
    pub fn sox_reads(&self) -> bool {
        let whole_bytes = matches!(self.bits_per_sample, 8 | 16 | 24 | 32);
        match self.format {
            Format::Pcm => whole_bytes,
            Format::Extensible {
                valid_bits_per_sample,
                sub_format,
                ..
            } => {
                valid_bits_per_sample == self.bits_per_sample
                    && match Format::sub_format_tag(&sub_format) {
                        Some(1) => whole_bytes,
                        Some(3) => matches!(self.bits_per_sample, 32 | 64),
                        _ => false,
                    }
            }
            Format::Other(3) => matches!(self.bits_per_sample, 32 | 64),
            // Codecs (A-law, µ-law, ADPCM, GSM …) name their own sample size.
            Format::Other(_) => true,
        }
    }

    /// A person's description, e.g. "44100 Hz stereo 16-bit PCM" or
    /// "8000 Hz mono 32-bit IEEE float (format 3)".
    pub fn describe(&self) -> String {
        let channels = match self.channels {
            1 => "mono".to_owned(),
            2 => "stereo".to_owned(),
            n => format!("{n}-channel"),
        };
        let bits = match self.padded_bits() {
            Some(valid) => format!("{valid}-bit (in {}-bit containers)", self.bits_per_sample),
            None => format!("{}-bit", self.bits_per_sample),
        };
        format!(
            "{} Hz {channels} {bits} {}",
            self.sample_rate,
            self.format.words()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(format: Format, sample_rate: u32, channels: u16, bits: u16) -> Encoding {
        Encoding {
            format,
            sample_rate,
            channels,
            bits_per_sample: bits,
        }
    }

    fn ext(valid: u16, sub_tag: u8) -> Format {
        let mut sub_format = SUBTYPE_PCM;
        sub_format[0] = sub_tag;
        Format::Extensible {
            valid_bits_per_sample: valid,
            channel_mask: 4,
            sub_format,
        }
    }

    #[test]
    fn descriptions_read_like_a_person_wrote_them() {
        let cases = [
            (enc(Format::Pcm, 44100, 2, 16), "44100 Hz stereo 16-bit PCM"),
            (enc(Format::Pcm, 8000, 1, 8), "8000 Hz mono 8-bit PCM"),
            (
                enc(Format::Other(3), 8000, 1, 32),
                "8000 Hz mono 32-bit IEEE float (format 3)",
            ),
            (
                enc(Format::Other(7), 8000, 1, 8),
                "8000 Hz mono 8-bit µ-law (format 7)",
            ),
            (
                enc(Format::Other(0x1234), 8000, 6, 16),
                "8000 Hz 6-channel 16-bit unknown encoding (format 4660)",
            ),
            (
                enc(ext(16, 1), 8000, 1, 16),
                "8000 Hz mono 16-bit PCM (extensible)",
            ),
            (
                enc(ext(12, 1), 8000, 1, 16),
                "8000 Hz mono 12-bit (in 16-bit containers) PCM (extensible)",
            ),
            (
                enc(ext(0, 3), 8000, 1, 32),
                "8000 Hz mono 32-bit extensible with a non-PCM sub-format: IEEE float (format 3)",
            ),
        ];
        for (encoding, want) in cases {
            assert_eq!(encoding.describe(), want);
        }
    }

    #[test]
    fn unknown_guids_are_spelled_out() {
        let mut sub_format = [0x11; 16];
        sub_format[0] = 0xab;
        let e = enc(
            Format::Extensible {
                valid_bits_per_sample: 0,
                channel_mask: 0,
                sub_format,
            },
            8000,
            1,
            16,
        );
        assert_eq!(
            e.describe(),
            "8000 Hz mono 16-bit extensible with a non-PCM sub-format 111111ab-1111-1111-1111-111111111111"
        );
    }

    #[test]
    fn only_8k_mono_16_bit_pcm_is_telephony() {
        assert!(Encoding::TELEPHONY.is_telephony());
        assert!(enc(ext(0, 1), 8000, 1, 16).is_telephony());
        assert!(enc(ext(16, 1), 8000, 1, 16).is_telephony());
        assert!(!enc(ext(12, 1), 8000, 1, 16).is_telephony());
        assert!(!enc(ext(16, 3), 8000, 1, 16).is_telephony());
        assert!(!enc(Format::Pcm, 16000, 1, 16).is_telephony());
        assert!(!enc(Format::Pcm, 8000, 2, 16).is_telephony());
        assert!(!enc(Format::Pcm, 8000, 1, 24).is_telephony());
        assert!(!enc(Format::Other(7), 8000, 1, 16).is_telephony());
    }

    #[test]
    fn four_cc_escapes_unprintable_bytes() {
        assert_eq!(FourCc(*b"AVI ").to_string(), "AVI ");
        assert_eq!(
            FourCc([b'a', 0, 0x1b, 0xff]).to_string(),
            "a\\x00\\x1b\\xff"
        );
    }
}
