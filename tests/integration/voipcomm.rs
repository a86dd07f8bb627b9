//! voip-communications.net end to end over loopback: the CLI against the provider's stand-in
//! (`outdial::provider::voipcomm::sandbox`), golden form bodies, credentials that never show,
//! a fault matrix, and `check`'s provider-specific diagnostics.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use outdial::provider::voipcomm::sandbox::{
    CallStatus, DELETE_PATH, Faults, LIST_PATH, Outcome, Sandbox, SandboxConfig,
};

use crate::support::{outdial as run_repo, repo, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");
const KEY: &str = "vc-key-4711";
const PASSWORD: &str = "s3cret-Pa55-never-shown";

fn sandbox(faults: Faults, credentials: bool) -> Sandbox {
    Sandbox::start(SandboxConfig {
        credentials: credentials.then(|| (KEY.to_string(), PASSWORD.to_string())),
        faults,
        dial_delay: Duration::from_millis(50),
        ..SandboxConfig::default()
    })
    .expect("stand-in starts")
}

/// `outdial ARGS --endpoint URL EXTRA…` with the credentials set, bounded in time.
fn cmd(args: &[&str], url: Option<&str>, extra: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .args(crate::support::yes_if_sending(args))
        .args(url.map(|u| ["--endpoint", u]).into_iter().flatten())
        .args(extra)
        .env("VOIPCOMM_API_KEY", KEY)
        .env("VOIPCOMM_API_PASSWORD", PASSWORD)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(mut c: Command) -> Output {
    let mut child = c.spawn().expect("outdial runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("outdial did not finish in 30 s");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Copies an example into `dir` (with the sound it names) and returns the copy's path.
fn example(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("sounds")).unwrap();
    std::fs::copy(
        repo().join("examples/sounds/hello.wav"),
        dir.join("sounds/hello.wav"),
    )
    .unwrap();
    let to = dir.join(name);
    std::fs::copy(repo().join("examples").join(name), &to).unwrap();
    to
}

/// The journal's lines.
fn journal(dir: &Path, campaign: &str) -> Vec<serde_json::Value> {
    let path = dir.join(format!(".outdial/{campaign}.jsonl"));
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Provider callid by our callid, from the journal's outcome lines.
fn provider_ids(lines: &[serde_json::Value]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lines {
        if let Some(ids) = line.get("ids").and_then(|i| i.as_object()) {
            for (ours, theirs) in ids {
                out.insert(ours.clone(), theirs.as_str().unwrap().to_string());
            }
        }
    }
    out
}

/// A POST with Basic auth to the stand-in, by hand (what a scheduled-calls client sends).
fn post(url: &str, body: &str) -> (u16, serde_json::Value) {
    let client = reqwest::blocking::Client::new();
    let reply = client
        .post(url)
        .basic_auth(KEY, Some(PASSWORD))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .timeout(Duration::from_secs(5))
        .send()
        .unwrap();
    let status = reply.status().as_u16();
    (
        status,
        serde_json::from_str(&reply.text().unwrap()).unwrap(),
    )
}

#[test]
fn compile_shows_the_exact_form_bodies() {
    for name in ["voipcomm-reminder", "voipcomm-bridge"] {
        let run = run_repo(["compile", &format!("examples/{name}.toml")]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            run.stdout.lines().count(),
            if name.ends_with("bridge") { 2 } else { 3 }
        );
        insta::assert_snapshot!(name, run.stdout);
    }
}

#[test]
fn send_scheduled_tts_and_sms_then_list_and_delete() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-reminder.toml");
    let sb = sandbox(Faults::default(), true);
    let out = run(cmd(&["send", file.to_str().unwrap()], Some(&sb.url()), &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let calls = sb.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.status == CallStatus::Scheduled));
    let first = &calls[0];
    assert_eq!(first.to, "18185550101");
    assert_eq!(first.params["from"], "18185550199");
    assert_eq!(first.params["call_date"], "2027-03-01 17:30");
    assert_eq!(first.params["answer_speak_lang"], "en-US");
    assert!(
        first.params["answer_speak"].starts_with("Hello Ann Lee, this is Bright Smile Dental.")
    );
    assert_eq!(
        first.params["answermachine_tts_voice"],
        "en-US_AllisonVoice"
    );
    assert!(first.params["answermachine_sms"].contains("9:15 AM"));
    assert_eq!(calls[2].params["call_date"], "2027-03-01 18:00");
    assert!(calls[2].params["answer_speak"].contains("Sam O'Brien & family"));

    // The journal keys each provider callid to our call (call id and number).
    let ids = provider_ids(&journal(dir.path(), "dental-2026-12-01"));
    let ours: Vec<&str> = ids.keys().map(String::as_str).collect();
    assert_eq!(
        ours,
        [
            "dent101 8185550101",
            "dent103 8185550103",
            "dent107 8185550107"
        ]
    );
    for call in &calls {
        assert!(ids.values().any(|id| *id == call.callid));
    }

    // A second send sends nothing.
    let again = run(cmd(&["send", file.to_str().unwrap()], Some(&sb.url()), &[]));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(sb.calls().len(), 3);

    // The scheduled list shows them; deleting one by the provider's callid leaves two.
    let (status, list) = post(&sb.url_of(LIST_PATH), "");
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
    let (status, deleted) = post(
        &sb.url_of(DELETE_PATH),
        &format!("callid={}", ids["dent107 8185550107"]),
    );
    assert_eq!((status, deleted["data"]["code"].as_u64()), (200, Some(200)));
    let (_, list) = post(&sb.url_of(LIST_PATH), "");
    let left: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["18185550101", "18185550103"]);
    let (status, _) = post(
        &sb.url_of(DELETE_PATH),
        &format!("callid={}", ids["dent107 8185550107"]),
    );
    assert_eq!(status, 400, "a deleted call cannot be deleted again");
}

/// A loopback receiver for `callback_url`: records each POST body.
fn callback_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ended", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&got);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            sink.lock().unwrap().push(String::from_utf8(body).unwrap());
            let mut w = stream;
            let _ = w.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        }
    });
    (url, got)
}

