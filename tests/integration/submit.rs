//! Submitting over real loopback HTTP: the `outdial` binary against the library sandbox.
//!
//! The fault matrix checks the promise of the journal: whatever fails (faults at every batch
//! position, SIGKILL at many instants), running `send` again until it exits 0 leaves exactly
//! one call per recipient at the provider and none for any other number.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use outdial::provider::voiceshot::sandbox::{CallStatus, Faults, Sandbox, SandboxConfig};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");
/// Seven recipients in batches of two: four call posts, the last one short.
pub(crate) const NUMBERS: [&str; 7] = [
    "8185550101",
    "8185550102",
    "8185550103",
    "8185550104",
    "8185550105",
    "8185550106",
    "8185550107",
];

/// Listed in the campaign too, but on its do-not-call list: never called, in any case.
const SUPPRESSED: [&str; 2] = ["(818) 555-0108", "818.555.0109"];

pub(crate) fn sandbox(faults: Faults) -> Sandbox {
    Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        faults,
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

pub(crate) fn campaign(dir: &Path, with_sound: bool) -> PathBuf {
    let numbers: Vec<String> = NUMBERS
        .iter()
        .chain(&SUPPRESSED)
        .map(|n| format!("\"{n}\""))
        .collect();
    std::fs::write(
        dir.join("dnc.txt"),
        "# do not call\n8185550108\n+1 818 555 0109\n",
    )
    .unwrap();
    let prompt = if with_sound {
        std::fs::create_dir_all(dir.join("sounds")).unwrap();
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sounds/hello.wav"),
            dir.join("sounds/hello.wav"),
        )
        .unwrap();
        "audio = \"sounds/hello.wav\""
    } else {
        "tts = \"The web server is down.\""
    };
    let text = format!(
        "[campaign]\nname = \"matrix\"\n\n[voiceshot]\nmenuid = \"1-1234\"\ncallerid = \"8185550199\"\nbatch_size = 2\n\n[[prompt]]\nid = 1\n{prompt}\n\n[recipients]\nwindow = \"always\"\nnumbers = [{}]\nsuppress = [\"dnc.txt\"]\n",
        numbers.join(", ")
    );
    let path = dir.join("campaign.toml");
    std::fs::write(&path, text).unwrap();
    path
}

