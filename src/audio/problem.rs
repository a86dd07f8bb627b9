//! Everything that can be wrong with a prompt file, and how to put it right.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::format::{Encoding, Format, FourCc};

/// Where in the file a truncation was noticed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The 12-byte `RIFF` size `WAVE` header.
    RiffHeader,
    /// The 8-byte id + size header of a chunk starting at `offset`.
    ChunkHeader {
        /// Byte offset of the chunk header.
        offset: u64,
    },
    /// The body of the `fmt ` chunk.
    FmtChunk,
    /// The body of some other chunk (`LIST`, `fact`, ...) that claims more
    /// bytes than are left.
    Chunk {
        /// The chunk's id.
        id: FourCc,
        /// Byte offset of the chunk header.
        offset: u64,
        /// The body size the header claims.
        claimed: u32,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::RiffHeader => write!(f, "the RIFF header"),
            Place::ChunkHeader { offset } => write!(f, "the chunk header at byte {offset}"),
            Place::FmtChunk => write!(f, "the fmt chunk"),
            Place::Chunk {
                id,
                offset,
                claimed,
            } => write!(
                f,
                "the \"{id}\" chunk at byte {offset}, which claims {claimed} bytes"
            ),
        }
    }
}

/// Why a prompt file cannot be sent. `Display` says what was found, in one
/// sentence for a person; [`AudioProblem::fix`] says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioProblem {
    /// The file could not be opened or read.
    #[error("{}", io_sentence(*.kind, .message))]
    Io {
        /// What kind of failure the operating system reported.
        kind: io::ErrorKind,
        /// The operating system's own words.
        message: String,
    },
    /// The path names a directory or a special file.
    #[error("{}", if *.is_dir { "this is a directory, not a WAV file" } else { "this is not a regular file (a device, pipe or socket), so it cannot be a WAV file" })]
    NotAFile {
        /// Whether it is a directory.
        is_dir: bool,
    },
    /// The file has no bytes at all.
    #[error("the file is empty (0 bytes)")]
    EmptyFile,
    /// The file is bigger than the upload limit.
    #[error("the file is {}, more than the upload limit of {}", size_text(*.size), size_text(*.limit))]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file does not start with a RIFF header at all.
    #[error("starts with {} — {}", head_text(.head), match .looks_like { Some(kind) => format!("this looks like {kind}, not a WAV file"), None => "this is not a WAV file".to_owned() })]
    NotWav {
        /// Up to the first eight bytes of the file.
        head: Vec<u8>,
        /// What kind of file the first bytes suggest, if recognised.
        looks_like: Option<&'static str>,
        /// Whether that kind is audio which sox can convert.
        is_audio: bool,
    },
    /// A big-endian WAV file (`RIFX`).
    #[error("the file is big-endian WAV (RIFX{}), which telephony players do not read", if *.extensible { ", extensible format" } else { "" })]
    Rifx {
        /// Whether its format is extensible, which sox cannot read big-endian.
        extensible: bool,
    },
    /// A 64-bit WAV file (`RF64`).
    #[error("the file is RF64 (64-bit WAV), not a plain RIFF WAV file")]
    Rf64,
    /// A RIFF file of another form type, such as `AVI `.
    #[error("the file is a RIFF \"{form}\" file, not WAVE audio")]
    NotWave {
        /// The form type found where `WAVE` belongs.
        form: FourCc,
    },
    /// The file ends inside a header.
    #[error("the file ends after {file_len} bytes, inside {place}")]
    Truncated {
        /// Which header it ends in.
        place: Place,
        /// The file's length.
        file_len: u64,
    },
    /// The RIFF header's size is not the file's.
    #[error("the RIFF header says the file holds {} bytes after it, but {} follow", .claimed, .file_len.saturating_sub(8))]
    RiffSize {
        /// The size the RIFF header claims.
        claimed: u32,
        /// The file's length.
        file_len: u64,
    },
    /// So many chunks come before the audio that the walk gave up.
    #[error("the file has more than {limit} chunks without both a fmt and a data chunk among them")]
    TooManyChunks {
        /// How many chunks were walked.
        limit: usize,
    },
    /// No `fmt ` chunk: the sample format is unknown.
    #[error("the file has no fmt chunk, so its sample format is unknown")]
    NoFmt,
    /// No `data` chunk: there are no samples.
    #[error("the file has no data chunk, so it holds no audio")]
    NoData,
    /// The `fmt ` chunk is shorter than the 16 bytes every format needs.
    #[error("the fmt chunk is only {len} bytes; every WAV format needs at least 16")]
    FmtTooSmall {
        /// The size the chunk header claims.
        len: u32,
    },
    /// The `fmt ` chunk claims a size no real format description has.
    #[error("the fmt chunk claims {len} bytes, far more than any real format description")]
    FmtTooLarge {
        /// The size the chunk header claims.
        len: u32,
    },
    /// The `data` chunk comes before the `fmt ` chunk.
    #[error("the fmt chunk comes after the data chunk, but players need the format first")]
    FmtAfterData,
    /// The `data` chunk claims more bytes than the file holds.
    #[error("the data chunk claims {claimed} bytes but the file ends after {available} of them")]
    DataTruncated {
        /// The size the chunk header claims.
        claimed: u32,
        /// The bytes actually present after the chunk header.
        available: u64,
    },
    /// The `data` chunk holds no samples.
    #[error("the data chunk is empty: the file holds no samples")]
    EmptyData,
    /// The `data` chunk does not hold a whole number of frames.
    #[error(
        "the data chunk holds {data_len} bytes, which is not a whole number of {block_align}-byte frames"
    )]
    RaggedData {
        /// Bytes of sample data.
        data_len: u64,
        /// Bytes per frame, from the `fmt ` chunk.
        block_align: u16,
    },
    /// The samples are not 8000 Hz mono 16-bit PCM.
    #[error("the audio is {}, but calls need 8000 Hz mono 16-bit PCM", .found.describe())]
    WrongFormat {
        /// What the `fmt ` chunk declares.
        found: Encoding,
    },
    /// `WAVE_FORMAT_EXTENSIBLE` without room for its extension.
    #[error("{}", match .cb_size { Some(cb) => format!("the fmt chunk says WAVE_FORMAT_EXTENSIBLE but its extension is {cb} bytes (cbSize), fewer than the 22 it needs"), None => format!("the fmt chunk says WAVE_FORMAT_EXTENSIBLE but is only {fmt_len} bytes, fewer than the 40 it needs") })]
    BadExtensible {
        /// The size of the `fmt ` chunk.
        fmt_len: u32,
        /// `cbSize`, when the chunk reaches that far.
        cb_size: Option<u16>,
    },
    /// The `fmt ` chunk says samples have no bits at all: a broken header, whatever else it says.
    #[error("the fmt chunk says each sample is 0 bits wide, which no recording can be")]
    ZeroBits,
    /// The frame size disagrees with mono 16-bit.
    #[error("the fmt chunk says each frame is {block_align} bytes, but a mono 16-bit frame is 2")]
    BadBlockAlign {
        /// Bytes per frame, from the `fmt ` chunk.
        block_align: u16,
    },
    /// The header is fine but the decoder could not read the samples.
    #[error("the samples do not decode: {message}")]
    Undecodable {
        /// The decoder's words.
        message: String,
    },
}

