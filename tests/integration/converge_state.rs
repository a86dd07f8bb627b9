//! Campaigns that converge with the journal in PostgreSQL (`--state`): what the local
//! journal shows of an edit, the store shows too.

use crate::converge::{AT10, AT11, SETTLE, VOICESHOT, campaign_for, s, text};
use crate::submit::{outdial, run, sandbox};

/// With the journal in PostgreSQL, the rows and the summary keep the old side, as with the
/// local journal: `plan`, `diff` and `report` read it back from the store.
#[test]
fn with_the_journal_in_postgresql_an_edit_shows_its_old_side() {
    let Some(state) = crate::support::pg() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(Default::default());
    let with_state = |mut cmd: std::process::Command| {
        cmd.env("OUTDIAL_STATE", &state).env("COLUMNS", "1000");
        run(cmd)
    };
    // The campaign's own endpoint is the sandbox: `diff` and `report` read the journal of
    // the campaign at its own endpoint.
    let table = format!("{VOICESHOT}endpoint = \"{}\"\n", sb.url());
    let file = campaign_for(
        dir.path(),
        "",
        &table,
        &[
            ("8185550101", "a", AT10, "Ann"),
            ("8185550102", "b", AT10, "Bob"),
        ],
    );
    let out = with_state(outdial(&["send", s(&file)], &sb.url(), &SETTLE));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        !dir.path().join(".outdial/conv.jsonl").exists(),
        "the journal is in the database"
    );
    std::fs::copy(&file, dir.path().join("old.toml")).unwrap();
    campaign_for(
        dir.path(),
        "",
        &table,
        &[
            ("8185550101", "a", AT11, "Ann"),
            ("8185550102", "b", AT10, "Bobby"),
        ],
    );
    let shown = text(&with_state(outdial(&["plan", s(&file)], &sb.url(), &[])));
    assert!(
        shown.contains("changes: replace 2 (text, time 10:00 → 11:00)"),
        "{shown}"
    );
    assert!(shown.contains("a  time 10:00 → 11:00"), "{shown}");
    assert!(
        shown.contains("b  text Hello Bob. → Hello Bobby."),
        "{shown}"
    );
    let mut diff = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"));
    diff.args(["diff", s(&dir.path().join("old.toml")), s(&file)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let shown = text(&with_state(diff));
    assert!(
        shown.contains("send would: replace 2 (text, time 10:00 → 11:00)"),
        "{shown}"
    );
    let mut report = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"));
    report
        .args(["report", s(&file)])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let shown = text(&with_state(report));
    assert!(
        shown.contains("send would replace 2 (text, time 10:00 → 11:00)"),
        "{shown}"
    );
}
