//! The RIFF/WAVE header walker and the decoder cross-check.
//!
//! Nothing here allocates by a size read from the file: headers are read
//! into fixed arrays, chunk bodies are skipped by seeking, and only the first
//! 40 bytes of the `fmt ` chunk are ever read.

use std::io::{self, Read, Seek, SeekFrom};

use super::format::{Encoding, Format, FourCc};
use super::info::WavInfo;
use super::problem::{AudioProblem, Place, sniff};

/// How many chunks are walked before giving up; real files have a handful.
pub(crate) const MAX_CHUNKS: usize = 1024;

/// A `fmt ` chunk bigger than this is a corrupt size field, not a format.
const MAX_FMT_LEN: u32 = 1 << 20;

/// `WAVEFORMATEXTENSIBLE` is 40 bytes; nothing past it matters to us.
const FMT_READ_LEN: usize = 40;

/// The part of a `fmt ` chunk that the checks need.
#[derive(Clone, Copy)]
struct Fmt {
    encoding: Encoding,
    block_align: u16,
}

/// Where the samples are, once the walk has found both chunks.
struct Layout {
    fmt: Fmt,
    data_start: u64,
    data_len: u64,
}

/// Checks the header of a WAV file of `file_len` bytes, then has hound
/// decode its first and last frames.
pub(crate) fn inspect<R: Read + Seek>(
    mut reader: R,
    file_len: u64,
) -> Result<WavInfo, AudioProblem> {
    let layout = walk(&mut reader, file_len)?;
    let Layout {
        fmt,
        data_start,
        data_len,
    } = layout;
    if data_len == 0 {
        return Err(AudioProblem::EmptyData);
    }
    if !fmt.encoding.is_telephony() {
        return Err(AudioProblem::WrongFormat {
            found: fmt.encoding,
        });
    }
    if fmt.block_align != 2 {
        return Err(AudioProblem::BadBlockAlign {
            block_align: fmt.block_align,
        });
    }
    if !data_len.is_multiple_of(2) {
        return Err(AudioProblem::RaggedData {
            data_len,
            block_align: fmt.block_align,
        });
    }
    check_riff_size(&mut reader, file_len)?;
    let frames = data_len / 2;
    confirm_with_hound(reader, data_start, data_len, frames)?;
    Ok(WavInfo {
        file_len,
        sample_rate: fmt.encoding.sample_rate,
        channels: fmt.encoding.channels,
        bits_per_sample: fmt.encoding.bits_per_sample,
        format: fmt.encoding.format,
        data_len,
        frames,
    })
}

/// Reads into `buf` from `offset` until it is full or the input ends;
/// returns how many bytes it got.
fn read_at<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    buf: &mut [u8],
) -> Result<usize, AudioProblem> {
    reader
        .seek(SeekFrom::Start(offset))
        .map_err(|e| AudioProblem::io(&e))?;
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(AudioProblem::io(&e)),
        }
    }
    Ok(got)
}

/// Reads exactly `buf.len()` bytes at `offset`, or reports the file as
/// ending inside `place`.
fn read_exact_at<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    buf: &mut [u8],
    place: Place,
    file_len: u64,
) -> Result<(), AudioProblem> {
    if read_at(reader, offset, buf)? < buf.len() {
        return Err(AudioProblem::Truncated { place, file_len });
    }
    Ok(())
}

/// Checks the 12-byte RIFF header.
fn check_riff_header<R: Read + Seek>(reader: &mut R, file_len: u64) -> Result<(), AudioProblem> {
    if file_len == 0 {
        return Err(AudioProblem::EmptyFile);
    }
    let mut head = [0u8; 12];
    let want = head
        .len()
        .min(usize::try_from(file_len).unwrap_or(usize::MAX));
    let got = read_at(reader, 0, &mut head[..want])?;
    let head = &head[..got];
    let truncated = AudioProblem::Truncated {
        place: Place::RiffHeader,
        file_len,
    };
    let magic = &head[..got.min(4)];
    match magic {
        // sox converts big-endian files, except extensible ones: say which this is when the
        // first chunk is `fmt ` (where every writer puts it).
        b"RIFX" => {
            let mut first = [0u8; 10];
            let got = read_at(reader, 12, &mut first)?;
            Err(AudioProblem::Rifx {
                extensible: got == first.len()
                    && &first[..4] == b"fmt "
                    && first[8..] == [0xFF, 0xFE],
            })
        }
        b"RF64" => Err(AudioProblem::Rf64),
        b"RIFF" if got < 12 => Err(truncated),
        b"RIFF" if &head[8..12] != b"WAVE" => Err(AudioProblem::NotWave {
            form: FourCc([head[8], head[9], head[10], head[11]]),
        }),
        b"RIFF" => Ok(()),
        // A file cut off inside the magic itself is damaged, not foreign.
        _ if got < 4
            && [b"RIFF", b"RIFX", b"RF64"]
                .iter()
                .any(|m| m.starts_with(magic)) =>
        {
            Err(truncated)
        }
        _ => {
            let (looks_like, is_audio) = sniff(head).map_or((None, false), |(k, a)| (Some(k), a));
            Err(AudioProblem::NotWav {
                head: head[..got.min(8)].to_vec(),
                looks_like,
                is_audio,
            })
        }
    }
}