#[test]
fn send_now_play_bridge_and_machine_branch_with_callbacks() {
    let dir = tempdir();
    let sb = sandbox(Faults::default(), true);

    // The bridge example: play from a URL, then dial the desk.
    let bridge = example(dir.path(), "voipcomm-bridge.toml");
    let out = run(cmd(
        &["send", bridge.to_str().unwrap()],
        Some(&sb.url()),
        &[],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let calls = sb.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].params["answer_dial_to"], "18185550123");
    assert_eq!(
        calls[0].params["answer_play"],
        "https://cdn.example.com/audio/connecting-you.wav"
    );
    assert!(!calls[0].params.contains_key("call_date"));

    // Immediate calls with both branches: 0100 is answered by a person, 0117 by a machine
    // (SMS sent), 0118 not at all; each end is POSTed to the callback.
    let (callback, got) = callback_receiver();
    let file = dir.path().join("now.toml");
    std::fs::write(
        &file,
        format!(
            r#"[campaign]
name = "now"
provider = "voipcomm"

[voipcomm]
callback_url = "{callback}"

[voipcomm.answer]
tts = 1
tts_voice = "en-GB_KateVoice"

[voipcomm.machine]
speak = 2
speak_lang = "en-GB"
sms = 3
sms_from = "+44 7911 123456"

[[prompt]]
id = 1
tts = "Hello {{name}}, your parcel arrives today."

[[prompt]]
id = 2
tts = "Hello {{name}}, a parcel is on its way."

[[prompt]]
id = 3
tts = "Parcel for {{name}} today."

[[recipient]]
number = "818-555-0100"
vars = {{ name = "Ann" }}

[[recipient]]
number = "818-555-0117"
vars = {{ name = "Bo" }}

[[recipient]]
number = "818-555-0118"
vars = {{ name = "Cy" }}
"#
        ),
    )
    .unwrap();
    let out = run(cmd(&["send", file.to_str().unwrap()], Some(&sb.url()), &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let deadline = Instant::now() + Duration::from_secs(10);
    while got.lock().unwrap().len() < 3 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let calls: Vec<_> = sb.calls().into_iter().skip(2).collect();
    let outcomes: Vec<Option<Outcome>> = calls.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Some(Outcome::Person),
            Some(Outcome::Machine),
            Some(Outcome::NoAnswer)
        ]
    );
    assert_eq!(
        calls[0].params["answer_tts"],
        "Hello Ann, your parcel arrives today."
    );
    assert_eq!(calls[1].params["answermachine_sms_from"], "447911123456");
    assert_eq!(calls[1].sms.as_deref(), Some("Parcel for Bo today."));
    assert_eq!(calls[0].sms, None);
    let mut bodies = got.lock().unwrap().clone();
    bodies.sort();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("to=18185550117&status=Machine"))
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("to=18185550100&status=Person"))
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("status=NoAnswer&billed_seconds=0"))
    );
}

