//! The pull-request workflow: saved plans that are exactly what gets sent.

use std::path::{Path, PathBuf};

use std::process::Command;

use crate::submit::{run, sandbox};

/// `outdial ARGS… --endpoint URL EXTRA…` with messages on one line each.
fn outdial(args: &[&str], url: &str, extra: &[&str]) -> Command {
    let mut cmd = crate::submit::outdial(args, url, extra);
    cmd.env("COLUMNS", "1000");
    cmd
}

/// A campaign with every kind of input: the campaign file, a CSV, a do-not-call list and a
/// sound file; five recipients (one suppressed) in batches of two.
fn campaign(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("sounds")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sounds/hello.wav"),
        dir.join("sounds/hello.wav"),
    )
    .unwrap();
    std::fs::write(
        dir.join("contacts.csv"),
        "phone,name\n8185550121,Ann\n8185550122,Bob\n8185550123,Cy\n8185550124,Dee\n",
    )
    .unwrap();
    std::fs::write(dir.join("dnc.txt"), "# do not call\n8185550199\n").unwrap();
    let text = "[campaign]\nname = \"saved\"\n\n[voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 2\n\n\
        [[prompt]]\nid = 1\ntts = \"Hello {name}, the web server is down.\"\n\n\
        [[prompt]]\nid = 2\naudio = \"sounds/hello.wav\"\n\n\
        [recipients]\nwindow = \"always\"\nnumbers = [\"8185550120\"]\ncsv = \"contacts.csv\"\nnumber_column = \"phone\"\n\
        suppress = [\"dnc.txt\"]\n\n[vars]\nname = \"there\"\n";
    let path = dir.join("campaign.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `plan --out` for the sandbox's endpoint.
fn save_plan(file: &Path, plan: &Path, url: &str) {
    let out = run(outdial(&["plan", s(file), "--out", s(plan)], url, &[]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_saved_plan_is_versioned_json_with_every_hash() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path());
    let plan = dir.path().join("plan.json");
    save_plan(&file, &plan, "http://127.0.0.1:9/ivrapi.asp");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(saved["outdial_plan"], 1);
    assert_eq!(saved["provider"], "voiceshot");
    assert_eq!(saved["endpoint"], "http://127.0.0.1:9/ivrapi.asp");
    assert_eq!(saved["counts"]["recipients"], 5);
    assert_eq!(saved["counts"]["uploads"], 1);
    assert_eq!(saved["counts"]["call_posts"], 3);
    let kinds: Vec<&str> = saved["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["campaign", "csv", "suppress", "sound"]);
    let posts = saved["posts"].as_array().unwrap();
    assert_eq!(posts.len(), 4);
    // The hash of each post is the hash of what `compile -o` writes (without its last line
    // break).
    let compiled = dir.path().join("posts");
    let out = Command::new(env!("CARGO_BIN_EXE_outdial"))
        .args(["compile", s(&file), "-o", s(&compiled)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut files: Vec<_> = std::fs::read_dir(&compiled)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for (post, path) in posts.iter().zip(&files) {
        let mut bytes = std::fs::read(path).unwrap();
        assert_eq!(bytes.pop(), Some(b'\n'));
        assert_eq!(
            post["sha256"].as_str().unwrap(),
            outdial::journal::sha256_hex(&bytes),
            "{}",
            path.display()
        );
    }
}

/// Each kind of input change, made after the plan was saved, is refused by `send --plan`:
/// exit 1, the input named, nothing sent (not even the sound upload), no journal opened.
#[test]
fn a_saved_plan_is_refused_after_any_input_changes() {
    type Edit = fn(&Path);
    let edits: [(&str, &str, Edit); 4] = [
        ("campaign", "the campaign file", |d| {
            let f = d.join("campaign.toml");
            let t = std::fs::read_to_string(&f).unwrap();
            std::fs::write(&f, t.replace("is down", "is back")).unwrap();
        }),
        ("csv", "the CSV contact list", |d| {
            let f = d.join("contacts.csv");
            let t = std::fs::read_to_string(&f).unwrap();
            std::fs::write(&f, t.replace("Bob", "Rob")).unwrap();
        }),
        ("suppress", "the do-not-call list", |d| {
            std::fs::write(d.join("dnc.txt"), "8185550199\n8185550123\n").unwrap();
        }),
        ("sound", "the sound file", |d| {
            let f = d.join("sounds/hello.wav");
            let mut b = std::fs::read(&f).unwrap();
            let last = b.len() - 1;
            b[last] ^= 0x01;
            std::fs::write(&f, b).unwrap();
        }),
    ];
    let sb = sandbox(Default::default());
    for (case, named, edit) in edits {
        let dir = tempfile::tempdir().unwrap();
        let file = campaign(dir.path());
        let plan = dir.path().join("plan.json");
        save_plan(&file, &plan, &sb.url());
        edit(dir.path());
        let out = run(outdial(
            &["send", s(&file), "--plan", s(&plan)],
            &sb.url(),
            &[],
        ));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{case}: {err}");
        assert!(
            err.contains("no longer compiles to the saved plan"),
            "{case}: {err}"
        );
        assert!(err.contains(named), "{case}: {err}");
        assert!(err.contains("nothing was sent"), "{case}: {err}");
        assert!(
            !dir.path().join(".outdial").exists(),
            "{case}: a journal was opened"
        );
    }
    assert_eq!(sb.requests(), 0, "nothing reached the provider");
}

/// Nothing changed: the plan is sent, exactly once; sending it again sends nothing.
#[test]
fn an_unchanged_saved_plan_is_sent_and_a_rerun_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path());
    let plan = dir.path().join("plan.json");
    let sb = sandbox(Default::default());
    save_plan(&file, &plan, &sb.url());
    let settle = ["--settle", "50ms"];
    let out = run(outdial(
        &["send", s(&file), "--plan", s(&plan)],
        &sb.url(),
        &settle,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut numbers: Vec<String> = sb.calls().into_iter().map(|c| c.number).collect();
    numbers.sort();
    assert_eq!(
        numbers,
        [
            "8185550120",
            "8185550121",
            "8185550122",
            "8185550123",
            "8185550124"
        ]
    );
    assert_eq!(sb.sound_files(), ["hello.wav"]);
    let requests = sb.requests();
    let out = run(outdial(
        &["send", s(&file), "--plan", s(&plan)],
        &sb.url(),
        &settle,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.calls().len(), 5, "no call twice");
    assert_eq!(sb.requests(), requests, "the re-run posted nothing");
}

/// The plan names where it goes: sending it elsewhere is refused.
#[test]
fn a_saved_plan_is_refused_at_another_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path());
    let plan = dir.path().join("plan.json");
    save_plan(&file, &plan, "http://127.0.0.1:9/ivrapi.asp");
    let sb = sandbox(Default::default());
    let out = run(outdial(
        &["send", s(&file), "--plan", s(&plan)],
        &sb.url(),
        &[],
    ));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the plan is for http://127.0.0.1:9/ivrapi.asp"),
        "{err}"
    );
    assert!(err.contains("no input file changed"), "{err}");
    // Only the endpoint differs: the help says where the plan goes, not "another version".
    assert!(
        err.contains("send where the plan is for with `--endpoint http://127.0.0.1:9/ivrapi.asp`"),
        "{err}"
    );
    assert!(!err.contains("another outdial version"), "{err}");
    assert_eq!(sb.requests(), 0);
}

#[test]
fn a_file_that_is_not_a_saved_plan_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path());
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, "{\"outdial_plan\": 7}").unwrap();
    let sb = sandbox(Default::default());
    let out = run(outdial(
        &["send", s(&file), "--plan", s(&plan)],
        &sb.url(),
        &[],
    ));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("format 7"), "{err}");
    assert_eq!(sb.requests(), 0);
}

