//! The fault matrix of a converging send at the VoiceShot sandbox: every fault at every
//! request of the removals and the posts that follow (500, reset, drop after commit,
//! garbage, a reply later than the client waits) and a SIGKILL after every journal line.
//! Whatever happens, no call id ever has two live calls, and re-runs end with exactly one
//! live call per recipient of the file, with its new content, and none for those removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use outdial::provider::voiceshot::sandbox::{CallStatus, Sandbox, SandboxConfig};

use crate::submit::{outdial, run};

pub(crate) const AT10: &str = "2027-03-01 10:00";
pub(crate) const AT11: &str = "2027-03-01 11:00";

/// a, b move to 11:00, c gets a new text, d and e go, f stays, k and l come.
pub(crate) const FIRST: [(&str, &str, &str, &str); 6] = [
    ("8185550101", "a", AT10, "Ann"),
    ("8185550102", "b", AT10, "Bob"),
    ("8185550103", "c", AT10, "Cy"),
    ("8185550104", "d", AT10, "Dee"),
    ("8185550105", "e", AT10, "Eve"),
    ("8185550106", "f", AT10, "Fay"),
];
pub(crate) const EDITED: [(&str, &str, &str, &str); 6] = [
    ("8185550101", "a", AT11, "Ann"),
    ("8185550102", "b", AT11, "Bob"),
    ("8185550103", "c", AT10, "Cyrus"),
    ("8185550106", "f", AT10, "Fay"),
    ("8185550111", "k", AT10, "Kim"),
    ("8185550112", "l", AT10, "Lou"),
];

/// Client options: short timeouts, few retries; `settle` as given.
fn options(settle: &str) -> Vec<&str> {
    vec![
        "--timeout",
        "400ms",
        "--backoff",
        "10ms",
        "--retries",
        "2",
        "--settle",
        settle,
    ]
}

fn write(dir: &Path, recipients: &[(&str, &str, &str, &str)]) -> PathBuf {
    let mut text = String::from(
        "[campaign]\nname = \"conv\"\ntimezone = \"UTC\"\n\n[voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 3\n\n\
         [[prompt]]\nid = 1\ntts = \"Hello {name}.\"\n\n[recipients]\nwindow = \"always\"\n",
    );
    for (number, callid, at, name) in recipients {
        text.push_str(&format!(
            "\n[[recipient]]\nnumber = \"{number}\"\ncallid = \"{callid}\"\nat = \"{at}\"\nvars = {{ name = \"{name}\" }}\n"
        ));
    }
    let path = dir.join("campaign.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn start(state: &Path, faults: &str) -> Sandbox {
    Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        state_file: Some(state.to_owned()),
        faults: faults.parse().unwrap(),
        ..SandboxConfig::default()
    })
    .unwrap()
}

/// The first campaign sent to a fault-free sandbox, then edited; the sandbox that follows
/// (same calls, kept in `sb.json`) injects `faults`.
fn sent_then_edited(dir: &Path, faults: &str) -> (PathBuf, Sandbox) {
    let state = dir.join("sb.json");
    let clean = start(&state, "");
    let file = write(dir, &FIRST);
    let out = run(outdial(
        &["send", file.to_str().unwrap()],
        &clean.url(),
        &options("50ms"),
    ));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    clean.shutdown();
    write(dir, &EDITED);
    (file, start(&state, faults))
}

/// Live (not deleted) calls by call id: (time, text).
fn live(sb: &Sandbox) -> BTreeMap<String, Vec<(Option<String>, String)>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for c in sb
        .calls()
        .into_iter()
        .filter(|c| c.status != CallStatus::Deleted)
    {
        let tts = c
            .prompts
            .first()
            .and_then(|p| p.tts.clone())
            .unwrap_or_default();
        out.entry(c.callid).or_default().push((c.dateandtime, tts));
    }
    out
}

/// Never two live calls for one call id.
fn assert_never_two(sb: &Sandbox, case: &str) {
    for (id, calls) in live(sb) {
        assert!(
            calls.len() <= 1,
            "{case}: {id} has two live calls: {calls:?}"
        );
    }
}

