//! CSV contact rows: the input is written as the contact list of a small campaign, which is
//! loaded (every row checked) and, if it loads, planned and encoded.
//!
//! The first byte picks the campaign's options (invalid rows skipped or refused, shared call
//! ids, calling hours, a suppression list), so each shape of the row checks is reached.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use outdial::plan::{self, Action};

fn folder() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(
            dir.path().join("dnc.txt"),
            include_bytes!("../../tests/fixtures/csv/dnc.txt"),
        )
        .expect("write the suppression list");
        dir
    })
    .path()
}

fn campaign(options: u8) -> String {
    let mut text = String::from(
        "[campaign]\nname = \"fuzz\"\ntimezone = \"America/Chicago\"\n\n\
         [voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 3\n\n\
         [vars]\nname = \"friend\"\n\n\
         [[prompt]]\nid = 1\ntts = \"Hello {name}, this is a test.\"\n\n\
         [recipients]\ncsv = \"contacts.csv\"\n",
    );
    if options & 1 != 0 {
        text.push_str("number_column = \"phone\"\n");
    }
    if options & 2 != 0 {
        text.push_str("on_invalid = \"skip\"\n");
    }
    if options & 4 != 0 {
        text.push_str("shared_callids = true\n");
    }
    if options & 8 != 0 {
        text.push_str("window = \"08:00-21:00\"\nat = \"2030-12-01 12:00\"\n");
    }
    if options & 16 != 0 {
        text.push_str("suppress = [\"dnc.txt\"]\n");
    }
    if options & 32 != 0 {
        text.push_str("region = \"CA\"\n");
    }
    text
}

fuzz_target!(|data: &[u8]| {
    let Some((&options, rows)) = data.split_first() else {
        return;
    };
    let dir = folder();
    std::fs::write(dir.join("contacts.csv"), rows).expect("write the contact list");
    let Ok(loaded) = outdial::load::load_str(&dir.join("campaign.toml"), campaign(options))
    else {
        return;
    };
    let campaign = &loaded.campaign;
    if let Ok(posts) = plan::all_posts(campaign, Action::Send) {
        for post in &posts {
            let _ = outdial::prepared::encode_to_vec(campaign, post);
        }
    }
});