/// `plan --detailed-exitcode`: 2 while there is something to send, 0 once the journal shows
/// it all sent; an error keeps its own code, never 2.
#[test]
fn plan_detailed_exitcode_says_whether_there_is_something_to_send() {
    let dir = tempfile::tempdir().unwrap();
    let file = campaign(dir.path());
    let sb = sandbox(Default::default());
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", s(&file), "--detailed-exitcode"];
        args.extend_from_slice(extra);
        run(outdial(&args, &sb.url(), &[]))
    };
    let out = plan(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // The plain plan is unchanged: 0.
    let out = run(outdial(&["plan", s(&file)], &sb.url(), &[]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(outdial(
        &["send", s(&file)],
        &sb.url(),
        &["--settle", "50ms"],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = plan(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A new recipient is something to send again.
    let csv = dir.path().join("contacts.csv");
    let mut rows = std::fs::read_to_string(&csv).unwrap();
    rows.push_str("8185550125,Eve\n");
    std::fs::write(&csv, rows).unwrap();
    assert_eq!(plan(&[]).status.code(), Some(2));
    // Errors keep their own codes, none of them 2.
    std::fs::write(&file, "[campaign]\nname = \"Not A Slug\"\n").unwrap();
    assert_eq!(plan(&[]).status.code(), Some(1));
    let out = run(outdial(
        &["--format", "csv", "plan", s(&file), "--detailed-exitcode"],
        &sb.url(),
        &[],
    ));
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    // A mistyped flag is a usage error, never "something to send".
    let out = run(outdial(
        &["plan", s(&file), "--detailed-exitcod"],
        &sb.url(),
        &[],
    ));
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
}

/// `plan --format markdown`: the pull request comment, golden. Every CSV feature (suppressed,
/// duplicates, skipped rows as warnings) and a filled template example.
#[test]
fn plan_markdown_is_a_stable_comment() {
    for file in [
        "tests/fixtures/csv/contacts.toml",
        "examples/appointment-reminder.toml",
    ] {
        let run = crate::support::outdial(["--format", "markdown", "plan", file]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        insta::assert_snapshot!(
            format!("plan-markdown@{}", file.replace('/', "-")),
            run.stdout
        );
        let again = crate::support::outdial(["--format", "markdown", "plan", file]);
        assert_eq!(
            again.stdout, run.stdout,
            "the same campaign gives the same comment"
        );
    }
    // Markdown is for `plan` only.
    let run = crate::support::outdial(["--format", "markdown", "check", "examples/query.toml"]);
    assert_eq!(run.code, 64, "{}", run.stderr);
}

/// Completion scripts for bash, zsh and fish, generated from the command line definition;
/// the bash one parses.
#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let run = crate::support::outdial(["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for word in ["plan", "send", "detailed-exitcode", "allow-changed"] {
            assert!(run.stdout.contains(word), "{shell} completes {word}");
        }
        if shell == "bash" {
            let dir = tempfile::tempdir().unwrap();
            let script = dir.path().join("outdial.bash");
            std::fs::write(&script, &run.stdout).unwrap();
            let status = Command::new("bash")
                .arg("-n")
                .arg(&script)
                .status()
                .unwrap();
            assert!(status.success(), "bash -n accepts the script");
        }
    }
    assert_eq!(crate::support::outdial(["completions", "tcsh"]).code, 64);
}

/// The man page, generated from the command line definition.
#[test]
fn the_man_page_is_generated() {
    let run = crate::support::outdial(["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(".TH OUTDIAL 1"),
        "{}",
        &run.stdout[..200]
    );
    for word in [
        "plan",
        "send",
        "completions",
        "Campaigns as code",
        "outdial\\-send",
    ] {
        assert!(run.stdout.contains(word), "the page mentions {word}");
    }
    let plan = crate::support::outdial(["man", "plan"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(
        plan.stdout.contains(".TH OUTDIAL-PLAN 1"),
        "{}",
        plan.stdout
    );
    let none = crate::support::outdial(["man", "sned"]);
    assert_eq!(none.code, 64, "{}", none.stderr);
    assert!(
        none.stderr.contains("there is no command \"sned\""),
        "{}",
        none.stderr
    );
}

/// `man --dir` writes a page per command, and `man -l` renders each one with its sections
/// (as `man outdial-send` does once the package installs them).
#[test]
fn man_dir_writes_a_page_per_command_that_man_renders() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let run = crate::support::outdial(["man", "--dir", s(&pages)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut files: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 19, "{files:?}");
    for command in ["check", "plan", "send", "delete", "report", "listen", "man"] {
        assert!(files.contains(&format!("outdial-{command}.1")), "{files:?}");
    }
    assert!(files.contains(&"outdial.1".to_owned()));
    if !crate::support::have_tool("man", "man-db", "the man pages were not rendered") {
        return;
    }
    for file in &files {
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(pages.join(file))
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for section in ["NAME", "SYNOPSIS", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES"] {
            assert!(text.contains(section), "{file} has no {section}: {text}");
        }
        assert!(text.contains("VOICESHOT_USERNAME"), "{file}");
    }
}

/// The example CI workflow's steps, run locally end to end by its script against the
/// sandbox, so the example cannot rot.
#[test]
fn the_example_ci_workflow_runs_locally() {
    let out = Command::new("sh")
        .arg("examples/ci/local.sh")
        .current_dir(crate::support::repo())
        .env("OUTDIAL", env!("CARGO_BIN_EXE_outdial"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", stderr(&out));
    assert!(
        stdout.contains("### outdial plan: `web-outage`"),
        "{stdout}"
    );
    assert!(stdout.contains("sent 3 numbers in 1 post"), "{stdout}");
    assert!(stdout.contains("sent 0 numbers in 0 posts"), "{stdout}");
    assert!(stdout.trim_end().ends_with("ok"), "{stdout}");
    let yaml =
        std::fs::read_to_string(crate::support::repo().join("examples/ci/outdial.yml")).unwrap();
    for step in [
        "outdial check",
        "--format markdown plan",
        "--format markdown diff",
        "--out plan.json",
        "--plan reviewed",
    ] {
        assert!(yaml.contains(step), "the workflow runs {step}");
    }
    // It installs a pinned release archive, checked against its checksums, in both jobs;
    // no crate of that name is published to install from source.
    assert_eq!(yaml.matches("| sha256sum -c -").count(), 2, "{yaml}");
    assert!(yaml.contains("OUTDIAL_VERSION: \"0.1.0\""), "{yaml}");
    assert!(!yaml.contains("cargo install"), "{yaml}");
}

/// The human plan shows what the Markdown comment shows: where the posts go (`--endpoint`
/// when given) and every prompt as written and as filled for the first recipient.
#[test]
fn the_human_plan_shows_the_endpoint_and_the_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let file = "examples/appointment-reminder.toml";
    let human = crate::support::outdial(["plan", file, "--journal", s(&journal)]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    let markdown = crate::support::outdial([
        "--format",
        "markdown",
        "plan",
        file,
        "--journal",
        s(&journal),
    ]);
    for part in [
        "to VoiceShot at https://api.voiceshot.com/ivrapi.asp",
        "\n    1 says: Hello {name}, this is {clinic}",
        "\n      for 8185550101 (call id appt4471): Hello Ann Lee, this is Maple Street Clinic",
        "\n    2 says: To reschedule, stay on the line & we'll transfer you.",
    ] {
        assert!(human.stdout.contains(part), "{part}: {}", human.stdout);
    }
    assert!(
        markdown
            .stdout
            .contains("https://api.voiceshot.com/ivrapi.asp")
    );
    let elsewhere = crate::support::outdial([
        "plan",
        file,
        "--journal",
        s(&journal),
        "--endpoint",
        "http://127.0.0.1:9/ivrapi.asp",
    ]);
    assert!(
        elsewhere
            .stdout
            .contains("at http://127.0.0.1:9/ivrapi.asp"),
        "{}",
        elsewhere.stdout
    );
}
