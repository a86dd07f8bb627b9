//! `outdial listen` over real loopback HTTP: the sandboxes post what a provider would, the
//! listener stores it, and the store is compared with the sandbox's own state.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine;
use outdial::results::{Outcome, Store};

use crate::support::tempdir;

pub(super) const BIN: &str = env!("CARGO_BIN_EXE_outdial");
pub(super) const USER: &str = "hooks";
pub(super) const PASSWORD: &str = "listen-Pa55-never-shown";

/// A running `outdial listen`; dropping it stops it with SIGTERM.
pub(super) struct Listener {
    child: Option<Child>,
    pub(super) url: String,
    stderr: mpsc::Receiver<String>,
}

impl Listener {
    pub(super) fn start(files: &[&Path], db: &Path, auth: bool) -> Listener {
        if auth {
            let env = [
                ("OUTDIAL_LISTEN_USER", USER),
                ("OUTDIAL_LISTEN_PASSWORD", PASSWORD),
            ];
            Listener::start_with(files, db, &[], &env)
        } else {
            Listener::start_with(files, db, &["--insecure-no-auth"], &[])
        }
    }

    /// `listen` with more arguments and environment variables (no listen variable is
    /// inherited).
    pub(super) fn start_with(
        files: &[&Path],
        db: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Listener {
        let mut all = vec!["--db", db.to_str().unwrap()];
        all.extend_from_slice(args);
        Listener::spawn(files, &all, env)
    }

    /// `listen` on a free port with only `env` (no --db: the store comes from the
    /// environment or the default).
    pub(super) fn start_env(files: &[&Path], env: &[(&str, &str)]) -> Listener {
        Listener::spawn(files, &[], env)
    }

    fn spawn(files: &[&Path], args: &[&str], env: &[(&str, &str)]) -> Listener {
        let mut cmd = Command::new(BIN);
        cmd.arg("listen")
            .args(files)
            .args(["--bind", "127.0.0.1:0"])
            .env_remove("OUTDIAL_LISTEN_USER")
            .env_remove("OUTDIAL_LISTEN_PASSWORD")
            .env_remove("OUTDIAL_LISTEN_TOKEN")
            .env_remove("OUTDIAL_LISTEN_DB")
            .env_remove("OUTDIAL_LISTEN_BIND")
            .env_remove("OUTDIAL_LISTEN_MAX_BODY")
            .env_remove("OUTDIAL_LOG_FORMAT")
            .env_remove("OUTDIAL_STATE")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.args(args).envs(env.iter().copied());
        let mut child = cmd.spawn().expect("listen runs");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (etx, erx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = etx.send(line);
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("listen prints its URL");
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Listener {
            child: Some(child),
            url,
            stderr: erx,
        }
    }

    pub(super) fn route(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Stops it with SIGTERM; its exit code and the stderr lines.
    pub(super) fn stop(mut self) -> (Option<i32>, Vec<String>) {
        let mut child = self.child.take().unwrap();
        term(&child);
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "listen did not stop on SIGTERM");
            thread::sleep(Duration::from_millis(10));
        };
        thread::sleep(Duration::from_millis(50));
        (status.code(), self.stderr.try_iter().collect())
    }
}

impl Listener {
    /// Kills it with SIGKILL, as a crash or the OOM killer would: no chance to finish
    /// anything.
    pub(super) fn kill(mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

pub(super) fn term(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            term(&child);
            let _ = child.wait();
        }
    }
}

/// A POST with a deadline: status and body.
pub(super) fn post(
    url: &str,
    ctype: &str,
    body: impl Into<Vec<u8>>,
    auth: Option<(&str, &str)>,
) -> (u16, String) {
    let client = reqwest::blocking::Client::new();
    let mut request = client
        .post(url)
        .header("Content-Type", ctype)
        .body(body.into())
        .timeout(Duration::from_secs(20));
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    let reply = request.send().expect("listen answers");
    let status = reply.status().as_u16();
    (status, reply.text().unwrap())
}

/// `outdial ARGS…` with a deadline.
pub(super) fn outdial(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("outdial runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("outdial {args:?} did not finish in 120 s");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

pub(super) fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// `n` distinct valid numbers, as a CSV with a `number` column.
pub(super) fn contacts(dir: &Path, n: usize) -> PathBuf {
    let mut csv = String::from("number\n");
    for i in 0..n {
        // Area codes 212, 213, … and 555-01xx style lines: all valid NANP numbers.
        csv.push_str(&format!("{}555{:04}\n", 212 + i / 5000, 1000 + i % 5000));
    }
    let path = dir.join("contacts.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

/// A VoiceShot sandbox whose calls wait an hour to be dialled: the test posts their results.
pub(super) fn undialled() -> outdial::provider::voiceshot::sandbox::Sandbox {
    use outdial::provider::voiceshot::sandbox::{Sandbox, SandboxConfig};
    Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .unwrap()
}

/// A three-recipient campaign (see [`voiceshot_campaign`]) in its own folder `dir/name`.
pub(super) fn campaign_in(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::create_dir_all(&to).unwrap();
    voiceshot_campaign(&to, 3, "")
}

/// A VoiceShot campaign over `n` CSV recipients, with a prompt and Call Command rules.
pub(super) fn voiceshot_campaign(dir: &Path, n: usize, extra: &str) -> PathBuf {
    contacts(dir, n);
    let text = format!(
        "[campaign]\nname = \"loop\"\n\n[voiceshot]\nmenuid = \"1-1234\"\n\n[[prompt]]\nid = 1\ntts = \"The web server is down. Press 1 to hear more.\"\n\n[[prompt]]\nid = 2\ntts = \"More.\"\n\n[recipients]\nwindow = \"always\"\ncsv = \"contacts.csv\"\n{extra}"
    );
    let path = dir.join("loop.toml");
    std::fs::write(&path, text).unwrap();
    path
}

pub(super) fn send(file: &Path, endpoint: &str, env: &[(&str, &str)]) {
    let out = outdial(
        &[
            "send",
            file.to_str().unwrap(),
            "--endpoint",
            endpoint,
            "--yes",
        ],
        env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn listen_stores_every_voiceshot_summary_of_a_2000_recipient_campaign() {
    use outdial::provider::voiceshot::sandbox::{CallStatus, Sandbox, SandboxCall, SandboxConfig};
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 2000, "");
    let db = dir.path().join(".outdial/results.db");
    let listener = Listener::start(&[&file], &db, false);
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_millis(300),
        success_rate: 0.7,
        seed: 7,
        summary_url: Some(listener.route("/voiceshot/summary")),
        ..SandboxConfig::default()
    })
    .unwrap();
    send(&file, &sb.url(), &[]);
    wait_for("2000 summaries", 180, || sb.summaries().0 >= 2000);
    assert_eq!(
        sb.summaries(),
        (2000, 0),
        "every summary delivered, none given up"
    );

    // The sandbox's own state, as it serves it.
    let state_url = sb.url().replace("/ivrapi.asp", "/_sandbox/calls");
    let calls: Vec<SandboxCall> =
        serde_json::from_str(&reqwest::blocking::get(&state_url).unwrap().text().unwrap()).unwrap();
    assert_eq!(calls.len(), 2000);
    let store = Store::open(&db).unwrap();
    let stored = store.calls("voiceshot", "loop").unwrap();
    assert_eq!(stored.len(), 2000);
    let by_id: BTreeMap<&str, _> = stored.iter().map(|c| (c.callid.as_str(), c)).collect();
    let (mut reached, mut not_reached) = (0, 0);
    for call in &calls {
        let row = by_id[call.callid.as_str()];
        assert_eq!(row.number, call.number);
        assert_eq!(row.status, call.status.as_str());
        assert_eq!(row.duration, call.duration);
        assert_eq!(row.called_at, call.dialled_at);
        match call.status {
            CallStatus::Successful => {
                reached += 1;
                assert_eq!(row.outcome, Outcome::Reached);
                let by = if call.comment == "Human Answer" {
                    "human"
                } else {
                    "machine"
                };
                assert_eq!(row.answered_by.as_deref(), Some(by));
            }
            CallStatus::Unsuccessful => {
                not_reached += 1;
                assert_eq!(row.outcome, Outcome::NotReached);
                assert_eq!(row.reason.as_deref(), Some(call.comment.as_str()));
            }
            other => panic!("a call in state {other:?} was summarised"),
        }
    }
    assert_eq!(
        stored
            .iter()
            .filter(|c| c.outcome == Outcome::Reached)
            .count(),
        reached
    );
    assert_eq!(
        stored
            .iter()
            .filter(|c| c.outcome == Outcome::NotReached)
            .count(),
        not_reached
    );
    assert!(
        reached > 1000 && not_reached > 300,
        "{reached} / {not_reached}"
    );
    let keys = store.keypresses("voiceshot", "loop").unwrap();
    let sandbox_keys: usize = calls.iter().map(|c| c.keypresses.len()).sum();
    assert_eq!(keys.len(), sandbox_keys);
    for k in &keys {
        let call = calls.iter().find(|c| c.callid == k.callid).unwrap();
        assert!(call.keypresses.contains(&(k.prompt, k.keys.clone())));
    }
    drop(store);
    let (code, log) = listener.stop();
    assert_eq!(code, Some(0));
    assert!(
        log.iter()
            .any(|l| l == "stopped: 2000 posts stored, 0 refused"),
        "{log:?}"
    );
}

/// A voip-communications campaign over `n` CSV recipients whose callbacks go to a listener,
/// and a sandbox (with `faults`) that dials in 20 ms: (campaign file, database, listener,
/// sandbox).
fn voipcomm_loop(
    dir: &Path,
    n: usize,
    faults: &str,
) -> (
    PathBuf,
    PathBuf,
    Listener,
    outdial::provider::voipcomm::sandbox::Sandbox,
) {
    use outdial::provider::voipcomm::sandbox::{Sandbox, SandboxConfig};
    let db = dir.join("results.db");
    contacts(dir, n);
    // The listener must know the campaign before the callback URL is known: write it with a
    // placeholder port, start listening, then write the real URL (listen reads the campaign
    // only for its name and journal).
    let write = |url: &str| {
        let text = format!(
            "[campaign]\nname = \"vc-loop\"\nprovider = \"voipcomm\"\n\n[voipcomm]\ncallback_url = \"{url}\"\n\n[voipcomm.answer]\nspeak = 1\nspeak_lang = \"en-US\"\n\n[[prompt]]\nid = 1\ntts = \"Your parcel arrives today.\"\n\n[recipients]\nwindow = \"always\"\ncsv = \"contacts.csv\"\n"
        );
        let path = dir.join("vc.toml");
        std::fs::write(&path, text).unwrap();
        path
    };
    let file = write("http://127.0.0.1:9/voipcomm/callback");
    let listener = Listener::start(&[&file], &db, false);
    write(&listener.route("/voipcomm/callback"));
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_millis(20),
        faults: faults.parse().unwrap(),
        ..SandboxConfig::default()
    })
    .unwrap();
    (file, db, listener, sb)
}

pub(super) const VOIPCOMM_ENV: [(&str, &str); 2] =
    [("VOIPCOMM_API_KEY", "k"), ("VOIPCOMM_API_PASSWORD", "p")];

#[test]
fn listen_stores_every_voipcomm_callback() {
    use outdial::provider::voipcomm::sandbox::Outcome as VcOutcome;
    let dir = tempdir();
    let n = 2000;
    let (file, db, _listener, sb) = voipcomm_loop(dir.path(), n, "");
    send(&file, &sb.url(), &VOIPCOMM_ENV);
    wait_for("every callback", 120, || {
        let calls = sb.calls();
        calls.len() == n && calls.iter().all(|c| c.callback_delivered.is_some())
    });
    let calls = sb.calls();
    assert!(calls.iter().all(|c| c.callback_delivered == Some(true)));
    let store = Store::open(&db).unwrap();
    let stored = store.calls("voipcomm", "vc-loop").unwrap();
    assert_eq!(stored.len(), n);
    let journal = std::fs::read_to_string(dir.path().join(".outdial/vc-loop.jsonl")).unwrap();
    let mut ours_by_theirs = BTreeMap::new();
    for line in journal.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(ids) = v.get("ids").and_then(|i| i.as_object()) {
            for (ours, theirs) in ids {
                let callid = ours.split_once(' ').map_or(ours.as_str(), |(c, _)| c);
                ours_by_theirs.insert(theirs.as_str().unwrap().to_owned(), callid.to_owned());
            }
        }
    }
    let by_id: BTreeMap<&str, _> = stored.iter().map(|c| (c.callid.as_str(), c)).collect();
    let mut reached = 0;
    for call in &calls {
        let row = by_id[ours_by_theirs[&call.callid].as_str()];
        let (want_status, want_outcome) = match call.outcome.unwrap() {
            VcOutcome::Person => ("Person", Outcome::Reached),
            VcOutcome::Machine => ("Machine", Outcome::Reached),
            VcOutcome::NoAnswer => ("NoAnswer", Outcome::NotReached),
            VcOutcome::Busy => ("Busy", Outcome::NotReached),
        };
        reached += usize::from(want_outcome == Outcome::Reached);
        assert_eq!(row.status, want_status);
        assert_eq!(row.outcome, want_outcome);
        assert_eq!(row.duration, Some(call.billed_seconds));
    }
    assert_eq!(
        stored
            .iter()
            .filter(|c| c.outcome == Outcome::Reached)
            .count(),
        reached
    );
    assert!(reached > 0 && reached < n);
}

/// The journal's (our call id, number, provider's callid) of every call `send` made.
fn voipcomm_ids(dir: &Path, campaign: &str) -> Vec<(String, String, String)> {
    let journal = std::fs::read_to_string(dir.join(format!(".outdial/{campaign}.jsonl"))).unwrap();
    let mut ids = Vec::new();
    for line in journal.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for (ours, theirs) in v
            .get("ids")
            .and_then(|i| i.as_object())
            .into_iter()
            .flatten()
        {
            let (callid, number) = ours.split_once(' ').unwrap_or((ours.as_str(), ""));
            let theirs = theirs.as_str().unwrap().to_owned();
            ids.push((callid.to_owned(), number.to_owned(), theirs));
        }
    }
    ids
}

