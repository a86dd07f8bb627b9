//! Audio files (interim: streaming base64 only; the WAV inspector lands separately).

use std::io::{self, Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Encodes everything `reader` yields as base64 into `out`, 48 KiB at a time.
pub fn encode_base64<W: Write>(mut reader: impl Read, out: &mut W) -> io::Result<u64> {
    let mut input = vec![0u8; 48 * 1024];
    let mut encoded = vec![0u8; 64 * 1024 + 4];
    let mut carry = 0usize;
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut input[carry..])?;
        total += n as u64;
        let filled = carry + n;
        if n == 0 {
            let len = STANDARD
                .encode_slice(&input[..filled], &mut encoded)
                .map_err(io::Error::other)?;
            out.write_all(&encoded[..len])?;
            return Ok(total);
        }
        let whole = filled / 3 * 3;
        let len = STANDARD
            .encode_slice(&input[..whole], &mut encoded)
            .map_err(io::Error::other)?;
        out.write_all(&encoded[..len])?;
        input.copy_within(whole..filled, 0);
        carry = filled - whole;
    }
}