#[test]
fn rejections_and_refusals_map_to_exit_codes() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-bridge.toml");
    let sb = sandbox(Faults::default(), true);
    // Wrong password: 401, refused (exit 5), nothing stored, and the password not shown.
    let mut c = cmd(&["send", file.to_str().unwrap()], Some(&sb.url()), &[]);
    c.env("VOIPCOMM_API_PASSWORD", "wrong-password-xyz");
    let out = run(c);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        text(&out).contains("invalid API credentials"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("wrong-password-xyz"));
    assert!(sb.calls().is_empty());

    // A URL outdial cannot judge (no file extension) that the provider's validation refuses:
    // 400 with its code_desc, rejected (exit 3), nothing stored.
    let odd = dir.path().join("odd.toml");
    std::fs::write(
        &odd,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("connecting-you.wav", "connect?id=3"),
    )
    .unwrap();
    let out = run(cmd(&["send", odd.to_str().unwrap()], Some(&sb.url()), &[]));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        text(&out).contains("answer_play must be the URL of a WAV or MP3 file"),
        "{}",
        text(&out)
    );
    assert!(sb.calls().is_empty());
}

/// Every command, with the credentials in the environment: the password is in no output,
/// no journal line, no error and no compiled file.
#[test]
fn the_password_never_shows() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-reminder.toml");
    let f = file.to_str().unwrap();
    let sb = sandbox(Faults::default(), true);
    let compiled = dir.path().join("compiled");
    let mut outputs = Vec::new();
    for args in [
        vec!["check", f],
        vec!["plan", f],
        vec!["compile", f],
        vec!["compile", f, "-o", compiled.to_str().unwrap()],
        vec!["--format", "json", "compile", f],
        vec!["send", f, "--dry-run"],
        vec!["--format", "json", "send", f, "--dry-run"],
        vec!["send", f],
        vec!["--format", "json", "send", f],
        vec!["pause", f],
        vec!["resume", f],
        vec!["delete", f],
        vec!["query", f],
        vec!["sounds", f],
        vec!["ping", f],
        vec!["compile", f, "--action", "pause"],
    ] {
        // The network flags belong to the commands that post; check, plan and compile take
        // none.
        let offline = args
            .iter()
            .any(|a| ["check", "plan", "compile"].contains(a));
        let url = sb.url();
        let out = run(cmd(&args, (!offline).then_some(url.as_str()), &[]));
        outputs.push((args.join(" "), out.status.code(), text(&out)));
    }
    // A refused transport (plain http to a remote host) names the variables, not the values.
    let out = run(cmd(&["send", f], Some("http://example.com/x"), &[]));
    assert_eq!(out.status.code(), Some(64), "{}", text(&out));
    outputs.push(("insecure".into(), out.status.code(), text(&out)));

    for (args, code, out) in &outputs {
        assert!(
            !out.contains(PASSWORD),
            "{args} printed the password: {out}"
        );
        assert!(code.is_some(), "{args}");
    }
    let by = |a: &str| outputs.iter().find(|o| o.0 == a).unwrap();
    assert_eq!(
        by(&format!("send {f}")).1,
        Some(0),
        "{}",
        by(&format!("send {f}")).2
    );
    // `delete` without `scheduled_delete_url` is refused too; `query` answers from the journal.
    assert_eq!(
        by(&format!("query {f}")).1,
        Some(0),
        "{}",
        by(&format!("query {f}")).2
    );
    for unsupported in ["pause", "resume", "delete", "sounds", "ping"] {
        let (_, code, out) = by(&format!("{unsupported} {f}"));
        assert_eq!(*code, Some(64), "{unsupported}: {out}");
        assert!(
            out.contains("voip-communications.net cannot"),
            "{unsupported}: {out}"
        );
    }
    let journal =
        std::fs::read_to_string(dir.path().join(".outdial/dental-2026-12-01.jsonl")).unwrap();
    assert!(!journal.is_empty());
    assert!(!journal.contains(PASSWORD));
    assert!(!journal.contains(KEY), "the key is not journaled either");
    let files: Vec<_> = std::fs::read_dir(&compiled).unwrap().collect();
    assert_eq!(files.len(), 3);
    for entry in files {
        let body = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(body.starts_with("from=18185550199&to=1818555010"));
        assert!(!body.contains(PASSWORD));
    }
}

