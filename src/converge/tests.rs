//! The actions, from journals written through the journal's own API.

use std::path::Path;

use super::*;
use crate::journal::Journal;
use crate::journal::changes::RemovalOutcome;
use crate::journal::{Outcome, Said};
use crate::load;
use crate::plan::PostKind;
use crate::prepared::Prepared;
use crate::provider::name::ProviderName;

/// Now: every `AT` below is ahead of it, `PAST` behind it.
const NOW: &str = "2027-02-01T00:00:00Z";
const AT: &str = "2027-03-01 10:00";
const LATER: &str = "2027-03-01 11:00";

fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

/// A VoiceShot campaign (or voip-communications.net's, which cannot remove without its
/// delete) of `(number, at, name)` recipients; an empty `at` calls at once.
fn campaign(provider: &str, recipients: &[(&str, &str, &str)]) -> Prepared {
    let table = match provider {
        "voipcomm" => "provider = \"voipcomm\"\n\n[voipcomm]\nfrom = \"8185550199\"\n",
        _ => "\n[voiceshot]\nmenuid = \"1-1\"\n",
    };
    let mut text = format!(
        "[campaign]\nname = \"c\"\ntimezone = \"UTC\"\n{table}\n[[prompt]]\nid = 1\ntts = \"Hi {{name}}.\"\n\n[recipients]\nwindow = \"always\"\n"
    );
    for (number, at, name) in recipients {
        text.push_str(&format!(
            "\n[[recipient]]\nnumber = \"{number}\"\nvars = {{ name = \"{name}\" }}\n"
        ));
        if !at.is_empty() {
            text.push_str(&format!("at = \"{at}\"\n"));
        }
    }
    let options = load::LoadOptions {
        deny_past: false,
        now: Some(now()),
        ..load::LoadOptions::default()
    };
    load::load_str_with(Path::new("c.toml"), text, &options)
        .expect("valid")
        .campaign
}

/// An endpoint of this test alone: a campaign is locked per endpoint, and tests run at once.
fn endpoint(dir: &Path) -> String {
    format!("http://{}", dir.display())
}

/// A journal at `dir` in which every recipient of `sent` was posted and `outcome`.
fn journal(dir: &Path, sent: &Prepared, outcome: Outcome) -> Journal {
    let provider = sent.provider().name();
    let mut j = Journal::open(&dir.join("j.jsonl"), "c", provider, &endpoint(dir)).unwrap();
    let recipients: Vec<Recipient> = plan::all_posts(sent, Action::Send)
        .unwrap()
        .into_iter()
        .flat_map(|p| p.body.recipients().to_vec())
        .collect();
    let contents = recipients
        .iter()
        .map(|r| content(sent, r).unwrap())
        .collect();
    j.content(1, contents).unwrap();
    let calls = recipients
        .iter()
        .map(|r| (r.callid.clone(), r.number.as_str().to_owned()))
        .collect();
    let attempt = j
        .intent(Action::Send, 1, PostKind::Send, "h", "h", calls, None)
        .unwrap();
    j.outcome(attempt, 1, outcome, Said::default()).unwrap();
    j
}