/// The remedy for every kind of damage that only re-exporting can cure.
const DAMAGED: &str = "the file is damaged or incomplete; export it again";
/// The remedy when no conversion tool can be trusted with the file.
const EXPORT_AGAIN: &str =
    "export the recording again from the program that made it, as 8000 Hz mono 16-bit PCM WAV";

/// Bytes per second of 8000 Hz mono 16-bit audio.
const TELEPHONY_BYTES_PER_SECOND: u64 = 16_000;

/// The size of the canonical header sox writes in front of the samples.
const CANONICAL_HEADER_LEN: u64 = 44;

impl AudioProblem {
    /// A stable kebab-case id for the problem, e.g. `audio::wrong-format`.
    pub fn code(&self) -> &'static str {
        match self {
            AudioProblem::Io { .. } => "audio::io",
            AudioProblem::NotAFile { .. } => "audio::not-a-file",
            AudioProblem::EmptyFile => "audio::empty-file",
            AudioProblem::TooLarge { .. } => "audio::too-large",
            AudioProblem::NotWav { .. } => "audio::not-wav",
            AudioProblem::Rifx { .. } => "audio::rifx",
            AudioProblem::Rf64 => "audio::rf64",
            AudioProblem::NotWave { .. } => "audio::not-wave",
            AudioProblem::Truncated { .. } => "audio::truncated",
            AudioProblem::RiffSize { .. } => "audio::riff-size",
            AudioProblem::TooManyChunks { .. } => "audio::too-many-chunks",
            AudioProblem::NoFmt => "audio::no-fmt",
            AudioProblem::NoData => "audio::no-data",
            AudioProblem::FmtTooSmall { .. } => "audio::fmt-too-small",
            AudioProblem::FmtTooLarge { .. } => "audio::fmt-too-large",
            AudioProblem::FmtAfterData => "audio::fmt-after-data",
            AudioProblem::DataTruncated { .. } => "audio::data-truncated",
            AudioProblem::EmptyData => "audio::empty-data",
            AudioProblem::RaggedData { .. } => "audio::ragged-data",
            AudioProblem::WrongFormat { .. } => "audio::wrong-format",
            AudioProblem::BadExtensible { .. } => "audio::bad-extensible",
            AudioProblem::ZeroBits => "audio::zero-bits",
            AudioProblem::BadBlockAlign { .. } => "audio::bad-block-align",
            AudioProblem::Undecodable { .. } => "audio::undecodable",
        }
    }

    /// The exact remedy for the file at `path`, with any command ready to
    /// paste into a POSIX shell.
    pub fn fix(&self, path: &Path) -> String {
        let quoted = shell_quote(path);
        match self {
            AudioProblem::Io { kind, .. } => match kind {
                io::ErrorKind::NotFound => format!("check the path: nothing exists at {quoted}"),
                io::ErrorKind::PermissionDenied => {
                    format!("let the user running outdial read the file, e.g. chmod u+r {quoted}")
                }
                _ => format!("check that {quoted} is a readable file, then try again"),
            },
            AudioProblem::NotAFile { .. } => {
                format!("point the prompt at a .wav file; {quoted} is not one")
            }
            AudioProblem::EmptyFile => "the file is empty; export the recording again".to_owned(),
            AudioProblem::TooLarge { size, limit } => too_large_fix(path, *size, *limit),
            AudioProblem::NotWav { is_audio: true, .. } => format!(
                "convert it to WAV (sox needs the matching format plug-in, e.g. for MP3): {}",
                sox_command(path)
            ),
            AudioProblem::NotWav { .. } => format!(
                "replace {quoted} with the recording itself, saved as WAV (8000 Hz mono 16-bit PCM)"
            ),
            AudioProblem::NotWave { .. } => format!(
                "export just the audio as WAV (8000 Hz mono 16-bit PCM) and use that instead of {quoted}"
            ),
            AudioProblem::WrongFormat { found } if found.padded_bits().is_some() => {
                format!("sox cannot read samples padded inside larger containers; {EXPORT_AGAIN}")
            }
            AudioProblem::WrongFormat {
                found:
                    Encoding {
                        format:
                            Format::Extensible {
                                valid_bits_per_sample: 0,
                                ..
                            },
                        ..
                    },
            } => format!(
                "sox cannot read extensible files whose header gives 0 valid bits per sample; {EXPORT_AGAIN}"
            ),
            AudioProblem::WrongFormat { found } if !found.sox_reads() => {
                format!("sox cannot read {}; {EXPORT_AGAIN}", found.describe())
            }
            AudioProblem::Rifx { extensible: true } => {
                format!("sox cannot read big-endian extensible files; {EXPORT_AGAIN}")
            }
            AudioProblem::Rifx { .. } | AudioProblem::Rf64 | AudioProblem::WrongFormat { .. } => {
                format!("convert it: {}", sox_command(path))
            }
            AudioProblem::EmptyData => {
                "the recording holds no sound; record or export the prompt again".to_owned()
            }
            AudioProblem::RiffSize { .. } => format!(
                "write the file again with a correct header (a provider refuses it as it is): {}",
                sox_command(path)
            ),
            AudioProblem::Truncated { .. }
            | AudioProblem::TooManyChunks { .. }
            | AudioProblem::NoFmt
            | AudioProblem::NoData
            | AudioProblem::FmtTooSmall { .. }
            | AudioProblem::FmtTooLarge { .. }
            | AudioProblem::FmtAfterData
            | AudioProblem::DataTruncated { .. }
            | AudioProblem::RaggedData { .. }
            | AudioProblem::BadExtensible { .. }
            | AudioProblem::ZeroBits
            | AudioProblem::BadBlockAlign { .. }
            | AudioProblem::Undecodable { .. } => DAMAGED.to_owned(),
        }
    }

    /// The problem for an I/O error.
    pub(crate) fn io(err: &io::Error) -> AudioProblem {
        AudioProblem::Io {
            kind: err.kind(),
            message: err.to_string(),
        }
    }
}