// --- The fault matrix -----------------------------------------------------------------------

const NUMBERS: [&str; 4] = ["8185550100", "8185550101", "8185550102", "8185550103"];

fn matrix_campaign(dir: &Path) -> PathBuf {
    let file = dir.join("matrix.toml");
    let numbers: Vec<String> = NUMBERS.iter().map(|n| format!("\"{n}\"")).collect();
    std::fs::write(
        &file,
        format!(
            "[campaign]\nname = \"matrix\"\nprovider = \"voipcomm\"\n\n[[prompt]]\nid = 1\ntts = \"Test call.\"\n\n[recipients]\nnumbers = [{}]\n",
            numbers.join(", ")
        ),
    )
    .unwrap();
    file
}

const FAST: [&str; 6] = ["--timeout", "700ms", "--backoff", "10ms", "--retries", "2"];

/// What the journal says of each call id: accepted, in doubt, or nothing.
fn journal_states(dir: &Path) -> BTreeMap<String, &'static str> {
    let mut state = BTreeMap::new();
    let mut attempts: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut answered = std::collections::BTreeSet::new();
    for line in journal(dir, "matrix") {
        let attempt = line.get("attempt").and_then(|a| a.as_u64());
        if let (Some(a), Some(ids)) = (attempt, line.get("callids").and_then(|c| c.as_array())) {
            attempts.insert(
                a,
                ids.iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect(),
            );
        }
        let outcome = line.get("outcome").and_then(|o| o.as_str());
        if let (Some(a), Some(_)) = (attempt, outcome) {
            answered.insert(a);
        }
        if let (Some(a), Some(outcome)) = (attempt, outcome) {
            for id in attempts.get(&a).cloned().unwrap_or_default() {
                let s = match outcome {
                    "accepted" => "accepted",
                    "ambiguous" => "in-doubt",
                    _ => "not-sent",
                };
                state.insert(id, s);
            }
        }
    }
    // A post whose outcome never got written (the run was killed while it was in flight) is
    // in doubt too.
    for (a, ids) in &attempts {
        if !answered.contains(a) {
            for id in ids {
                state.entry(id.clone()).or_insert("in-doubt");
            }
        }
    }
    state
}

/// Sends with `spec` injected until a run exits 0 or stops on calls in doubt; then checks
/// the promise ([`assert_promise`]).
fn fault_case(spec: &str, endpoint_override: Option<&str>) -> &'static str {
    let dir = tempdir();
    let file = matrix_campaign(dir.path());
    let sb = sandbox(spec.parse().unwrap(), false);
    let url = endpoint_override.map_or_else(|| sb.url(), str::to_string);
    let mut last = None;
    for _ in 0..6 {
        let out = run(cmd(&["send", file.to_str().unwrap()], Some(&url), &FAST));
        last = out.status.code();
        match last {
            Some(0) => break,
            Some(4) => {
                if text(&out).contains("in doubt") {
                    break;
                }
            }
            other => panic!("{spec}: send exited {other:?}: {}", text(&out)),
        }
    }
    if endpoint_override.is_some() {
        // Nothing could be sent: now send to the stand-in itself.
        let out = run(cmd(
            &["send", file.to_str().unwrap()],
            Some(&sb.url()),
            &FAST,
        ));
        last = out.status.code();
        assert_eq!(last, Some(0), "{spec}: {}", text(&out));
    }
    assert_promise(spec, dir.path(), &sb, last)
}

/// The promise after a run that ended with `last`: no number called twice, every call the
/// stand-in holds is journaled as accepted or in doubt, and every accepted one is held.
fn assert_promise(spec: &str, dir: &Path, sb: &Sandbox, last: Option<i32>) -> &'static str {
    let mut per_number: BTreeMap<String, usize> = BTreeMap::new();
    for call in sb.calls() {
        *per_number.entry(call.to.clone()).or_default() += 1;
    }
    assert!(
        per_number.values().all(|n| *n == 1),
        "{spec}: a number was called twice: {per_number:?}"
    );
    let states = journal_states(dir);
    for n in NUMBERS {
        let callid = format!("matrix{n}");
        let held = per_number.contains_key(&format!("1{n}"));
        let state = states.get(&callid).copied().unwrap_or("not-sent");
        match state {
            "accepted" => assert!(held, "{spec}: {callid} accepted but not held"),
            "in-doubt" => {}
            _ => assert!(!held, "{spec}: {callid} held but journaled {state}"),
        }
    }
    if last == Some(0) {
        assert_eq!(per_number.len(), 4, "{spec}: a clean finish calls everyone");
        "sent"
    } else {
        assert!(
            states.values().any(|s| *s == "in-doubt"),
            "{spec}: stopped without calls in doubt"
        );
        "in-doubt"
    }
}

