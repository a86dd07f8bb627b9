//! `state push` copies a campaign's results too: what `listen` stored in the local
//! `results.db` goes into the state store's results tables, so `report` from any folder shows
//! it; copying again copies nothing, and a call whose final word differs is refused, named.

use std::path::Path;

use crate::listen::{Listener, campaign_in, outdial, post, send, undialled};
use crate::support::{json_lines, pg, tempdir};

const TOKEN: &str = "state-results-token-0123456789";

/// The one `state` record of a `--format json` `state push`/`pull` of `file`.
fn transfer(direction: &str, file: &Path, endpoint: &str, state: &str) -> serde_json::Value {
    let out = outdial(
        &[
            "--format",
            "json",
            "state",
            direction,
            file.to_str().unwrap(),
            "--endpoint",
            endpoint,
        ],
        &[("OUTDIAL_STATE", state)],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&text)
        .into_iter()
        .find(|r| r["type"] == "state")
        .unwrap_or_else(|| panic!("a state record: {text}"))
}

#[test]
fn results_listened_into_a_local_store_are_pushed_once_and_reported_from_a_fresh_folder() {
    let Some(state) = pg() else {
        return;
    };
    let dir = tempdir();
    let fresh = |name: &str| campaign_in(dir.path(), name);
    // Sent and listened to with local state: the journal and results.db beside the file.
    let sent = fresh("sent");
    let sb = undialled();
    send(&sent, &sb.url(), &[]);
    let db = dir.path().join("sent/.outdial/results.db");
    let listener = Listener::start_with(&[&sent], &db, &[], &[("OUTDIAL_LISTEN_TOKEN", TOKEN)]);
    let calls = sb.calls();
    assert_eq!(calls.len(), 3);
    for c in &calls {
        let body = format!(
            r#"<?xml version="1.0"?><campaign menuid="1-1234" duration="12" phonenumber="{}" status="Successful" comment="Human Answer" callid="{}" dateandtime="12/1/2026 1:02:03 AM"><prompts><prompt promptid="1" keypress="1"/></prompts></campaign>"#,
            c.number, c.callid
        );
        let route = listener.route(&format!("/voiceshot/summary/{TOKEN}"));
        let (status, text) = post(&route, "text/xml", body, None);
        assert_eq!(status, 200, "{text}");
    }
    assert_eq!(listener.stop().0, Some(0));

    // Pushed: the journal and the three results.
    let first = transfer("push", &sent, &sb.url(), &state);
    assert!(first["copied"].as_u64().unwrap() > 2, "{first}");
    assert_eq!(first["results"]["copied"], 3, "{first}");
    assert_eq!(first["results"]["shared"], 0, "{first}");
    // Again: nothing copied, and the text says so.
    let again = transfer("push", &sent, &sb.url(), &state);
    assert_eq!(again["copied"], 0, "{again}");
    assert_eq!(again["results"]["copied"], 0, "{again}");
    assert_eq!(again["results"]["shared"], 3, "{again}");
    // `state push` in text, as a person runs it.
    let push = || {
        outdial(
            &[
                "state",
                "push",
                sent.to_str().unwrap(),
                "--endpoint",
                &sb.url(),
            ],
            &[("OUTDIAL_STATE", &state)],
        )
    };
    let out = push();
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("results: copied 0 calls, 3 already in both"),
        "{text}"
    );

    // `report` from a folder with no .outdial, through the store: all three reached.
    let reporting = fresh("reporting");
    let out = outdial(
        &["--format", "json", "report", reporting.to_str().unwrap()],
        &[("OUTDIAL_STATE", &state)],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&String::from_utf8_lossy(&out.stdout));
    let counts = &lines.last().unwrap()["counts"];
    assert_eq!(counts["reached"], 3, "{counts}");
    assert!(!dir.path().join("reporting/.outdial").exists());

    // Pulled into another fresh folder: the results come back, once.
    let pulling = fresh("pulling");
    let pulled = transfer("pull", &pulling, &sb.url(), &state);
    assert_eq!(pulled["results"]["copied"], 3, "{pulled}");
    let pulled = transfer("pull", &pulling, &sb.url(), &state);
    assert_eq!(pulled["results"]["copied"], 0, "{pulled}");

    // The local store now says the first call was not reached: a push is refused, naming
    // the call, and the store keeps its word.
    let first_call = &calls.iter().map(|c| c.callid.clone()).min().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE calls SET outcome = 'not-reached', status = 'Busy' WHERE callid = ?1",
        [first_call],
    )
    .unwrap();
    drop(conn);
    let out = push();
    // On one line, however the message was wrapped.
    let text = String::from_utf8_lossy(&out.stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("state::transfer"), "{text}");
    assert!(
        text.contains(&format!("call {first_call} to ")) && text.contains("not-reached (\"Busy\")"),
        "{text}"
    );
    assert!(text.contains("no result was copied"), "{text}");
    let mut client = postgres::Client::connect(&state, postgres::NoTls).unwrap();
    let outcome: String = client
        .query_one(
            "SELECT outcome FROM outdial_calls WHERE callid = $1",
            &[first_call],
        )
        .unwrap()
        .get(0);
    assert_eq!(outcome, "reached");
}
