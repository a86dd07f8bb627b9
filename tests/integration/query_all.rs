//! `query --all`: every call VoiceShot holds for the campaign's menuid, the ones this
//! campaign's journal does not know marked; the other providers say they cannot list.

use std::path::Path;

use crate::submit::{FAST, outdial, run, sandbox};
use crate::support::{json_lines, tempdir};

fn campaign(dir: &Path, name: &str, numbers: &[&str]) -> String {
    let list: Vec<String> = numbers.iter().map(|n| format!("\"{n}\"")).collect();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[campaign]\nname = \"{name}\"\n\n[voiceshot]\nmenuid = \"1-1234\"\n\n[[prompt]]\nid = 1\ntts = \"Hello\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [{}]\n",
            list.join(", ")
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn query_all_shows_every_call_and_marks_the_ones_outdial_did_not_send() {
    let sb = sandbox(Default::default());
    let url = sb.url();
    let dir = tempdir();
    let alpha = campaign(dir.path(), "alpha", &["8185550100", "8185550117"]);
    let beta = campaign(dir.path(), "beta", &["8185550140"]);
    for file in [&alpha, &beta] {
        let out = run(outdial(&["send", file], &url, &FAST));
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    // A call placed outside outdial (the web screens, another tool) in the same campaign.
    let outside = r#"<campaign menuid="1-1234" action="0"><prompts><prompt promptid="1" tts="Hi"/></prompts><phonenumbers><phonenumber number="8185550199" callid="web001"/></phonenumbers></campaign>"#;
    let reply = reqwest::blocking::Client::new()
        .post(&url)
        .header("Content-Type", "text/xml")
        .body(outside)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(reply.contains(r#"errorid="0""#), "{reply}");

    let out = run(outdial(
        &["--format", "json", "query", &alpha, "--all"],
        &url,
        &FAST,
    ));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(crate::support::valid_records(&stdout, "result"), 4);
    let calls: Vec<serde_json::Value> = json_lines(&stdout)
        .into_iter()
        .filter(|v| v["type"] == "result")
        .collect();
    let mut seen: Vec<(String, bool)> = calls
        .iter()
        .map(|c| {
            (
                c["number"].as_str().unwrap().to_owned(),
                c["not_sent_by_outdial"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("8185550100".to_owned(), false),
            ("8185550117".to_owned(), false),
            ("8185550140".to_owned(), true),
            ("8185550199".to_owned(), true),
        ],
        "every call of the menuid, the ones alpha's journal does not know marked"
    );
    // People see the mark too, and the rows are stored with it.
    let out = run(outdial(&["query", &alpha, "--all"], &url, &FAST));
    let human = String::from_utf8_lossy(&out.stdout);
    assert_eq!(human.matches("(not sent by outdial)").count(), 2, "{human}");
    let db = rusqlite::Connection::open(dir.path().join(".outdial/results.db")).unwrap();
    let reason: String = db
        .query_row(
            "SELECT reason FROM calls WHERE callid = 'web001'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(reason.starts_with("not sent by outdial"), "{reason}");
}

#[test]
fn query_all_at_a_provider_that_cannot_list_says_so() {
    let dir = tempdir();
    let path = dir.path().join("gateway.toml");
    std::fs::write(
        &path,
        "[campaign]\nname = \"gateway\"\nprovider = \"voicent\"\n\n[[prompt]]\nid = 1\ntts = \"Hi\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550100\"]\n",
    )
    .unwrap();
    let out = run(outdial(
        &["query", path.to_str().unwrap(), "--all"],
        "http://127.0.0.1:9",
        &FAST,
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(64), "{stderr}");
    assert!(stderr.contains("cannot list every call"), "{stderr}");
    assert!(stderr.contains("without --all"), "{stderr}");
}
