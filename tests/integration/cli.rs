//! Command-line behaviour: summaries, exit codes, output folders.

use crate::support::{files_in, json_lines, outdial, tempdir};

#[test]
fn a_valid_file_exits_0_with_a_one_line_summary() {
    let run = outdial(["check", "examples/outage-alert.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "examples/outage-alert.toml: ok: \"web-outage\", 3 recipients, 1 prompt, 0 sound files, 1 call post (batches of 500); window = \"always\": calls ring at any hour of the recipient's day\n"
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn check_takes_several_files_and_fails_if_any_is_invalid() {
    let run = outdial([
        "check",
        "examples/pause.toml",
        "tests/fixtures/invalid/batch-size.toml",
        "examples/query.toml",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert!(run.stderr.contains("batch-size.toml: 1 error, 0 warnings"));
}

#[test]
fn usage_errors_exit_64_never_2() {
    assert_eq!(outdial(["compile"]).code, 64);
    assert_eq!(outdial(["check"]).code, 64);
    assert_eq!(
        outdial(["compile", "examples/pause.toml", "--action", "dance"]).code,
        64
    );
    // 2 is "differs": a mistyped flag of `diff` must not look like one.
    let typo = outdial([
        "diff",
        "tests/fixtures/diff/no-change/old.toml",
        "tests/fixtures/diff/no-change/new.toml",
        "--bsae",
        "main",
    ]);
    assert_eq!(typo.code, 64, "{}", typo.stderr);
    assert_eq!(outdial(["--help"]).code, 0);
    assert_eq!(outdial(["--version"]).code, 0);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let run = outdial(["check", "nope.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cannot read nope.toml"),
        "{}",
        run.stderr
    );
}

#[test]
fn compile_writes_one_file_per_post_and_replaces_stale_posts() {
    let dir = tempdir();
    std::fs::write(dir.path().join("0009-send.xml"), "stale").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    let run = outdial([
        "compile".as_ref(),
        "examples/appointment-reminder.toml".as_ref(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names: Vec<String> = files_in(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["0001-send.xml", "0002-send.xml", "notes.txt"]);
    let stdout_run = outdial(["compile", "examples/appointment-reminder.toml"]);
    let from_files: String = ["0001-send.xml", "0002-send.xml"]
        .iter()
        .map(|n| std::fs::read_to_string(dir.path().join(n)).unwrap())
        .collect();
    assert_eq!(
        stdout_run.stdout, from_files,
        "stdout and -o give the same bytes"
    );
}

#[test]
fn compile_is_deterministic() {
    let a = outdial(["compile", "examples/appointment-reminder.toml"]);
    let b = outdial(["compile", "examples/appointment-reminder.toml"]);
    assert_eq!(a.code, 0);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn compile_refuses_an_invalid_campaign_and_writes_nothing() {
    let dir = tempdir();
    let out = dir.path().join("posts");
    let run = outdial([
        "compile".as_ref(),
        "tests/fixtures/invalid/numbers.toml".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(!out.exists(), "no output folder for an invalid campaign");
}

#[test]
fn json_compile_emits_a_version_line_then_posts() {
    let run = outdial([
        "--format",
        "json",
        "compile",
        "examples/outage-alert.toml",
        "--action",
        "pause",
    ]);
    assert_eq!(run.code, 0);
    let lines = json_lines(&run.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "version");
    assert_eq!(lines[1]["type"], "post");
    assert_eq!(lines[1]["kind"], "pause");
    assert_eq!(
        lines[1]["xml"],
        "<campaign menuid=\"1-1234\" action=\"7\"/>"
    );
}

#[test]
fn network_flags_belong_to_the_commands_that_post() {
    // Only the commands that talk to the provider take them, after the command.
    for args in [
        &[
            "check",
            "examples/pause.toml",
            "--endpoint",
            "http://127.0.0.1:1/",
        ][..],
        &["compile", "examples/pause.toml", "--journal", "j.jsonl"],
        &["plan", "examples/pause.toml", "--retries", "0"],
        &["schema", "--timeout", "1s"],
    ] {
        assert_eq!(outdial(args).code, 64, "{args:?}");
    }
    // `plan` reads the journal, so it takes --journal.
    let dir = tempdir();
    let journal = dir.path().join("j.jsonl");
    let run = outdial([
        "--format".as_ref(),
        "json".as_ref(),
        "plan".as_ref(),
        "examples/pause.toml".as_ref(),
        "--journal".as_ref(),
        journal.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = json_lines(&run.stdout).pop().unwrap();
    assert_eq!(plan["journal"]["path"], journal.display().to_string());
}

#[test]
fn csv_is_only_for_query_and_report() {
    let run = outdial(["--format", "csv", "check", "examples/pause.toml"]);
    assert_eq!(run.code, 64);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("--format csv is only for `outdial query` and `outdial report`"),
        "{}",
        run.stderr
    );
}

/// Ten thousand copies of a mistake: twenty shown, the rest counted in one problem after
/// them; every placeholder reported once per prompt, however often the text repeats it.
#[test]
fn repeated_mistakes_are_folded_not_repeated() {
    let dir = tempdir();
    let head = "[campaign]\nname = \"x\"\n[voiceshot]\nmenuid = \"1-1\"\n[recipients]\nnumbers = [\"8185550100\"]\n";
    let dups = dir.path().join("dups.toml");
    let prompts = "[[prompt]]\nid = 1\ntts = \"a\"\n".repeat(1000);
    std::fs::write(&dups, format!("{head}{prompts}")).unwrap();
    let run = outdial(["check", dups.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.matches("× prompt id 1 is used").count(),
        20,
        "{}",
        &run.stderr[..2000.min(run.stderr.len())]
    );
    assert!(
        run.stderr
            .contains("979 more problems like the ones above (campaign::duplicate-prompt-id)")
    );
    assert!(
        run.stderr.contains("999 errors"),
        "the summary counts every problem"
    );
    let json = outdial(["--format", "json", "check", dups.to_str().unwrap()]);
    assert_eq!(
        json.stdout
            .lines()
            .filter(|l| l.contains("duplicate-prompt-id"))
            .count(),
        21
    );

    let vars = dir.path().join("vars.toml");
    let text = "{x} ".repeat(2000);
    std::fs::write(
        &vars,
        format!("{head}[[prompt]]\nid = 1\ntts = \"{text}\"\n"),
    )
    .unwrap();
    let run = outdial(["check", vars.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.matches("has no value").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`{x}` has no value (used 2000 times in this prompt)")
    );
}

/// Contact and do-not-call lists are regular files: the environment (credentials included)
/// is never read into a problem excerpt, a device never makes check run for ever, a FIFO
/// never blocks it.
#[test]
fn lists_must_be_regular_files() {
    let dir = tempdir();
    let fifo = dir.path().join("fifo.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
    );
    let canary = "envcanary7741";
    for (key, path) in [
        ("csv", "/proc/self/environ"),
        ("suppress", "[\"/proc/self/environ\"]"),
        ("csv", "/dev/zero"),
        ("suppress", "[\"/dev/urandom\"]"),
        ("csv", fifo.to_str().unwrap()),
    ] {
        let value = if path.starts_with('[') {
            path.to_string()
        } else {
            format!("\"{path}\"")
        };
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            format!("[campaign]\nname = \"x\"\n[voiceshot]\nmenuid = \"1-1\"\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n[recipients]\nnumbers = [\"8185550100\"]\n{key} = {value}\n"),
        )
        .unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"))
            .args(["check", file.to_str().unwrap()])
            .env("OUTDIAL_TEST_SECRET", canary)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{key} = {path}: {stderr}");
        assert!(
            !stderr.contains(canary),
            "{key} = {path} leaks the environment"
        );
        assert!(
            stderr.contains("system file") || stderr.contains("not a regular file"),
            "{key} = {path}: {stderr}"
        );
    }
}

/// A runaway row (a quote never closed, or a line without an end) in a regular file stops
/// the read with an error naming its line, instead of being read into memory whole; the
/// numbers after it are not silently dropped from a do-not-call list.
#[test]
fn runaway_rows_in_lists_are_refused_with_their_line() {
    let dir = tempdir();
    // 3 MiB: past the 1 MiB row limit plus the reader's buffer, small enough for a test.
    let runaway = "x".repeat(3 << 20);
    std::fs::write(
        dir.path().join("contacts.csv"),
        format!("number,name\n8185550100,Ann\n8185550101,\"Bob{runaway}\n8185550102,Cy\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("dnc.csv"),
        format!("number\n8185550100\n\"{runaway}\n8185550101\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("dnc.txt"),
        format!("8185550100\n# comment\n{runaway}\n8185550101\n"),
    )
    .unwrap();
    for (key, value, line, code) in [
        ("csv", "\"contacts.csv\"", 3, "csv::unreadable"),
        ("suppress", "[\"dnc.csv\"]", 3, "suppress::unreadable"),
        ("suppress", "[\"dnc.txt\"]", 3, "suppress::unreadable"),
    ] {
        let numbers = if key == "csv" {
            ""
        } else {
            "numbers = [\"8185550100\"]\n"
        };
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            format!("[campaign]\nname = \"x\"\n[voiceshot]\nmenuid = \"1-1\"\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n[recipients]\n{numbers}{key} = {value}\n"),
        )
        .unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"))
            .args(["--format", "json", "check", file.to_str().unwrap()])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{value}: {stdout}");
        assert!(stdout.contains(code), "{value}: {stdout}");
        assert!(
            stdout.contains(&format!("line {line} ")),
            "{value}: the message names the line: {stdout}"
        );
        assert!(stdout.len() < 64 << 10, "{value}: the row is not echoed");
        assert!(
            !stdout.contains("no-recipients"),
            "{value}: no cascade from the unreadable list: {stdout}"
        );
    }
}

/// A campaign file is read up to a bound (16 MiB) and never from the kernel's files.
#[test]
fn campaign_files_are_bounded_and_never_system_files() {
    let dir = tempdir();
    let big = dir.path().join("big.toml");
    std::fs::write(&big, "#".repeat((16 << 20) + 10)).unwrap();
    for (path, says) in [
        (big.to_str().unwrap(), "larger than 16 MiB"),
        ("/dev/zero", "larger than 16 MiB"),
        ("/proc/self/environ", "system file"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"))
            .args(["check", path])
            .env("OUTDIAL_TEST_SECRET", "envcanary7742")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{path}: {stderr}");
        assert!(stderr.contains(says), "{path}: {stderr}");
        assert!(
            !stderr.contains("envcanary7742"),
            "{path} leaks the environment"
        );
    }
}

#[test]
fn verbose_traces_go_to_stderr_and_change_nothing_else() {
    let quiet = outdial(["check", "examples/outage-alert.toml"]);
    let traced = outdial(["-v", "check", "examples/outage-alert.toml"]);
    assert_eq!((quiet.code, traced.code), (0, 0));
    assert_eq!(quiet.stdout, traced.stdout);
    assert_eq!(quiet.stderr, "", "no trace without -v");
    assert!(
        traced
            .stderr
            .contains("INFO load{file=examples/outage-alert.toml}: valid"),
        "{}",
        traced.stderr
    );
    assert!(!traced.stderr.contains("DEBUG"), "-v is info only");
    let more = outdial(["-vv", "check", "examples/outage-alert.toml"]);
    assert!(more.stderr.contains("DEBUG"), "{}", more.stderr);
}

fn raw(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"))
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .expect("outdial runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let (code, text) = raw(&["--version"]);
    assert_eq!(code, 0);
    assert!(
        text.starts_with(concat!("outdial ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(crate::support::repo())
        .output();
    if let Some(head) = head.ok().filter(|h| h.status.success()) {
        // Built from a checkout: the commit is there (the test binary and outdial are built
        // from the same tree in one cargo run).
        let commit = String::from_utf8_lossy(&head.stdout).trim().to_owned();
        assert!(text.contains(&format!("({commit})")), "{text} vs {commit}");
        let record = &json_lines(&outdial(["--format", "json", "schema"]).stdout)[0];
        assert_eq!(
            record["commit"],
            commit.as_str(),
            "the JSON version record too"
        );
    }
}

#[test]
fn help_lists_credentials_exit_codes_and_an_example_per_command() {
    let (code, help) = raw(&["--help"]);
    assert_eq!(code, 0);
    for provider in outdial::provider::ProviderName::ALL {
        if let Some((user, password)) = provider.credential_vars() {
            assert!(help.contains(&format!("{user}, {password}")), "{help}");
        }
    }
    assert!(
        help.contains("OUTDIAL_LISTEN_USER, OUTDIAL_LISTEN_PASSWORD"),
        "{help}"
    );
    // voip-communications.net is listed only for what it takes, not for pause or ping.
    let voipcomm = help
        .lines()
        .skip_while(|l| !l.contains("VOIPCOMM_API_KEY"))
        .nth(1)
        .unwrap();
    assert!(voipcomm.contains("(send; delete when"), "{voipcomm}");
    assert!(!voipcomm.contains("pause"), "{voipcomm}");
    for code in [0, 1, 2, 3, 4, 5, 64] {
        assert!(
            help.contains(&format!("\n  {code:<2}  ")),
            "exit code {code}: {help}"
        );
    }
    let commands: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .lines()
        // A command's line; its description's continuation lines are indented further.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 15, "{commands:?}");
    for command in commands {
        let (code, help) = raw(&[&command, "--help"]);
        assert_eq!(code, 0, "{command}");
        assert!(
            help.contains("Example:\n  outdial "),
            "{command} has no example: {help}"
        );
    }
}

/// `--format json` gives JSON Lines on every command (the sandbox, which runs until stopped,
/// is covered by the sandbox tests): every line parses, the first is the version record.
#[test]
fn every_command_gives_json_lines() {
    let dir = tempdir();
    let journal = dir.path().join("j.jsonl");
    let journal = journal.to_str().unwrap();
    let f = "examples/outage-alert.toml";
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", f],
        vec!["plan", f, "--journal", journal],
        vec!["compile", f],
        vec!["diff", f, "examples/pause.toml"],
        vec!["schema"],
        vec!["completions", "bash"],
        vec!["completions", "zsh"],
        vec!["completions", "fish"],
        vec!["man"],
        vec!["send", f, "--dry-run", "--journal", journal],
        vec!["resolve", f, "--sent", "x", "--journal", journal],
        vec!["pause", f, "--dry-run"],
        vec!["resume", f, "--dry-run"],
        vec!["delete", f, "--dry-run", "--journal", journal],
        vec!["query", f, "--dry-run", "--journal", journal],
        vec!["sounds", "examples/sound-upload.toml", "--dry-run"],
        vec!["ping", f, "--dry-run"],
    ];
    for args in runs {
        let run = outdial(
            std::iter::once("--format")
                .chain(["json"])
                .chain(args.clone()),
        );
        assert!(run.code != -1, "{args:?}");
        let lines = json_lines(&run.stdout);
        assert!(!lines.is_empty(), "{args:?}: nothing on stdout");
        assert_eq!(lines[0]["type"], "version", "{args:?}");
        assert!(
            lines.iter().all(|l| l["type"].is_string()),
            "{args:?}: every record has a type"
        );
    }
    let man = outdial(["--format", "json", "man"]);
    let record = &json_lines(&man.stdout)[1];
    assert_eq!(record["type"], "man");
    assert!(record["roff"].as_str().unwrap().contains(".TH OUTDIAL"));
}

/// `-` reads the campaign from standard input; its relative paths resolve against the
/// current folder (here the CSV beside the fixture, found only from that folder).
#[test]
fn a_campaign_on_stdin_reads_its_files_from_the_current_folder() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let run = |dir: &str, args: &[&str]| {
        let text =
            std::fs::read(crate::support::repo().join("tests/fixtures/csv/contacts.toml")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_outdial"))
            .args(["--now", crate::support::NOW, "--format", "json"])
            .args(args)
            .current_dir(crate::support::repo().join(dir))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&text).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, stdout) = run("tests/fixtures/csv", &["check", "-"]);
    assert_eq!(code, Some(0), "{stdout}");
    let checked = json_lines(&stdout).pop().unwrap();
    assert_eq!(
        (&checked["file"], &checked["ok"]),
        (&"-".into(), &true.into())
    );
    assert_eq!(checked["campaign"], "csv-contacts");
    // From another folder, contacts.csv is not there.
    let (code, stdout) = run("tests", &["check", "-"]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("contacts.csv"), "{stdout}");
    let (code, _) = run("tests/fixtures/csv", &["diff", "-", "contacts.toml"]);
    assert_eq!(
        code,
        Some(0),
        "the same campaign from stdin and from its file"
    );
}

/// Every command that changes something at the provider takes `--yes` as `send` does, so a
/// script can pass it to each (a dry run shows what would be posted, and nothing is).
#[test]
fn every_command_that_changes_something_takes_yes() {
    let dir = tempdir();
    let journal = dir.path().join("j.jsonl");
    // A copy that rings at any hour: loading the campaign judges the calling hours first.
    let (_sounds, sounds) = crate::support::example_in("sound-upload.toml");
    let sounds = sounds.to_str().unwrap();
    for args in [
        &["delete", "examples/outage-alert.toml"][..],
        &["pause", "examples/pause.toml"],
        &["resume", "examples/pause.toml"],
        &["sounds", sounds],
        &["sounds", sounds, "--delete"],
        &["send", "examples/outage-alert.toml"],
    ] {
        for yes in ["--yes", "-y"] {
            let mut all = args.to_vec();
            all.extend([yes, "--dry-run", "--journal", journal.to_str().unwrap()]);
            let run = outdial(&all);
            assert_eq!(run.code, 0, "{all:?}: {}", run.stderr);
        }
    }
}