/// The `result` records of `outdial --format json ARGS…`, by number.
fn records(args: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let out = outdial(&[&["--format", "json"], args].concat(), &VOIPCOMM_ENV);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    crate::support::valid_records(&stdout, "result");
    crate::support::json_lines(&stdout)
        .into_iter()
        .filter(|r| r["type"] == "result")
        .map(|r| (r["number"].as_str().unwrap().to_owned(), r))
        .collect()
}

/// voip-communications.net has no status request: `query` shows what its callbacks said, the
/// very records `report` shows, instead of calling every call pending.
#[test]
fn a_voipcomm_query_shows_what_report_shows_from_callbacks() {
    let dir = tempdir();
    let n = 12;
    let (file, db, _listener, sb) = voipcomm_loop(dir.path(), n, "");
    send(&file, &sb.url(), &VOIPCOMM_ENV);
    wait_for("every callback", 60, || {
        let calls = sb.calls();
        calls.len() == n && calls.iter().all(|c| c.callback_delivered == Some(true))
    });
    let (f, d) = (file.to_str().unwrap(), db.to_str().unwrap());
    let query = records(&["query", f, "--endpoint", &sb.url(), "--db", d]);
    let report = records(&["report", f, "--db", d]);
    assert_eq!(query.len(), n);
    assert_eq!(query, report);
    assert!(
        query.values().all(|r| r["source"] == "callback"),
        "{query:?}"
    );
    assert!(
        query.values().any(|r| r["status"] == "reached"),
        "{query:?}"
    );
    assert!(
        query.values().all(|r| r["status"] != "pending"),
        "{query:?}"
    );
}

