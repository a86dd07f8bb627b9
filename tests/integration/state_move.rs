//! Moving a campaign between the local backend and PostgreSQL (`state push` / `state pull`),
//! and the guard against sending a campaign whose journal is missing.

use std::path::Path;
use std::process::Output;

use outdial::provider::voiceshot::sandbox::Faults;

use crate::submit::{FAST, assert_once_each, campaign, sandbox};
use crate::support::{outdial_in, pg, tempdir};

fn send(dir: &Path, state: Option<&str>, url: &str) -> Output {
    let mut args = vec!["send", "campaign.toml", "--yes", "--endpoint", url];
    args.extend(FAST);
    outdial_in(dir, state, &args)
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one `state` record of a `--format json` run.
fn transferred(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", err(out));
    let text = String::from_utf8_lossy(&out.stdout);
    crate::support::json_lines(&text)
        .into_iter()
        .find(|r| r["type"] == "state")
        .unwrap_or_else(|| panic!("a state record: {text}"))
}

#[test]
fn state_push_then_send_from_a_fresh_folder_sends_nothing_and_pull_brings_it_back() {
    let Some(state) = pg() else {
        return;
    };
    let sb = sandbox(Faults::default());
    let url = sb.url();
    let (a, b, c) = (tempdir(), tempdir(), tempdir());
    for dir in [&a, &b, &c] {
        campaign(dir.path(), false);
    }
    // Sent with local state, then pushed.
    assert_eq!(send(a.path(), None, &url).status.code(), Some(0));
    let push = ["--format", "json", "state", "push", "campaign.toml"];
    let push: Vec<&str> = push.into_iter().chain(["--endpoint", &url]).collect();
    let first = transferred(&outdial_in(a.path(), Some(&state), &push));
    let records = first["copied"].as_u64().unwrap();
    assert!(records > 4, "{first}");
    assert_eq!(
        (first["shared"].as_u64(), first["ahead"].as_u64()),
        (Some(0), Some(0))
    );
    // Again: nothing to copy.
    let again = transferred(&outdial_in(a.path(), Some(&state), &push));
    assert_eq!(again["copied"], 0, "{again}");
    assert_eq!(again["shared"].as_u64(), Some(records));
    // A fresh folder through the store sends nothing.
    let out = send(b.path(), Some(&state), &url);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    assert_once_each(&sb, "pushed, then sent from a fresh folder");
    assert!(!b.path().join(".outdial/matrix.jsonl").exists());
    // Pulled into a third folder: the same file, byte for byte; again, nothing copied.
    let pull: Vec<&str> = ["--format", "json", "state", "pull", "campaign.toml"]
        .into_iter()
        .chain(["--endpoint", &url])
        .collect();
    let pulled = transferred(&outdial_in(c.path(), Some(&state), &pull));
    assert_eq!(pulled["copied"].as_u64(), Some(records), "{pulled}");
    let journal = |dir: &Path| std::fs::read(dir.join(".outdial/matrix.jsonl")).unwrap();
    assert_eq!(journal(c.path()), journal(a.path()));
    let again = transferred(&outdial_in(c.path(), Some(&state), &pull));
    assert_eq!(again["copied"], 0, "{again}");
    // The pulled journal sends nothing with local state either.
    assert_eq!(send(c.path(), None, &url).status.code(), Some(0));
    assert_once_each(&sb, "pulled, then sent with local state");
}

#[test]
fn state_push_refuses_a_journal_that_records_another_history() {
    let Some(state) = pg() else {
        return;
    };
    let (sb, other) = (sandbox(Faults::default()), sandbox(Faults::default()));
    let (a, d) = (tempdir(), tempdir());
    campaign(a.path(), false);
    campaign(d.path(), false);
    assert_eq!(
        send(a.path(), Some(&state), &sb.url()).status.code(),
        Some(0)
    );
    // Another folder sent the same campaign elsewhere, with local state: its journal is
    // another history, which must not be mixed into the store's.
    assert_eq!(send(d.path(), None, &other.url()).status.code(), Some(0));
    let url = sb.url();
    let push = ["state", "push", "campaign.toml", "--endpoint", &url];
    let out = outdial_in(d.path(), Some(&state), &push);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(err(&out).contains("differ at record 2"), "{}", err(&out));
    let pull = ["state", "pull", "campaign.toml", "--endpoint", &url];
    let out = outdial_in(d.path(), Some(&state), &pull);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    // Without a store named, the command says what it needs.
    let out = outdial_in(d.path(), None, &push);
    assert_eq!(out.status.code(), Some(64), "{}", err(&out));
    assert!(err(&out).contains("OUTDIAL_STATE"), "{}", err(&out));
}

/// Stores a result for call `callid` of campaign `matrix` in `dir`'s results store, as
/// `listen` would on a provider's Call Summary.
fn store_result(dir: &Path, callid: &str, number: &str) {
    use outdial::results::{CallRecord, Outcome, Source, Store};
    let mut store = Store::open(&dir.join(".outdial/results.db")).unwrap();
    let record = CallRecord {
        provider: "voiceshot".into(),
        campaign: "matrix".into(),
        callid: callid.into(),
        number: number.into(),
        status: "Answered".into(),
        outcome: Outcome::Reached,
        reason: None,
        duration: Some(12),
        answered_by: Some("human".into()),
        attempts: Some(1),
        called_at: None,
        source: Source::Summary,
        recording: None,
    };
    store.record(None, &[record], &[]).unwrap();
}

#[test]
fn the_missing_journal_guard_refuses_a_fresh_journal_when_the_results_store_knows_the_campaign() {
    let sb = sandbox(Faults::default());
    let url = sb.url();
    let dir = tempdir();
    campaign(dir.path(), false);
    // The journal is gone (a new runner), but the results of an earlier send are here.
    store_result(dir.path(), "matrix8185550101", "8185550101");
    let out = send(dir.path(), None, &url);
    let text = err(&out);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("send::journal-missing"), "{text}");
    assert!(
        text.contains("results.db holds results for 1 of its calls"),
        "{text}"
    );
    assert!(text.contains("--i-know-it-was-never-sent"), "{text}");
    assert_eq!(sb.requests(), 0, "nothing was posted");
    // A journal of it under another name in the folder is evidence too, and with a state
    // store the local journal is: `state push` is the way on.
    let old = dir.path().join(".outdial/old.jsonl");
    std::fs::write(
        &old,
        "{\"event\":\"open\",\"campaign\":\"matrix\",\"version\":2,\"provider\":\"voiceshot\"}\n{}\n",
    )
    .unwrap();
    std::fs::remove_file(dir.path().join(".outdial/results.db")).unwrap();
    let out = send(dir.path(), None, &url);
    assert_eq!(out.status.code(), Some(5), "{}", err(&out));
    assert!(
        err(&out).contains("old.jsonl records 2 lines"),
        "{}",
        err(&out)
    );
    if let Some(state) = pg() {
        let out = send(dir.path(), Some(&state), &url);
        assert_eq!(out.status.code(), Some(5), "{}", err(&out));
        assert!(err(&out).contains("outdial state push"), "{}", err(&out));
    }
    assert_eq!(sb.requests(), 0, "nothing was posted");
    // Told it never was, it sends.
    let mut args = vec!["send", "campaign.toml", "--yes", "--endpoint", &url];
    args.extend(FAST);
    args.push("--i-know-it-was-never-sent");
    let out = outdial_in(dir.path(), None, &args);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    assert_once_each(&sb, "never sent, as told");
}

