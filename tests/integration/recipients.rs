//! Recipients at scale, with real CSV fixtures under `tests/fixtures/csv/`: quoting, BOM,
//! encodings, ragged rows, every number shape, dedupe across the campaign file and the CSV,
//! both suppression formats, template values, times, and `plan` counts.

use std::path::{Path, PathBuf};
use std::process::Command;

use outdial::diagnostic::{Problem, Problems};
use outdial::load::{self, LoadOptions, Loaded};
use outdial::plan::{self, Action, Post};
use outdial::prepared::Prepared;
use outdial::prepared::encode_to_vec as post_to_vec;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/csv")
        .join(name)
}

/// Times in the fixtures are judged from mid-2026, so the tests do not age.
fn options(deny_past: bool) -> LoadOptions {
    LoadOptions {
        deny_past,
        now: Some("2026-06-01T00:00:00Z".parse().unwrap()),
        ..LoadOptions::default()
    }
}

fn load(name: &str) -> Loaded {
    match load::load_with(&fixture(name), &options(false)) {
        Ok(loaded) => loaded,
        Err(problems) => panic!("{name} should load: {:#?}", codes(&problems)),
    }
}

fn load_err(name: &str, deny_past: bool) -> Vec<Problem> {
    match load::load_with(&fixture(name), &options(deny_past)) {
        Ok(_) => panic!("{name} should fail"),
        Err(problems) => problems.into_sorted(),
    }
}

fn codes(problems: &Problems) -> Vec<(&'static str, String)> {
    problems
        .iter()
        .map(|p| (p.code(), p.message().to_string()))
        .collect()
}

/// (code, file name, line, column) of each error.
fn places(problems: &[Problem]) -> Vec<(&'static str, String, usize, usize)> {
    problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| {
            let r = p.record();
            let file = Path::new(r.file.unwrap_or_default())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (p.code(), file, r.line.unwrap_or(0), r.column.unwrap_or(0))
        })
        .collect()
}

fn posts(campaign: &Prepared) -> Vec<Post<'_>> {
    plan::posts(campaign, Action::Send)
        .collect::<Result<_, _>>()
        .expect("posts")
}

