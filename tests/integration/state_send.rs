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
    let deadline = Instant::now() + Duration::from_secs(20);
    while records(url) < lines && child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the journal stalled");
        thread::sleep(Duration::from_millis(2));
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
        ("sigkill after faults", "drop=1,delay=40ms", Some(6)),
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
