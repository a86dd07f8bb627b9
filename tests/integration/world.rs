//! Calling rules for every number (issue 25): numbers of 21 countries and four prefixes that
//! span several zones, judged at instants on both sides of the protective hours' edges
//! (08:00 and 21:00 local) on the days clocks change; each verdict is checked against jiff's
//! zone database here, in the test. Then the refusals of premium-rate, personal and satellite
//! numbers, and what a do-not-call list does with entries no one could dial.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::civil::{Date, Time, date, time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use outdial::load::{self, LoadOptions};

use crate::support::{outdial, tempdir};

/// Number as written → the zones libphonenumber's metadata places it in (for a NANP area code,
/// every zone of the area code; for a mobile, every zone of its country).
const NUMBERS: &[(&str, &[&str])] = &[
    ("+1 212 555 0100", &["America/New_York"]),
    ("+1 604 555 0100", &["America/Vancouver"]),
    ("+44 20 7946 0958", &["Europe/London"]),
    ("+33 1 42 68 53 00", &["Europe/Paris"]),
    ("+49 30 901820", &["Europe/Berlin"]),
    ("+39 06 6988 1234", &["Europe/Vatican"]),
    ("+34 91 123 45 67", &["Europe/Madrid"]),
    ("+31 20 123 4567", &["Europe/Amsterdam"]),
    ("+46 8 123 456 78", &["Europe/Stockholm"]),
    ("+48 22 123 45 67", &["Europe/Warsaw"]),
    ("+41 44 123 45 67", &["Europe/Zurich"]),
    ("+81 3 1234 5678", &["Asia/Tokyo"]),
    ("+91 11 2345 6789", &["Asia/Calcutta"]),
    ("+65 6123 4567", &["Asia/Singapore"]),
    ("+61 2 9876 5432", &["Australia/Sydney"]),
    ("+55 11 3456 7890", &["America/Sao_Paulo"]),
    ("+52 55 1234 5678", &["America/Mexico_City"]),
    ("+54 11 4123 4567", &["America/Buenos_Aires"]),
    ("+56 2 2123 4567", &["America/Santiago"]),
    ("+27 21 123 4567", &["Africa/Johannesburg"]),
    ("+20 2 2345 6789", &["Africa/Cairo"]),
    // Prefixes that span several zones: the call must be inside the hours in all of them.
    (
        "+1 208 555 0100",
        &["America/Boise", "America/Denver", "America/Los_Angeles"],
    ),
    ("+1 709 555 0100", &["America/Halifax", "America/St_Johns"]),
    (
        "+61 8 9225 5333",
        &["Australia/Adelaide", "Australia/Perth"],
    ),
    (
        "+7 916 123 4567",
        &[
            "Asia/Almaty",
            "Asia/Anadyr",
            "Asia/Aqtobe",
            "Asia/Irkutsk",
            "Asia/Kamchatka",
            "Asia/Krasnoyarsk",
            "Asia/Magadan",
            "Asia/Novosibirsk",
            "Asia/Omsk",
            "Asia/Sakhalin",
            "Asia/Vladivostok",
            "Asia/Yakutsk",
            "Asia/Yekaterinburg",
            "Europe/Bucharest",
            "Europe/Moscow",
            "Europe/Samara",
        ],
    ),
];

/// Days clocks change: Europe springs forward (Mar 29; the US already has, Australia and
/// Chile are still on summer time), and Australia springs forward (Oct 4; Chile already has).
const DAYS: [Date; 2] = [date(2026, 3, 29), date(2026, 10, 4)];

/// Local times on both sides of each edge of the protective hours (08:00-21:00).
const EDGES: [Time; 4] = [
    time(7, 59, 0, 0),
    time(8, 0, 0, 0),
    time(20, 59, 0, 0),
    time(21, 0, 0, 0),
];

/// The E.164 form outdial writes a number in (what its messages start with).
fn written(number: &str) -> String {
    let n = outdial::phone::parse_international(number).unwrap();
    n.to_string()
}

/// Whether jiff says `t` is within 08:00-21:00 in every zone.
fn open_per_jiff(zones: &[&str], t: Timestamp) -> bool {
    zones.iter().all(|name| {
        let local = t.to_zoned(TimeZone::get(name).expect("jiff knows the zone"));
        (8..21).contains(&local.hour())
    })
}

