//! What stands between a command line and a real call: a malformed endpoint is a usage error
//! before anything else, a journal that cannot be kept is refused with what to do, and a real
//! `send` says what it is about to do and asks (`--yes` skips the question and is required
//! without a terminal; `--dry-run` never asks).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use outdial::provider::voiceshot::sandbox::Faults;

use crate::submit::{NUMBERS, assert_once_each, campaign, sandbox};
use crate::support::{have_tool, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");

/// `outdial ARGS…` in `dir`, stdin closed (no terminal), no credentials.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("VOICESHOT_USERNAME")
        .env_remove("VOICESHOT_PASSWORD")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("outdial runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_malformed_endpoint_is_a_usage_error_before_anything_else() {
    let dir = tempdir();
    let sb = sandbox(Faults::default());
    let file = campaign(dir.path(), false);
    let f = file.to_str().unwrap();
    for args in [
        vec!["send", f, "--yes", "--endpoint", "not-a-url"],
        vec!["send", f, "--yes", "--endpoint", "ftp://127.0.0.1/x"],
        vec!["send", "missing.toml", "--endpoint", "not-a-url"],
        vec!["ping", f, "--endpoint", "127.0.0.1:8765"],
        vec!["query", f, "--endpoint", "http://"],
        vec![
            "send",
            f,
            "--yes",
            "--endpoint",
            &sb.url(),
            "--fallback-endpoint",
            "nope",
        ],
        vec!["resolve", f, "--sent", "x", "--endpoint", "not-a-url"],
    ] {
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is not a") && stderr(&out).contains("https://host/path"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(sb.requests(), 0, "nothing was posted");
    assert!(!dir.path().join(".outdial").exists(), "no journal was made");
}

#[test]
fn a_file_named_outdial_is_refused_with_what_to_do() {
    let dir = tempdir();
    let sb = sandbox(Faults::default());
    let file = campaign(dir.path(), false);
    let f = file.to_str().unwrap();
    std::fs::write(dir.path().join(".outdial"), "notes\n").unwrap();
    for args in [
        vec!["send", f, "--yes", "--endpoint", &sb.url()],
        vec!["plan", f],
        vec!["send", f, "--dry-run", "--endpoint", &sb.url()],
    ] {
        let out = run_in(dir.path(), &args);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
        assert!(text.contains("journal::folder"), "{args:?}: {text}");
        assert!(
            text.contains(".outdial is a file, not a folder"),
            "{args:?}: {text}"
        );
        assert!(
            text.contains("move or rename the file") && text.contains("--journal PATH"),
            "{args:?}: {text}"
        );
        assert!(!text.contains("os error"), "{args:?}: {text}");
    }
    assert_eq!(sb.requests(), 0);
}

#[test]
fn a_journal_that_is_not_a_file_is_refused_with_what_to_do() {
    let dir = tempdir();
    let sb = sandbox(Faults::default());
    let file = campaign(dir.path(), false);
    let f = file.to_str().unwrap();
    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    for journal in ["/dev/null", folder.to_str().unwrap()] {
        for args in [
            vec![
                "send",
                f,
                "--yes",
                "--endpoint",
                &sb.url(),
                "--journal",
                journal,
            ],
            vec!["plan", f, "--journal", journal],
            vec![
                "resolve",
                f,
                "--sent",
                "matrix8185550101",
                "--journal",
                journal,
            ],
        ] {
            let out = run_in(dir.path(), &args);
            let text = stderr(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {text}");
            assert!(text.contains("journal::not-a-file"), "{args:?}: {text}");
            assert!(text.contains("is not a regular file"), "{args:?}: {text}");
            assert!(
                text.contains("point --journal at a regular file"),
                "{args:?}: {text}"
            );
        }
    }
    assert_eq!(sb.requests(), 0);
}

#[test]
fn a_send_without_a_terminal_needs_yes() {
    let dir = tempdir();
    let sb = sandbox(Faults::default());
    let file = campaign(dir.path(), false);
    let f = file.to_str().unwrap();
    for format in ["human", "json"] {
        let out = run_in(
            dir.path(),
            &["--format", format, "send", f, "--endpoint", &sb.url()],
        );
        // People read it on stderr, programs as a problem record on stdout.
        let text = stderr(&out) + &String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(64), "{text}");
        assert!(text.contains("usage::confirm"), "{text}");
        assert!(text.contains("pass --yes"), "{text}");
    }
    assert_eq!(sb.requests(), 0, "nothing was posted");
    assert!(!dir.path().join(".outdial").exists(), "no journal was made");

    // --dry-run never asks.
    let out = run_in(
        dir.path(),
        &["send", f, "--dry-run", "--endpoint", &sb.url()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Send now?"));
    assert_eq!(sb.requests(), 0);

    // --yes sends without a question.
    let out = run_in(dir.path(), &["send", f, "--yes", "--endpoint", &sb.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Send now?"));
    assert_once_each(&sb, "--yes");
}

/// On a terminal (a pseudo-terminal from util-linux `script`), `send` shows the campaign, the
/// provider, the recipients, the posts and the endpoint, and sends only on a yes.
#[test]
fn a_send_on_a_terminal_asks_first() {
    if !have_tool("script", "bsdutils", "the terminal question was not tried") {
        return;
    }
    let dir = tempdir();
    let sb = sandbox(Faults::default());
    let file = campaign(dir.path(), false);
    let line = format!("{BIN} send {} --endpoint {}", file.display(), sb.url());
    let on_terminal = |answer: &str| {
        let mut child = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("VOICESHOT_USERNAME")
            .env_remove("VOICESHOT_PASSWORD")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = on_terminal("n\n");
    assert_eq!(code, Some(1), "{text}");
    for part in [
        "About to send \"matrix\" to VoiceShot",
        &format!("recipients  {}", NUMBERS.len()),
        "posts       4",
        &format!("endpoint    {}", sb.url()),
        "Send now? [y/N]",
        "nothing sent",
    ] {
        assert!(text.contains(part), "{part:?} missing: {text}");
    }
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("journal")
            && l.trim_end().ends_with(".outdial/matrix.jsonl")),
        "{text}"
    );
    assert_eq!(sb.requests(), 0, "a no sends nothing");
    assert!(
        !text.contains("no record"),
        "VoiceShot can be asked which calls it holds: {text}"
    );

    let (code, text) = on_terminal("y\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Send now? [y/N]"), "{text}");
    assert!(text.contains("sent 7 numbers in 4 posts"), "{text}");
    assert_once_each(&sb, "yes on a terminal");
}

/// The question says when nothing records an earlier send and the provider cannot be asked
/// which calls it holds (the Voicent Gateway): a send from elsewhere would call everyone again.
#[test]
fn the_question_warns_when_nothing_records_a_send_and_the_provider_cannot_be_asked() {
    use outdial::provider::voicent::sandbox::{Sandbox, SandboxConfig};
    if !have_tool("script", "bsdutils", "the terminal question was not tried") {
        return;
    }
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: std::time::Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = dir.path().join("v.toml");
    std::fs::write(
        &file,
        "[campaign]\nname = \"v\"\nprovider = \"voicent\"\ntimezone = \"UTC\"\n\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\nwindow = \"always\"\nnumbers = [\"8185550101\"]\n",
    )
    .unwrap();
    let ask = |answer: &str| {
        let line = format!("{BIN} send {} --endpoint {}", file.display(), sb.url());
        let mut child = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("OUTDIAL_STATE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
    };
    let text = ask("y\n");
    assert!(
        text.contains("no record") && text.contains("cannot be asked which calls it holds"),
        "{text}"
    );
    assert_eq!(sb.taken().len(), 1, "{text}");
    // Once the journal records the send, there is a record.
    let text = ask("n\n");
    assert!(text.contains("Send now?"), "{text}");
    assert!(!text.contains("no record"), "{text}");
}