/// What a callback says reaches people escaped: no formula a spreadsheet runs, no control
/// sequence a terminal obeys, no escape byte in the page.
#[test]
fn hostile_callback_text_is_neutralised_in_csv_and_escaped_everywhere() {
    let dir = tempdir();
    let db = dir.path().join("results.db");
    contacts(dir.path(), 3);
    // Callbacks go nowhere: the posts below are the only ones.
    let file = dir.path().join("vc.toml");
    std::fs::write(
        &file,
        "[campaign]\nname = \"vc-hostile\"\nprovider = \"voipcomm\"\n\n[voipcomm]\ncallback_url = \"http://127.0.0.1:9/voipcomm/callback\"\n\n[voipcomm.answer]\nspeak = 1\nspeak_lang = \"en-US\"\n\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\nwindow = \"always\"\ncsv = \"contacts.csv\"\n",
    )
    .unwrap();
    let sb = outdial::provider::voipcomm::sandbox::Sandbox::start(Default::default()).unwrap();
    send(&file, &sb.url(), &VOIPCOMM_ENV);
    let listener = Listener::start(&[&file], &db, false);
    let hostile = [
        "=HYPERLINK(\"http://evil.invalid/\",\"Click\")",
        "+SUM(1+1)*cmd|' /C calc'!A0",
        "@cmd|' /C calc'!A0\u{1b}[2J\u{7}\rReached",
    ];
    let ids = voipcomm_ids(dir.path(), "vc-hostile");
    assert_eq!(ids.len(), 3);
    for ((ours, number, theirs), status) in ids.iter().zip(hostile) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("callid", theirs)
            .append_pair("to", number)
            .append_pair("status", status)
            .append_pair("billed_seconds", "0")
            .finish();
        let url = listener.route(&format!("/voipcomm/callback?outdial_callid={ours}"));
        let (code, why) = post(&url, "application/x-www-form-urlencoded", body, None);
        assert_eq!(code, 200, "{why}");
    }
    let f = file.to_str().unwrap();
    let d = db.to_str().unwrap();
    let run = |format: &str, extra: &[&str]| {
        let out = outdial(
            &[&["--format", format, "report", f, "--db", d], extra].concat(),
            &[],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = run("csv", &[]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    for row in &rows {
        for (name, cell) in header.iter().zip(row.iter()) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{name} = {cell:?}"
            );
            assert!(!cell.chars().any(char::is_control), "{name} = {cell:?}");
        }
    }
    assert!(csv.contains("'=HYPERLINK("), "{csv}");
    assert!(
        csv.contains("'@cmd|' /C calc'!A0\\u{1b}[2J\\u{7}\\u{d}Reached"),
        "{csv}"
    );
    let human = run("human", &[]);
    assert!(
        !human.chars().any(|c| c.is_control() && c != '\n'),
        "{human:?}"
    );
    assert!(human.contains("\\u{1b}[2J"), "{human}");
    let html = dir.path().join("r.html");
    run("human", &["--html", html.to_str().unwrap()]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        !page.chars().any(|c| c.is_control() && c != '\n'),
        "raw control bytes in the page"
    );
    assert!(page.contains("\\u{1b}[2J"));
}

