//! Never a double or a lost call, never a leaked secret: what a hostile tester tried against
//! the sandbox, each as a test (shared call ids across batches, a damaged or second journal,
//! requests applied after the client gave up, redirects, unreadable lookups, a credential
//! canary after SIGKILL during an upload).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use outdial::provider::voiceshot::sandbox::{Faults, Sandbox, SandboxConfig};

use crate::submit::{FAST, assert_once_each, campaign, outdial, run, sandbox, send_until_done};

/// Calls per number at the sandbox.
fn calls_per_number(sb: &Sandbox) -> BTreeMap<String, usize> {
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for call in sb.calls() {
        *per.entry(call.number).or_default() += 1;
    }
    per
}

/// Rows sharing call ids ("home" for three numbers in three different batches): every
/// number is called once. Call state used to be per call id, and the later rows were lost.
#[test]
fn shared_call_ids_across_batches_lose_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "number,callid\n8185550101,home\n8185550102,a\n8185550103,home\n8185550104,b\n8185550105,home\n";
    std::fs::write(dir.path().join("contacts.csv"), csv).unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "[campaign]\nname = \"households\"\n[voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 2\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n[recipients]\nwindow = \"always\"\ncsv = \"contacts.csv\"\nshared_callids = true\n",
    )
    .unwrap();
    let sb = sandbox(Faults::default());
    let out = run(outdial(&["send", file.to_str().unwrap()], &sb.url(), &FAST));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: BTreeMap<String, usize> = (1..=5).map(|i| (format!("818555010{i}"), 1)).collect();
    assert_eq!(calls_per_number(&sb), expected);
    // Again: nothing more.
    let out = run(outdial(&["send", file.to_str().unwrap()], &sb.url(), &FAST));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(calls_per_number(&sb), expected);
}

const BIG: usize = 2000;

/// A campaign of 2,000 recipients from a CSV, in posts of 100, with 10 suppressed numbers.
fn big_campaign(dir: &Path) -> PathBuf {
    let mut csv = String::from("phone\n");
    for i in 0..BIG + 10 {
        csv.push_str(&format!("818-555-{i:04}\n"));
    }
    std::fs::write(dir.join("contacts.csv"), csv).unwrap();
    let dnc: String = (BIG..BIG + 10).map(|i| format!("818555{i:04}\n")).collect();
    std::fs::write(dir.join("dnc.txt"), dnc).unwrap();
    let file = dir.join("big.toml");
    std::fs::write(
        &file,
        "[campaign]\nname = \"big\"\n[voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 100\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n[recipients]\nwindow = \"always\"\ncsv = \"contacts.csv\"\nnumber_column = \"phone\"\nsuppress = [\"dnc.txt\"]\n",
    )
    .unwrap();
    file
}

fn assert_big_once_each(sb: &Sandbox, case: &str) {
    let per = calls_per_number(sb);
    assert_eq!(per.len(), BIG, "{case}: numbers called");
    assert!(
        per.values().all(|&n| n == 1),
        "{case}: someone was called twice"
    );
    assert!(
        (BIG..BIG + 10).all(|i| !per.contains_key(&format!("818555{i:04}"))),
        "{case}: a suppressed number was called"
    );
}

fn send(file: &Path, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = FAST.to_vec();
    args.extend(extra);
    run(outdial(&["send", file.to_str().unwrap()], url, &args))
}

