//! The campaign file: parse, check (structure, values, templates, times, numbers), and for a
//! campaign that loads, plan and encode every post of a send.
//!
//! The file is loaded from a private folder that holds a small contact list, two
//! suppression lists and a good WAV, so campaigns that name them (`contacts.csv`, `dnc.txt`,
//! `dnc.csv`, `hello.wav`) get past the file checks. Inputs naming a file outside that folder
//! (an absolute path or `..`) are skipped: reading `/dev/zero` or a FIFO is a known issue of
//! the file readers, not of the parser, and a fuzzer must not wander the machine's files.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use outdial::plan::{self, Action};

fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let files: [(&str, &[u8]); 4] = [
            (
                "contacts.csv",
                include_bytes!("../../tests/fixtures/csv/contacts.csv"),
            ),
            (
                "dnc.txt",
                include_bytes!("../../tests/fixtures/csv/dnc.txt"),
            ),
            (
                "dnc.csv",
                include_bytes!("../../tests/fixtures/csv/dnc.csv"),
            ),
            (
                "hello.wav",
                include_bytes!("../../tests/fixtures/audio/good/pcm.wav"),
            ),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).expect("write a fixture");
        }
        dir
    })
    .path()
}

/// Whether any string in the document could name a file outside [`folder`].
fn leaves_folder(value: &toml::Value) -> bool {
    match value {
        toml::Value::String(s) => s.starts_with('/') || s.contains("..") || s.contains('\\'),
        toml::Value::Array(items) => items.iter().any(leaves_folder),
        toml::Value::Table(table) => table.values().any(leaves_folder),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Only a document that parses can name a file; one that does not is checked as it is.
    if let Ok(doc) = text.parse::<toml::Table>()
        && doc.values().any(leaves_folder)
    {
        return;
    }
    let path: PathBuf = folder().join("campaign.toml");
    let Ok(loaded) = outdial::load::load_str(&path, text.to_owned()) else {
        return;
    };
    let campaign = &loaded.campaign;
    if let Ok(posts) = plan::all_posts(campaign, Action::Send) {
        for post in &posts {
            let _ = outdial::prepared::encode_to_vec(campaign, post);
        }
    }
});