/// A call whose make-calls reply was lost is in doubt, with no provider callid in the journal;
/// its callback still names it, by the call id `send` put in its callback URL.
#[test]
fn a_callback_for_a_call_in_doubt_is_stored_by_outdials_own_call_id() {
    let dir = tempdir();
    let (file, db, _listener, sb) = voipcomm_loop(dir.path(), 3, "drop=2");
    let out = outdial(
        &[
            "send",
            file.to_str().unwrap(),
            "--endpoint",
            &sb.url(),
            "--yes",
        ],
        &VOIPCOMM_ENV,
    );
    assert_eq!(out.status.code(), Some(4), "in doubt: {out:?}");
    wait_for("every callback", 30, || {
        let calls = sb.calls();
        calls.len() == 3 && calls.iter().all(|c| c.callback_delivered.is_some())
    });
    let calls = sb.calls();
    assert!(
        calls.iter().all(|c| c.callback_delivered == Some(true)),
        "{calls:?}"
    );
    let lost = calls
        .iter()
        .find(|c| c.request == 2)
        .expect("the second post was taken");
    let journal = std::fs::read_to_string(dir.path().join(".outdial/vc-loop.jsonl")).unwrap();
    assert!(
        !journal.contains(&lost.callid),
        "the reply with its callid was lost"
    );
    let stored = Store::open(&db)
        .unwrap()
        .calls("voipcomm", "vc-loop")
        .unwrap();
    assert_eq!(stored.len(), 3, "{stored:?}");
    let row = stored
        .iter()
        .find(|r| lost.to.ends_with(&r.number))
        .expect("the call in doubt is stored");
    assert!(lost.params["callback_url"].ends_with(&format!("outdial_callid={}", row.callid)));
    assert_eq!(row.duration, Some(lost.billed_seconds));
}