fn io_sentence(kind: io::ErrorKind, message: &str) -> String {
    match kind {
        io::ErrorKind::NotFound => "there is no file at this path".to_owned(),
        io::ErrorKind::PermissionDenied => "the file exists but may not be read".to_owned(),
        _ => format!("the file could not be read: {message}"),
    }
}

fn too_large_fix(path: &Path, size: u64, limit: u64) -> String {
    let seconds = limit.saturating_sub(CANONICAL_HEADER_LEN) / TELEPHONY_BYTES_PER_SECOND;
    if seconds == 0 {
        return format!(
            "the file is {size} bytes but the upload limit is {limit} bytes, too small for even a second of audio; raise the limit"
        );
    }
    format!(
        "the file is {size} bytes but the upload limit is {limit} bytes, which holds about {seconds} seconds of 8000 Hz mono 16-bit audio; shorten it: {} trim 0 {seconds}",
        sox_command(path)
    )
}

/// The sox command that converts `path` to the telephony format, next to it.
pub(crate) fn sox_command(path: &Path) -> String {
    format!(
        "sox {} -r 8000 -c 1 -b 16 -e signed-integer {}",
        shell_quote(path),
        shell_quote(&converted_path(path))
    )
}

/// `dir/hello.wav` becomes `dir/hello-8k.wav`.
fn converted_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "prompt".into(), |s| s.to_string_lossy());
    path.with_file_name(format!("{stem}-8k.wav"))
}