#[test]
fn the_missing_journal_guard_refuses_when_the_state_stores_results_know_the_campaign() {
    let Some(state) = pg() else {
        return;
    };
    let sb = sandbox(Faults::default());
    let dir = tempdir();
    campaign(dir.path(), false);
    // A listen replica filed a result of an earlier send into the database.
    let outdial::state::StateLocation::Postgres(at) =
        outdial::state::StateLocation::parse(&state, |_| None).unwrap()
    else {
        panic!("a PostgreSQL URL");
    };
    drop(outdial::results::PgResults::open(&at).unwrap());
    let mut client = postgres::Client::connect(&state, postgres::NoTls).unwrap();
    client
        .execute(
            "INSERT INTO outdial_calls (provider, campaign, callid, number, status, outcome, source, updated_at)
             VALUES ('voiceshot', 'matrix', 'matrix8185550101', '8185550101', 'Answered', 'reached', 'summary', '2026-12-01T00:00:00Z')",
            &[],
        )
        .unwrap();
    let out = send(dir.path(), Some(&state), &sb.url());
    assert_eq!(out.status.code(), Some(5), "{}", err(&out));
    assert!(
        err(&out).contains("holds results for 1 of its calls"),
        "{}",
        err(&out)
    );
    assert_eq!(sb.requests(), 0, "nothing was posted");
}