pub(crate) fn outdial(args: &[&str], url: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .args(crate::support::yes_if_sending(args))
        .args(["--endpoint", url])
        .args(extra)
        .env_remove("VOICESHOT_USERNAME")
        .env_remove("VOICESHOT_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs a command with a deadline; a hung client fails the test instead of hanging it.
pub(crate) fn run(mut cmd: Command) -> Output {
    let mut child = cmd.spawn().expect("outdial runs");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("outdial did not finish in 20 s");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Short timeouts keep the matrix fast; 3 retries with a 10 ms backoff. The settle time
/// before a lookup is short too: the sandbox applies a post before it replies.
pub(crate) const FAST: [&str; 8] = [
    "--timeout",
    "400ms",
    "--backoff",
    "10ms",
    "--retries",
    "2",
    "--settle",
    "50ms",
];

/// Runs `send` until it exits 0 (each run must exit 0 or 4); returns how many runs it took.
pub(crate) fn send_until_done(file: &Path, url: &str) -> usize {
    for runs in 1..=8 {
        let out = run(outdial(&["send", file.to_str().unwrap()], url, &FAST));
        match out.status.code() {
            Some(0) => return runs,
            Some(4) => continue,
            other => panic!(
                "send exited {other:?}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    panic!("send did not finish in 8 runs");
}

/// Exactly one live call per recipient, and nothing else (no suppressed number above all).
pub(crate) fn assert_once_each(sb: &Sandbox, case: &str) {
    let mut per_number: BTreeMap<String, usize> = BTreeMap::new();
    for call in sb.calls() {
        assert_ne!(call.status, CallStatus::Deleted, "{case}");
        assert!(
            !["8185550108", "8185550109"].contains(&call.number.as_str()),
            "{case}: a suppressed number was called"
        );
        *per_number.entry(call.number.clone()).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = NUMBERS.iter().map(|n| (n.to_string(), 1)).collect();
    assert_eq!(per_number, expected, "{case}: calls per number");
}

/// A loopback HTTP relay in front of the sandbox that holds the reply to request `k` longer
/// than the client waits: the "delay beyond the client timeout" fault at one position (the
/// sandbox's own delay applies to every reply).
fn delaying_proxy(target: std::net::SocketAddr, k: u32, hold: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ivrapi.asp", listener.local_addr().unwrap());
    let count = Arc::new(AtomicU32::new(0));
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let count = Arc::clone(&count);
            thread::spawn(move || relay(client, target, &count, k, hold));
        }
    });
    url
}

fn read_message(r: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut msg = Vec::new();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().ok()?;
        }
        let end = line == "\r\n";
        msg.extend_from_slice(line.as_bytes());
        if end {
            break;
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    msg.extend_from_slice(&body);
    Some(msg)
}

fn relay(
    client: TcpStream,
    target: std::net::SocketAddr,
    count: &AtomicU32,
    k: u32,
    hold: Duration,
) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = client.try_clone().unwrap();
    let mut reader = BufReader::new(client);
    let Ok(upstream) = TcpStream::connect(target) else {
        return;
    };
    let _ = upstream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut up_writer = upstream.try_clone().unwrap();
    let mut up_reader = BufReader::new(upstream);
    while let Some(request) = read_message(&mut reader) {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        if up_writer.write_all(&request).is_err() {
            return;
        }
        let Some(reply) = read_message(&mut up_reader) else {
            return;
        };
        if n == k {
            thread::sleep(hold);
            return;
        }
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}

#[test]
fn send_query_pause_resume_delete_with_an_upload() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path(), true);
    let f = file.to_str().unwrap();
    let sb = sandbox(Faults::default());
    let url = sb.url();

    let out = run(outdial(&["send", f], &url, &[]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sb.sound_files(), ["hello.wav"]);
    assert_once_each(&sb, "send");
    let journal = std::fs::read_to_string(dir.path().join(".outdial/matrix.jsonl")).unwrap();
    assert_eq!(
        journal
            .lines()
            .filter(|l| l.contains("\"accepted\""))
            .count(),
        5
    );

    // plan reads the journal: everything sent, nothing in doubt or left. It posts nothing, so
    // it takes no --endpoint.
    let mut plan = Command::new(BIN);
    plan.args(["--format", "json", "plan", f])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = run(plan);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(plan["suppressed"], 2);
    assert_eq!(plan["recipients"], 7);
    assert_eq!(plan["journal"]["accepted"], 7);
    assert_eq!(plan["journal"]["in_doubt"], 0);
    assert_eq!(plan["journal"]["to_send"], 0);

    // A second send posts nothing.
    let before = sb.requests();
    let out = run(outdial(&["send", f], &url, &[]));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(sb.requests(), before);

    let out = run(outdial(&["query", f, "--format", "csv"], &url, &[]));
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 8, "{csv}");
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",pending,Pending,")),
        "{csv}"
    );

    for (cmd, status) in [
        ("pause", CallStatus::Paused),
        ("resume", CallStatus::Pending),
        ("delete", CallStatus::Deleted),
    ] {
        let out = run(outdial(&[cmd, f], &url, &[]));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(sb.calls().iter().all(|c| c.status == status), "{cmd}");
    }
    let out = run(outdial(&["--format", "json", "query", f], &url, &[]));
    let text = String::from_utf8(out.stdout).unwrap();
    // Taken, then deleted: removed (not pending, not to be tried again).
    assert_eq!(text.matches("\"status\":\"removed\"").count(), 7, "{text}");

    let out = run(outdial(&["ping", f], &url, &[]));
    assert_eq!(out.status.code(), Some(0));
    let out = run(outdial(&["sounds", f, "--delete"], &url, &[]));
    assert_eq!(out.status.code(), Some(0));
    assert!(sb.sound_files().is_empty());
}

