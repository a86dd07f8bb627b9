//! Golden diagnostics: every broken campaign in `tests/fixtures/invalid/` is rejected with
//! exit 1, nothing on stdout, and exactly the rendered problems of its snapshot.

use crate::support::{json_lines, outdial};

#[test]
fn every_invalid_fixture_has_golden_diagnostics() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    insta::glob!(fixtures, "invalid/*.toml", |path| {
        let relative = path
            .strip_prefix(crate::support::repo())
            .expect("inside the repo");
        let run = outdial([std::path::Path::new("check"), relative]);
        assert_eq!(run.code, 1, "{}: {}", relative.display(), run.stderr);
        assert!(
            run.stdout.is_empty(),
            "nothing on stdout for an invalid file: {}",
            run.stdout
        );
        insta::assert_snapshot!(run.stderr);
    });
}

#[test]
fn all_problems_of_a_file_are_reported_at_once_each_at_its_line() {
    let run = outdial(["check", "tests/fixtures/invalid/many-mistakes.toml"]);
    assert_eq!(run.code, 1);
    let locations: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("╭─["))
        .filter_map(|l| l.split("many-mistakes.toml:").nth(1))
        .map(|rest| rest.trim_end_matches(']'))
        .collect();
    assert_eq!(
        locations,
        [
            "2:8", "3:12", "6:10", "7:1", "8:14", "12:14", "12:22", "15:6", "17:9", "20:28",
            "20:43", "20:63"
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("tests/fixtures/invalid/many-mistakes.toml: 12 errors, 0 warnings\n")
    );
}

#[test]
fn json_diagnostics_carry_file_line_and_column() {
    let run = outdial([
        "--format",
        "json",
        "check",
        "tests/fixtures/invalid/callids.toml",
    ]);
    assert_eq!(run.code, 1);
    let events = json_lines(&run.stdout);
    assert_eq!(events[0]["type"], "version");
    let problems: Vec<_> = events.iter().filter(|e| e["type"] == "problem").collect();
    assert_eq!(problems.len(), 5, "{}", run.stdout);
    let first = problems[0];
    assert_eq!(first["file"], "tests/fixtures/invalid/callids.toml");
    assert_eq!(first["line"], 13);
    assert_eq!(first["column"], 10);
    assert_eq!(first["code"], "campaign::bad-callid");
    assert!(
        first["help"]
            .as_str()
            .is_some_and(|h| h.contains("letters and digits"))
    );
    let summary = events.last().expect("a summary");
    assert_eq!(summary["type"], "checked");
    assert_eq!(summary["ok"], false);
    assert_eq!(summary["errors"], 5);
}