fn xml(campaign: &Prepared) -> String {
    posts(campaign)
        .iter()
        .map(|p| String::from_utf8(post_to_vec(campaign, p).unwrap()).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn plan_counts_every_kind_of_row() {
    let loaded = load("contacts.toml");
    let s = &loaded.campaign.stats;
    // 15 rows: 3 invalid (+44 number, 9 digits, bad call id); of the 12 valid, one repeats a
    // CSV number and one the campaign file's; two are on the do-not-call lists.
    assert_eq!(
        (s.inline, s.rows, s.valid, s.invalid),
        (2, 15, 12, 3),
        "{s:?}"
    );
    // The lists hold three numbers: two North American ones, and one abroad (kept, since a
    // provider that calls abroad must find it suppressed).
    assert_eq!(
        (s.duplicates, s.suppressed, s.suppress_list, s.recipients),
        (2, 2, 3, 10),
        "{s:?}"
    );
    assert_eq!(s.skipped.len(), 3);
    assert_eq!(plan::post_count(&loaded.campaign, Action::Send), 3);
    let posts = posts(&loaded.campaign);
    let sizes: Vec<usize> = posts.iter().map(|p| p.body.recipients().len()).collect();
    assert_eq!(sizes, [4, 4, 2]);
    let warnings = codes(&loaded.warnings);
    let dups: Vec<_> = warnings
        .iter()
        .filter(|(c, _)| *c == "csv::duplicate-number")
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(
        dups,
        [
            "8185550100 on line 10 is listed twice; it is called once (first on line 2)",
            &format!(
                "8185550117 on line 16 is listed twice; it is called once (first on {} line 20)",
                fixture("contacts.toml").display()
            ),
        ]
    );
}

#[test]
fn every_number_shape_and_odd_quoting_reach_the_xml() {
    let loaded = load("contacts.toml");
    let campaign = &loaded.campaign;
    let numbers: Vec<String> = posts(campaign)
        .iter()
        .flat_map(|p| p.body.recipients().iter().map(|r| r.number.to_string()))
        .collect();
    // The campaign file's recipients first, then CSV order; duplicates, suppressed numbers
    // (0107 from dnc.txt, 0108 from dnc.csv) and invalid rows are gone.
    assert_eq!(
        numbers,
        [
            "8185550152",
            "8185550117",
            "8185550100",
            "8185550101",
            "8185550102",
            "8185550103",
            "8185550104",
            "8185550105",
            "8185550106",
            "8185550109",
        ]
    );
    let xml = xml(campaign);
    // BOM stripped from the header, a quoted comma, a blank cell filled from [vars], the
    // callid column used where given and derived elsewhere.
    assert!(
        xml.contains(r#"<phonenumber number="8185550100" callid="csvcontacts8185550100">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"tts="Hello Lee, Ann, this is a test.""#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<phonenumber number="8185550101" callid="bob1">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"tts="Hello friend, this is a test.""#),
        "{xml}"
    );
    let rows: Vec<Option<u64>> = posts(campaign)[0]
        .body
        .recipients()
        .iter()
        .map(|r| r.row)
        .collect();
    assert_eq!(rows, [None, None, Some(2), Some(3)]);
}

#[test]
fn invalid_rows_fail_the_check_with_file_line_and_column() {
    let problems = load_err("contacts-strict.toml", false);
    assert_eq!(
        places(&problems),
        [
            ("csv::bad-number", "contacts.csv".into(), 13, 1),
            ("csv::bad-number", "contacts.csv".into(), 14, 1),
            ("csv::bad-callid", "contacts.csv".into(), 17, 25),
        ]
    );
    let foreign = problems
        .iter()
        .find(|p| p.location().map(|l| l.line) == Some(13))
        .unwrap();
    assert_eq!(
        foreign.message(),
        "line 13, column 1 (phone): +44 20 7946 0958 is a GB number (+44); VoiceShot calls \
         NANP numbers only"
    );
}

#[test]
fn a_file_that_is_not_utf8_fails_even_when_skipping() {
    let problems = load_err("not-utf8.toml", false);
    assert_eq!(
        places(&problems),
        [("csv::not-utf8", "latin1.csv".into(), 3, 12)]
    );
    assert_eq!(
        problems[0].message(),
        "line 3, column 2 (name): this cell is not UTF-8 text"
    );
}

#[test]
fn ragged_rows_name_their_lines() {
    let problems = load_err("ragged.toml", false);
    assert_eq!(
        places(&problems),
        [
            ("csv::ragged-row", "ragged.csv".into(), 3, 1),
            ("csv::ragged-row", "ragged.csv".into(), 4, 1),
        ]
    );
    assert_eq!(
        problems[0].message(),
        "line 3: the row has 3 fields; the header has 2"
    );
}

#[test]
fn missing_template_values() {
    // A placeholder that is neither a column nor a var: reported on the template.
    let problems = load_err("missing-var.toml", false);
    assert_eq!(
        places(&problems),
        [("campaign::missing-var", "missing-var.toml".into(), 18, 13)]
    );
    assert!(
        problems[0]
            .help_text()
            .unwrap()
            .contains("or add a `dept` column to"),
        "{:?}",
        problems[0].help_text()
    );
    // A blank cell with no default names the row; a blank cell with a default is fine.
    let problems = load_err("blank-name.toml", false);
    assert_eq!(
        places(&problems),
        [("csv::missing-var", "blanks.csv".into(), 3, 12)]
    );
    assert_eq!(
        problems[0].message(),
        "line 3, column 2 (name): `{name}` has no value in this row"
    );
}

#[test]
fn times_windows_and_call_id_groups() {
    let loaded = load("times.toml");
    let s = &loaded.campaign.stats;
    // Line 3 is outside 08:00-21:00 and line 5 reuses call id a1: both skipped. Line 4 is
    // in the past: a warning.
    assert_eq!(
        (s.rows, s.valid, s.invalid, s.past, s.recipients),
        (5, 3, 2, 1, 3)
    );
    let skipped: Vec<_> = s.skipped.iter().map(|p| p.code()).collect();
    assert_eq!(skipped, ["csv::outside-window", "csv::duplicate-callid"]);
    assert!(
        codes(&loaded.warnings)
            .iter()
            .any(|(c, _)| *c == "csv::past-time")
    );
    let xml = xml(&loaded.campaign);
    assert!(
        xml.contains(r#"callid="a1" dateandtime="12/1/2026 9:00 AM"/>"#),
        "{xml}"
    );
    // A blank `at` cell takes [recipients] at.
    let shared = load("times-shared.toml");
    assert_eq!(shared.campaign.stats.recipients, 4);
    assert!(
        xml_of("times-shared.toml")
            .contains(r#"number="3125550103" callid="a1" dateandtime="12/1/2026 12:00 PM"/>"#)
    );
    // --deny-past makes the past row invalid instead (skipped here, as on_invalid says).
    let strict = load::load_with(&fixture("times.toml"), &options(true)).unwrap();
    assert_eq!(strict.campaign.stats.invalid, 3);
}

fn xml_of(name: &str) -> String {
    xml(&load(name).campaign)
}

#[test]
fn a_csv_changed_after_the_check_stops_the_posts() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["contacts.toml", "contacts.csv", "dnc.txt", "dnc.csv"] {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
    }
    let loaded = load::load_with(&dir.path().join("contacts.toml"), &options(false)).unwrap();
    let mut text = std::fs::read(dir.path().join("contacts.csv")).unwrap();
    text.extend_from_slice(b"8185550199,New,row,\r\n");
    std::fs::write(dir.path().join("contacts.csv"), text).unwrap();
    let results: Vec<_> = plan::posts(&loaded.campaign, Action::Send).collect();
    let err = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("a problem");
    assert_eq!(err.code(), "csv::changed");
    assert!(
        results.last().unwrap().is_err(),
        "nothing after the problem"
    );
}

#[test]
fn plan_command_json_counts() {
    let out = Command::new(env!("CARGO_BIN_EXE_outdial"))
        .args(["--format", "json", "plan", "--now", crate::support::NOW])
        .arg(fixture("contacts.toml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let plan: serde_json::Value = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["type"] == "plan")
        .expect("a plan event");
    for (key, want) in [
        ("inline", 2),
        ("rows", 15),
        ("valid", 12),
        ("invalid", 3),
        ("duplicates", 2),
        ("suppressed", 2),
        ("recipients", 10),
        ("call_posts", 3),
        ("posts", 3),
    ] {
        assert_eq!(plan[key], want, "{key} in {plan}");
    }
    // The bytes are what `compile` writes.
    let compiled = Command::new(env!("CARGO_BIN_EXE_outdial"))
        .args(["compile", "--now", crate::support::NOW])
        .arg(fixture("contacts.toml"))
        .output()
        .unwrap();
    assert_eq!(plan["bytes"], compiled.stdout.len());
    let skipped = stdout
        .lines()
        .filter(|l| l.contains("\"severity\":\"warning\"") && l.contains("skipped line"))
        .count();
    assert_eq!(skipped, 3);
}