/// A listener with credentials over a small sent campaign (no summaries: the sandbox never
/// dials), for posts made by hand.
pub(super) fn small_setup(dir: &Path, rules: &str) -> (Listener, PathBuf, Vec<String>) {
    let file = voiceshot_campaign(dir, 3, rules);
    let sb = undialled();
    send(&file, &sb.url(), &[]);
    let callids = sb.calls().into_iter().map(|c| c.callid).collect();
    let db = dir.join("results.db");
    (Listener::start(&[&file], &db, true), db, callids)
}

pub(super) const AUTH: Option<(&str, &str)> = Some((USER, PASSWORD));

pub(super) fn summary(callid: &str, status: &str, comment: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><campaign menuid="1-1234" duration="14" phonenumber="2125551000" status="{status}" comment="{comment}" callid="{callid}" dateandtime="12/1/2026 1:02:03 AM"><prompts><prompt promptid="1" keypress="1"/></prompts></campaign>"#
    )
}

#[test]
fn bad_posts_get_a_4xx_and_the_listener_keeps_serving() {
    let dir = tempdir();
    let (listener, db, callids) = small_setup(dir.path(), "");
    let url = listener.route("/voiceshot/summary");
    let good = summary(&callids[0], "Successful", "Human Answer");

    // Credentials: none, wrong user, wrong password.
    assert_eq!(post(&url, "text/xml", good.clone(), None).0, 401);
    assert_eq!(
        post(&url, "text/xml", good.clone(), Some(("x", PASSWORD))).0,
        401
    );
    assert_eq!(
        post(&url, "text/xml", good.clone(), Some((USER, "wrong"))).0,
        401
    );
    // Wrong content type, broken XML, not a summary.
    assert_eq!(post(&url, "application/json", good.clone(), AUTH).0, 415);
    assert_eq!(post(&url, "text/xml", "<campaign menuid=", AUTH).0, 400);
    assert_eq!(post(&url, "text/xml", "<campaign/>", AUTH).0, 400);
    assert_eq!(post(&url, "text/xml", vec![0xff, 0xfe, 0], AUTH).0, 400);
    // An unknown menuid, an unknown call id: read, so kept as unmatched and answered 200.
    let other_menu = good.replace("1-1234", "9-9999");
    assert_eq!(post(&url, "text/xml", other_menu, AUTH).0, 200);
    let unknown = summary("nobody-1", "Successful", "Human Answer");
    assert_eq!(post(&url, "text/xml", unknown, AUTH).0, 200);
    // A route that does not exist, a GET.
    assert_eq!(post(&listener.route("/nope"), "text/xml", "x", AUTH).0, 404);
    let get = reqwest::blocking::get(&url).unwrap().status().as_u16();
    assert_eq!(get, 405);
    // 100 MB announced: refused before it is read.
    assert_eq!(oversized(&listener.url, 100 * 1024 * 1024), 413);
    // Over the limit without a length (chunked): refused once the limit is passed.
    let chunked = reqwest::blocking::Client::new()
        .post(&url)
        .basic_auth(USER, Some(PASSWORD))
        .header("Content-Type", "text/xml")
        .body(reqwest::blocking::Body::new(
            std::io::repeat(b' ').take(17 * 1024 * 1024),
        ))
        .timeout(Duration::from_secs(30))
        .send()
        .map(|r| r.status().as_u16());
    // The server may close before the client has written everything; either way no 2xx.
    assert!(chunked.as_ref().map_or(true, |s| *s == 413), "{chunked:?}");

    // The other routes refuse the same way.
    let events = listener.route("/voiceshot/events");
    let stranger = r#"<prompt menuid="1-1234" callid="nobody-1" promptid="1" keypress="1"/>"#;
    assert_eq!(post(&events, "text/xml", stranger, AUTH).0, 200);
    assert_eq!(post(&events, "text/xml", "<prompt/>", AUTH).0, 400);
    let callback = listener.route("/voipcomm/callback");
    let form = "application/x-www-form-urlencoded";
    assert_eq!(
        post(&callback, "text/xml", "callid=1&status=Person", AUTH).0,
        415
    );
    assert_eq!(
        post(&callback, "application/json", "{\"callid\":", AUTH).0,
        400
    );
    assert_eq!(post(&callback, form, vec![0xff, 0xfe], AUTH).0, 400);
    assert_eq!(
        post(&callback, form, "callid=unknown&status=Person", AUTH).0,
        200
    );

    // Still serving: the good post is stored, once however often it is delivered.
    assert_eq!(
        post(&url, "text/xml", good.clone(), AUTH),
        (200, String::new())
    );
    assert_eq!(
        post(&url, "text/xml", good.clone(), AUTH),
        (200, String::new())
    );
    let store = Store::open(&db).unwrap();
    let calls = store.calls("voiceshot", "loop").unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].callid, callids[0]);
    assert_eq!(calls[0].outcome, Outcome::Reached);
    assert_eq!(store.keypresses("voiceshot", "loop").unwrap().len(), 1);
    drop(store);

    let (code, log) = listener.stop();
    assert_eq!(code, Some(0));
    let log = log.join("\n");
    assert!(
        log.contains("refused with 401: missing or wrong credentials"),
        "{log}"
    );
    assert!(log.contains("refused with 413"), "{log}");
    assert!(log.contains("already stored"), "{log}");
    assert!(!log.contains(PASSWORD), "the password never shows");
    assert!(log.contains("stopped: 6 posts stored"), "{log}");
}