fn acts(now_campaign: &Prepared, j: &Journal) -> Vec<(String, Act, Option<Why>)> {
    let c = compute(now_campaign, j.state(), &j.lines_at(), now()).unwrap();
    let mut rows: Vec<_> = c
        .rows
        .iter()
        .map(|r| (r.number.clone(), r.act, r.why))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

#[test]
fn nothing_sent_is_all_create_and_the_same_file_is_all_keep() {
    let dir = tempfile::tempdir().unwrap();
    let c = campaign(
        "voiceshot",
        &[("8185550101", AT, "A"), ("8185550102", "", "B")],
    );
    let empty = Journal::open(
        &dir.path().join("e.jsonl"),
        "c",
        ProviderName::Voiceshot,
        "x",
    );
    let plan = compute(
        &c,
        empty.unwrap().state(),
        &LinesAt::File(&dir.path().join("e.jsonl")),
        now(),
    )
    .unwrap();
    assert_eq!(plan.count(Act::Create), 2);
    assert!(plan.changes_anything());
    drop(plan);
    let j = journal(dir.path(), &c, Outcome::Accepted);
    let plan = compute(&c, j.state(), &j.lines_at(), now()).unwrap();
    assert_eq!((plan.count(Act::Keep), plan.rows.len()), (2, 0));
    assert!(!plan.changes_anything());
    assert_eq!(plan.summary(), "no changes");
}

#[test]
fn an_edit_replaces_what_is_pending_and_fixes_what_rang() {
    let dir = tempfile::tempdir().unwrap();
    let was = campaign(
        "voiceshot",
        &[
            ("8185550101", AT, "A"),
            ("8185550102", "", "B"),
            ("8185550103", AT, "C"),
            ("8185550104", AT, "D"),
        ],
    );
    let j = journal(dir.path(), &was, Outcome::Accepted);
    // 101 moves, 102 (sent at once) is reworded, 103 goes, 104 stays, 105 comes.
    let now_c = campaign(
        "voiceshot",
        &[
            ("8185550101", LATER, "A"),
            ("8185550102", "", "Bea"),
            ("8185550104", AT, "D"),
            ("8185550105", AT, "E"),
        ],
    );
    assert_eq!(
        acts(&now_c, &j),
        [
            ("8185550101".into(), Act::Replace, None),
            ("8185550102".into(), Act::Fixed, Some(Why::Dialled)),
            ("8185550103".into(), Act::Remove, None),
            ("8185550105".into(), Act::Create, None),
        ]
    );
    let plan = compute(&now_c, j.state(), &j.lines_at(), now()).unwrap();
    assert_eq!(
        plan.summary(),
        "create 1, replace 1 (time 10:00 → 11:00), remove 1"
    );
    let targets: Vec<(&str, bool)> = plan
        .targets
        .iter()
        .map(|t| (t.number.as_str(), t.replace))
        .collect();
    assert_eq!(targets, [("8185550101", true), ("8185550103", false)]);
    // The old side is read back from the journal for the rows shown.
    let row = plan.rows.iter().find(|r| r.act == Act::Fixed).unwrap();
    assert_eq!(row.old.as_ref().unwrap().spoken[&1], "Hi B.");
    assert_eq!(row.new.as_ref().unwrap().spoken[&1], "Hi Bea.");
    // Once the edit's time has passed too, nothing can change.
    let late: jiff::Timestamp = "2027-03-02T00:00:00Z".parse().unwrap();
    let plan = compute(&now_c, j.state(), &j.lines_at(), late).unwrap();
    assert_eq!(
        (
            plan.count(Act::Fixed),
            plan.count(Act::Replace),
            plan.count(Act::Remove)
        ),
        (3, 0, 0)
    );
}

#[test]
fn a_provider_that_cannot_remove_fixes_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let was = campaign(
        "voipcomm",
        &[("8185550101", AT, "A"), ("8185550102", AT, "B")],
    );
    let j = journal(dir.path(), &was, Outcome::Accepted);
    let now_c = campaign("voipcomm", &[("8185550101", LATER, "A")]);
    assert_eq!(
        acts(&now_c, &j),
        [
            ("8185550101".into(), Act::Fixed, Some(Why::CannotRemove)),
            ("8185550102".into(), Act::Fixed, Some(Why::CannotRemove)),
        ]
    );
}

#[test]
fn removals_settle_into_create_fixed_or_in_doubt() {
    let dir = tempfile::tempdir().unwrap();
    let was = campaign(
        "voiceshot",
        &[
            ("8185550101", AT, "A"),
            ("8185550102", AT, "B"),
            ("8185550103", AT, "C"),
        ],
    );
    let mut j = journal(dir.path(), &was, Outcome::Accepted);
    let now_c = campaign(
        "voiceshot",
        &[
            ("8185550101", LATER, "A"),
            ("8185550102", LATER, "B"),
            ("8185550103", LATER, "C"),
        ],
    );
    let keys: Vec<String> = compute(&now_c, j.state(), &j.lines_at(), now())
        .unwrap()
        .targets
        .into_iter()
        .map(|t| t.key)
        .collect();
    let attempt = j.remove_intent(keys.clone()).unwrap();
    // Asked, no answer yet: all three in doubt, none posted again.
    let plan = compute(&now_c, j.state(), &j.lines_at(), now()).unwrap();
    assert_eq!(plan.count(Act::InDoubt), 3);
    assert!(plan.targets.is_empty());
    j.remove_outcome(
        attempt,
        RemovalOutcome {
            removed: vec![keys[0].clone()],
            dialled: vec![keys[1].clone()],
            kept: Vec::new(),
        },
    )
    .unwrap();
    assert_eq!(
        acts(&now_c, &j),
        [
            ("8185550101".into(), Act::Create, None),
            ("8185550102".into(), Act::Fixed, Some(Why::Refused)),
            ("8185550103".into(), Act::InDoubt, None),
        ]
    );
    // What a later run reads is what this one wrote.
    let replayed = crate::journal::read_state(j.path()).unwrap();
    assert!(replayed.removal_in_doubt(&key_hash(&keys[2])));
    assert_eq!(replayed.removals_in_doubt(), [keys[2].as_str()]);
}