/// The numbers outdial refuses to call now at `t` (a campaign of the numbers `of`, immediate
/// calls, no `window`: the protective hours).
fn closed_per_outdial(of: &[&str], t: Timestamp) -> BTreeSet<String> {
    let numbers: Vec<String> = of.iter().map(|n| format!("{n:?}")).collect();
    let text = format!(
        "[campaign]\nname = \"world\"\nprovider = \"voipcomm\"\n\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\nnumbers = [{}]\n",
        numbers.join(", ")
    );
    let options = LoadOptions {
        deny_past: false,
        now: Some(t),
        ..LoadOptions::default()
    };
    match load::load_str_with(Path::new("world.toml"), text, &options) {
        Ok(_) => BTreeSet::new(),
        Err(problems) => problems
            .iter()
            .filter(|p| p.is_error())
            .map(|p| {
                assert_eq!(p.code(), "campaign::outside-window", "{}", p.message());
                p.message().split(' ').next().unwrap().to_owned()
            })
            .collect(),
    }
}

#[test]
fn numbers_of_every_country_ring_only_within_the_hours_of_all_their_zones() {
    // Each number is judged at the edges of its own zones' hours, in a campaign of that
    // number alone: every verdict the union of all instants would give at an edge, for a
    // fourteenth of the loads (a number abroad costs tens of milliseconds to load in a debug
    // build: its kind and zones come from libphonenumber's metadata).
    let (mut opened, mut closed) = (0, 0);
    for (number, zones) in NUMBERS {
        let mut instants = BTreeSet::new();
        for zone in *zones {
            let tz = TimeZone::get(zone).unwrap();
            for day in DAYS {
                for edge in EDGES {
                    instants.insert(
                        day.to_datetime(edge)
                            .to_zoned(tz.clone())
                            .unwrap()
                            .timestamp(),
                    );
                }
            }
        }
        for &t in &instants {
            let refused = closed_per_outdial(&[number], t);
            let outdial_closed = refused.contains(&written(number));
            assert!(refused.len() <= usize::from(outdial_closed), "{refused:?}");
            let open = open_per_jiff(zones, t);
            assert_eq!(!outdial_closed, open, "{number} at {t} ({zones:?})");
            if open { opened += 1 } else { closed += 1 }
        }
    }
    // Both verdicts were met, many times.
    assert!(opened > 50 && closed > 50, "{opened} open, {closed} closed");
}

/// A step over a clock change: 07:59 and 08:00 in New York the day clocks spring forward are
/// an hour and a minute apart in UTC terms from the day before; outdial follows the local
/// clock, not a fixed offset.
#[test]
fn the_hours_follow_the_local_clock_across_a_clock_change() {
    let tz = TimeZone::get("Europe/London").unwrap();
    for day in [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)] {
        let opens = day
            .to_datetime(time(8, 0, 0, 0))
            .to_zoned(tz.clone())
            .unwrap();
        let before = opens.timestamp() - 1.minute();
        assert!(
            closed_per_outdial(&["+44 20 7946 0958"], before).contains("+442079460958"),
            "{day}"
        );
        assert!(
            !closed_per_outdial(&["+44 20 7946 0958"], opens.timestamp()).contains("+442079460958"),
            "{day}"
        );
    }
}

/// Writes a voip-communications campaign calling the numbers of `contacts` (a CSV), with
/// `extra` in [recipients]; gives its path.
fn campaign_with(dir: &Path, contacts: &str, dnc: &str, extra: &str) -> String {
    std::fs::write(dir.join("contacts.csv"), contacts).unwrap();
    std::fs::write(dir.join("dnc.txt"), dnc).unwrap();
    let file = dir.join("kinds.toml");
    std::fs::write(
        &file,
        format!(
            "[campaign]\nname = \"kinds\"\nprovider = \"voipcomm\"\n\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\ncsv = \"contacts.csv\"\nsuppress = [\"dnc.txt\"]\nwindow = \"always\"\n{extra}"
        ),
    )
    .unwrap();
    file.to_str().unwrap().to_owned()
}

