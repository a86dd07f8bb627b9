//! Streaming base64, so a prompt is never held in memory whole.

use std::io::{self, Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Input bytes encoded per step: a multiple of 3, so that only the last
/// step of a stream can need `=` padding.
const CHUNK: usize = 48 * 1024;

/// Encodes everything `reader` yields as standard, padded base64 into `out`,
/// 48 KiB at a time, and returns how many input bytes were read.
///
/// Memory use is fixed (two buffers of about 112 KiB together) whatever the
/// input size. Short reads are fine: a step is encoded only once its buffer is
/// full, which keeps every step a multiple of 3 bytes.
pub fn encode_base64<W: Write>(mut reader: impl Read, out: &mut W) -> io::Result<u64> {
    let mut input = vec![0u8; CHUNK];
    let mut output = vec![0u8; CHUNK / 3 * 4];
    let mut filled = 0;
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(&mut input[filled..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += n;
        total += n as u64;
        if filled == CHUNK {
            write_encoded(&input, &mut output, out)?;
            filled = 0;
        }
    }
    write_encoded(&input[..filled], &mut output, out)?;
    Ok(total)
}

fn write_encoded<W: Write>(input: &[u8], output: &mut [u8], out: &mut W) -> io::Result<()> {
    let n = STANDARD
        .encode_slice(input, output)
        .map_err(|e| io::Error::other(e.to_string()))?;
    out.write_all(&output[..n])
}

/// The length of the padded base64 encoding of `input_len` bytes (saturating
/// at `u64::MAX` for inputs no file reaches).
pub fn encoded_len(input_len: u64) -> u64 {
    input_len.div_ceil(3).saturating_mul(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields 1..=7 bytes per read, cycling, and an `Interrupted` now and then.
    struct Dribble<'a> {
        data: &'a [u8],
        calls: usize,
    }

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(11) {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = (self.calls % 7 + 1).min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn bytes(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 131 + i / 256) as u8).collect()
    }

    fn check(data: &[u8]) {
        let want = STANDARD.encode(data);
        let mut whole = Vec::new();
        assert_eq!(encode_base64(data, &mut whole).unwrap(), data.len() as u64);
        assert_eq!(whole, want.as_bytes(), "whole reads, len {}", data.len());
        let mut dribbled = Vec::new();
        let reader = Dribble { data, calls: 0 };
        assert_eq!(
            encode_base64(reader, &mut dribbled).unwrap(),
            data.len() as u64
        );
        assert_eq!(dribbled, want.as_bytes(), "short reads, len {}", data.len());
        assert_eq!(encoded_len(data.len() as u64), want.len() as u64);
    }

    #[test]
    fn matches_the_one_shot_encoder_for_small_lengths() {
        for len in 0..=200 {
            check(&bytes(len));
        }
    }

    #[test]
    fn matches_the_one_shot_encoder_around_chunk_boundaries() {
        for chunks in 1..=3 {
            for delta in -4i64..=4 {
                let len = (CHUNK * chunks) as i64 + delta;
                check(&bytes(len as usize));
            }
        }
    }

    #[test]
    fn read_errors_are_passed_on() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let err = encode_base64(Broken, &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }

    #[test]
    fn encoded_len_saturates_instead_of_overflowing() {
        assert_eq!(encoded_len(0), 0);
        assert_eq!(encoded_len(1), 4);
        assert_eq!(encoded_len(3), 4);
        assert_eq!(encoded_len(4), 8);
        assert_eq!(encoded_len(u64::MAX), u64::MAX);
    }
}
