//! One campaign sent from several fresh folders (no `.outdial`) through one PostgreSQL state
//! store: the journal and the lock live in the database, so every recipient is called once
//! whichever folder sends, with faults and a SIGKILL of the first runner.

use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use outdial::provider::voiceshot::sandbox::Faults;

use crate::submit::{FAST, NUMBERS, assert_once_each, campaign, outdial, run, sandbox};
use crate::support::{pg, tempdir};

/// Journal records of every campaign in the database at `url`.
pub(crate) fn records(url: &str) -> i64 {
    let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) else {
        return 0;
    };
    client
        .query_one("SELECT count(*) FROM outdial_journal", &[])
        .map_or(0, |row| row.get(0))
}

/// Starts `cmd` and SIGKILLs it once the database holds `lines` journal records (or it ended).
pub(crate) fn kill_at(mut cmd: Command, url: &str, lines: i64) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // One connection for the whole watch: a kill should land where it is meant to.
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let count = |client: &mut postgres::Client| {
        client
            .query_one("SELECT count(*) FROM outdial_journal", &[])
            .map_or(0, |row| row.get::<_, i64>(0))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(&mut client) < lines && child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the journal stalled");
        thread::sleep(Duration::from_millis(1));
    }
    // Child::kill sends SIGKILL on Unix.
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs VoiceShot's `send` of `file` through the store at `state` until it exits 0.
fn send_until_done(file: &Path, url: &str, state: &str) {
    for _ in 0..8 {
        let out = run(voiceshot_send(file, url, state, &FAST));
        match out.status.code() {
            Some(0) => return,
            Some(4) => continue,
            other => panic!(
                "send exited {other:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    panic!("send did not finish in 8 runs");
}

fn voiceshot_send(file: &Path, url: &str, state: &str, extra: &[&str]) -> Command {
    let mut cmd = outdial(&["send", file.to_str().unwrap()], url, extra);
    cmd.env("OUTDIAL_STATE", state);
    cmd
}

#[test]
fn voiceshot_from_two_fresh_folders_calls_everyone_once_through_faults_and_a_kill() {
    for (case, faults, kill_at_line) in [
        ("sigkill", "delay=60ms", Some(4)),
        ("drop and reset", "drop=2,reset=3", None),
        ("sigkill after faults", "drop=1,delay=150ms", Some(6)),
    ] {
        let Some(state) = pg() else {
            return;
        };
        let sb = sandbox(faults.parse::<Faults>().unwrap());
        let (a, b) = (tempdir(), tempdir());
        let (fa, fb) = (campaign(a.path(), false), campaign(b.path(), false));
        match kill_at_line {
            Some(lines) => {
                kill_at(voiceshot_send(&fa, &sb.url(), &state, &[]), &state, lines);
                assert!(
                    sb.calls().len() < NUMBERS.len(),
                    "{case}: the kill came too late to matter"
                );
            }
            None => {
                let first = run(voiceshot_send(&fa, &sb.url(), &state, &FAST));
                assert!(matches!(first.status.code(), Some(0 | 4)), "{case}");
            }
        }
        send_until_done(&fb, &sb.url(), &state);
        // The first folder, run again, has nothing left to send.
        let again = run(voiceshot_send(&fa, &sb.url(), &state, &FAST));
        assert_eq!(
            again.status.code(),
            Some(0),
            "{case}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert_once_each(&sb, case);
        assert!(
            records(&state) > 2,
            "{case}: the journal is in the database"
        );
        for dir in [a.path(), b.path()] {
            assert!(
                !dir.join(".outdial/matrix.jsonl").exists(),
                "{case}: the journal is in the database, not in the folder"
            );
        }
    }
}

#[test]
fn two_sends_started_at_once_from_two_folders_one_sends_the_other_refuses_naming_it() {
    let Some(state) = pg() else {
        return;
    };
    let sb = sandbox("delay=150ms".parse::<Faults>().unwrap());
    let (a, b) = (tempdir(), tempdir());
    let (fa, fb) = (campaign(a.path(), false), campaign(b.path(), false));
    let children: Vec<_> = [&fa, &fb]
        .into_iter()
        .map(|f| voiceshot_send(f, &sb.url(), &state, &FAST).spawn().unwrap())
        .collect();
    let pids: Vec<u32> = children.iter().map(std::process::Child::id).collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let sent: Vec<usize> = (0..2)
        .filter(|&i| outs[i].status.code() == Some(0))
        .collect();
    assert_eq!(sent.len(), 1, "exactly one sends: {outs:?}");
    let (winner, loser) = (sent[0], 1 - sent[0]);
    let refused = String::from_utf8_lossy(&outs[loser].stderr);
    assert_eq!(outs[loser].status.code(), Some(1), "{refused}");
    assert!(
        refused.contains("is being sent by another outdial")
            && refused.contains(&format!("pid {}", pids[winner])),
        "the refusal names who holds the lock: {refused}"
    );
    assert_once_each(&sb, "two at once");
}

#[test]
fn postgres_restarted_mid_send_stops_it_with_exit_4_and_the_next_run_finishes() {
    let Some(cluster) = crate::support::Cluster::own() else {
        return;
    };
    let state = cluster.database();
    let sb = sandbox("delay=250ms".parse::<Faults>().unwrap());
    let dir = tempdir();
    let file = campaign(dir.path(), false);
    let child = voiceshot_send(&file, &sb.url(), &state, &FAST)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while records(&state) < 3 {
        assert!(Instant::now() < deadline, "the journal stalled");
        thread::sleep(Duration::from_millis(2));
    }
    cluster.restart();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("state store"), "{stderr}");
    assert!(
        sb.calls().len() < NUMBERS.len(),
        "the restart came too late to matter"
    );
    send_until_done(&file, &sb.url(), &state);
    assert_once_each(&sb, "postgres restarted");
}

/// A VoiceShot campaign `name` in `dir` calling `numbers`, with `extra` lines in
/// `[recipients]`.
fn named_campaign(dir: &Path, name: &str, numbers: &[&str], extra: &str) -> std::path::PathBuf {
    let numbers: Vec<String> = numbers.iter().map(|n| format!("\"{n}\"")).collect();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[campaign]\nname = \"{name}\"\n\n[voiceshot]\nmenuid = \"1-1234\"\ncallerid = \"8185550199\"\n\n[[prompt]]\nid = 1\ntts = \"Hello.\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [{}]\n{extra}",
            numbers.join(", ")
        ),
    )
    .unwrap();
    path
}

#[test]
fn max_calls_counts_campaigns_sent_from_other_folders_through_one_database() {
    let Some(state) = pg() else {
        return;
    };
    let sb = sandbox(Faults::default());
    let (a, b, c) = (tempdir(), tempdir(), tempdir());
    // The first campaign, from its own folder, calls two numbers.
    let first = named_campaign(a.path(), "first", &["8185550101", "8185550102"], "");
    let out = run(voiceshot_send(&first, &sb.url(), &state, &FAST));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The second, from a fresh folder, may call a number once a week: only the third is left.
    let cap = "max_calls = { count = 1, per = \"7d\" }\n";
    let numbers = ["8185550101", "8185550102", "8185550103"];
    let second = named_campaign(b.path(), "second", &numbers, cap);
    let out = run(voiceshot_send(&second, &sb.url(), &state, &FAST));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut called: Vec<String> = sb.calls().into_iter().map(|c| c.number).collect();
    called.sort();
    assert_eq!(
        called, numbers,
        "each number once, the capped ones not again"
    );
    // Without the store, the same folder layout sees no other campaign: the cap caps nothing.
    let local = named_campaign(c.path(), "second", &numbers, cap);
    let now = jiff::Timestamp::now().to_string();
    let plan = crate::support::outdial([
        "--format",
        "json",
        "--now",
        &now,
        "plan",
        local.to_str().unwrap(),
        "--state",
        &state,
    ]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan = crate::support::json_lines(&plan.stdout);
    let plan = plan.iter().find(|e| e["type"] == "plan").unwrap();
    assert_eq!(plan["capped"], 2, "{plan}");
    let plan = crate::support::outdial([
        "--format",
        "json",
        "--now",
        &now,
        "plan",
        local.to_str().unwrap(),
    ]);
    let plan = crate::support::json_lines(&plan.stdout);
    let plan = plan.iter().find(|e| e["type"] == "plan").unwrap();
    assert_eq!(plan["capped"], 0, "{plan}");
}