/// Announces `length` bytes, sends 1 MiB of them, and returns the status the listener answers.
fn oversized(base: &str, length: usize) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    write!(
        stream,
        "POST /voiceshot/summary HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {credentials}\r\nContent-Type: text/xml\r\nContent-Length: {length}\r\n\r\n"
    )
    .unwrap();
    let _ = stream.write_all(&vec![b' '; 1024 * 1024]);
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"))
}

#[test]
fn a_voicemail_is_saved_beside_the_store_under_a_safe_name() {
    let dir = tempdir();
    let (listener, db, callids) = small_setup(dir.path(), "");
    let wav = std::fs::read(crate::support::repo().join("examples/sounds/hello.wav")).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&wav);
    let body = format!(
        r#"<campaign menuid="1-1234" phonenumber="2125551001" status="Successful" comment="Answering Machine" callid="{}"><prompts><prompt promptid="2" keypress=""><file filename="../../../escape.wav">{b64}</file></prompt></prompts></campaign>"#,
        callids[1]
    );
    let (status, _) = post(
        &listener.route("/voiceshot/summary"),
        "text/xml",
        body,
        AUTH,
    );
    assert_eq!(status, 200);
    let store = Store::open(&db).unwrap();
    let calls = store.calls("voiceshot", "loop").unwrap();
    let recording = calls[0].recording.clone().expect("referenced");
    assert_eq!(
        recording,
        format!("recordings/loop-{}-2125551001-p2-escape.wav", callids[1])
    );
    assert_eq!(std::fs::read(dir.path().join(&recording)).unwrap(), wav);
    assert!(!dir.path().parent().unwrap().join("escape.wav").exists());
    // `report` shows where the voicemail is, and that a machine took the call.
    let out = outdial(
        &[
            "--format",
            "json",
            "report",
            dir.path().join("loop.toml").to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let row = crate::support::json_lines(&stdout)
        .into_iter()
        .find(|r| r["number"] == "2125551001")
        .expect("the recipient's record");
    assert_eq!(row["recording"], recording.as_str(), "{row}");
    assert_eq!(row["answered_by"], "machine", "{row}");
    let (_, log) = listener.stop();
    assert!(
        log.iter()
            .any(|l| l == &format!("saved voicemail {recording}")),
        "the inspector finds nothing wrong with hello.wav: {log:?}"
    );
}

#[test]
fn call_commands_answer_keypress_events_exactly() {
    let dir = tempdir();
    let rules = r##"
[[on_keypress]]
prompt = 1
key = "1"
goto = 2

[[on_keypress]]
prompt = 1
key = "2"
tts = "Thanks, <Ann> & \"Bob\": we'll call back."

[[on_keypress]]
prompt = 1
key = "3"
filename = "thanks.wav"

[[on_keypress]]
prompt = 1
key = "0"
transferto = "(818) 555-0123"
callerid = "8185550199"

[[on_keypress]]
prompt = 2
key = "#"
dtmf = "100"
goto = 1
"##;
    let (listener, db, callids) = small_setup(dir.path(), rules);
    let url = listener.route("/voiceshot/events");
    let event = |prompt: u32, key: &str| {
        let body = format!(
            r#"<prompt menuid="1-1234" callid="{}" promptid="{prompt}" keypress="{key}"/>"#,
            callids[2]
        );
        let (status, reply) = post(&url, "text/xml", body, AUTH);
        assert_eq!(status, 200, "{reply}");
        reply
    };
    insta::assert_snapshot!("goto", event(1, "1"));
    insta::assert_snapshot!("tts", event(1, "2"));
    insta::assert_snapshot!("filename", event(1, "3"));
    insta::assert_snapshot!("transferto", event(1, "0"));
    insta::assert_snapshot!("dtmf", event(2, "#"));
    assert_eq!(event(1, "9"), "", "no rule: an empty 200");
    assert_eq!(event(2, "1"), "", "no rule for this prompt: an empty 200");
    // Answer and hang-up events are acknowledged with nothing.
    let hangup = format!(
        r#"<campaign menuid="1-1234" callid="{}" action="5" duration="3"/>"#,
        callids[2]
    );
    assert_eq!(post(&url, "text/xml", hangup, AUTH), (200, String::new()));
    // Keypresses are stored as events: every one, in the order pressed at each prompt.
    let store = Store::open(&db).unwrap();
    let keys = store.keypresses("voiceshot", "loop").unwrap();
    let pressed: Vec<(u32, &str)> = keys.iter().map(|k| (k.prompt, k.keys.as_str())).collect();
    assert_eq!(
        pressed,
        [
            (1, "1"),
            (1, "2"),
            (1, "3"),
            (1, "0"),
            (1, "9"),
            (2, "#"),
            (2, "1")
        ]
    );
    assert!(
        keys.iter()
            .all(|k| k.source == outdial::results::Source::Event)
    );
}

#[test]
fn listen_events_are_json_lines_with_format_json() {
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 3, "");
    let mut child = Command::new(BIN)
        .args(["--format", "json", "listen"])
        .arg(&file)
        .args(["--bind", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("r.db"))
        .arg("--insecure-no-auth")
        .env_remove("OUTDIAL_LISTEN_USER")
        .env_remove("OUTDIAL_LISTEN_PASSWORD")
        .env_remove("OUTDIAL_LISTEN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next =
        || -> serde_json::Value { serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap() };
    assert_eq!(next()["type"], "version");
    let listening = next();
    assert_eq!(listening["type"], "listen");
    assert_eq!(listening["event"], "listening");
    assert_eq!(listening["campaigns"], serde_json::json!(["loop"]));
    assert_eq!(listening["auth"], false);
    let url = listening["url"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &format!("{url}/voiceshot/summary"),
        "text/xml",
        "<x/>",
        None,
    );
    assert_eq!(status, 400);
    let rejected = next();
    assert_eq!(rejected["event"], "rejected");
    assert_eq!(rejected["status"], 400);
    assert_eq!(rejected["route"], "/voiceshot/summary");
    term(&child);
    assert_eq!(next()["event"], "stopped");
    assert!(child.wait().unwrap().success());
}

#[test]
fn listen_refuses_a_public_address_without_credentials() {
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 3, "");
    let out = outdial(
        &["listen", file.to_str().unwrap(), "--bind", "0.0.0.0:0"],
        &[],
    );
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("set OUTDIAL_LISTEN_USER and OUTDIAL_LISTEN_PASSWORD"),
        "{stderr}"
    );
}