#[test]
fn premium_rate_personal_and_satellite_numbers_are_refused_with_their_line_and_kind() {
    let dir = tempdir();
    let contacts = "number\n8185550100\n900 234 5678\n+1 900 234 5678\n+44 909 123 4567\n+33 8 99 12 34 56\n+49 900 1234567\n+39 899 123456\n+61 1900 123 456\n500 234 5678\n700 234 5678\n+881 6 1234 5678\n+49 180 123456\n";
    let file = campaign_with(dir.path(), contacts, "", "");
    let run = outdial(["check", &file]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Messages wrap: read them as one line of words.
    let out = run
        .stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for (line, kind, source) in [
        (3, "premium-rate", "NANP area code 900"),
        (4, "premium-rate", "NANP area code 900"),
        (5, "premium-rate", "libphonenumber's number types for GB"),
        (6, "premium-rate", "for FR"),
        (7, "premium-rate", "for DE"),
        (8, "premium-rate", "for IT"),
        (9, "premium-rate", "for AU"),
        (10, "personal", "NANP area code 500"),
        (11, "personal", "NANP area code 700"),
        (12, "satellite", "+881"),
        (13, "shared-cost", "for DE"),
    ] {
        assert!(
            run.stderr
                .contains(&format!("line {line}, column 1 (number)")),
            "line {line}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("contacts.csv:{line}:1]")),
            "line {line}: {}",
            run.stderr
        );
        assert!(
            out.contains(&format!("is a {kind} number")),
            "{kind}: {out}"
        );
        assert!(out.contains(source), "{source}: {out}");
    }
    assert!(out.contains("outdial never calls one"), "{out}");
    assert!(out.contains("allow_number_types = [\"personal\"]"), "{out}");
    assert!(!run.stderr.contains("line 2, column 1"), "{}", run.stderr);

    // Named kinds are called; premium-rate can never be named.
    let allowed = "number\n500 234 5678\n700 234 5678\n+881 6 1234 5678\n+49 180 123456\n";
    let file = campaign_with(
        dir.path(),
        allowed,
        "",
        "allow_number_types = [\"personal\", \"satellite\", \"shared-cost\"]\n",
    );
    let run = outdial(["check", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("4 recipients"), "{}", run.stdout);
    let file = campaign_with(
        dir.path(),
        allowed,
        "",
        "allow_number_types = [\"premium-rate\"]\n",
    );
    let run = outdial(["check", &file]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("campaign::premium-rate-allowed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("kinds.toml:13:"), "{}", run.stderr);
}

#[test]
fn a_do_not_call_list_leaves_out_what_no_one_could_dial_and_cuts_extensions() {
    let dir = tempdir();
    let contacts = "number\n8185550100\n8185550101\n8185550102\n";
    // Line 2: exchange 950; line 3: 976; line 4: premium-rate; line 5: an extension (the
    // number is called otherwise); line 6: a service code.
    let dnc = "# registry download\n818 950 0100\n818-976-0100\n900 234 5678\n8185550101 x123\n911 555 0100\n";
    let file = campaign_with(dir.path(), contacts, dnc, "");
    let run = outdial(["check", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("2 recipients"), "{}", run.stdout);
    assert!(
        run.stderr.contains("suppress::undialable"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("dnc.txt line 2: 4 numbers outdial could never dial"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dnc.txt:2:1]"), "{}", run.stderr);
    assert!(run.stderr.contains("suppress::extension"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("dnc.txt line 5: 1 numbers with an extension"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("dnc.txt:5:1]"), "{}", run.stderr);
    let plan = outdial(["--format", "json", "plan", &file]);
    assert!(plan.stdout.contains("\"suppressed\":1"), "{}", plan.stdout);

    // An entry that reads as no number stays an error, at its line and column.
    let file = campaign_with(dir.path(), contacts, "8185550100\n  81855501\n", "");
    let run = outdial(["check", &file]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("suppress::bad-number"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 2:"), "{}", run.stderr);
    assert!(run.stderr.contains("dnc.txt:2:3]"), "{}", run.stderr);
}

/// Writes a voip-communications campaign (`timezone`: its `[campaign]` line, if any) calling
/// the rows of `contacts` at the protective hours; gives its path.
fn zoned_campaign(dir: &Path, timezone: &str, contacts: &str) -> String {
    std::fs::write(dir.join("contacts.csv"), contacts).unwrap();
    let file = dir.join("zones.toml");
    std::fs::write(
        &file,
        format!(
            "[campaign]\nname = \"zones\"\nprovider = \"voipcomm\"\n{timezone}\n[[prompt]]\nid = 1\ntts = \"Hi.\"\n\n[recipients]\ncsv = \"contacts.csv\"\n"
        ),
    )
    .unwrap();
    file.to_str().unwrap().to_owned()
}

#[test]
fn the_zone_table_decides_where_a_number_rings_and_its_own_timezone_only_narrows_it() {
    // 15:30 UTC on a December Monday: London 15:30, New York 10:30, Chicago 09:30, Denver and
    // Boise 08:30 (open); Los Angeles 07:30 (closed).
    let now = "2026-12-07T15:30:00Z";
    // Per jiff, in the test itself.
    let t: Timestamp = now.parse().unwrap();
    assert!(open_per_jiff(
        &[
            "Europe/London",
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Boise"
        ],
        t
    ));
    assert!(!open_per_jiff(&["America/Los_Angeles"], t));
    let contacts = "number,timezone\n\
        +44 20 7946 0958,America/Chicago\n\
        +1 208 555 0100,America/Denver\n\
        +1 208 555 0101,\n\
        +1 208 555 0102,America/Chicago\n\
        +1 800 555 0199,America/Los_Angeles\n\
        +1 212 555 0100,US/Eastern\n\
        +1 800 555 0198,\n";
    let dir = tempdir();
    let file = zoned_campaign(dir.path(), "timezone = \"America/Chicago\"", contacts);
    let run = outdial(["check", &file, "--now", now]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = run
        .stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // Closed: 208 without a zone of its own (Los Angeles is one of its zones); 208 naming a
    // zone that is none of its own (overruled: all three judge it); a toll-free number the
    // table cannot place, in the zone it names.
    for line in [4, 5, 6] {
        assert!(
            run.stderr.contains(&format!("contacts.csv:{line}:1]")),
            "line {line}: {}",
            run.stderr
        );
    }
    assert_eq!(
        out.matches("campaign::outside-window").count()
            + out.matches("csv::outside-window").count(),
        3,
        "{out}"
    );
    // Open: London judged in London although the row says Chicago (06:30 there would be
    // closed); 208 narrowed to Denver; New York named by an alias of its own zone.
    for line in [2, 3, 7] {
        assert!(
            !run.stderr.contains(&format!("contacts.csv:{line}:1]")),
            "line {line}: {}",
            run.stderr
        );
    }
    // One warning for the two overruled rows, at the first one's timezone cell.
    assert!(out.contains("campaign::timezone-overruled"), "{out}");
    assert!(
        out.contains("2 recipients name a timezone their number's prefix contradicts (first on line 2: +442079460958 rings in Europe/London by its prefix"),
        "{out}"
    );
    assert!(run.stderr.contains("contacts.csv:2:18]"), "{}", run.stderr);
    assert!(!out.contains("US/Eastern"), "{out}");
    // The toll-free number with no zone of its own: judged in campaign.timezone, at its line.
    assert!(
        out.contains("1 numbers the zone table cannot place (toll-free, non-geographic) were judged in campaign.timezone (America/Chicago)"),
        "{out}"
    );
    assert!(run.stderr.contains("contacts.csv:8:1]"), "{}", run.stderr);

    // Without campaign.timezone, that number has no zone to be judged in: an error at its line
    // (and nothing else changes).
    let file = zoned_campaign(
        dir.path(),
        "",
        "number,timezone\n+44 20 7946 0958,\n+1 800 555 0198,\n",
    );
    let run = outdial(["check", &file, "--now", now]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("campaign::unplaced-numbers"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("contacts.csv:3:1]"), "{}", run.stderr);
    let out = run
        .stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        out.contains("have no zone to judge the calling hours in"),
        "{out}"
    );
    // Given a zone of its own, or with no hours at all, it passes.
    let file = zoned_campaign(
        dir.path(),
        "",
        "number,timezone\n+1 800 555 0198,America/New_York\n",
    );
    let run = outdial(["check", &file, "--now", now]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