/// Converged: one live call per recipient of the edited file, with its new content.
fn assert_converged(sb: &Sandbox, case: &str) {
    let calls = live(sb);
    let ids: Vec<&str> = calls.keys().map(String::as_str).collect();
    assert_eq!(ids, ["a", "b", "c", "f", "k", "l"], "{case}: {calls:?}");
    assert_never_two(sb, case);
    let eleven = Some("3/1/2027 11:00 AM".to_owned());
    assert_eq!(calls["a"][0].0, eleven, "{case}");
    assert_eq!(calls["b"][0].0, eleven, "{case}");
    assert_eq!(calls["c"][0].1, "Hello Cyrus.", "{case}");
}

/// `send` until it exits 0 (a run may end 4: a failure, or calls in doubt listed),
/// checking after every run that nobody has two live calls.
fn converge(file: &Path, sb: &Sandbox, settle: &str, case: &str) {
    for _ in 0..8 {
        let out = run(outdial(
            &["send", file.to_str().unwrap()],
            &sb.url(),
            &options(settle),
        ));
        assert_never_two(sb, case);
        match out.status.code() {
            Some(0) => {
                assert_converged(sb, case);
                return;
            }
            Some(4) => continue,
            other => panic!(
                "{case}: send exited {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    panic!("{case}: send did not converge in 8 runs");
}

/// Requests a clean converging send makes: a lookup per batch of three calls to replace or
/// remove (is each still pending?), a delete and a lookup per batch of three removals (two
/// of each), then a lookup and a call post per batch of the file's recipients (two).
const REQUESTS: u32 = 10;

#[test]
fn a_clean_converging_send_makes_ten_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (file, sb) = sent_then_edited(dir.path(), "");
    converge(&file, &sb, "50ms", "clean");
    assert_eq!(sb.requests(), REQUESTS);
}

#[test]
fn fault_matrix_of_replace_and_remove() {
    for kind in ["error", "reset", "drop", "garbage", "fail-first"] {
        for k in 1..=REQUESTS {
            let dir = tempfile::tempdir().unwrap();
            let spec = format!("{kind}={k}");
            let (file, sb) = sent_then_edited(dir.path(), &spec);
            converge(&file, &sb, "50ms", &spec);
        }
    }
}

/// A reply later than the client waits (the post is applied after the client gave up).
#[test]
fn fault_matrix_of_replies_past_the_timeout() {
    for k in 1..=REQUESTS {
        let dir = tempfile::tempdir().unwrap();
        let spec = format!("late={k},late-by=700ms");
        let (file, sb) = sent_then_edited(dir.path(), &spec);
        converge(&file, &sb, "1500ms", &spec);
    }
}

/// A delete applied only after the client gave up on it and on its retries (reset): the
/// lookup that follows may still see the call pending, so it stays in doubt; the next run
/// waits the settle time before it trusts a lookup, so the late delete cannot take the new
/// call (same call id) with it.
#[test]
fn fault_matrix_of_a_delete_applied_after_every_retry_failed() {
    for k in 1..=REQUESTS {
        let dir = tempfile::tempdir().unwrap();
        let spec = format!("late={k},late-by=700ms,reset={}+{}", k + 1, k + 2);
        let (file, sb) = sent_then_edited(dir.path(), &spec);
        converge(&file, &sb, "1500ms", &spec);
    }
}

/// SIGKILL once the journal has grown by `lines` lines, then re-runs until converged.
#[test]
fn sigkill_at_every_step_of_a_replace() {
    let mut lines = 1;
    loop {
        let dir = tempfile::tempdir().unwrap();
        let (file, sb) = sent_then_edited(dir.path(), "delay=40ms");
        let journal = dir.path().join(".outdial/conv.jsonl");
        let count = || {
            std::fs::read(&journal)
                .map(|b| b.iter().filter(|&&c| c == b'\n').count())
                .unwrap_or(0)
        };
        let before = count();
        let mut child = outdial(
            &["send", file.to_str().unwrap()],
            &sb.url(),
            &options("50ms"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let finished = loop {
            if count() >= before + lines {
                break false;
            }
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            assert!(Instant::now() < deadline, "journal stalled");
            std::thread::sleep(Duration::from_micros(200));
        };
        let _ = child.kill();
        let _ = child.wait();
        let case = format!("SIGKILL after {lines} new journal lines");
        assert_never_two(&sb, &case);
        converge(&file, &sb, "50ms", &case);
        if finished {
            break;
        }
        lines += 1;
        assert!(lines < 60, "the send never finished");
    }
    assert!(lines > 10, "only {lines} kill points");
}
