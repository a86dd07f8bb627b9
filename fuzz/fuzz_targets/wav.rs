//! The WAV inspector: any bytes, as a whole file of that length.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = outdial::audio::inspect(Cursor::new(data), data.len() as u64);
    // A length field that disagrees with what can be read (a file that shrank, a pipe).
    if let Some((&extra, rest)) = data.split_first() {
        let _ = outdial::audio::inspect(Cursor::new(rest), rest.len() as u64 + u64::from(extra));
    }
});
