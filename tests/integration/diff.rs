//! `diff`: golden outputs over `tests/fixtures/diff/<case>/{old,new}.toml`, the exit codes
//! (0 the same, 2 different, 1 an error), and `--base` against a real git repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{json_lines, outdial, tempdir};

/// The fixture cases, sorted.
fn cases() -> Vec<PathBuf> {
    let dir = crate::support::repo().join("tests/fixtures/diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("old.toml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 6, "{cases:?}");
    cases
}

fn files(case: &Path) -> [String; 2] {
    let name = case.file_name().unwrap().to_string_lossy();
    ["old", "new"].map(|side| format!("tests/fixtures/diff/{name}/{side}.toml"))
}

#[test]
fn every_case_has_golden_outputs_in_each_format() {
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let [old, new] = files(&case);
        let expected = if name == "no-change" { 0 } else { 2 };
        for format in ["human", "markdown"] {
            let run = outdial(["--format", format, "diff", &old, &new]);
            assert_eq!(run.code, expected, "{name} {format}: {}", run.stderr);
            assert_eq!(run.stderr, "", "{name} {format}");
            insta::assert_snapshot!(format!("{name}-{format}"), run.stdout);
        }
        let run = outdial(["--format", "json", "diff", &old, &new]);
        assert_eq!(run.code, expected, "{name} json: {}", run.stderr);
        let lines = json_lines(&run.stdout);
        assert_eq!(lines[0]["type"], "version");
        let last = lines.last().unwrap();
        assert_eq!(last["type"], "diff");
        assert_eq!(last["differs"], expected == 2);
        assert!(
            lines[1..lines.len() - 1]
                .iter()
                .all(|l| l["type"] == "change"),
            "{name}: {}",
            run.stdout
        );
        assert_eq!(
            lines.len() - 2,
            count(last),
            "{name}: one record per change"
        );
    }
}

fn count(last: &serde_json::Value) -> usize {
    ["settings", "prompts", "added", "removed", "changed"]
        .iter()
        .map(|k| last[k].as_u64().unwrap() as usize)
        .sum()
}

#[test]
fn json_records_name_each_recipient_change() {
    let [old, new] = files(Path::new("recipients"));
    let run = outdial(["--format", "json", "diff", &old, &new]);
    assert_eq!(run.code, 2);
    let lines = json_lines(&run.stdout);
    let recipients: Vec<(String, String)> = lines
        .iter()
        .filter(|l| l["what"] == "recipient")
        .map(|l| {
            (
                l["callid"].as_str().unwrap().to_owned(),
                l["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("ord3", "changed"),
        ("ord4", "changed"),
        ("ord5", "added"),
        ("ord2", "removed"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(recipients, expected);
    let ord3 = lines.iter().find(|l| l["callid"] == "ord3").unwrap();
    assert_eq!(
        ord3["new"]["spoken"]["1"],
        "Hello Cara, your order ships Wednesday."
    );
    assert_eq!(
        ord3["old"]["spoken"]["1"],
        "Hello Cara, your order ships Tuesday."
    );
    // The removed recipient carries how it was called; the added one how it will be.
    let ord2 = lines.iter().find(|l| l["callid"] == "ord2").unwrap();
    assert_eq!(
        ord2["old"]["spoken"]["1"],
        "Hello Bob, your order ships Monday."
    );
    assert!(ord2["new"].is_null());
    let ord4 = lines.iter().find(|l| l["callid"] == "ord4").unwrap();
    assert_eq!(
        ord4["old"]["at"],
        "2027-03-01T11:00:00-06:00[America/Chicago]"
    );
    assert_eq!(
        ord4["new"]["at"],
        "2027-03-01T12:00:00-06:00[America/Chicago]"
    );
    assert_eq!(
        lines.last().unwrap()["unchanged"],
        1,
        "Ann is called the same way"
    );
}

#[test]
fn a_campaign_that_does_not_load_is_an_error_not_a_difference() {
    let run = outdial([
        "diff",
        "tests/fixtures/diff/no-change/old.toml",
        "tests/fixtures/invalid/callids.toml",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("callids.toml"), "{}", run.stderr);
    let missing = outdial(["diff", "tests/fixtures/diff/no-change/old.toml"]);
    assert_eq!(missing.code, 64, "a usage error: NEW or --base is required");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn base_compares_with_the_committed_campaign_and_its_csv() {
    let fixtures = crate::support::repo().join("tests/fixtures/diff/recipients");
    let repo = tempdir();
    let folder = repo.path().join("campaigns");
    std::fs::create_dir(&folder).unwrap();
    let campaign = std::fs::read_to_string(fixtures.join("old.toml"))
        .unwrap()
        .replace("old.csv", "../lists/contacts.csv");
    std::fs::write(folder.join("orders.toml"), &campaign).unwrap();
    std::fs::create_dir(repo.path().join("lists")).unwrap();
    let csv = repo.path().join("lists/contacts.csv");
    std::fs::copy(fixtures.join("old.csv"), &csv).unwrap();
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "orders"]);
    let file = folder.join("orders.toml");
    let file = file.to_str().unwrap();

    let same = outdial(["diff", file, "--base", "HEAD"]);
    assert_eq!(same.code, 0, "{}{}", same.stdout, same.stderr);
    assert!(same.stdout.contains("no differences (4 recipients)"));
    assert!(same.stdout.starts_with("HEAD:"), "{}", same.stdout);

    // Only the CSV changes: the old side must read it at the ref, not from the work tree.
    std::fs::copy(fixtures.join("new.csv"), &csv).unwrap();
    let run = outdial(["--format", "json", "diff", file, "--base", "HEAD"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let last = json_lines(&run.stdout).pop().unwrap();
    assert_eq!(
        (
            &last["settings"],
            &last["added"],
            &last["removed"],
            &last["changed"]
        ),
        (&0.into(), &1.into(), &1.into(), &2.into()),
        "{}",
        run.stdout
    );
    assert_eq!(last["old"], format!("HEAD:{file}"));

    let bad = outdial(["diff", file, "--base", "no-such-branch"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("diff::base"), "{}", bad.stderr);
    let option = outdial(["diff", file, "--base=--output=/tmp/x"]);
    assert_eq!(option.code, 1);
    assert!(option.stderr.contains("diff::ref"), "{}", option.stderr);

    // A committed version that does not load is an error that says which version it was.
    std::fs::write(
        folder.join("orders.toml"),
        campaign.replace("1-1234", "1234"),
    )
    .unwrap();
    git(repo.path(), &["commit", "-q", "-am", "broken"]);
    std::fs::write(folder.join("orders.toml"), &campaign).unwrap();
    let broken = outdial(["diff", file, "--base", "HEAD"]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    assert!(
        broken.stderr.contains("campaign::bad-menuid"),
        "{}",
        broken.stderr
    );
    assert!(
        broken
            .stderr
            .contains(&format!("HEAD:{file} does not load")),
        "{}",
        broken.stderr
    );
}

#[test]
fn base_outside_a_repository_says_so() {
    let dir = tempdir();
    let file = dir.path().join("c.toml");
    std::fs::copy(
        crate::support::repo().join("tests/fixtures/diff/no-change/old.toml"),
        &file,
    )
    .unwrap();
    let run = outdial(["diff", file.to_str().unwrap(), "--base", "HEAD"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("diff::git"), "{}", run.stderr);
}