#[test]
fn fault_matrix_every_recipient_called_at_most_once() {
    let mut cases = Vec::new();
    // Refused: nothing listens, nothing is sent; the next run sends everything once.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!(
            "http://{}/api-v2/index.php/pcall/call",
            l.local_addr().unwrap()
        )
    };
    cases.push(("refused".to_string(), fault_case("", Some(&closed))));
    for k in 1..=4 {
        for kind in ["reset", "drop", "error", "garbage"] {
            let spec = format!("{kind}={k}");
            let result = fault_case(&spec, None);
            // Even a reset before the stand-in read the body comes after the client wrote
            // it: the client cannot tell, so every kind leaves the call in doubt.
            assert_eq!(result, "in-doubt", "{spec}");
            cases.push((spec, result));
        }
        // A 500 before anything is stored still cannot be told apart by the client.
        if k == 1 {
            let result = fault_case("fail-first=1", None);
            assert_eq!(result, "in-doubt");
            cases.push(("fail-first=1".into(), result));
        }
    }
    // A reply slower than the client's timeout: the call is held, the client is in doubt.
    let result = fault_case("delay=1500ms", None);
    assert_eq!(result, "in-doubt");
    cases.push(("delay=1500ms".into(), result));
    assert_eq!(cases.len(), 19, "{cases:?}");
}

/// SIGKILL at several instants while replies are slow, then a normal run: a call
/// posted when the kill came is in doubt (this API cannot be asked), never posted again;
/// everyone else is called exactly once.
#[test]
fn sigkill_mid_send_never_calls_anyone_twice() {
    // Replies take 400 ms, so the fourth call is not posted before about 1.2 s: each kill
    // lands with calls still to go, however fast the machine.
    for kill_after in [100u64, 450, 850] {
        let dir = tempdir();
        let file = matrix_campaign(dir.path());
        let f = file.to_str().unwrap();
        let sb = sandbox("delay=400ms".parse().unwrap(), false);
        let mut c = cmd(&["send", f], Some(&sb.url()), &FAST);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        thread::sleep(Duration::from_millis(kill_after));
        // Child::kill sends SIGKILL on Unix.
        child.kill().unwrap();
        let _ = child.wait();
        assert!(
            sb.calls().len() < NUMBERS.len(),
            "kill {kill_after}ms came too late to matter"
        );
        let out = run(cmd(&["send", f], Some(&sb.url()), &FAST));
        let last = out.status.code();
        assert!(
            last == Some(0) || (last == Some(4) && text(&out).contains("in doubt")),
            "kill {kill_after}ms: {}",
            text(&out)
        );
        assert_promise(&format!("sigkill@{kill_after}ms"), dir.path(), &sb, last);
    }
}

// --- check ----------------------------------------------------------------------------------