#[test]
fn dry_runs_send_nothing_and_redact_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path(), false);
    let sb = sandbox(Faults::default());
    for cmd in [
        "send", "pause", "resume", "delete", "query", "ping", "sounds",
    ] {
        let mut c = outdial(&[cmd, file.to_str().unwrap(), "--dry-run"], &sb.url(), &[]);
        c.env("VOICESHOT_USERNAME", "alice")
            .env("VOICESHOT_PASSWORD", "s3cret");
        let out = run(c);
        assert_eq!(out.status.code(), Some(0), "{cmd}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("s3cret") && !text.contains("alice"),
            "{cmd}: {text}"
        );
        if cmd != "sounds" {
            assert!(
                text.contains("username=\"***\" password=\"***\""),
                "{cmd}: {text}"
            );
        }
    }
    assert_eq!(sb.requests(), 0);
}

#[test]
fn provider_errors_map_to_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path(), false);
    let refusing = Sandbox::start(SandboxConfig {
        refuse_all: true,
        ..SandboxConfig::default()
    })
    .unwrap();
    let out = run(outdial(
        &["send", file.to_str().unwrap()],
        &refusing.url(),
        &[],
    ));
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not registered"));
    // Nothing listening: not sent, exit 4.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/ivrapi.asp");
    let out = run(outdial(&["ping", file.to_str().unwrap()], &url, &FAST));
    assert_eq!(out.status.code(), Some(4));
}

/// An edit after a partial send is no longer refused: the calls already taken rang as soon
/// as they were sent (no `at`), so they are fixed and never posted again; the rest are sent
/// with the new text. `--allow-changed` is accepted, with a deprecation warning.
#[test]
fn a_changed_campaign_after_a_partial_send_keeps_what_was_taken() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path(), false);
    // Request 4 is the second call post (each call post follows the lookup of its calls): it
    // is taken and its reply lost; kill the retry path by allowing no retries.
    let sb = sandbox("drop=4".parse().unwrap());
    let out = run(outdial(
        &["send", file.to_str().unwrap()],
        &sb.url(),
        &["--retries", "0", "--settle", "50ms"],
    ));
    assert_eq!(out.status.code(), Some(4));
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("is down", "is back")).unwrap();
    let settle = ["--settle", "50ms", "--allow-changed"];
    let out = run(outdial(
        &["send", file.to_str().unwrap()],
        &sb.url(),
        &settle,
    ));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("--allow-changed is deprecated"), "{err}");
    assert_once_each(&sb, "changed");
    // The first two were taken with the old text; the rest go out with the new one.
    let calls = sb.calls();
    let text_of = |n: &str| {
        calls
            .iter()
            .find(|c| c.number == n)
            .and_then(|c| c.prompts[0].tts.clone())
            .unwrap()
    };
    assert_eq!(text_of("8185550101"), "The web server is down.");
    assert_eq!(text_of("8185550107"), "The web server is back.");
}

/// Requests a clean send makes: each of the four call posts follows the lookup of its calls.
const REQUESTS: u32 = 8;

/// One fault kind at every request position (lookups and call posts).
fn fault_at_each_position(spec: impl Fn(u32) -> String) -> usize {
    let mut cases = 0;
    for k in 1..=REQUESTS {
        let dir = tempfile::tempdir().unwrap();
        let file = campaign(dir.path(), false);
        let spec = spec(k);
        let sb = sandbox(spec.parse().unwrap());
        send_until_done(&file, &sb.url());
        assert_once_each(&sb, &spec);
        cases += 1;
    }
    cases
}

