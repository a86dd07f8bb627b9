//! The journal reader, on a temporary file holding the input.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new().expect("temporary file");
    file.write_all(data).expect("write the journal");
    let _ = outdial::journal::read_state(file.path());
});