/// Quotes a path for a POSIX shell: single quotes, each inner `'` written as
/// `'\''`. A leading `-` gets `./` in front so sox does not read it as an option.
// Kept by hand rather than shlex::try_quote: shlex quotes only when it must (`in.wav` stays
// bare), which would rewrite the suggested command in 15 golden snapshots for no gain in
// safety, and it has no answer to a leading `-` (an option to sox, not a path), which this
// does; the cases are tested below.
pub(crate) fn shell_quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = if text.starts_with('-') {
        format!("./{text}")
    } else {
        text.into_owned()
    };
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The first bytes of a file, as text when they are printable ASCII and as hex otherwise.
fn head_text(head: &[u8]) -> String {
    if !head.is_empty() && head.iter().all(|&b| b == b' ' || b.is_ascii_graphic()) {
        format!("`{}`", String::from_utf8_lossy(head))
    } else {
        let hex: Vec<String> = head.iter().map(|b| format!("{b:02x}")).collect();
        format!("bytes {}", hex.join(" "))
    }
}

/// A size for a person: "844 bytes", or "40 MiB (41943040 bytes)" when a
/// unit makes it easier to take in.
fn size_text(n: u64) -> String {
    if n < 1024 {
        format!("{n} bytes")
    } else {
        format!("{} ({n} bytes)", human_size(n))
    }
}