/// Checks that the RIFF header's size is the file's: a streaming recorder leaves 0 or
/// 0xFFFFFFFF there, and a provider that reads it refuses the file mid-send.
fn check_riff_size<R: Read + Seek>(reader: &mut R, file_len: u64) -> Result<(), AudioProblem> {
    let mut size = [0u8; 4];
    read_exact_at(reader, 4, &mut size, Place::RiffHeader, file_len)?;
    let claimed = u32::from_le_bytes(size);
    let body = file_len.saturating_sub(8);
    // An odd-sized RIFF body may be followed by its pad byte.
    let padded = u64::from(claimed) + u64::from(claimed & 1);
    if u64::from(claimed) == body || padded == body {
        return Ok(());
    }
    Err(AudioProblem::RiffSize { claimed, file_len })
}

/// Walks the chunks after the RIFF header until both `fmt ` and `data` are found.
fn walk<R: Read + Seek>(reader: &mut R, file_len: u64) -> Result<Layout, AudioProblem> {
    check_riff_header(reader, file_len)?;
    let mut pos: u64 = 12;
    let mut fmt: Option<Fmt> = None;
    let mut data: Option<(u64, u64)> = None;
    for _ in 0..MAX_CHUNKS {
        if pos >= file_len {
            return Err(if fmt.is_none() {
                AudioProblem::NoFmt
            } else {
                AudioProblem::NoData
            });
        }
        let (id, size) = chunk_header(reader, pos, file_len)?;
        let body = pos + 8;
        // Saturating only for form's sake: 1024 chunks of at most 4 GiB keep
        // `pos` far below u64::MAX.
        let end = body.saturating_add(u64::from(size));
        match &id.0 {
            b"fmt " => {
                check_fmt_size(size, end, file_len)?;
                if data.is_some() {
                    return Err(AudioProblem::FmtAfterData);
                }
                if fmt.is_none() {
                    let mut buf = [0u8; FMT_READ_LEN];
                    let len = FMT_READ_LEN.min(size as usize);
                    read_exact_at(reader, body, &mut buf[..len], Place::FmtChunk, file_len)?;
                    fmt = Some(parse_fmt(&buf, len, size)?);
                }
            }
            b"data" => {
                if end > file_len {
                    return Err(AudioProblem::DataTruncated {
                        claimed: size,
                        available: file_len - body,
                    });
                }
                data.get_or_insert((body, u64::from(size)));
            }
            _ if end > file_len => {
                return Err(AudioProblem::Truncated {
                    place: Place::Chunk {
                        id,
                        offset: pos,
                        claimed: size,
                    },
                    file_len,
                });
            }
            _ => {}
        }
        if let (Some(fmt), Some((data_start, data_len))) = (fmt, data) {
            return Ok(Layout {
                fmt,
                data_start,
                data_len,
            });
        }
        // RIFF pads odd-sized bodies to an even length; the size field leaves the pad out.
        pos = end.saturating_add(u64::from(size & 1));
    }
    Err(AudioProblem::TooManyChunks { limit: MAX_CHUNKS })
}

/// Reads the chunk header at `pos`: the chunk's id and its size field.
fn chunk_header<R: Read + Seek>(
    reader: &mut R,
    pos: u64,
    file_len: u64,
) -> Result<(FourCc, u32), AudioProblem> {
    let mut header = [0u8; 8];
    let place = Place::ChunkHeader { offset: pos };
    if file_len - pos < 8 {
        return Err(AudioProblem::Truncated { place, file_len });
    }
    read_exact_at(reader, pos, &mut header, place, file_len)?;
    let id = FourCc([header[0], header[1], header[2], header[3]]);
    let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    Ok((id, size))
}

/// A `fmt ` chunk of `size` bytes ending at `end` must hold a format and fit in the file.
fn check_fmt_size(size: u32, end: u64, file_len: u64) -> Result<(), AudioProblem> {
    if size < 16 {
        return Err(AudioProblem::FmtTooSmall { len: size });
    }
    if size > MAX_FMT_LEN {
        return Err(AudioProblem::FmtTooLarge { len: size });
    }
    if end > file_len {
        return Err(AudioProblem::Truncated {
            place: Place::FmtChunk,
            file_len,
        });
    }
    Ok(())
}

