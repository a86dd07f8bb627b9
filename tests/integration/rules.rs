//! Calling rules (issue 16), with fixtures under `tests/fixtures/rules/`: calling hours in each
//! recipient's own time zone on both sides of a daylight-saving change, immediate calls outside
//! them (an error, or deferred), quiet days, and a cap reached through an earlier campaign's
//! journal.

use std::path::{Path, PathBuf};

use outdial::campaign::ZoneRules;
use outdial::diagnostic::Problem;
use outdial::load::{self, LoadOptions, Loaded};
use outdial::plan::{self, Action};

use crate::support::{json_lines, outdial};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(name)
}

fn at(now: &str) -> LoadOptions {
    LoadOptions {
        deny_past: false,
        now: Some(now.parse().unwrap()),
        ..LoadOptions::default()
    }
}

fn load(name: &str, now: &str) -> Loaded {
    match load::load_with(&fixture(name), &at(now)) {
        Ok(loaded) => loaded,
        Err(problems) => panic!(
            "{name} should load: {:#?}",
            problems.iter().collect::<Vec<_>>()
        ),
    }
}

fn errors(name: &str, now: &str) -> Vec<Problem> {
    match load::load_with(&fixture(name), &at(now)) {
        Ok(_) => panic!("{name} should fail"),
        Err(problems) => problems.iter().filter(|p| p.is_error()).cloned().collect(),
    }
}