/// Every kind of journal damage, each after a complete send: the journal is refused where it
/// was edited, and once it is moved aside (or lost, cut, emptied, or another one used) the
/// provider is asked before anything is posted. Everyone is called exactly once.
#[test]
fn journal_damage_never_calls_anyone_twice() {
    type Damage = fn(&Path, &str) -> Option<PathBuf>;
    let cases: [(&str, Damage, bool); 6] = [
        (
            "intent line deleted",
            |j, text| {
                let mut lines: Vec<&str> = text.lines().collect();
                let i = lines
                    .iter()
                    .position(|l| l.contains(r#""event":"intent""#))
                    .unwrap();
                lines.remove(i);
                std::fs::write(j, lines.join("\n") + "\n").unwrap();
                None
            },
            true,
        ),
        (
            "second half deleted",
            |j, text| {
                let lines: Vec<&str> = text.lines().collect();
                std::fs::write(j, lines[..lines.len() / 2].join("\n") + "\n").unwrap();
                None
            },
            false,
        ),
        (
            "emptied",
            |j, _| {
                std::fs::write(j, "").unwrap();
                None
            },
            false,
        ),
        (
            "removed",
            |j, _| {
                std::fs::remove_file(j).unwrap();
                None
            },
            false,
        ),
        (
            "an outcome edited",
            |j, text| {
                std::fs::write(
                    j,
                    text.replacen(r#""outcome":"accepted""#, r#""outcome":"not-sent""#, 1),
                )
                .unwrap();
                None
            },
            true,
        ),
        (
            "a second journal path",
            |j, _| Some(j.with_file_name("elsewhere.jsonl")),
            false,
        ),
    ];
    for (case, damage, refused) in cases {
        let dir = tempfile::tempdir().unwrap();
        let file = big_campaign(dir.path());
        let sb = sandbox(Faults::default());
        let out = send(&file, &sb.url(), &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_big_once_each(&sb, case);
        let journal = dir.path().join(".outdial/big.jsonl");
        let text = std::fs::read_to_string(&journal).unwrap();
        let other = damage(&journal, &text);
        let extra: Vec<String> = other
            .iter()
            .flat_map(|p| ["--journal".to_string(), p.display().to_string()])
            .collect();
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = send(&file, &sb.url(), &extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if refused {
            assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
            assert!(
                stderr.contains("changed by hand") && stderr.contains("move the journal aside"),
                "{case}: {stderr}"
            );
            std::fs::rename(&journal, journal.with_extension("damaged")).unwrap();
            let out = send(&file, &sb.url(), &[]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{case}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else if other.is_some() {
            // A second journal path while the first records the campaign: the missing-journal
            // guard refuses, and told otherwise, VoiceShot is asked and nobody is called again.
            assert_eq!(out.status.code(), Some(5), "{case}: {stderr}");
            assert!(stderr.contains("big.jsonl records"), "{case}: {stderr}");
            let mut extra = extra.clone();
            extra.push("--i-know-it-was-never-sent");
            let out = send(&file, &sb.url(), &extra);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{case}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else {
            assert_eq!(out.status.code(), Some(0), "{case}: {stderr}");
        }
        assert_big_once_each(&sb, case);
    }
}

/// The request reaches the provider, which applies it only after the client has given up;
/// waiting the settle time before the lookup finds the calls, so none is posted twice.
#[test]
fn requests_applied_after_the_client_timeout_are_not_sent_twice() {
    for k in [2, 4, 8] {
        let dir = tempfile::tempdir().unwrap();
        let file = campaign(dir.path(), false);
        let sb = sandbox(format!("late={k},late-by=900ms").parse().unwrap());
        for runs in 1..=4 {
            let out = run(outdial(
                &["send", file.to_str().unwrap()],
                &sb.url(),
                &[
                    "--timeout",
                    "300ms",
                    "--backoff",
                    "10ms",
                    "--retries",
                    "2",
                    "--settle",
                    "1500ms",
                ],
            ));
            match out.status.code() {
                Some(0) => break,
                Some(4) if runs < 4 => continue,
                other => panic!(
                    "late={k}: exit {other:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                ),
            }
        }
        assert_once_each(&sb, &format!("late={k}"));
    }
}

/// A redirect is a failure that names the location; nothing follows it, and the calls are
/// settled by a lookup as for any other ambiguous post.
#[test]
fn redirects_are_never_followed() {
    for status in [302, 307, 308] {
        for k in [1, 2, 4] {
            let dir = tempfile::tempdir().unwrap();
            let file = campaign(dir.path(), false);
            let sb = sandbox(
                format!("redirect={k},redirect-status={status}")
                    .parse()
                    .unwrap(),
            );
            send_until_done(&file, &sb.url());
            assert_once_each(&sb, &format!("redirect {status} at {k}"));
            assert_eq!(sb.recorded(), 0, "redirect {status} at {k} was followed");
        }
    }
}

/// A lookup answered with something that is not the API's XML is simply asked again.
#[test]
fn an_unreadable_lookup_reply_is_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path(), false);
    // Request 1 is the lookup before the first call post.
    let sb = sandbox("garbage=1".parse().unwrap());
    let out = run(outdial(&["send", file.to_str().unwrap()], &sb.url(), &FAST));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_once_each(&sb, "garbage lookup");
}

/// A credential canary is found nowhere: not in any output, the journal, compiled files or
/// the temporary directory, even after a SIGKILL in the middle of an upload.
#[test]
fn a_credential_canary_is_found_nowhere() {
    let canary = format!("canary{}x", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let file = campaign(dir.path(), true);
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        credentials: Some(("user".into(), canary.clone())),
        // Slow replies, so the kill lands while the upload is in flight.
        faults: "delay=300ms".parse().unwrap(),
        ..SandboxConfig::default()
    })
    .unwrap();
    let with_canary = |args: &[&str], extra: &[&str]| {
        let mut c = outdial(args, &sb.url(), extra);
        c.env("VOICESHOT_USERNAME", "user")
            .env("VOICESHOT_PASSWORD", &canary)
            .env("TMPDIR", &tmp);
        c
    };
    let f = file.to_str().unwrap();
    let patient = [
        "--timeout",
        "5s",
        "--backoff",
        "10ms",
        "--retries",
        "2",
        "--settle",
        "50ms",
    ];
    // Killed while the upload (the first post) is in flight.
    let mut child = with_canary(&["send", f], &patient)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while sb.requests() < 1 && started.elapsed() < Duration::from_secs(10) {
        thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut outputs = Vec::new();
    for args in [
        vec!["send", f],
        vec!["send", f],
        vec!["query", f],
        vec!["pause", f],
        vec!["resume", f],
        vec!["ping", f],
        vec!["send", f, "--dry-run"],
        vec!["compile", f, "-o", dir.path().join("out").to_str().unwrap()],
    ] {
        // With every tracing event shown: the trace must not leak either.
        let traced: Vec<&str> = std::iter::once("-vvv")
            .chain(args.iter().copied())
            .collect();
        let out = run(with_canary(
            &traced,
            if args[0] == "compile" { &[] } else { &FAST },
        ));
        outputs.push(String::from_utf8_lossy(&out.stdout).into_owned());
        outputs.push(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    assert_once_each(&sb, "canary");
    assert!(
        outputs.iter().any(|t| t.contains("http{url=")),
        "-vvv traces each HTTP exchange"
    );
    for text in &outputs {
        assert!(!text.contains(&canary), "output leaks the canary: {text}");
    }
    let mut files = 0;
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(&canary),
                    "{} holds the canary",
                    path.display()
                );
            }
        }
    }
    assert!(files > 3, "the journal and compiled files were searched");
}