#[test]
fn a_client_that_never_finishes_its_request_head_is_dropped() {
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 3, "");
    let listener = Listener::start(&[&file], &dir.path().join("r.db"), false);
    let addr = listener.url.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(slow, "POST /voiceshot/summary HTTP/1.1\r\nHost: x\r\n").unwrap();
    let started = Instant::now();
    // Meanwhile the listener serves others.
    let (status, _) = post(
        &listener.route("/voiceshot/summary"),
        "text/xml",
        "<campaign/>",
        None,
    );
    assert_eq!(status, 400);
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(8),
        "dropped after {waited:?}"
    );
    let (code, _) = listener.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn campaigns_sharing_a_menuid_are_told_apart_by_call_id() {
    let dir = tempdir();
    let first = voiceshot_campaign(dir.path(), 2, "");
    let second = dir.path().join("second.toml");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &second,
        text.replace("name = \"loop\"", "name = \"loop-again\""),
    )
    .unwrap();
    let sb = undialled();
    send(&first, &sb.url(), &[]);
    send(&second, &sb.url(), &[]);
    let calls = sb.calls();
    assert_eq!(calls.len(), 4);
    let db = dir.path().join("r.db");
    let listener = Listener::start(&[&first, &second], &db, false);
    let url = listener.route("/voiceshot/summary");
    for call in &calls {
        let body =
            summary(&call.callid, "Successful", "Human Answer").replace("2125551000", &call.number);
        assert_eq!(post(&url, "text/xml", body, None).0, 200, "{}", call.callid);
    }
    let store = Store::open(&db).unwrap();
    let ids = |name: &str| -> Vec<String> {
        let mut ids: Vec<String> = store
            .calls("voiceshot", name)
            .unwrap()
            .into_iter()
            .map(|c| c.callid)
            .collect();
        ids.sort();
        ids
    };
    let mut want: Vec<String> = calls[..2].iter().map(|c| c.callid.clone()).collect();
    want.sort();
    assert_eq!(ids("loop"), want);
    let mut want: Vec<String> = calls[2..].iter().map(|c| c.callid.clone()).collect();
    want.sort();
    assert_eq!(ids("loop-again"), want);
}

