//! The documents cannot go stale: every `console` block in README.md and docs/ is run and
//! compared. In a block, a `$ ` line is a command, run by `sh` from the repository's root
//! with the freshly built `outdial` first on `PATH`, and the lines after it, up to the next
//! `$ ` line or the end of the block, are exactly what it prints (stdout, then stderr
//! through the same pipe, as a terminal would show them), line for line; only spaces at the
//! ends of lines are not compared, since editors strip them from documents.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::repo;

/// One command shown in a document, with the output shown under it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    /// The document and the line of the `$ ` line, for the failure message.
    place: String,
    /// The command, without `$ `.
    command: String,
    /// The output as shown, each line ended by a newline.
    output: String,
}

/// The commands of every `console` block of a Markdown text; a block whose first line is not
/// a command is an error (output shown without its command cannot be checked).
fn shown_in(name: &str, text: &str) -> Result<Vec<Shown>, String> {
    let mut shown: Vec<Shown> = Vec::new();
    let mut in_block = false;
    let mut first = false;
    for (i, line) in text.lines().enumerate() {
        let place = format!("{name}:{}", i + 1);
        let fence = line.trim_start();
        if !in_block {
            if fence.starts_with("```") && fence[3..].trim() == "console" {
                in_block = true;
                first = true;
            }
            continue;
        }
        if fence.starts_with("```") {
            in_block = false;
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            shown.push(Shown {
                place,
                command: command.to_owned(),
                output: String::new(),
            });
        } else if first {
            return Err(format!(
                "{place}: a console block must start with a `$ ` line"
            ));
        } else if let Some(last) = shown.last_mut() {
            last.output.push_str(line.trim_end());
            last.output.push('\n');
        }
        first = false;
    }
    if in_block {
        return Err(format!("{name}: a console block is not closed"));
    }
    Ok(shown)
}

/// A folder holding an `outdial` that runs the one under test at [`crate::support::NOW`]
/// unless the command says `--now`: the calling hours judge "now", and a document's output
/// must not depend on the hour the tests run at (by day in UTC it is night in Los Angeles).
fn pinned_outdial() -> tempfile::TempDir {
    let dir = crate::support::tempdir();
    let script = dir.path().join("outdial");
    let bin = env!("CARGO_BIN_EXE_outdial");
    let now = crate::support::NOW;
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \" $* \" in *' --now '*) exec '{bin}' \"$@\" ;; esac\nexec '{bin}' --now {now} \"$@\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// Runs a shown command and compares what it prints with what the document shows.
fn check(shown: &Shown) -> Result<(), String> {
    let pinned = pinned_outdial();
    let path = std::env::join_paths(std::iter::once(pinned.path().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 2>&1\n{}", shown.command))
        .current_dir(repo())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("VOICESHOT_USERNAME")
        .env_remove("VOICESHOT_PASSWORD")
        .env_remove("VOIPCOMM_API_KEY")
        .env_remove("VOIPCOMM_API_PASSWORD")
        .output()
        .map_err(|e| format!("{}: sh does not run: {e}", shown.place))?;
    // Trailing spaces aside (editors strip them from documents), the lines must be equal.
    let printed: String = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    if printed == shown.output {
        return Ok(());
    }
    let mut report = format!(
        "{}: `{}` printed something else\n",
        shown.place, shown.command
    );
    let (want, got): (Vec<&str>, Vec<&str>) =
        (shown.output.lines().collect(), printed.lines().collect());
    for i in 0..want.len().max(got.len()) {
        match (want.get(i), got.get(i)) {
            (Some(w), Some(g)) if w == g => {}
            (w, g) => {
                report.push_str(&format!(
                    "  line {}: the document shows {:?}\n          it prints      {:?}\n",
                    i + 1,
                    w.copied().unwrap_or("(nothing)"),
                    g.copied().unwrap_or("(nothing)")
                ));
            }
        }
    }
    Err(report)
}

/// README.md and every Markdown file under docs/, in a stable order.
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    let mut found = vec![repo().join("README.md")];
    walk(&repo().join("docs"), &mut found);
    found.sort();
    found
}

#[test]
// The count of commands checked is part of what the test reports.
#[allow(clippy::print_stderr)]
fn every_command_in_the_docs_prints_what_they_show() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let documents = documents();
    for file in &documents {
        let name = file.strip_prefix(repo()).unwrap().display().to_string();
        let text = std::fs::read_to_string(file).unwrap();
        let shown = shown_in(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        for s in &shown {
            checked += 1;
            if let Err(e) = check(s) {
                failures.push(e);
            }
        }
    }
    eprintln!(
        "checked {checked} commands in the console blocks of {} documents",
        documents.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The README's tour and the reference's examples at least: a runner that finds nothing
    // checks nothing.
    assert!(checked >= 10, "only {checked} commands found");
}

/// The runner catches a stale line: the document says 4 recipients where there are 3.
#[test]
#[allow(clippy::print_stderr)]
fn a_stale_line_fails_the_check() {
    let stale = "Some text.\n\n```console\n$ outdial check examples/outage-alert.toml\nexamples/outage-alert.toml: ok: \"web-outage\", 4 recipients, 1 prompt, 0 sound files, 1 call post (batches of 500); window = \"always\": calls ring at any hour of the recipient's day\n```\n";
    let shown = shown_in("stale.md", stale).unwrap();
    assert_eq!(shown.len(), 1);
    let err = check(&shown[0]).unwrap_err();
    // What a person running the tests sees (`-- --nocapture`).
    eprintln!("{err}");
    assert!(
        err.starts_with("stale.md:4: `outdial check examples/outage-alert.toml`"),
        "{err}"
    );
    assert!(
        err.contains(
            "the document shows \"examples/outage-alert.toml: ok: \\\"web-outage\\\", 4 recipients"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "it prints      \"examples/outage-alert.toml: ok: \\\"web-outage\\\", 3 recipients"
        ),
        "{err}"
    );
    // The same block, up to date, passes.
    let fresh = stale.replace("4 recipients", "3 recipients");
    check(&shown_in("fresh.md", &fresh).unwrap()[0]).unwrap();
}

#[test]
fn console_blocks_are_read_command_by_command() {
    let text = "```sh\n$ not checked\n```\n```console\n$ a\none\ntwo\n$ b\n```\n```console\nno command\n```\n";
    let err = shown_in("x.md", text).unwrap_err();
    assert_eq!(err, "x.md:11: a console block must start with a `$ ` line");
    let ok = shown_in("x.md", &text[..text.find("```console\nno").unwrap()]).unwrap();
    assert_eq!(
        ok,
        [
            Shown {
                place: "x.md:5".into(),
                command: "a".into(),
                output: "one\ntwo\n".into()
            },
            Shown {
                place: "x.md:8".into(),
                command: "b".into(),
                output: String::new()
            }
        ]
    );
    assert!(
        shown_in("y.md", "```console\n$ a\n").is_err(),
        "an open block"
    );
}