/// A size in the largest binary unit that keeps it at or above 1.
fn human_size(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if n >= unit {
            let whole = n / unit;
            let tenths = (n % unit) * 10 / unit;
            return if tenths == 0 {
                format!("{whole} {name}")
            } else {
                format!("{whole}.{tenths} {name}")
            };
        }
    }
    format!("{n} bytes")
}

/// Recognises common non-WAV files by their first bytes, so the message can
/// say what the file is instead of only what it is not. Returns the kind and
/// whether it is audio that sox can convert.
pub(crate) fn sniff(head: &[u8]) -> Option<(&'static str, bool)> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..).is_some_and(|h| h.starts_with(magic));
    let mp3_frame = matches!(head, [0xff, b, ..] if b & 0xe0 == 0xe0);
    let found = if at(0, b"ID3") || mp3_frame {
        ("an MP3 file", true)
    } else if at(0, b"OggS") {
        ("an Ogg (Vorbis or Opus) file", true)
    } else if at(0, b"fLaC") {
        ("a FLAC file", true)
    } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        ("an AIFF file", true)
    } else if at(0, b".snd") {
        ("a Sun/NeXT .au file", true)
    } else if at(0, b"#!AMR") {
        ("an AMR file", false)
    } else if at(4, b"ftyp") {
        ("an MP4/M4A file", false)
    } else if at(0, b"<!DOCTYPE") || at(0, b"<!doctype") || at(0, b"<html") || at(0, b"<HTML") {
        ("a web page (HTML)", false)
    } else {
        return None;
    };
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_a_posix_shell() {
        assert_eq!(shell_quote(Path::new("in.wav")), "'in.wav'");
        assert_eq!(shell_quote(Path::new("it's.wav")), r"'it'\''s.wav'");
        assert_eq!(shell_quote(Path::new("-x.wav")), "'./-x.wav'");
        assert_eq!(shell_quote(Path::new("a b/$(rm).wav")), "'a b/$(rm).wav'");
    }

    #[test]
    fn conversion_goes_next_to_the_original() {
        let problem = AudioProblem::Rifx { extensible: false };
        assert_eq!(
            problem.fix(Path::new("prompts/it's here.WAV")),
            r"convert it: sox 'prompts/it'\''s here.WAV' -r 8000 -c 1 -b 16 -e signed-integer 'prompts/it'\''s here-8k.wav'"
        );
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1024), "1 KiB");
        assert_eq!(human_size(16 << 20), "16 MiB");
        assert_eq!(human_size((20 << 20) + (1 << 19)), "20.5 MiB");
        assert_eq!(human_size(u64::MAX), "17179869183.9 GiB");
    }

    #[test]
    fn too_large_fix_says_size_and_limit() {
        let fix = AudioProblem::TooLarge {
            size: 20_000_000,
            limit: 16 << 20,
        }
        .fix(Path::new("big.wav"));
        assert_eq!(
            fix,
            "the file is 20000000 bytes but the upload limit is 16777216 bytes, which holds about 1048 seconds of 8000 Hz mono 16-bit audio; shorten it: sox 'big.wav' -r 8000 -c 1 -b 16 -e signed-integer 'big-8k.wav' trim 0 1048"
        );
        let tiny = AudioProblem::TooLarge {
            size: 100,
            limit: 10,
        }
        .fix(Path::new("x.wav"));
        assert!(
            tiny.contains("100 bytes") && tiny.contains("10 bytes"),
            "{tiny}"
        );
    }

    #[test]
    fn heads_are_shown_safely() {
        assert_eq!(head_text(b"Hello wo"), "`Hello wo`");
        assert_eq!(head_text(b"ID3\x04"), "bytes 49 44 33 04");
        assert_eq!(head_text(b"\x1b[2J"), "bytes 1b 5b 32 4a");
    }
}