/// With call posts in flight at once, the promise holds: every fault at every request
/// position still ends, after re-runs, with one call per recipient; every journal written
/// reopens (its lines chain in the order they were written).
#[test]
fn fault_matrix_with_posts_in_flight() {
    let mut extra = FAST.to_vec();
    extra.extend(["--concurrency", "3"]);
    for kind in ["fail-first", "reset", "drop", "error"] {
        for k in 1..=REQUESTS {
            let dir = tempfile::tempdir().unwrap();
            let file = campaign(dir.path(), false);
            let spec = format!("{kind}={k},delay=20ms");
            let sb = sandbox(spec.parse().unwrap());
            let mut done = false;
            for _ in 0..8 {
                let out = run(outdial(
                    &["send", file.to_str().unwrap()],
                    &sb.url(),
                    &extra,
                ));
                match out.status.code() {
                    Some(0) => {
                        done = true;
                        break;
                    }
                    Some(4) => continue,
                    other => panic!(
                        "{spec}: send exited {other:?}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    ),
                }
            }
            assert!(done, "{spec}: send did not finish in 8 runs");
            assert_once_each(&sb, &format!("{spec} with 3 in flight"));
        }
    }
}

#[test]
fn fault_matrix_fail_first() {
    assert_eq!(fault_at_each_position(|k| format!("fail-first={k}")), 8);
}

#[test]
fn fault_matrix_reset_before_body() {
    assert_eq!(fault_at_each_position(|k| format!("reset={k}")), 8);
}

#[test]
fn fault_matrix_drop_after_taking() {
    assert_eq!(fault_at_each_position(|k| format!("drop={k}")), 8);
}

#[test]
fn fault_matrix_500_after_taking() {
    assert_eq!(fault_at_each_position(|k| format!("error={k}")), 8);
}

#[test]
fn fault_matrix_delay_beyond_the_client_timeout() {
    for k in 1..=REQUESTS {
        let dir = tempfile::tempdir().unwrap();
        let file = campaign(dir.path(), false);
        let sb = sandbox(Faults::default());
        let url = delaying_proxy(sb.addr(), k, Duration::from_millis(1500));
        send_until_done(&file, &url);
        assert_once_each(&sb, &format!("delay at {k}"));
    }
}

/// SIGKILL once the journal has `lines` lines, then run again until done. Replies are slowed
/// so kills land while posts are in flight as well as between them.
#[test]
fn fault_matrix_sigkill_at_journal_points() {
    for lines in 1..=10 {
        let dir = tempfile::tempdir().unwrap();
        let file = campaign(dir.path(), false);
        let sb = sandbox("delay=60ms".parse().unwrap());
        let journal = dir.path().join(".outdial/matrix.jsonl");
        let mut child = outdial(&["send", file.to_str().unwrap()], &sb.url(), &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let seen = std::fs::read(&journal)
                .map(|b| b.iter().filter(|&&c| c == b'\n').count())
                .unwrap_or(0);
            if seen >= lines || child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "journal stalled");
            thread::sleep(Duration::from_micros(200));
        }
        // Child::kill sends SIGKILL on Unix.
        let _ = child.kill();
        let _ = child.wait();
        send_until_done(&file, &sb.url());
        assert_once_each(&sb, &format!("SIGKILL after {lines} journal lines"));
    }
}

/// `outdial sandbox` given VoiceShot credentials in the environment refuses posts that carry
/// others, as VoiceShot does (errorid 1, exit 5, nothing accepted), so an authentication
/// failure can be rehearsed; the right ones are accepted.
#[test]
fn the_cli_sandbox_checks_voiceshot_credentials_when_given_them() {
    let mut sandbox = Command::new(BIN)
        .args(["sandbox", "--port", "0", "--dial-delay", "50ms"])
        .env("VOICESHOT_USERNAME", "rehearsal")
        .env("VOICESHOT_PASSWORD", "right-pass")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox starts");
    let mut url = String::new();
    BufReader::new(sandbox.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("outage-alert.toml");
    std::fs::copy(
        crate::support::repo().join("examples/outage-alert.toml"),
        &file,
    )
    .unwrap();
    let send = |password: &str| {
        Command::new(BIN)
            .args(["send", file.to_str().unwrap(), "--yes", "--retries", "0"])
            .args(["--settle", "50ms", "--endpoint", &url])
            .env("VOICESHOT_USERNAME", "rehearsal")
            .env("VOICESHOT_PASSWORD", password)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let refused = send("wrong-pass");
    let wrong = String::from_utf8_lossy(&refused.stderr).into_owned();
    let accepted = send("right-pass");
    let right = String::from_utf8_lossy(&accepted.stderr).into_owned();
    let _ = sandbox.kill();
    let _ = sandbox.wait();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(refused.status.code(), Some(5), "{wrong}");
    assert!(wrong.contains("errorid 1"), "{wrong}");
    assert!(
        !wrong.contains("wrong-pass"),
        "the password never shows: {wrong}"
    );
    assert_eq!(accepted.status.code(), Some(0), "{right}");
}