#[test]
fn sigterm_under_load_loses_no_acknowledged_post() {
    use std::sync::{Arc, Mutex};
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 300, "");
    let sb = undialled();
    send(&file, &sb.url(), &[]);
    let callids: Vec<String> = sb.calls().into_iter().map(|c| c.callid).collect();
    let db = dir.path().join("r.db");
    let listener = Listener::start(&[&file], &db, false);
    let url = listener.route("/voiceshot/summary");
    let acked = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = callids
        .chunks(75)
        .map(|chunk| {
            let (chunk, url, acked) = (chunk.to_vec(), url.clone(), Arc::clone(&acked));
            thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                for callid in chunk {
                    let sent = client
                        .post(&url)
                        .header("Content-Type", "text/xml")
                        // Without a number: filed under the call id's only one.
                        .body(
                            summary(&callid, "Successful", "Human Answer")
                                .replace(" phonenumber=\"2125551000\"", ""),
                        )
                        .timeout(Duration::from_secs(20))
                        .send();
                    match sent {
                        Ok(r) if r.status().is_success() => acked.lock().unwrap().push(callid),
                        // Refused or cut off by the shutdown: this client stops here.
                        _ => return,
                    }
                }
            })
        })
        .collect();
    wait_for("some posts", 60, || acked.lock().unwrap().len() >= 40);
    let (code, _) = listener.stop();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(code, Some(0));
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() < callids.len(), "the shutdown came mid-load");
    let store = Store::open(&db).unwrap();
    let stored: std::collections::BTreeSet<String> = store
        .calls("voiceshot", "loop")
        .unwrap()
        .into_iter()
        .map(|c| c.callid)
        .collect();
    for callid in &acked {
        assert!(
            stored.contains(callid),
            "{callid} was acknowledged but not stored"
        );
    }
}

/// A post nested a million deep (XML to the VoiceShot routes, JSON to the voip-communications
/// callback) is refused with a 400, and the listener keeps serving: no stack overflow.
#[test]
fn posts_nested_a_million_deep_are_refused_and_the_listener_keeps_serving() {
    let dir = tempdir();
    let (listener, _db, callids) = small_setup(dir.path(), "");
    let deep_xml = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(1_000_000));
    for route in ["/voiceshot/summary", "/voiceshot/events"] {
        let (status, body) = post(&listener.route(route), "text/xml", deep_xml.clone(), AUTH);
        assert_eq!(status, 400, "{route}: {body}");
    }
    let deep_json = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    let callback = listener.route("/voipcomm/callback");
    let (status, body) = post(&callback, "application/json", deep_json, AUTH);
    assert_eq!(status, 400, "{body}");
    let good = summary(&callids[0], "Successful", "Human Answer");
    let url = listener.route("/voiceshot/summary");
    assert_eq!(post(&url, "text/xml", good, AUTH).0, 200);
}
