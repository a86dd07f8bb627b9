//! `outdial report` and `query` into the results store: over real loopback HTTP to the
//! sandboxes (send, query, report: the counts are the sandbox's own), a call left in doubt,
//! the retry CSV fed back through `check`, golden JSON and HTML on a fixed store, and the
//! HTML page opened in headless Chromium.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use outdial::provider::voiceshot::sandbox::{CallStatus, Sandbox, SandboxConfig};
use outdial::results::{CallRecord, Keypress, Outcome, Source, Store};

use crate::submit::{FAST, outdial as net, run};
use crate::support::{NOW, have_tool, json_lines, repo, tempdir, valid_records};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");

/// The fixture folder.
fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/report").join(name)
}

/// Copies the report fixtures into `dir`, where the journal and the store are kept next to
/// the campaign file; gives the VoiceShot campaign's path.
fn fixtures_in(dir: &Path) -> PathBuf {
    for name in ["outage.toml", "contacts.csv", "voicent.toml"] {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    dir.join("outage.toml")
}

/// `outdial ARGS…` in `dir` at [`NOW`], bounded in time. Stdout goes through a file: a
/// report of thousands of rows would fill a pipe that is read only at the end.
fn cli(dir: &Path, args: &[&str]) -> Output {
    let stdout = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .args(["--now", NOW])
        .current_dir(dir)
        // The provider's times are read on this machine's zone when the campaign names none.
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::null())
        .stdout(stdout.reopen().unwrap())
        .stderr(Stdio::piped());
    let mut out = run(cmd);
    out.stdout = std::fs::read(stdout.path()).unwrap();
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn ok(out: &Output, what: &str) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The rows of a CSV with a header, as maps from column to value.
fn csv_rows(csv: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

/// The `report` record of a JSON Lines report.
fn counts(stdout: &str) -> serde_json::Value {
    let lines = json_lines(stdout);
    assert_eq!(lines[0]["type"], "version");
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "report");
    last["counts"].clone()
}

#[test]
fn voiceshot_send_query_report_counts_are_the_sandboxs_own() {
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        success_rate: 0.6,
        seed: 13,
        ..SandboxConfig::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = fixtures_in(dir.path());
    let f = file.to_str().unwrap();
    ok(&run(net(&["send", f], &sb.url(), &FAST)), "send");

    // Sent and accepted, nothing reported yet: every recipient is pending.
    let before = ok(
        &cli(dir.path(), &["--format", "json", "report", f]),
        "report",
    );
    assert_eq!(counts(&before)["pending"], 30, "{before}");

    let query = run(net(&["query", f], &sb.url(), &FAST));
    ok(&query, "query");
    assert!(
        text(&query.stderr).contains("stored 30 results in"),
        "{}",
        text(&query.stderr)
    );
    // The query's records are the report's: one schema for both.
    let query_json = ok(
        &run(net(&["--format", "json", "query", f], &sb.url(), &FAST)),
        "query json",
    );
    assert_eq!(valid_records(&query_json, "result"), 30);
    assert!(dir.path().join(".outdial/results.db").is_file());

    // A recipient added since the send was never sent.
    let mut contacts = std::fs::read_to_string(dir.path().join("contacts.csv")).unwrap();
    contacts.push_str("8185550177,Zed\n");
    std::fs::write(dir.path().join("contacts.csv"), contacts).unwrap();

    // The sandbox's own state, by number.
    let calls = sb.calls();
    assert_eq!(calls.len(), 30);
    let expected: BTreeMap<String, &str> = calls
        .iter()
        .map(|c| {
            let status = match c.status {
                CallStatus::Successful => "reached",
                CallStatus::Unsuccessful => "not-reached",
                CallStatus::Pending | CallStatus::Paused => "pending",
                CallStatus::Deleted => "removed",
            };
            (c.number.clone(), status)
        })
        .collect();
    let count = |s: &str| expected.values().filter(|v| **v == s).count();
    assert!(
        count("reached") > 0 && count("not-reached") > 0,
        "{expected:?}"
    );

    let retry = dir.path().join("retry.csv");
    let csv = ok(
        &cli(
            dir.path(),
            &[
                "--format",
                "csv",
                "report",
                f,
                "--retry",
                retry.to_str().unwrap(),
            ],
        ),
        "report csv",
    );
    let (header, rows) = csv_rows(&csv);
    assert_eq!(
        header,
        [
            "number",
            "callid",
            "status",
            "provider_status",
            "reason",
            "answered_by",
            "duration",
            "attempts",
            "called_at",
            "provider_time",
            "source",
            "recording",
            "responses",
            "prompt_1",
            "prompt_3"
        ]
    );
    assert_eq!(rows.len(), 31);
    for row in &rows {
        let number = &row["number"];
        if number == "8185550177" {
            assert_eq!(row["status"], "never-sent");
            assert_eq!(row["source"], "");
            continue;
        }
        assert_eq!(row["status"], expected[number], "{number}");
        assert_eq!(row["source"], "query");
        let call = calls.iter().find(|c| &c.number == number).unwrap();
        assert_eq!(row["callid"], call.callid);
        assert_eq!(
            row["duration"],
            call.duration.map(|d| d.to_string()).unwrap_or_default()
        );
        if row["status"] == "not-reached" {
            assert_eq!(row["reason"], call.comment, "{number}");
        }
        for (prompt, keys) in &call.keypresses {
            assert_eq!(&row[&format!("prompt_{prompt}")], keys, "{number} {prompt}");
        }
    }

    let json = ok(&cli(dir.path(), &["--format", "json", "report", f]), "json");
    assert_eq!(valid_records(&json, "result"), 31);
    let c = counts(&json);
    assert_eq!(c["reached"], count("reached"));
    assert_eq!(c["not_reached"], count("not-reached"));
    assert_eq!(c["pending"], count("pending"));
    assert_eq!(c["in_doubt"], 0);
    assert_eq!(c["never_sent"], 1);
    let lines = json_lines(&json);
    let summary = lines.last().unwrap();
    assert_eq!(summary["recipients"], 31);
    assert_eq!(summary["retry"], count("not-reached") + 1);
    // Keypress counts per prompt are the sandbox's.
    for prompt in summary["keypresses"].as_array().unwrap() {
        let id = prompt["prompt"].as_u64().unwrap() as u32;
        let pressed = calls
            .iter()
            .flat_map(|c| &c.keypresses)
            .filter(|(p, k)| *p == id && !k.is_empty())
            .count();
        assert_eq!(prompt["pressed"], pressed, "prompt {id}");
    }

    // The retry list, fed back as a campaign's contacts, passes `check`: everyone not
    // reached and never sent, nobody else.
    let (retry_header, retry_rows) = csv_rows(&std::fs::read_to_string(&retry).unwrap());
    assert_eq!(retry_header, ["number", "first"]);
    assert_eq!(retry_rows.len(), count("not-reached") + 1);
    for row in &retry_rows {
        let status = expected
            .get(&row["number"])
            .copied()
            .unwrap_or("never-sent");
        assert!(["not-reached", "never-sent"].contains(&status), "{row:?}");
    }
    let campaign = std::fs::read_to_string(&file)
        .unwrap()
        .replace("name = \"outage\"", "name = \"outage-retry\"")
        .replace("contacts.csv", "retry.csv");
    std::fs::write(dir.path().join("retry.toml"), campaign).unwrap();
    let check = ok(&cli(dir.path(), &["check", "retry.toml"]), "check retry");
    assert!(
        check.contains(&format!("{} recipients", retry_rows.len())),
        "{check}"
    );
    sb.shutdown();
}

/// The issue's scale: 2,000 recipients sent, queried and reported; every count is the
/// sandbox's own.
#[test]
fn two_thousand_recipients_report_the_sandboxs_counts_exactly() {
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        success_rate: 0.75,
        seed: 2000,
        ..SandboxConfig::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = fixtures_in(dir.path());
    let campaign = std::fs::read_to_string(&file)
        .unwrap()
        .replace("batch_size = 10", "batch_size = 500");
    std::fs::write(&file, campaign).unwrap();
    let mut contacts = String::from("number,first\n");
    for i in 0..2000 {
        contacts.push_str(&format!("212555{i:04},P{i}\n"));
    }
    std::fs::write(dir.path().join("contacts.csv"), contacts).unwrap();
    let f = file.to_str().unwrap();
    ok(&run(net(&["send", f], &sb.url(), &FAST)), "send");
    // Its table of 2,000 rows would fill the pipe `run` reads only at the end.
    let mut query = net(&["query", f], &sb.url(), &FAST);
    query.stdout(Stdio::null());
    ok(&run(query), "query");
    let calls = sb.calls();
    assert_eq!(calls.len(), 2000);
    let count = |s: CallStatus| calls.iter().filter(|c| c.status == s).count();
    let json = ok(
        &cli(dir.path(), &["--format", "json", "report", f]),
        "report",
    );
    let lines = json_lines(&json);
    let summary = lines.last().unwrap();
    assert_eq!(summary["recipients"], 2000);
    let c = &summary["counts"];
    assert_eq!(c["reached"], count(CallStatus::Successful));
    assert_eq!(c["not_reached"], count(CallStatus::Unsuccessful));
    assert_eq!(
        c["pending"],
        count(CallStatus::Pending) + count(CallStatus::Paused)
    );
    assert_eq!(
        (c["in_doubt"].clone(), c["never_sent"].clone()),
        (0.into(), 0.into())
    );
    let keyed = calls
        .iter()
        .flat_map(|c| &c.keypresses)
        .filter(|(p, k)| *p == 1 && !k.is_empty())
        .count();
    assert_eq!(summary["keypresses"][0]["pressed"], keyed);
    assert_eq!(lines.len(), 2 + 2000);
    sb.shutdown();
}

#[test]
fn a_query_keeps_what_a_call_summary_said() {
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        success_rate: 1.0,
        ..SandboxConfig::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = fixtures_in(dir.path());
    let f = file.to_str().unwrap();
    ok(&run(net(&["send", f], &sb.url(), &FAST)), "send");
    // What `listen` would have stored from a Call Summary for one recipient.
    let mut summary = call(
        "8185550110",
        "Unsuccessful",
        Outcome::NotReached,
        Source::Summary,
    );
    summary.reason = Some("Busy".into());
    let mut store = Store::open(&dir.path().join(".outdial/results.db")).unwrap();
    store
        .record(
            Some(("/voiceshot/summary", b"<campaign/>")),
            &[summary],
            &[],
        )
        .unwrap();
    drop(store);
    for _ in 0..2 {
        let query = run(net(&["query", f], &sb.url(), &FAST));
        ok(&query, "query");
        let stderr = text(&query.stderr);
        assert!(stderr.contains("stored 29 results in "), "{stderr}");
        assert!(
            stderr.contains("; 1 kept as a Call Summary or callback reported them"),
            "{stderr}"
        );
    }
    let csv = ok(
        &cli(dir.path(), &["--format", "csv", "report", f]),
        "report",
    );
    let (_, rows) = csv_rows(&csv);
    assert_eq!(rows.len(), 30, "a query again adds no row");
    let kept = rows.iter().find(|r| r["number"] == "8185550110").unwrap();
    assert_eq!(
        (
            kept["status"].as_str(),
            kept["reason"].as_str(),
            kept["source"].as_str()
        ),
        ("not-reached", "Busy", "summary")
    );
    assert!(
        rows.iter()
            .filter(|r| r["number"] != "8185550110")
            .all(|r| r["status"] == "reached" && r["source"] == "query")
    );
    sb.shutdown();
}

#[test]
fn a_call_in_doubt_is_reported_in_doubt_and_voicent_polls_are_stored() {
    let sb = outdial::provider::voicent::sandbox::Sandbox::start(
        outdial::provider::voicent::sandbox::SandboxConfig {
            minute: Duration::from_secs(60),
            dial_delay: Duration::from_secs(3600),
            faults: "drop=2".parse().unwrap(),
            ..Default::default()
        },
    )
    .unwrap();
    let dir = tempdir();
    fixtures_in(dir.path());
    let url = sb.url();
    let send = cli(
        dir.path(),
        &[
            "send",
            "voicent.toml",
            "--yes",
            "--endpoint",
            &url,
            "--retries",
            "0",
            "--timeout",
            "2s",
        ],
    );
    assert_eq!(send.status.code(), Some(4), "{}", text(&send.stderr));
    let query = cli(
        dir.path(),
        &[
            "query",
            "voicent.toml",
            "--endpoint",
            &url,
            "--timeout",
            "2s",
        ],
    );
    ok(&query, "query");
    let json = ok(
        &cli(dir.path(), &["--format", "json", "report", "voicent.toml"]),
        "report",
    );
    let c = counts(&json);
    assert_eq!(c["in_doubt"], 1, "{json}");
    assert_eq!(c["pending"], 4, "{json}");
    for line in json_lines(&json).iter().filter(|l| l["type"] == "result") {
        if line["number"] == "8185550102" {
            assert_eq!(line["status"], "in-doubt");
            assert_eq!(line["source"], serde_json::Value::Null);
        } else {
            assert_eq!(line["status"], "pending", "{line}");
            // The gateway's status polls are in the store, in its own words.
            assert_eq!(line["source"], "query", "{line}");
        }
    }
    // In doubt is not tried again: it may have been called.
    let retry = dir.path().join("retry.csv");
    ok(
        &cli(
            dir.path(),
            &["report", "voicent.toml", "--retry", retry.to_str().unwrap()],
        ),
        "retry",
    );
    assert_eq!(std::fs::read_to_string(&retry).unwrap(), "number\n");
}

fn call(number: &str, status: &str, outcome: Outcome, source: Source) -> CallRecord {
    CallRecord {
        provider: "voiceshot".into(),
        campaign: "outage".into(),
        callid: format!("outage{number}"),
        number: number.into(),
        status: status.into(),
        outcome,
        reason: None,
        duration: None,
        answered_by: None,
        attempts: None,
        called_at: None,
        source,
        recording: None,
    }
}

fn key(number: &str, prompt: u32, keys: &str, source: Source) -> Keypress {
    Keypress {
        provider: "voiceshot".into(),
        campaign: "outage".into(),
        callid: format!("outage{number}"),
        number: number.into(),
        prompt,
        keys: keys.into(),
        source,
    }
}

/// A fixed store for the fixture campaign: summaries, callbacks' worth of keys, a query
/// result, a pending call and a row for a number the campaign does not have. Gives the
/// store and a journal path that does not exist (so nobody else was sent).
fn golden_store(dir: &Path) -> (PathBuf, PathBuf) {
    let db = dir.join("results.db");
    let mut store = Store::open(&db).unwrap();
    let mut calls = Vec::new();
    let mut keys = Vec::new();
    for (i, n) in (10..26).enumerate() {
        let number = format!("81855501{n}");
        let minute = 2 + 3 * i;
        // The last one's time is unreadable: counted as dialled without a time.
        let at = match i {
            15 => "soon".to_owned(),
            _ => format!("6/1/2026 2:{minute:02}:10 PM"),
        };
        let mut c = match i % 4 {
            0 | 1 => {
                let mut c = call(&number, "Successful", Outcome::Reached, Source::Summary);
                c.answered_by = Some(if i % 4 == 0 { "human" } else { "machine" }.into());
                c.duration = Some(20 + i as u32);
                keys.push(key(&number, 1, ["1", "2", "1"][i % 3], Source::Summary));
                if i % 2 == 0 {
                    keys.push(key(&number, 3, "#", Source::Summary));
                }
                c
            }
            2 => {
                let mut c = call(
                    &number,
                    "Unsuccessful",
                    Outcome::NotReached,
                    Source::Summary,
                );
                c.reason = Some(if i % 8 == 2 { "Busy" } else { "No Answer" }.into());
                c.duration = Some(0);
                c
            }
            _ => {
                let mut c = call(&number, "Successful", Outcome::Reached, Source::Query);
                c.duration = Some(31);
                // A status poll that tells how often the provider dialled.
                c.attempts = Some(2);
                // A query's keys lose to a summary's for the same prompt.
                keys.push(key(&number, 1, "9", Source::Query));
                keys.push(key(&number, 1, "1", Source::Event));
                c
            }
        };
        c.called_at = Some(at);
        calls.push(c);
    }
    calls.push(call(
        "8185550126",
        "Pending",
        Outcome::Pending,
        Source::Event,
    ));
    // Words no reader knows, kept as they came; a call the provider no longer holds.
    calls.push(call(
        "8185550127",
        "Transferred to queue",
        Outcome::Unknown,
        Source::Callback,
    ));
    let mut removed = call("8185550128", "", Outcome::Removed, Source::Query);
    removed.reason = Some("no such call record (removed or self-deleted)".into());
    calls.push(removed);
    // A number removed from the campaign since: counted as unmatched.
    calls.push(call(
        "8185550999",
        "Successful",
        Outcome::Reached,
        Source::Summary,
    ));
    // Another campaign's rows are not this report's.
    let mut other = call(
        "8185550110",
        "Unsuccessful",
        Outcome::NotReached,
        Source::Summary,
    );
    other.campaign = "other".into();
    calls.push(other);
    store.record(None, &calls, &keys).unwrap();
    (db, dir.join("no-journal.jsonl"))
}

#[test]
fn golden_json_csv_text_and_html_on_a_fixed_store() {
    let dir = tempdir();
    let (db, journal) = golden_store(dir.path());
    let campaign = fixture("outage.toml");
    let html = dir.path().join("report.html");
    let args = |format: &str| {
        vec![
            "--format".to_owned(),
            format.to_owned(),
            "report".to_owned(),
            campaign.to_str().unwrap().to_owned(),
            "--db".to_owned(),
            db.to_str().unwrap().to_owned(),
            "--journal".to_owned(),
            journal.to_str().unwrap().to_owned(),
        ]
    };
    let run_with = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(dir.path(), &args)
    };
    let json = ok(&run_with(args("json")), "json");
    // The version record names the commit outdial was built from: not part of the golden.
    let golden: String = json
        .lines()
        .map(|line| match line.find(r#""commit":""#) {
            Some(at) => {
                let end = line[at + 10..]
                    .find('"')
                    .map_or(line.len(), |e| at + 10 + e + 2);
                format!("{}{}", &line[..at], &line[end..])
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("report-json", golden);
    assert_eq!(valid_records(&json, "result"), 30);
    let c = counts(&json);
    assert_eq!(
        (
            c["reached"].clone(),
            c["not_reached"].clone(),
            c["pending"].clone()
        ),
        (12.into(), 4.into(), 1.into())
    );
    assert_eq!(
        (c["unknown"].clone(), c["removed"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(c["never_sent"], 11);

    let csv = ok(&run_with(args("csv")), "csv");
    insta::assert_snapshot!("report-csv", csv);

    let human = ok(&run_with(args("human")), "human");
    insta::assert_snapshot!("report-human", human);

    let mut with_html = args("human");
    with_html.extend(["--html".to_owned(), html.to_str().unwrap().to_owned()]);
    ok(&run_with(with_html), "html");
    let page = std::fs::read_to_string(&html).unwrap();
    insta::assert_snapshot!("report-html", page);
    // Self-contained: no script, nothing fetched.
    assert!(!page.contains("<script"));
    assert!(!page.contains("http:") && !page.contains("https:") && !page.contains("url("));
}

#[test]
fn bad_stores_and_a_retry_over_the_contacts_are_refused_without_a_panic() {
    let dir = tempdir();
    let file = fixtures_in(dir.path());
    let f = file.to_str().unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, "this is not a database\n".repeat(200)).unwrap();
    let out = cli(
        dir.path(),
        &["report", f, "--db", garbage.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("report::store"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stderr).contains("panicked"));

    let out = cli(dir.path(), &["report", f, "--retry", "contacts.csv"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("report::retry"));
    assert_eq!(
        std::fs::read(dir.path().join("contacts.csv")).unwrap(),
        std::fs::read(fixture("contacts.csv")).unwrap(),
        "the contacts are untouched"
    );

    // A report reads: without a store it creates none, and everyone is never sent.
    let out = ok(
        &cli(dir.path(), &["--format", "json", "report", f]),
        "report",
    );
    assert_eq!(counts(&out)["never_sent"], 30);
    assert!(!dir.path().join(".outdial/results.db").exists());
}

#[test]
fn the_retry_csv_keeps_each_rows_time_zone() {
    let dir = tempdir();
    for name in ["zones.toml", "zones.csv"] {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
    }
    let retry = dir.path().join("retry.csv");
    ok(
        &cli(
            dir.path(),
            &["report", "zones.toml", "--retry", retry.to_str().unwrap()],
        ),
        "report",
    );
    assert_eq!(
        std::fs::read_to_string(&retry).unwrap(),
        "number,first,timezone\n8185550101,Ann,America/Los_Angeles\n8185550102,Bob,\n\
         8185550103,Cy,America/New_York\n"
    );
    let campaign = std::fs::read_to_string(dir.path().join("zones.toml"))
        .unwrap()
        .replace("zones.csv", "retry.csv")
        .replace("name = \"zones\"", "name = \"zones-retry\"");
    std::fs::write(dir.path().join("retry.toml"), campaign).unwrap();
    let check = ok(&cli(dir.path(), &["check", "retry.toml"]), "check");
    assert!(check.contains("3 recipients"), "{check}");
}

/// Runs Chromium headless on `args`, bounded in time.
fn chromium(profile: &Path, args: &[&str]) -> Output {
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium runs");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_html_report_opens_in_headless_chromium_without_errors() {
    if !have_tool(
        "chromium",
        "chromium",
        "the HTML report is not opened in a browser",
    ) {
        return;
    }
    let dir = tempdir();
    let (db, journal) = golden_store(dir.path());
    let html = dir.path().join("report.html");
    let campaign = fixture("outage.toml");
    ok(
        &cli(
            dir.path(),
            &[
                "report",
                campaign.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
                "--journal",
                journal.to_str().unwrap(),
                "--html",
                html.to_str().unwrap(),
            ],
        ),
        "report",
    );
    let url = format!("file://{}", html.display());
    let dom = chromium(&dir.path().join("profile-dom"), &["--dump-dom", &url]);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let dom_text = text(&dom.stdout);
    // The charts survived parsing as SVG: four charts, their titles, their bars.
    // Statuses, who answered, the funnel, the timeline and the keys at prompts 1 and 3.
    assert_eq!(dom_text.matches("<svg").count(), 6, "{dom_text}");
    // Who to look at: a folding section per status, no script needed to filter.
    assert_eq!(dom_text.matches("<details").count(), 3, "{dom_text}");
    assert!(dom_text.contains("Transferred to queue"));
    assert!(dom_text.contains("<title id=\"funnel-chart-title\">Reach funnel</title>"));
    assert!(dom_text.matches("<rect").count() > 20);
    assert!(dom_text.contains("Keys pressed at prompt 3"));
    let stderr = text(&dom.stderr);
    for bad in ["CONSOLE", "Uncaught", "ERR_FILE_NOT_FOUND", "Refused to"] {
        assert!(
            !stderr.lines().any(|l| l.contains(bad)),
            "{bad} in Chromium's log:\n{stderr}"
        );
    }
    let png = dir.path().join("shot.png");
    let shot = chromium(
        &dir.path().join("profile-shot"),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=800,1200",
            "--hide-scrollbars",
            &url,
        ],
    );
    assert!(shot.status.success(), "{}", text(&shot.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(bytes.len() > 10_000, "a blank page: {} bytes", bytes.len());
}