/// Number → when it is called (RFC 9557, or "now").
fn schedule(loaded: &Loaded) -> Vec<(String, String)> {
    plan::all_posts(&loaded.campaign, Action::Send)
        .unwrap()
        .iter()
        .flat_map(|p| p.body.recipients().to_vec())
        .map(|r| {
            let when = r.at.map_or_else(
                || "now".to_string(),
                |at| at.strftime("%F %H:%M %Z").to_string(),
            );
            (r.number.to_string(), when)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn zone<'a>(rules: &'a [ZoneRules], name: &str) -> &'a ZoneRules {
    rules
        .iter()
        .find(|r| r.zone == name)
        .unwrap_or_else(|| panic!("no {name} in {rules:#?}"))
}

#[test]
fn new_york_at_nine_defers_hawaii_alaska_and_arizona_in_winter_and_in_summer() {
    // 09:00 in New York on Tuesday 1 December (EST, UTC-5): Honolulu 04:00, Adak 04:00,
    // Phoenix 07:00, St. John's 10:30. Alaska's 907 spans Adak and Honolulu as well as
    // Anchorage: the most restrictive zone decides.
    let winter = load("new-york.toml", "2026-12-01T14:00:00Z");
    assert_eq!(
        schedule(&winter),
        pairs(&[
            ("2125550100", "now"),
            ("8085550100", "2026-12-01 13:00 EST"),
            ("9075550100", "2026-12-01 13:00 EST"),
            ("6025550100", "2026-12-01 10:00 EST"),
            ("7095550100", "now"),
        ])
    );
    let s = &winter.campaign.stats;
    assert_eq!((s.deferred, s.recipients), (3, 5));
    let hawaii = zone(&s.rules, "Pacific/Honolulu");
    assert_eq!(hawaii.deferred, 1);
    assert_eq!(
        hawaii.deferred_to.as_deref(),
        Some("2026-12-01T13:00:00-05:00[America/New_York]")
    );
    assert_eq!(zone(&s.rules, "America/Phoenix").deferred, 1);
    assert_eq!(
        zone(
            &s.rules,
            "America/Adak, America/Anchorage, America/Juneau, Pacific/Honolulu"
        )
        .deferred,
        1
    );
    assert!(
        winter
            .warnings
            .iter()
            .any(|w| w.code() == "campaign::calling-rules" && w.message().contains("3 deferred")),
    );

    // 09:00 in New York on Wednesday 1 July (EDT, UTC-4): Phoenix keeps MST, so it is 06:00
    // there and the opening is 11:00 in New York, not 10:00.
    let summer = load("new-york.toml", "2026-07-01T13:00:00Z");
    assert_eq!(
        schedule(&summer),
        pairs(&[
            ("2125550100", "now"),
            ("8085550100", "2026-07-01 14:00 EDT"),
            ("9075550100", "2026-07-01 14:00 EDT"),
            ("6025550100", "2026-07-01 11:00 EDT"),
            ("7095550100", "now"),
        ])
    );
}

#[test]
fn scheduled_calls_are_judged_in_the_recipients_time_on_both_sides_of_dst() {
    let loaded = load("scheduled.toml", "2026-06-01T00:00:00Z");
    let s = &loaded.campaign.stats;
    assert_eq!((s.rows, s.valid, s.invalid, s.recipients), (10, 4, 6, 4));
    assert_eq!(s.outside_window, 6);
    let called: Vec<String> = schedule(&loaded).into_iter().map(|(n, _)| n).collect();
    // 09:00 New York in December is 10:30 in St. John's; 10:00 is 08:00 in Phoenix in
    // December, but 07:00 in July (Arizona keeps standard time). At 06:45 New York in July,
    // St. John's is 08:15 but Labrador (709 spans both) 07:45: refused; a 709 row that names
    // America/St_Johns is called, and a toll-free one that names Pacific/Honolulu is not.
    assert_eq!(
        called,
        ["2125550100", "7095550100", "6025550101", "7095550102"]
    );
    let skipped: Vec<(String, String)> = s
        .skipped
        .iter()
        .map(|p| (p.code().to_string(), p.message().to_string()))
        .collect();
    assert_eq!(skipped.len(), 6);
    assert!(skipped.iter().all(|(c, _)| c == "csv::outside-window"));
    assert!(
        skipped[0]
            .1
            .contains("the call at 2026-12-01 09:00 rings Tue 04:00 in Pacific/Honolulu"),
        "{skipped:#?}"
    );
    assert!(
        skipped[4].1.contains("Wed 07:45 in America/Halifax"),
        "{skipped:#?}"
    );
    assert_eq!(zone(&s.rules, "America/Phoenix").outside_window, 2);
    assert_eq!(zone(&s.rules, "Pacific/Honolulu").outside_window, 2);
}

#[test]
fn an_immediate_call_outside_the_window_is_an_error() {
    // 20:00 in New York is 15:00 in Honolulu: fine; 06:00 the next morning in New York is
    // too early in New York and 01:00 in Honolulu.
    assert!(load::load_with(&fixture("immediate.toml"), &at("2026-12-02T01:00:00Z")).is_ok());
    let problems = errors("immediate.toml", "2026-12-02T11:00:00Z");
    let codes: Vec<&str> = problems.iter().map(|p| p.code()).collect();
    assert_eq!(
        codes,
        ["campaign::outside-window", "campaign::outside-window"]
    );
    assert!(
        problems[1]
            .message()
            .contains("8085550100 calling now rings Wed 01:00 in Pacific/Honolulu"),
        "{}",
        problems[1].message()
    );
}

#[test]
fn the_cli_pins_the_clock_with_now() {
    let run = outdial([
        "--now",
        "2026-12-02T11:00:00Z",
        "check",
        "tests/fixtures/rules/immediate.toml",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!("immediate-outside-window", run.stderr);
    let ok = outdial([
        "--now",
        "2026-12-02T01:00:00Z",
        "check",
        "tests/fixtures/rules/immediate.toml",
    ]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
}

#[test]
fn quiet_days_are_in_the_recipients_calendar() {
    // Sunday 6 December, 09:00 in New York: quiet everywhere; the calls wait for Monday 08:00
    // in each recipient's time. The recipient scheduled on Christmas Day is an error.
    let problems = errors("quiet.toml", "2026-12-06T14:00:00Z");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code(), "campaign::quiet-day");
    assert!(
        problems[0]
            .message()
            .contains("Fri 10:00 in America/Chicago")
    );

    // Saturday 5 December 23:00 in Honolulu is already Sunday in New York: the New York
    // number waits for Monday, the Honolulu one is called on Saturday evening.
    let text = std::fs::read_to_string(fixture("quiet.toml")).unwrap();
    let text = text.replace("at = \"2026-12-25 11:00\"", "at = \"2026-12-28 11:00\"");
    let loaded =
        load::load_str_with(&fixture("quiet.toml"), text, &at("2026-12-06T05:00:00Z")).unwrap();
    assert_eq!(
        schedule(&loaded),
        pairs(&[
            ("3125550100", "2026-12-28 11:00 EST"),
            ("2125550100", "2026-12-07 08:00 EST"),
            ("8085550100", "now"),
        ])
    );
}

#[test]
fn max_calls_counts_an_earlier_campaigns_journal() {
    // .outdial/earlier.jsonl: 2125550100 accepted on 27 Nov and maybe taken (ambiguous) on
    // 29 Nov; 2125550101 once this week and once a month ago; 2125550102 rejected.
    let loaded = load("cap.toml", "2026-11-30T15:00:00Z");
    let s = &loaded.campaign.stats;
    assert_eq!((s.capped, s.recipients, s.journals), (1, 2, 1));
    assert_eq!(zone(&s.rules, "America/New_York").capped, 1);
    let called: Vec<String> = schedule(&loaded).into_iter().map(|(n, _)| n).collect();
    assert_eq!(called, ["2125550101", "2125550102"]);
    // A week later the calls have aged out.
    let later = load("cap.toml", "2026-12-07T15:00:00Z");
    assert_eq!(later.campaign.stats.capped, 0);

    let run = outdial([
        "--format",
        "json",
        "--now",
        "2026-11-30T15:00:00Z",
        "plan",
        "tests/fixtures/rules/cap.toml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = json_lines(&run.stdout);
    let plan = events.iter().find(|e| e["type"] == "plan").unwrap();
    assert_eq!(plan["recipients"], 2);
}

/// Only what rings someone is held to the calling hours: with every day quiet, `check`, a
/// plan and a send refuse the campaign at any hour, while a query, a removal and a sound
/// upload of the same campaign are made (at the real clock, in the binary's own words).
#[test]
fn requests_that_ring_no_one_are_made_at_any_hour() {
    let file = fixture("never-open.toml");
    let file = file.to_str().unwrap();
    let now = jiff::Timestamp::now().to_string();
    for args in [
        &["check", file][..],
        &["plan", file],
        &["send", file, "--dry-run"],
        &["compile", file],
    ] {
        let run = outdial(args.iter().copied().chain(["--now", now.as_str()]));
        assert_eq!(run.code, 1, "{args:?} rings someone: {}", run.stderr);
        assert!(
            run.stderr.contains("campaign::quiet-day"),
            "{args:?}: {}",
            run.stderr
        );
    }
    for (args, shows) in [
        (&["compile", file, "--action", "query"][..], r#"action="3""#),
        (&["compile", file, "--action", "delete"], r#"action="2""#),
        (
            &["compile", file, "--action", "sounds"],
            r#"fileaction="save""#,
        ),
        (&["delete", file, "--dry-run", "--yes"], r#"action="2""#),
        (
            &["sounds", file, "--dry-run", "--yes"],
            r#"fileaction="save""#,
        ),
    ] {
        let run = outdial(args.iter().copied().chain(["--now", now.as_str()]));
        assert_eq!(run.code, 0, "{args:?} rings no one: {}", run.stderr);
        assert!(run.stdout.contains(shows), "{args:?}: {}", run.stdout);
    }
}