#[test]
fn check_names_voipcomm_mistakes_with_file_and_line() {
    let dir = tempdir();
    let file = dir.path().join("mistakes.toml");
    std::fs::write(
        &file,
        r#"[campaign]
name = "mistakes"
provider = "voipcomm"

[voipcomm]
from = "020 7946 0958"

[voipcomm.answer]
speak = 1
tts = 2
tts_voice = "en-US_AlisonVoice"

[voipcomm.machine]
play_file = "message.wav"

[[prompt]]
id = 1
tts = "Hello."

[[prompt]]
id = 2
tts = "Goodbye."

[[prompt]]
id = 3
audio = "message.wav"

[recipients]
numbers = ["818-555-0100"]
"#,
    )
    .unwrap();
    let out = run(cmd(&["check", file.to_str().unwrap()], None, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    for (code, line) in [
        ("voipcomm::bad-number", 6),
        ("voipcomm::speak-without-lang", 9),
        ("voipcomm::unknown-voice", 11),
        ("voipcomm::audio-needs-url", 14),
        ("voipcomm::audio-needs-url", 26),
    ] {
        assert!(all.contains(code), "{code} missing: {all}");
        assert!(
            all.contains(&format!("mistakes.toml:{line}:")),
            "line {line} ({code}) missing: {all}"
        );
    }
    assert!(
        all.contains("did you mean \"en-US_AllisonVoice\"?"),
        "{all}"
    );

    // No answer option at all: only a machine branch.
    let none = dir.path().join("none.toml");
    std::fs::write(
        &none,
        "[campaign]\nname = \"none\"\nprovider = \"voipcomm\"\n\n[voipcomm.machine]\nplay_url = \"https://example.com/m.wav\"\n\n[recipients]\nnumbers = [\"818-555-0100\"]\n",
    )
    .unwrap();
    let out = run(cmd(&["check", none.to_str().unwrap()], None, &[]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("voipcomm::no-answer-option"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("none.toml:3:"), "{}", text(&out));

    // The plain campaign works with defaults: one tts prompt, spoken in en-US.
    let plain = dir.path().join("plain.toml");
    std::fs::write(
        &plain,
        "[campaign]\nname = \"plain\"\nprovider = \"voipcomm\"\n\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\nnumbers = [\"818-555-0100\"]\n",
    )
    .unwrap();
    let out = run(cmd(&["compile", plain.to_str().unwrap()], None, &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "to=18185550100&answer_speak=Hi.&answer_speak_lang=en-US\n"
    );
}

/// A credential the request cannot carry (a colon in the Basic-auth user, a pasted line
/// break) is refused before anything is posted, naming the variable and the character but
/// never the value.
#[test]
fn credentials_the_request_cannot_carry_are_refused_before_sending() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-reminder.toml");
    let f = file.to_str().unwrap();
    let sb = sandbox(Faults::default(), true);
    for (key, password, var, what) in [
        ("vc:key", PASSWORD, "VOIPCOMM_API_KEY", "a colon (:)"),
        (
            KEY,
            "s3cret-Pa55\n",
            "VOIPCOMM_API_PASSWORD",
            "a control character (U+000A)",
        ),
    ] {
        let mut c = cmd(&["send", f], Some(&sb.url()), &[]);
        c.env("VOIPCOMM_API_KEY", key)
            .env("VOIPCOMM_API_PASSWORD", password);
        let out = run(c);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(64), "{shown}");
        assert!(shown.contains(&format!("{var} holds {what}")), "{shown}");
        assert!(!shown.contains("s3cret"), "the value never shows: {shown}");
        assert!(sb.calls().is_empty(), "nothing was posted");
    }
}

/// `delete` removes the campaign's scheduled calls by the provider's callid through the
/// configured delete URL (a path, so it follows `--endpoint` to the stand-in); a second
/// `delete` finds nothing left; `query` says what the journal knows, since there is no
/// status request; without the setting, `delete` is refused.
#[test]
fn delete_removes_scheduled_calls_and_query_says_what_is_known() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-reminder.toml");
    let f = file.to_str().unwrap();
    let sb = sandbox(Faults::default(), true);

    let refused = run(cmd(&["delete", f], Some(&sb.url()), &[]));
    assert_eq!(refused.status.code(), Some(64), "{}", text(&refused));
    assert!(
        text(&refused).contains("cannot delete: the campaign sets no scheduled_delete_url"),
        "{}",
        text(&refused)
    );
    assert!(
        text(&refused).contains("set `scheduled_delete_url` in [voipcomm]"),
        "{}",
        text(&refused)
    );

    let campaign = std::fs::read_to_string(&file).unwrap().replacen(
        "[voipcomm]\n",
        &format!("[voipcomm]\nscheduled_delete_url = \"{DELETE_PATH}\"\n"),
        1,
    );
    std::fs::write(&file, campaign).unwrap();
    let sent = run(cmd(&["send", f], Some(&sb.url()), &[]));
    assert_eq!(sent.status.code(), Some(0), "{}", text(&sent));
    assert_eq!(sb.calls().len(), 3);

    let query = run(cmd(&["--format", "json", "query", f], Some(&sb.url()), &[]));
    assert_eq!(query.status.code(), Some(0), "{}", text(&query));
    let stdout = String::from_utf8_lossy(&query.stdout);
    assert_eq!(
        stdout.matches("results arrive at callback_url").count(),
        3,
        "{stdout}"
    );

    let deleted = run(cmd(
        &["--format", "json", "delete", f],
        Some(&sb.url()),
        &[],
    ));
    assert_eq!(deleted.status.code(), Some(0), "{}", text(&deleted));
    assert!(
        sb.calls().iter().all(|c| c.status == CallStatus::Deleted),
        "{:?}",
        sb.calls()
    );
    let removed: serde_json::Value = String::from_utf8_lossy(&deleted.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v.get("removed").is_some())
        .expect("a removal record");
    assert_eq!(removed["removed"], 3, "{removed}");

    let again = run(cmd(
        &["--format", "json", "delete", f],
        Some(&sb.url()),
        &[],
    ));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let removed: serde_json::Value = String::from_utf8_lossy(&again.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v.get("removed").is_some())
        .expect("a removal record");
    assert_eq!(
        (removed["removed"].as_u64(), removed["not_found"].as_u64()),
        (Some(0), Some(3)),
        "{removed}"
    );
}

/// voip-communications.net calls abroad: `+` numbers of other countries are read with
/// libphonenumber's rules (inline and in a CSV), sent as E.164 digits, deduplicated and
/// suppressed like North American ones; an invalid one is refused with its line; VoiceShot
/// still refuses them all.
#[test]
fn numbers_abroad_are_called_once_and_suppressed_like_any_other() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("contacts.csv"),
        "number,name\n+44 20 7946 0958,Ann\n+33 1 23 45 67 89,Bea\n+44 (0)20 7946 0958,Ann again\n+49 30 901820,Cy\n8185550100,Dee\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("dnc.txt"), "+33 1 23 45 67 89\n").unwrap();
    let file = dir.path().join("abroad.toml");
    let campaign = |provider: &str, extra: &str| {
        format!(
            "[campaign]\nname = \"abroad\"\nprovider = \"{provider}\"\n{extra}\n[[prompt]]\nid = 1\ntts = \"Hello {{name}}.\"\n\n[recipients]\ncsv = \"contacts.csv\"\nsuppress = [\"dnc.txt\"]\n"
        )
    };
    std::fs::write(&file, campaign("voipcomm", "")).unwrap();
    let f = file.to_str().unwrap();
    let sb = sandbox(Faults::default(), true);
    let out = run(cmd(&["send", f], Some(&sb.url()), &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut called: Vec<String> = sb.calls().into_iter().map(|c| c.to).collect();
    called.sort();
    assert_eq!(called, ["18185550100", "442079460958", "4930901820"]);
    // The journal keys numbers abroad in E.164, apart from any North American number.
    let ids = provider_ids(&journal(dir.path(), "abroad"));
    assert!(ids.keys().any(|k| k.ends_with(" +442079460958")), "{ids:?}");

    // An invalid number abroad is refused at its line.
    std::fs::write(
        dir.path().join("contacts.csv"),
        "number,name\n+44 20 7946 0958,Ann\n+44 12,Short\n",
    )
    .unwrap();
    let out = run(cmd(&["check", f], None, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("contacts.csv:3"), "{}", text(&out));
    assert!(
        text(&out).contains("not a valid number of the country"),
        "{}",
        text(&out)
    );

    // VoiceShot dials North America only.
    std::fs::write(
        &file,
        campaign("voiceshot", "[voiceshot]\nmenuid = \"1-1\"\n"),
    )
    .unwrap();
    let out = run(cmd(&["check", f], None, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("is a GB number (+44)"),
        "{}",
        text(&out)
    );
}

/// With `scheduled_list_url` set, a scheduled call left in doubt is settled from the list on
/// the next `send`: taken (in the list) is journaled with the provider's callid and never
/// posted again; not taken (missing while its time is far) is sent once.
#[test]
fn scheduled_calls_in_doubt_are_settled_from_the_scheduled_list() {
    for (spec, taken) in [("drop=2", true), ("reset=2", false)] {
        let dir = tempdir();
        let file = example(dir.path(), "voipcomm-reminder.toml");
        let campaign = std::fs::read_to_string(&file).unwrap().replacen(
            "[voipcomm]\n",
            &format!("[voipcomm]\nscheduled_list_url = \"{LIST_PATH}\"\n"),
            1,
        );
        std::fs::write(&file, campaign).unwrap();
        let f = file.to_str().unwrap();
        let sb = sandbox(spec.parse().unwrap(), true);
        let first = run(cmd(&["send", f], Some(&sb.url()), &FAST));
        assert_eq!(first.status.code(), Some(4), "{spec}: {}", text(&first));
        assert!(
            text(&first).contains("in doubt"),
            "{spec}: {}",
            text(&first)
        );

        let second = run(cmd(
            &["send", f],
            Some(&sb.url()),
            &[&FAST[..], &["--settle", "0s"]].concat(),
        ));
        assert_eq!(second.status.code(), Some(0), "{spec}: {}", text(&second));
        let mut per_number: BTreeMap<String, usize> = BTreeMap::new();
        for call in sb.calls() {
            *per_number.entry(call.to.clone()).or_default() += 1;
        }
        assert_eq!(
            per_number.len(),
            3,
            "{spec}: everyone called: {per_number:?}"
        );
        assert!(
            per_number.values().all(|n| *n == 1),
            "{spec}: {per_number:?}"
        );
        // The journal knows the provider's callid of every call, the settled one included
        // (so `delete` can remove it).
        let state =
            outdial::journal::read_state(&dir.path().join(".outdial/dental-2026-12-01.jsonl"))
                .unwrap();
        for (callid, number) in [
            ("dent101", "8185550101"),
            ("dent103", "8185550103"),
            ("dent107", "8185550107"),
        ] {
            assert!(
                state.provider_id(callid, number).is_some(),
                "{spec}: {callid} has no provider id"
            );
        }
        let resolved = journal(dir.path(), "dental-2026-12-01")
            .into_iter()
            .find(|l| l["event"] == "resolved")
            .unwrap_or_else(|| panic!("{spec}: a resolved line"));
        let (present, missing) = (
            resolved["present"].as_array().unwrap().len(),
            resolved["missing"].as_array().unwrap().len(),
        );
        assert_eq!(
            (present, missing),
            if taken { (1, 0) } else { (0, 1) },
            "{spec}: {resolved}"
        );
    }
}

/// Without callback_url nothing ever says who was reached: check and plan warn with the fix,
/// and report says why every call stays pending.
#[test]
fn without_a_callback_url_results_can_never_arrive_and_every_command_says_so() {
    let dir = tempdir();
    let file = example(dir.path(), "voipcomm-bridge.toml");
    let body = std::fs::read_to_string(&file).unwrap();
    let without: String = body
        .lines()
        .filter(|l| !l.starts_with("callback_url"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(body, without);
    std::fs::write(&file, without).unwrap();
    let f = file.to_str().unwrap();
    for args in [vec!["check", f], vec!["plan", f]] {
        let out = run(cmd(&args, None, &[]));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let shown = text(&out);
        assert!(shown.contains("voipcomm::no-results"), "{shown}");
        assert!(shown.contains("add callback_url"), "{shown}");
    }
    let sb = sandbox(Faults::default(), true);
    let out = run(cmd(&["send", f], Some(&sb.url()), &[]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(cmd(&["report", f], None, &[]));
    let shown = text(&out);
    assert!(
        shown.contains("2 pending calls will stay pending"),
        "{shown}"
    );
    assert!(shown.contains("callback_url"), "{shown}");
}

/// A local copy of `play_url` that is missing gets "check the path", not a conversion; a
/// stereo 44.1 kHz file is described in the words every provider uses, with the same sox
/// command (written next to the file) as VoiceShot's and Voicent's audio checks.
#[test]
fn play_file_problems_say_what_every_provider_says() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("sounds")).unwrap();
    std::fs::copy(
        repo().join("tests/fixtures/audio/bad/44k-stereo.wav"),
        dir.path().join("sounds/stereo.wav"),
    )
    .unwrap();
    let file = dir.path().join("audio.toml");
    std::fs::write(
        &file,
        "[campaign]\nname = \"audio\"\nprovider = \"voipcomm\"\n\n[voipcomm.answer]\nplay_url = \"https://example.com/a.wav\"\nplay_file = \"sounds/stereo.wav\"\n\n[voipcomm.machine]\nplay_url = \"https://example.com/m.wav\"\nplay_file = \"sounds/missing.wav\"\n\n[recipients]\nnumbers = [\"818-555-0100\"]\n",
    )
    .unwrap();
    let out = run(cmd(&["check", file.to_str().unwrap()], None, &[]));
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("the audio is 44100 Hz stereo 16-bit PCM"),
        "{all}"
    );
    assert!(all.contains("sounds/stereo-8k.wav', then publish"), "{all}");
    assert!(all.contains("check the path: nothing exists at"), "{all}");
    assert_eq!(all.matches("sox ").count(), 1, "one conversion only: {all}");
}