#[test]
fn warnings_do_not_fail_a_valid_file() {
    let run = outdial(["check", "tests/fixtures/valid/warnings.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
    assert_eq!(
        run.stdout,
        "tests/fixtures/valid/warnings.toml: ok: \"warnings\", 2 recipients, 1 prompt, 0 sound files, 1 call post (batches of 500), 3 warnings\n"
    );
}

#[test]
fn a_voiceshot_campaign_without_a_prompt_is_warned_about() {
    let run = outdial(["check", "tests/fixtures/valid/no-prompt.toml"]);
    assert_eq!(run.code, 0, "a warning, not an error: {}", run.stderr);
    insta::assert_snapshot!(run.stderr);
    assert!(run.stdout.ends_with(", 1 warning\n"), "{}", run.stdout);
    // Not for a file that only pauses (no recipients), nor for other providers, whose
    // tables say what to play.
    for quiet in [
        "examples/pause.toml",
        "examples/voicent-ivr.toml",
        "examples/voipcomm-bridge.toml",
    ] {
        let run = outdial(["check", quiet]);
        assert!(!run.stderr.contains("no-prompt"), "{quiet}: {}", run.stderr);
    }
}

#[test]
fn five_bad_wav_files_are_five_problems_each_with_a_fix() {
    let run = outdial([
        "--format",
        "json",
        "check",
        "tests/fixtures/invalid/bad-audio.toml",
    ]);
    assert_eq!(run.code, 1);
    let problems: Vec<serde_json::Value> = json_lines(&run.stdout)
        .into_iter()
        .filter(|e| e["type"] == "problem")
        .collect();
    let codes: Vec<&str> = problems
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "audio::wrong-format",
            "audio::wrong-format",
            "audio::data-truncated",
            "audio::not-wav",
            "audio::rifx"
        ]
    );
    let lines: Vec<u64> = problems
        .iter()
        .map(|p| p["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [10, 14, 18, 22, 26],
        "each points at its audio = line"
    );
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("44100 Hz stereo 16-bit PCM")
    );
    assert!(
        problems[1]["message"]
            .as_str()
            .unwrap()
            .contains("µ-law (format 7)")
    );
    assert!(problems[0]["help"].as_str().unwrap().starts_with(
        "convert it: sox 'tests/fixtures/audio/bad/44k-stereo.wav' -r 8000 -c 1 -b 16"
    ));
    assert!(
        problems
            .iter()
            .all(|p| p["help"].as_str().is_some_and(|h| !h.is_empty()))
    );
}

/// Checks a generated campaign (too big to keep as a fixture) as a person and as JSON.
fn check_generated(name: &str, text: &str) -> (crate::support::Run, Vec<serde_json::Value>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write the campaign");
    let human = outdial([std::ffi::OsStr::new("check"), path.as_os_str()]);
    let json = outdial([
        std::ffi::OsStr::new("--format"),
        "json".as_ref(),
        "check".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let problems = json_lines(&json.stdout)
        .into_iter()
        .filter(|e| e["type"] == "problem")
        .collect();
    (human, problems)
}

#[test]
fn a_problem_past_column_65535_is_shown_clipped_and_reported_at_its_exact_column() {
    // `printf '%65535s=\n' ''`: miette pads to a label's column and panicked (exit 101) from
    // column 65,536 on.
    let (human, problems) = check_generated("c.toml", &format!("{}=\n", " ".repeat(65_535)));
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(!human.stderr.contains("panicked"), "{}", human.stderr);
    assert!(human.stderr.contains("c.toml:1:65536]"), "{}", human.stderr);
    assert!(human.stderr.len() < 4_000, "the line is clipped");
    assert_eq!(problems[0]["code"], "campaign::syntax");
    assert_eq!(
        (&problems[0]["line"], &problems[0]["column"]),
        (&1.into(), &65_536.into())
    );
}

#[test]
fn an_undefined_placeholder_after_70000_characters_of_tts_is_shown_clipped() {
    let text = format!(
        "[campaign]\nname = \"long\"\n\n[voiceshot]\nmenuid = \"1-1234\"\n\n\
         [[prompt]]\nid = 1\ntts = \"{} {{nope}}.\"\n\n\
         [recipients]\nnumbers = [\"8185550100\"]\n",
        "a".repeat(70_000)
    );
    let (human, problems) = check_generated("long.toml", &text);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(!human.stderr.contains("panicked"), "{}", human.stderr);
    // `tts = "` is 7 characters, then 70,000 and a space: `{nope}` starts at column 70,009.
    assert!(
        human.stderr.contains("long.toml:9:70009]"),
        "{}",
        human.stderr
    );
    assert!(human.stderr.contains("aaa {nope}.\""), "{}", human.stderr);
    assert!(human.stderr.len() < 4_000, "the line is clipped");
    let missing: Vec<_> = problems
        .iter()
        .filter(|p| p["code"] == "campaign::missing-var")
        .collect();
    assert_eq!(missing.len(), 1, "{problems:?}");
    assert_eq!(
        (&missing[0]["line"], &missing[0]["column"]),
        (&9.into(), &70_009.into())
    );
}