/// Decodes the first `len` bytes of `buf`, read from a `fmt ` chunk of `size` bytes.
fn parse_fmt(buf: &[u8; FMT_READ_LEN], len: usize, size: u32) -> Result<Fmt, AudioProblem> {
    let u16_at = |i: usize| u16::from_le_bytes([buf[i], buf[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
    let tag = u16_at(0);
    // cbSize exists only in WAVEFORMATEX (18 bytes or more); 16-byte PCMWAVEFORMAT lacks it.
    let cb_size = (len >= 18).then(|| u16_at(16));
    let format = match tag {
        1 => Format::Pcm,
        0xFFFE => {
            if len < FMT_READ_LEN || cb_size.is_some_and(|cb| cb < 22) {
                return Err(AudioProblem::BadExtensible {
                    fmt_len: size,
                    cb_size: cb_size.filter(|&cb| cb < 22),
                });
            }
            let mut sub_format = [0u8; 16];
            sub_format.copy_from_slice(&buf[24..40]);
            Format::Extensible {
                valid_bits_per_sample: u16_at(18),
                channel_mask: u32_at(20),
                sub_format,
            }
        }
        other => Format::Other(other),
    };
    if u16_at(14) == 0 {
        return Err(AudioProblem::ZeroBits);
    }
    Ok(Fmt {
        encoding: Encoding {
            format,
            channels: u16_at(2),
            sample_rate: u32_at(4),
            bits_per_sample: u16_at(14),
        },
        block_align: u16_at(12),
    })
}

/// Has hound decode the first and the last frame, reading nothing in between.
///
/// hound 3.5 does not skip the pad byte after an odd-sized chunk, reads only
/// four bytes of a `fact` chunk and insists on an exact `cbSize` of 22, so it
/// rejects valid files that the walker accepts. It is therefore shown a
/// canonical 44-byte header followed by the file's own sample bytes: the
/// header has already been judged, and what hound adds is that the samples
/// are really there and readable.
fn confirm_with_hound<R: Read + Seek>(
    reader: R,
    data_start: u64,
    data_len: u64,
    frames: u64,
) -> Result<(), AudioProblem> {
    let undecodable = |e: hound::Error| AudioProblem::Undecodable {
        message: e.to_string(),
    };
    let last = u32::try_from(frames - 1).map_err(|_| AudioProblem::Undecodable {
        message: format!("{frames} frames are more than a WAV file can hold"),
    })?;
    let view = Spliced::new(reader, data_start, data_len);
    let mut wav = hound::WavReader::new(view).map_err(undecodable)?;
    let missing = || AudioProblem::Undecodable {
        message: "a sample the header promises is missing".to_owned(),
    };
    wav.samples::<i16>()
        .next()
        .ok_or_else(missing)?
        .map_err(undecodable)?;
    wav.seek(last).map_err(|e| AudioProblem::io(&e))?;
    wav.samples::<i16>()
        .next()
        .ok_or_else(missing)?
        .map_err(undecodable)?;
    Ok(())
}

/// A canonical 8000 Hz mono 16-bit header followed by a window onto the
/// sample bytes of the real file.
struct Spliced<R> {
    header: [u8; 44],
    inner: R,
    data_start: u64,
    data_len: u64,
    pos: u64,
}

impl<R: Read + Seek> Spliced<R> {
    fn new(inner: R, data_start: u64, data_len: u64) -> Self {
        let mut header = [0u8; 44];
        // data_len came from a u32 size field, so these never saturate in practice.
        let data_len32 = u32::try_from(data_len).unwrap_or(u32::MAX);
        let parts: [&[u8]; 12] = [
            b"RIFF",
            &data_len32.saturating_add(36).to_le_bytes(),
            b"WAVE",
            b"fmt ",
            &16u32.to_le_bytes(),
            &1u16.to_le_bytes(),
            &1u16.to_le_bytes(),
            &8000u32.to_le_bytes(),
            &16000u32.to_le_bytes(),
            &2u16.to_le_bytes(),
            &16u16.to_le_bytes(),
            b"data",
        ];
        let mut at = 0;
        for part in parts {
            header[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        header[40..].copy_from_slice(&data_len32.to_le_bytes());
        Spliced {
            header,
            inner,
            data_start,
            data_len,
            pos: 0,
        }
    }

    fn len(&self) -> u64 {
        44 + self.data_len
    }
}

impl<R: Read + Seek> Read for Spliced<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = if let Some(rest) = usize::try_from(self.pos)
            .ok()
            .and_then(|p| self.header.get(p..))
            .filter(|rest| !rest.is_empty())
        {
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            n
        } else {
            let left = self.len().saturating_sub(self.pos);
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
            if want == 0 {
                return Ok(0);
            }
            self.inner
                .seek(SeekFrom::Start(self.data_start + (self.pos - 44)))?;
            self.inner.read(&mut buf[..want])?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read + Seek> Seek for Spliced<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len().checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}
