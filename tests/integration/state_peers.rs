//! The Voicent Gateway and voip-communications.net through one PostgreSQL state store, from
//! two fresh folders: neither can always be asked which calls it holds, so the journal in the
//! database is the only record; a kill leaves calls in doubt, settled by `resolve` from the
//! provider's own records (the sandbox's), never sent again on a guess.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use outdial::provider::ProviderName;
use outdial::state::StateLocation;

use crate::state_send::kill_at;
use crate::support::{pg, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");
const NUMBERS: [&str; 5] = [
    "8185550101",
    "8185550102",
    "8185550103",
    "8185550104",
    "8185550105",
];

/// A campaign of [`NUMBERS`] for `provider` (`voicent` or `voipcomm`) in `dir`.
fn matrix(dir: &Path, provider: &str) -> PathBuf {
    let numbers: Vec<String> = NUMBERS.iter().map(|n| format!("\"{n}\"")).collect();
    let extra = if provider == "voicent" {
        "[voicent]\nrequests_per_second = 1000\n\n"
    } else {
        ""
    };
    let file = dir.join("matrix.toml");
    std::fs::write(
        &file,
        format!(
            "[campaign]\nname = \"matrix\"\nprovider = \"{provider}\"\ntimezone = \"UTC\"\n\n{extra}[[prompt]]\nid = 1\ntts = \"Test call.\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [{}]\n",
            numbers.join(", ")
        ),
    )
    .unwrap();
    file
}

/// `outdial ARGS --endpoint URL` through the store at `state`, with voip-communications'
/// credentials (the Voicent Gateway takes none).
fn cmd(args: &[&str], url: &str, state: &str) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .args(["--endpoint", url])
        .env("OUTDIAL_STATE", state)
        .env("VOIPCOMM_API_KEY", "key")
        .env("VOIPCOMM_API_PASSWORD", "password")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn send(file: &Path, url: &str, state: &str) -> Command {
    let f = file.to_str().unwrap();
    cmd(
        &[
            "send",
            f,
            "--yes",
            "--retries",
            "1",
            "--backoff",
            "1ms",
            "--timeout",
            "700ms",
        ],
        url,
        state,
    )
}

fn output(mut c: Command) -> Output {
    c.output().unwrap()
}

/// Sends from `file` until a run exits 0, settling calls in doubt as an operator would: from
/// the provider's records (`called`, by number). Nobody is called twice at any step.
fn finish(
    case: &str,
    file: &Path,
    url: &str,
    state: &str,
    provider: ProviderName,
    called: &dyn Fn() -> BTreeMap<String, usize>,
) {
    let StateLocation::Postgres(pg) = StateLocation::parse(state, |_| None).unwrap() else {
        panic!("a PostgreSQL URL")
    };
    for _ in 0..8 {
        let out = output(send(file, url, state));
        let c = called();
        assert!(c.values().all(|&n| n == 1), "{case}: called twice: {c:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => return,
            Some(4) => {}
            other => panic!("{case}: send exited {other:?}: {stderr}"),
        }
        let journal = outdial::journal::read_state_in_store(&pg, "matrix", provider, url).unwrap();
        let doubt: Vec<String> = journal.in_doubt().into_iter().map(str::to_owned).collect();
        if doubt.is_empty() {
            continue;
        }
        let (sent, not_sent): (Vec<&String>, Vec<&String>) = doubt
            .iter()
            .partition(|id| c.contains_key(&id["matrix".len()..]));
        let f = file.to_str().unwrap();
        let mut args = vec!["resolve", f, "--settle", "0s"];
        if !sent.is_empty() {
            args.push("--sent");
            args.extend(sent.iter().map(|s| s.as_str()));
        }
        if !not_sent.is_empty() {
            args.push("--not-sent");
            args.extend(not_sent.iter().map(|s| s.as_str()));
        }
        let r = output(cmd(&args, url, state));
        assert_eq!(
            r.status.code(),
            Some(0),
            "{case}: resolve: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    panic!("{case}: send did not finish in 8 runs");
}

/// Each number once, every number.
fn assert_all_once(case: &str, c: &BTreeMap<String, usize>) {
    let expected: BTreeMap<String, usize> = NUMBERS.iter().map(|n| (n.to_string(), 1)).collect();
    assert_eq!(c, &expected, "{case}: calls per number");
}

#[test]
fn voicent_from_two_fresh_folders_calls_everyone_once_through_faults_and_a_kill() {
    use outdial::provider::voicent::sandbox::{Faults, Sandbox, SandboxConfig};
    for (case, faults, kill) in [
        ("sigkill", "delay=150ms", Some(3)),
        ("drop and reset", "drop=2,reset=4", None),
    ] {
        let Some(state) = pg() else {
            return;
        };
        let sb = Sandbox::start(SandboxConfig {
            minute: Duration::from_secs(60),
            dial_delay: Duration::from_secs(3600),
            faults: faults.parse::<Faults>().unwrap(),
            ..SandboxConfig::default()
        })
        .unwrap();
        let called = || {
            let mut out = BTreeMap::new();
            for t in sb.taken() {
                *out.entry(t.phoneno).or_insert(0) += 1;
            }
            out
        };
        let (a, b) = (tempdir(), tempdir());
        let (fa, fb) = (matrix(a.path(), "voicent"), matrix(b.path(), "voicent"));
        match kill {
            Some(lines) => kill_at(send(&fa, &sb.url(), &state), &state, lines),
            None => drop(output(send(&fa, &sb.url(), &state))),
        }
        assert!(
            called().len() < NUMBERS.len(),
            "{case}: the first run was cut short"
        );
        finish(case, &fb, &sb.url(), &state, ProviderName::Voicent, &called);
        finish(case, &fa, &sb.url(), &state, ProviderName::Voicent, &called);
        assert_all_once(case, &called());
    }
}

#[test]
fn voipcomm_from_two_fresh_folders_calls_everyone_once_through_faults_and_a_kill() {
    use outdial::provider::voipcomm::sandbox::{Faults, Sandbox, SandboxConfig};
    for (case, faults, kill) in [
        ("sigkill", "delay=150ms", Some(3)),
        ("drop and reset", "drop=2,reset=4", None),
    ] {
        let Some(state) = pg() else {
            return;
        };
        let sb = Sandbox::start(SandboxConfig {
            faults: faults.parse::<Faults>().unwrap(),
            dial_delay: Duration::from_millis(50),
            ..SandboxConfig::default()
        })
        .unwrap();
        let called = || {
            let mut out = BTreeMap::new();
            for call in sb.calls() {
                let number = call.to.strip_prefix('1').unwrap_or(&call.to).to_owned();
                *out.entry(number).or_insert(0) += 1;
            }
            out
        };
        let (a, b) = (tempdir(), tempdir());
        let (fa, fb) = (matrix(a.path(), "voipcomm"), matrix(b.path(), "voipcomm"));
        match kill {
            Some(lines) => kill_at(send(&fa, &sb.url(), &state), &state, lines),
            None => drop(output(send(&fa, &sb.url(), &state))),
        }
        assert!(
            called().len() < NUMBERS.len(),
            "{case}: the first run was cut short"
        );
        finish(
            case,
            &fb,
            &sb.url(),
            &state,
            ProviderName::Voipcomm,
            &called,
        );
        finish(
            case,
            &fa,
            &sb.url(),
            &state,
            ProviderName::Voipcomm,
            &called,
        );
        assert_all_once(case, &called());
    }
}