#[test]
fn a_call_sent_before_contents_were_recorded_is_fixed_and_one_in_doubt_stays_so() {
    let dir = tempfile::tempdir().unwrap();
    let c = campaign(
        "voiceshot",
        &[("8185550101", AT, "A"), ("8185550102", AT, "B")],
    );
    let mut j = Journal::open(
        &dir.path().join("old.jsonl"),
        "c",
        ProviderName::Voiceshot,
        "x",
    )
    .unwrap();
    let calls = plan::all_posts(&c, Action::Send).unwrap()[0]
        .body
        .recipients()
        .iter()
        .map(|r| (r.callid.clone(), r.number.as_str().to_owned()))
        .collect::<Vec<_>>();
    let a = j
        .intent(
            Action::Send,
            1,
            PostKind::Send,
            "h",
            "h",
            calls[..1].to_vec(),
            None,
        )
        .unwrap();
    j.outcome(a, 1, Outcome::Accepted, Said::default()).unwrap();
    let b = j
        .intent(
            Action::Send,
            1,
            PostKind::Send,
            "h",
            "h",
            calls[1..].to_vec(),
            None,
        )
        .unwrap();
    j.outcome(b, 1, Outcome::Ambiguous, Said::default())
        .unwrap();
    assert_eq!(
        acts(&c, &j),
        [
            ("8185550101".into(), Act::Fixed, Some(Why::Unrecorded)),
            ("8185550102".into(), Act::InDoubt, None),
        ]
    );
}

#[test]
fn calls_the_provider_says_were_dialled_become_fixed_and_leave_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    let was = campaign(
        "voiceshot",
        &[
            ("8185550101", AT, "A"),
            ("8185550102", AT, "B"),
            ("8185550103", AT, "C"),
        ],
    );
    let j = journal(dir.path(), &was, Outcome::Accepted);
    // 101 and 102 move, 103 goes.
    let now_c = campaign(
        "voiceshot",
        &[("8185550101", LATER, "A"), ("8185550102", LATER, "B")],
    );
    let mut plan = compute(&now_c, j.state(), &j.lines_at(), now()).unwrap();
    assert_eq!((plan.count(Act::Replace), plan.count(Act::Remove)), (2, 1));
    assert_eq!(plan.replacing, "time 10:00 → 11:00");
    let dialled: HashSet<String> = plan
        .targets
        .iter()
        .filter(|t| t.number.ends_with("102") || t.number.ends_with("103"))
        .map(|t| t.key.clone())
        .collect();
    assert_eq!(dialled.len(), 2);
    plan.fix_dialled(&dialled);
    assert_eq!(
        plan.counts,
        BTreeMap::from([("fixed", 2), ("replace", 1)]),
        "a count that falls to 0 is absent"
    );
    assert_eq!(plan.summary(), "replace 1 (time 10:00 → 11:00)");
    let left: Vec<&str> = plan.targets.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(left.len(), 1);
    assert!(left[0].ends_with("101"), "{left:?}");
    let fixed: Vec<(&str, Option<Why>)> = plan
        .rows
        .iter()
        .filter(|r| r.act == Act::Fixed)
        .map(|r| (&r.number[r.number.len() - 3..], r.why))
        .collect();
    assert_eq!(
        fixed,
        [("102", Some(Why::Started)), ("103", Some(Why::Started))]
    );
    // Nothing dialled: nothing changes.
    let before = plan.clone();
    plan.fix_dialled(&HashSet::new());
    assert_eq!(plan, before);
}
