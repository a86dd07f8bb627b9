//! The Voicent Gateway over real loopback HTTP: the `outdial` binary against the library's
//! Voicent sandbox. Golden form bodies, send → query → delete end to end, and the fault
//! matrix: whatever fails, every recipient is called exactly once or listed in doubt (never
//! twice), and the calls in doubt settle with `outdial resolve`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use outdial::provider::voicent::sandbox::{Faults, Sandbox, SandboxConfig};

use crate::support::{json_lines, outdial, repo, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");
const NOW: &str = "2030-12-01T14:00:00Z";

fn run_in(dir: &Path, args: &[&str]) -> crate::support::Run {
    let output = Command::new(BIN)
        .args(args)
        .args(crate::support::yes_if_sending(args))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("outdial runs");
    crate::support::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn sandbox(faults: Faults, minute: Duration, dial: Duration) -> Sandbox {
    Sandbox::start(SandboxConfig {
        minute,
        dial_delay: dial,
        faults,
        ..SandboxConfig::default()
    })
    .expect("sandbox starts")
}

#[test]
fn golden_form_bodies_of_the_examples() {
    for name in ["voicent-text", "voicent-audio", "voicent-ivr"] {
        let file = format!("examples/{name}.toml");
        // The IVR survey calls now, within the protective hours: 09:00 in Los Angeles.
        let now = if name == "voicent-ivr" {
            "2030-12-01T17:00:00Z"
        } else {
            NOW
        };
        let run = outdial(["compile", &file, "--now", now]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        // One form body a line, one call each.
        for line in run.stdout.lines() {
            assert!(line.starts_with("info="), "{line}");
            assert!(line.contains("&phoneno="), "{line}");
        }
        insta::assert_snapshot!(name, run.stdout);
    }
    // The same moment gives the same bytes; another moment moves calltime only.
    let a = outdial(["compile", "examples/voicent-text.toml", "--now", NOW]);
    let b = outdial([
        "compile",
        "examples/voicent-text.toml",
        "--now",
        "2030-12-01T14:30:00Z",
    ]);
    assert_eq!(
        a.stdout,
        outdial(["compile", "examples/voicent-text.toml", "--now", NOW]).stdout
    );
    assert!(a.stdout.contains("&schedule=t&calltime=60"), "{}", a.stdout);
    assert!(b.stdout.contains("&schedule=t&calltime=30"), "{}", b.stdout);
}

#[test]
fn golden_form_bodies_of_voicexml_calls() {
    for name in ["file", "url", "exit", "fields"] {
        let file = format!("tests/fixtures/voicent-vxml/{name}.toml");
        let run = outdial(["compile", &file, "--now", NOW]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{name}: no warning");
        for line in run.stdout.lines() {
            assert!(
                line.contains("&startvxml=") || line.contains("&starturl="),
                "{line}"
            );
            assert!(
                !line.contains("&txt=") && !line.contains("&startapp="),
                "{line}"
            );
        }
        insta::assert_snapshot!(format!("voicent-vxml-{name}"), run.stdout);
    }
}

#[test]
fn voicexml_calls_round_trip_through_the_sandbox() {
    let sb = sandbox(
        Faults::default(),
        Duration::from_secs(2),
        Duration::from_millis(50),
    );
    let url = sb.url();
    let dir = tempdir();
    let file = dir.path().join("fields.toml");
    std::fs::copy(
        repo().join("tests/fixtures/voicent-vxml/fields.toml"),
        &file,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let run = run_in(dir.path(), &send_args(f, &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let taken = sb.taken();
    assert_eq!(taken.len(), 2);
    let by_number: BTreeMap<&str, _> = taken.iter().map(|t| (t.phoneno.as_str(), t)).collect();
    let ann = by_number["8185550100"];
    assert_eq!(
        ann.field("starturl"),
        Some("http://apps.internal:8080/vxml/reminder.vxml")
    );
    assert_eq!(
        ann.field("exiturl"),
        Some("http://apps.internal:8080/vxml/done.vxml")
    );
    assert_eq!(ann.field("patient"), Some("Ann"));
    assert_eq!(ann.field("appointment"), Some("Monday 9:30"));
    let bob = by_number["8185550117"];
    assert_eq!(bob.field("patient"), Some("Bob"));
    assert_eq!(
        bob.field("appointment"),
        Some("tomorrow at 10 & on time"),
        "the campaign's value when the recipient has none"
    );
    // The reqIds of the gateway's reply were read: the journal knows both calls, and a
    // status poll finds them made with the application's answers.
    std::thread::sleep(Duration::from_millis(200));
    let run = run_in(
        dir.path(),
        &["query", f, "--endpoint", &url, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let calls: Vec<serde_json::Value> = json_lines(&run.stdout)
        .into_iter()
        .filter(|v| v["type"] == "result")
        .collect();
    assert_eq!(calls.len(), 2, "{}", run.stdout);
    for c in &calls {
        assert_eq!(c["status"], "reached", "{c}");
    }
    // A second send posts nothing again.
    let run = run_in(dir.path(), &send_args(f, &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sb.taken().len(), 2, "nobody is called twice");
}

/// The seed's example, `callTillConfirm("C:\Program Files\Voicent\BroadcastByPhone\bin\vcast.exe",
/// "C:\My calllist\escalation.voc", "C:\My calllist\escalation.wav", "911911")`, as the SDK
/// posts it: its parameters in the order its source lists them, encoded as `urlencode`
/// does (spaces as `+`, `:` `\` `"` escaped).
const SEED_TILL_CONFIRM: &str = "info=Simple+Call+till+Confirm&phoneno=1111111&firstocc=10&selfdelete=0&startexec=C%3A%5CProgram+Files%5CVoicent%5CBroadcastByPhone%5Cbin%5Cvcast.exe&cmdline=%22C%3A%5CMy+calllist%5Cescalation.voc%22+-startnow+-confirmcode+911911+-wavfile+%22C%3A%5CMy+calllist%5Cescalation.wav%22";

#[test]
fn till_confirm_compiles_to_the_seeds_one_request_byte_for_byte() {
    let run = outdial([
        "compile",
        "tests/fixtures/voicent-till-confirm/seed.toml",
        "--now",
        NOW,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("{SEED_TILL_CONFIRM}\n"),
        "one request, the seed's bytes"
    );
    insta::assert_snapshot!("voicent-till-confirm", run.stdout);
}

#[test]
fn a_program_the_gateway_runs_is_started_once_for_the_campaign() {
    let sb = sandbox(
        Faults::default(),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    let url = sb.url();
    let dir = tempdir();
    let file = dir.path().join("seed.toml");
    std::fs::copy(
        repo().join("tests/fixtures/voicent-till-confirm/seed.toml"),
        &file,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let run = run_in(dir.path(), &send_args(f, &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let taken = sb.taken();
    assert_eq!(taken.len(), 1, "two recipients, one broadcast");
    assert_eq!(
        taken[0].field("startexec"),
        Some(r"C:\Program Files\Voicent\BroadcastByPhone\bin\vcast.exe")
    );
    assert_eq!(taken[0].phoneno, "1111111");
    // Sent again: the journal shows the one request taken; nothing is posted.
    let run = run_in(dir.path(), &send_args(f, &url));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(sb.taken().len(), 1, "the broadcast is never started twice");
    // startexec with its own cmdline is one request too, never one per recipient.
    let exec = write_campaign(
        dir.path(),
        "exec",
        "[voicent]\nallow_startexec = true\nstartexec = '/opt/bin/notify'\ncmdline = '--list all'\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550100\", \"8185550117\", \"8185550152\"]\n",
    );
    let run = outdial(["compile", exec.to_str().unwrap(), "--now", NOW]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("&phoneno=1111111&"), "{}", run.stdout);
}

#[test]
fn unsupported_actions_name_the_provider() {
    // A copy that rings at any hour: loading the campaign judges the calling hours first.
    let (_dir, text) = crate::support::example_in("voicent-text.toml");
    for action in ["pause", "resume", "sounds"] {
        let run = outdial([
            action,
            text.to_str().unwrap(),
            "--endpoint",
            "http://127.0.0.1:9",
        ]);
        assert_eq!(run.code, 64, "{action}: {}", run.stderr);
        assert!(
            run.stderr.contains("the Voicent Gateway cannot"),
            "{action}: {}",
            run.stderr
        );
    }
    // `compile` of a request the provider has not is a usage error that says so, not a
    // folder that cannot be written.
    for (file, action) in [
        ("examples/voicent-text.toml", "query"),
        ("examples/voicent-text.toml", "pause"),
        ("examples/voipcomm-reminder.toml", "pause"),
    ] {
        let run = outdial(["compile", file, "--action", action]);
        assert_eq!(run.code, 64, "{file} {action}: {}", run.stderr);
        assert!(
            run.stderr.contains("compile::unsupported"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("choose another --action"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("writable"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

/// A campaign in `dir` with the given body after `[campaign]`.
fn write_campaign(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[campaign]\nname = \"{name}\"\nprovider = \"voicent\"\ntimezone = \"UTC\"\n\n{body}"
        ),
    )
    .unwrap();
    path
}

fn send_args<'a>(file: &'a str, url: &'a str) -> Vec<&'a str> {
    vec![
        "send",
        file,
        "--yes",
        "--endpoint",
        url,
        "--retries",
        "0",
        "--backoff",
        "1ms",
        "--timeout",
        "2s",
    ]
}

#[test]
fn send_query_delete_end_to_end() {
    // A gateway minute lasts 2 s here, an attempt 100 ms.
    let sb = sandbox(
        Faults::default(),
        Duration::from_secs(2),
        Duration::from_millis(100),
    );
    let url = sb.url();
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("sounds")).unwrap();
    std::fs::copy(
        repo().join("examples/sounds/hello.wav"),
        dir.path().join("sounds/hello.wav"),
    )
    .unwrap();
    let later = (jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let fast = "requests_per_second = 100\npoll_interval_ms = 10\n";
    // Last digits pick the sandbox's outcome: 0 made, 6 answering machine, 7 retry then
    // made, 8 failed; 5 is scheduled five (sandbox) minutes out, so it is still pending when
    // `delete` comes on a busy machine.
    let text = write_campaign(
        dir.path(),
        "text",
        &format!(
            "[voicent]\n{fast}\n[[prompt]]\nid = 1\ntts = \"Hello & welcome\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550100\", \"8185550106\", \"8185550107\", \"8185550108\"]\n\n[[recipient]]\nnumber = \"8185550115\"\nat = \"{later}\"\n"
        ),
    );
    let audio = write_campaign(
        dir.path(),
        "audio",
        &format!(
            "[voicent]\n{fast}audio_dir = \"/srv/voicent\"\n\n[[prompt]]\nid = 1\naudio = \"sounds/hello.wav\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550120\"]\n"
        ),
    );
    let ivr = write_campaign(
        dir.path(),
        "ivr",
        &format!(
            "[voicent]\n{fast}ivr = \"reminderApp\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550130\", \"8185550131\"]\n"
        ),
    );
    // The gateway deletes this one's record once the call is made.
    let selfdel = write_campaign(
        dir.path(),
        "selfdel",
        &format!(
            "[voicent]\n{fast}selfdelete = true\n\n[[prompt]]\nid = 1\ntts = \"Bye\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550140\"]\n"
        ),
    );
    for file in [&text, &audio, &ivr, &selfdel] {
        let f = file.to_str().unwrap();
        let run = run_in(dir.path(), &send_args(f, &url));
        assert_eq!(run.code, 0, "{f}: {}", run.stderr);
    }
    let taken = sb.taken();
    assert_eq!(taken.len(), 9);
    let by_number: BTreeMap<&str, _> = taken.iter().map(|t| (t.phoneno.as_str(), t)).collect();
    assert_eq!(
        by_number["8185550100"].field("txt"),
        Some("Hello & welcome")
    );
    assert_eq!(by_number["8185550115"].field("schedule"), Some("t"));
    let minutes: i64 = by_number["8185550115"]
        .field("calltime")
        .unwrap()
        .parse()
        .unwrap();
    assert!((4..=5).contains(&minutes), "calltime {minutes}");
    assert_eq!(by_number["8185550100"].field("schedule"), None);
    assert_eq!(
        by_number["8185550120"].field("audiofile"),
        Some("/srv/voicent/hello.wav")
    );
    assert_eq!(
        by_number["8185550130"].field("startapp"),
        Some("reminderApp")
    );
    assert_eq!(by_number["8185550130"].field("selfdelete"), Some("0"));

    // Immediate calls finish within two attempts (200 ms); the scheduled one is pending.
    std::thread::sleep(Duration::from_millis(350));
    let t = text.to_str().unwrap();
    let run = run_in(
        dir.path(),
        &["query", t, "--endpoint", &url, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let calls: BTreeMap<String, serde_json::Value> = json_lines(&run.stdout)
        .into_iter()
        .filter(|v| v["type"] == "result")
        .map(|v| (v["number"].as_str().unwrap().to_owned(), v))
        .collect();
    let show = |n: &str| {
        let c = &calls[n];
        let text = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
        (
            text("status"),
            text("provider_status"),
            text("reason"),
            text("answered_by"),
        )
    };
    let word = |s: &str| s.to_owned();
    assert_eq!(
        show("8185550100"),
        (word("reached"), word("made"), word(""), word(""))
    );
    // The gateway names an answering machine: reached, by a machine.
    assert_eq!(
        show("8185550106"),
        (word("reached"), word("made"), word(""), word("machine"))
    );
    assert_eq!(
        show("8185550108"),
        (
            word("not-reached"),
            word("failed"),
            word("Line Busy"),
            word("")
        )
    );
    assert_eq!(
        show("8185550115"),
        (word("pending"), word("pending"), word(""), word(""))
    );
    // The gateway's attempt time (month counted from 0) in UTC, its text beside it.
    let made = &calls["8185550100"];
    assert!(
        made["called_at"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{made}"
    );
    assert!(made["provider_time"].is_string(), "{made}");
    // One status record per attempt: the retried call was dialled twice.
    let attempts = |n: &str| calls[n]["attempts"].as_u64();
    assert_eq!(attempts("8185550100"), Some(1));
    assert_eq!(attempts("8185550107"), Some(2));
    assert_eq!(attempts("8185550115"), Some(0));
    // The poll went into the store, attempts with it, and the report reads them back.
    let run = run_in(dir.path(), &["report", t, "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut rows = csv::Reader::from_reader(run.stdout.as_bytes());
    let column = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "attempts")
        .expect("an attempts column");
    let stored: BTreeMap<String, String> = rows
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[column].to_owned())
        })
        .collect();
    assert_eq!(stored["8185550107"], "2", "{}", run.stdout);
    assert_eq!(stored["8185550108"], "1", "{}", run.stdout);

    // IVR responses come back in the responses column, are stored, and `report` shows them.
    let i = ivr.to_str().unwrap();
    let run = run_in(
        dir.path(),
        &["query", i, "--endpoint", &url, "--format", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("number,callid,status,provider_status,reason,"),
        "{}",
        run.stdout
    );
    for line in lines {
        assert!(
            line.contains(",reached,made,") && line.contains(",confirm=1"),
            "{line}"
        );
    }
    // delete removes the scheduled call only; made and failed records stay for query.
    let run = run_in(dir.path(), &["delete", t, "--endpoint", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("removed 1 call not made yet"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("4 kept (made or failed)"),
        "{}",
        run.stdout
    );
    let run = run_in(
        dir.path(),
        &["query", t, "--endpoint", &url, "--format", "json"],
    );
    let gone = json_lines(&run.stdout)
        .into_iter()
        .find(|v| v["number"] == "8185550115")
        .unwrap();
    // Taken, then removed: not pending for ever, and not on the list to call again.
    assert_eq!(gone["status"], "removed", "{gone}");
    let run = run_in(dir.path(), &["report", t, "--format", "json"]);
    let reported = json_lines(&run.stdout)
        .into_iter()
        .find(|v| v["number"] == "8185550115")
        .unwrap();
    assert_eq!(reported["status"], "removed", "{reported}");

    // A self-deleted call is no longer pending for ever: removed, and not tried again.
    let sd = selfdel.to_str().unwrap();
    let run = run_in(dir.path(), &["query", sd, "--endpoint", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let retry = dir.path().join("selfdel-retry.csv");
    let run = run_in(
        dir.path(),
        &[
            "report",
            sd,
            "--format",
            "json",
            "--retry",
            retry.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let row = json_lines(&run.stdout)
        .into_iter()
        .find(|v| v["type"] == "result")
        .unwrap();
    assert_eq!(row["status"], "removed", "{row}");
    assert_eq!(std::fs::read_to_string(&retry).unwrap(), "number\n");

    // The IVR answers the query stored are the report's too.
    let run = run_in(dir.path(), &["report", i, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let answered: Vec<serde_json::Value> = json_lines(&run.stdout)
        .into_iter()
        .filter(|v| v["type"] == "result")
        .collect();
    assert_eq!(answered.len(), 2, "{}", run.stdout);
    for r in &answered {
        assert_eq!(r["responses"]["confirm"], "1", "{r}");
        assert_eq!(r["status"], "reached", "{r}");
    }

    let run = run_in(dir.path(), &["ping", t, "--endpoint", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("answered"), "{}", run.stdout);
}

const MATRIX_NUMBERS: [&str; 5] = [
    "8185550101",
    "8185550102",
    "8185550103",
    "8185550104",
    "8185550105",
];

/// Held by the tests that send the `matrix` campaign, so they do not run side by side (they
/// used to share a machine-wide lock; the lock is now in each campaign's own folder).
static MATRIX: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn matrix_lock() -> std::sync::MutexGuard<'static, ()> {
    MATRIX
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn matrix_campaign(dir: &Path) -> PathBuf {
    let numbers: Vec<String> = MATRIX_NUMBERS.iter().map(|n| format!("\"{n}\"")).collect();
    write_campaign(
        dir,
        "matrix",
        &format!(
            "[voicent]\nrequests_per_second = 1000\n\n[[prompt]]\nid = 1\ntts = \"Test\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [{}]\n",
            numbers.join(", ")
        ),
    )
}

/// How many times the sandbox took each recipient's call.
fn counts(sb: &Sandbox) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for t in sb.taken() {
        *out.entry(t.phoneno).or_insert(0) += 1;
    }
    out
}

/// Runs `send` until it exits 0, settling calls in doubt the way an operator would: by
/// looking them up in the gateway (here, the sandbox's records). Checks after every step
/// that nobody was called twice and that every recipient not yet called is listed in doubt
/// or still to send.
fn settle_and_finish(
    case: &str,
    sb: &Sandbox,
    dir: &Path,
    file: &str,
    first: crate::support::Run,
) -> usize {
    let journal = dir.join(".outdial/matrix.jsonl");
    let mut run = first;
    let mut settled = 0;
    for _ in 0..8 {
        let c = counts(sb);
        assert!(c.values().all(|&n| n == 1), "{case}: called twice: {c:?}");
        if run.code == 0 {
            break;
        }
        let state = outdial::journal::read_state(&journal).unwrap();
        let doubt: Vec<String> = state.in_doubt().into_iter().map(str::to_owned).collect();
        if run.code == 4 && !doubt.is_empty() {
            assert!(
                run.stderr.contains("outdial resolve"),
                "{case}: {}",
                run.stderr
            );
            let (mut sent, mut not_sent) = (Vec::new(), Vec::new());
            for id in &doubt {
                assert!(
                    run.stderr.contains(id.as_str()),
                    "{case}: {id} not listed: {}",
                    run.stderr
                );
                let number = &id["matrix".len()..];
                if c.contains_key(number) {
                    sent.push(id.clone());
                } else {
                    not_sent.push(id.clone());
                }
            }
            // The test reads the sandbox's own count, which no late post can change after
            // the run: no need to wait the settle time before saying "not sent".
            let mut args = vec!["resolve", file, "--settle", "0s"];
            if !sent.is_empty() {
                args.push("--sent");
                args.extend(sent.iter().map(String::as_str));
            }
            if !not_sent.is_empty() {
                args.push("--not-sent");
                args.extend(not_sent.iter().map(String::as_str));
            }
            let r = run_in(dir, &args);
            assert_eq!(r.code, 0, "{case}: resolve: {}", r.stderr);
            settled += doubt.len();
            assert!(
                outdial::journal::read_state(&journal)
                    .unwrap()
                    .in_doubt()
                    .is_empty()
            );
        } else {
            assert!(
                matches!(run.code, 3 | 4),
                "{case}: exit {}: {}",
                run.code,
                run.stderr
            );
        }
        run = run_in(dir, &send_args(file, &sb.url()));
    }
    assert_eq!(run.code, 0, "{case}: never finished: {}", run.stderr);
    let c = counts(sb);
    for n in MATRIX_NUMBERS {
        assert_eq!(
            c.get(n),
            Some(&1),
            "{case}: {n} called {:?} times",
            c.get(n)
        );
    }
    settled
}

#[test]
fn fault_matrix_calls_everyone_once_or_lists_them_in_doubt() {
    let _matrix = matrix_lock();
    let mut cases = 0;
    let specs = [
        "fail-first=",
        "reset=",
        "drop=",
        "error=",
        "noreqid=",
        "slow=",
    ];
    for spec in specs {
        for position in [1u32, 3, 5] {
            let faults: Faults = if spec == "fail-first=" {
                format!("fail-first={position}")
            } else if spec == "slow=" {
                format!("slow={position},delay=1500ms")
            } else {
                format!("{spec}{position}")
            }
            .parse()
            .unwrap();
            let case = faults.to_string();
            let sb = sandbox(faults, Duration::from_secs(60), Duration::from_secs(3600));
            let dir = tempdir();
            let file = matrix_campaign(dir.path());
            let f = file.to_str().unwrap();
            let url = sb.url();
            let mut args = send_args(f, &url);
            // Slow replies outlast the client's patience.
            *args.last_mut().unwrap() = "500ms";
            let first = run_in(dir.path(), &args);
            assert_ne!(first.code, 0, "{case}: a fault must show");
            let settled = settle_and_finish(&case, &sb, dir.path(), f, first);
            // A page without a reqId is no refusal either: the call is in doubt until a
            // person settles it, and is never posted twice on a guess.
            assert!(settled >= 1, "{case}: the fault left nothing in doubt");
            cases += 1;
        }
    }
    // Refused: no gateway at all; nothing is in doubt, and a later run sends everything.
    {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempdir();
        let file = matrix_campaign(dir.path());
        let f = file.to_str().unwrap();
        let closed = format!("http://127.0.0.1:{port}");
        let run = run_in(dir.path(), &send_args(f, &closed));
        assert_eq!(run.code, 4, "{}", run.stderr);
        let state =
            outdial::journal::read_state(&dir.path().join(".outdial/matrix.jsonl")).unwrap();
        assert!(
            state.in_doubt().is_empty(),
            "a refused connection sends nothing"
        );
        let sb = sandbox(
            Faults::default(),
            Duration::from_secs(60),
            Duration::from_secs(3600),
        );
        let run = run_in(dir.path(), &send_args(f, &sb.url()));
        let settled = settle_and_finish("refused", &sb, dir.path(), f, run);
        assert_eq!(settled, 0, "refused: nothing was ever in doubt");
        cases += 1;
    }
    // SIGKILL at several instants while replies take 200 ms each.
    for kill_after in [100u64, 300, 500, 700] {
        let sb = sandbox(
            "delay=200ms".parse().unwrap(),
            Duration::from_secs(60),
            Duration::from_secs(3600),
        );
        let dir = tempdir();
        let file = matrix_campaign(dir.path());
        let f = file.to_str().unwrap();
        let mut child = Command::new(BIN)
            .args(send_args(f, &sb.url()))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(kill_after));
        child.kill().unwrap();
        let _ = child.wait();
        assert!(start.elapsed() < Duration::from_secs(5));
        let c = counts(&sb);
        assert!(c.values().all(|&n| n == 1), "kill {kill_after}: {c:?}");
        assert!(
            c.len() < MATRIX_NUMBERS.len(),
            "kill {kill_after}ms came too late to matter"
        );
        let run = run_in(dir.path(), &send_args(f, &sb.url()));
        settle_and_finish(&format!("sigkill@{kill_after}ms"), &sb, dir.path(), f, run);
        cases += 1;
    }
    assert_eq!(cases, 23);
}

#[test]
fn resend_in_doubt_is_an_explicit_choice_that_may_call_twice() {
    let _matrix = matrix_lock();
    let sb = sandbox(
        "drop=2".parse().unwrap(),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    let dir = tempdir();
    let file = matrix_campaign(dir.path());
    let f = file.to_str().unwrap();
    let run = run_in(dir.path(), &send_args(f, &sb.url()));
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("1 calls are in doubt"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("matrix8185550102 (info \"outdial matrix matrix8185550102\")"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.taken().len(), 5, "the rest were sent");
    // Plain re-runs never send it again.
    let run = run_in(dir.path(), &send_args(f, &sb.url()));
    assert_eq!(run.code, 4);
    assert_eq!(sb.taken().len(), 5);
    let url = sb.url();
    let mut args = send_args(f, &url);
    args.push("--resend-in-doubt");
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        counts(&sb)["8185550102"],
        2,
        "the person chose to send it again"
    );
    // A call id that is not in doubt cannot be settled.
    let run = run_in(dir.path(), &["resolve", f, "--sent", "matrix8185550101"]);
    assert_eq!(run.code, 64);
    assert!(run.stderr.contains("not in doubt"), "{}", run.stderr);
}
