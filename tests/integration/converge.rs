//! Campaigns that converge: an edit after a send is planned per recipient (create, replace,
//! remove, keep, fixed, in doubt) and `send` makes the provider match the file, never
//! leaving anyone with two live calls.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use outdial::provider::voiceshot::sandbox::{CallStatus, Sandbox};

use crate::submit::{outdial, run, sandbox};

pub(crate) const SETTLE: [&str; 2] = ["--settle", "50ms"];

pub(crate) const VOICESHOT: &str = "[voiceshot]\nmenuid = \"1-1234\"\nbatch_size = 3\n";

/// A VoiceShot campaign of one `[[recipient]]` per entry: number, call id, `at` (empty: as
/// soon as sent), name.
fn campaign(dir: &Path, recipients: &[(&str, &str, &str, &str)]) -> PathBuf {
    campaign_for(dir, "", VOICESHOT, recipients)
}

/// [`campaign`] for any provider: `extra` goes in `[campaign]`, `table` is the provider's.
pub(crate) fn campaign_for(
    dir: &Path,
    extra: &str,
    table: &str,
    recipients: &[(&str, &str, &str, &str)],
) -> PathBuf {
    let mut text = format!(
        "[campaign]\nname = \"conv\"\ntimezone = \"UTC\"\n{extra}\n{table}\n\
         [[prompt]]\nid = 1\ntts = \"Hello {{name}}.\"\n\n[recipients]\nwindow = \"always\"\n",
    );
    for (number, callid, at, name) in recipients {
        text.push_str(&format!(
            "\n[[recipient]]\nnumber = \"{number}\"\ncallid = \"{callid}\"\nvars = {{ name = \"{name}\" }}\n"
        ));
        if !at.is_empty() {
            text.push_str(&format!("at = \"{at}\"\n"));
        }
    }
    let path = dir.join("campaign.toml");
    std::fs::write(&path, text).unwrap();
    path
}

pub(crate) fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

pub(crate) fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The JSON plan's counts per action.
fn counts(file: &Path, sb: &Sandbox) -> (i32, BTreeMap<String, u64>) {
    counts_at(file, &sb.url())
}

/// [`counts`] with the endpoint given.
fn counts_at(file: &Path, url: &str) -> (i32, BTreeMap<String, u64>) {
    let out = run(outdial(
        &["--format", "json", "plan", s(file), "--detailed-exitcode"],
        url,
        &[],
    ));
    let plan = crate::support::record(&out, "plan");
    valid_plan(&plan);
    let counts = serde_json::from_value(plan["changes"]["counts"].clone()).unwrap();
    (out.status.code().unwrap(), counts)
}

/// The plan record is valid under `schemas/plan.schema.json`.
fn valid_plan(plan: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::repo().join("schemas/plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(plan)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{plan}\n{}", errors.join("\n"));
}

fn expect(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Every call the sandbox holds that is not deleted, by call id: (status, time, text).
fn live(sb: &Sandbox) -> BTreeMap<String, Vec<(CallStatus, Option<String>, String)>> {
    let mut out: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for c in sb
        .calls()
        .into_iter()
        .filter(|c| c.status != CallStatus::Deleted)
    {
        let tts = c
            .prompts
            .first()
            .and_then(|p| p.tts.clone())
            .unwrap_or_default();
        out.entry(c.callid)
            .or_default()
            .push((c.status, c.dateandtime, tts));
    }
    out
}

pub(crate) const AT10: &str = "2027-03-01 10:00";
pub(crate) const AT11: &str = "2027-03-01 11:00";

/// The walk-through on the VoiceShot sandbox: send, edit times, a text, remove two,
/// add two; a call dialled meanwhile and one sent at once stay as they are.
#[test]
fn an_edited_voiceshot_campaign_converges_and_a_rerun_plans_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(Default::default());
    let first = [
        ("8185550101", "a", AT10, "Ann"),
        ("8185550102", "b", AT10, "Bob"),
        ("8185550103", "c", AT10, "Cy"),
        ("8185550104", "d", AT10, "Dee"),
        ("8185550105", "e", AT10, "Eve"),
        ("8185550106", "f", AT10, "Fay"),
        ("8185550107", "g", "", "Gus"),
        ("8185550108", "h", AT10, "Hal"),
    ];
    let file = campaign(dir.path(), &first);
    let out = run(outdial(&["send", s(&file)], &sb.url(), &SETTLE));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // `--yes` says what the send changes.
    assert!(text(&out).contains("changes: create 8"), "{}", text(&out));
    let (code, c) = counts(&file, &sb);
    assert_eq!((code, c), (0, expect(&[("keep", 8)])));

    // a, b: new time; c, g: new text; d, e: gone; f: unchanged; h: new time, but it rings
    // before the send; two new.
    let edited = [
        ("8185550101", "a", AT11, "Ann"),
        ("8185550102", "b", AT11, "Bob"),
        ("8185550103", "c", AT10, "Cyrus"),
        ("8185550106", "f", AT10, "Fay"),
        ("8185550107", "g", "", "Gustav"),
        ("8185550108", "h", AT11, "Hal"),
        ("8185550111", "k", AT10, "Kim"),
        ("8185550112", "l", AT10, "Lou"),
    ];
    std::fs::copy(&file, dir.path().join("old.toml")).unwrap();
    campaign(dir.path(), &edited);
    let (code, c) = counts(&file, &sb);
    let planned = expect(&[
        ("create", 2),
        ("fixed", 1),
        ("keep", 1),
        ("remove", 2),
        ("replace", 4),
    ]);
    // `diff` of the two versions says what `send` will do, as `plan` does.
    let old = dir.path().join("old.toml");
    let mut diff = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"));
    diff.args(["diff", s(&old), s(&file)])
        .env("COLUMNS", "1000")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = run(diff);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("send would: create 2, replace 4 (text, time 10:00 → 11:00), remove 2"),
        "{}",
        text(&out)
    );
    assert_eq!((code, &c), (2, &planned));
    let human = run(outdial(&["plan", s(&file)], &sb.url(), &[]));
    let shown = text(&human);
    assert!(
        shown.contains("create 2, replace 4 (text, time 10:00 → 11:00), remove 2"),
        "{shown}"
    );
    assert!(shown.contains("time 10:00 → 11:00"), "{shown}");
    assert!(shown.contains("text Hello Cy. → Hello Cyrus."), "{shown}");
    assert!(shown.contains("its time has passed"), "{shown}");

    // `report` names the edit not sent yet.
    let mut report = std::process::Command::new(env!("CARGO_BIN_EXE_outdial"));
    report
        .args(["report", s(&file)])
        .env("COLUMNS", "1000")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let out = run(report);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("send would create 2, replace 4 (text, time 10:00 → 11:00), remove 2"),
        "{}",
        text(&out)
    );

    // h is dialled early, before its time: `plan` asks the provider and says it is fixed
    // (offline, it can only judge by the time, and says so); `send` asks the same and agrees.
    sb.ring("1-1234", "h");
    let asked = expect(&[
        ("create", 2),
        ("fixed", 2),
        ("keep", 1),
        ("remove", 2),
        ("replace", 3),
    ]);
    assert_eq!(counts(&file, &sb), (2, asked));
    let shown = text(&run(outdial(&["plan", s(&file)], &sb.url(), &[])));
    assert!(
        shown.contains("fixed    8185550108 h  the provider says it was dialled already"),
        "{shown}"
    );
    assert!(
        shown.contains("pending calls: as the provider says"),
        "{shown}"
    );
    let offline = text(&run(outdial(
        &["plan", s(&file), "--offline"],
        &sb.url(),
        &[],
    )));
    assert!(offline.contains("replace 4"), "{offline}");
    assert!(
        offline.contains("pending calls: judged from the journal and their times"),
        "{offline}"
    );
    let out = run(outdial(
        &["--format", "json", "send", s(&file)],
        &sb.url(),
        &SETTLE,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // What send did: what plan said; h, fixed, is neither removed nor posted.
    let sent = crate::support::record(&out, "sent");
    assert_eq!(
        sent["removals"],
        serde_json::json!({"replaced": 3, "removed": 2, "fixed": 0}),
        "{sent}"
    );
    assert_eq!(sent["numbers_sent"], 5, "3 replaced and 2 created: {sent}");

    let calls = live(&sb);
    let ids: Vec<&str> = calls.keys().map(String::as_str).collect();
    assert_eq!(ids, ["a", "b", "c", "f", "g", "h", "k", "l"], "{calls:?}");
    for (id, held) in &calls {
        assert_eq!(
            held.len(),
            1,
            "{id} has {} live calls: {held:?}",
            held.len()
        );
    }
    assert_eq!(calls["a"][0].1.as_deref(), Some("3/1/2027 11:00 AM"));
    assert_eq!(calls["b"][0].1.as_deref(), Some("3/1/2027 11:00 AM"));
    assert_eq!(calls["c"][0].2, "Hello Cyrus.");
    // Dialled before the edit reached it: kept as it was, never posted again.
    assert_eq!(calls["g"][0].2, "Hello Gus.");
    assert_eq!(calls["h"][0].1.as_deref(), Some("3/1/2027 10:00 AM"));
    assert_ne!(calls["h"][0].0, CallStatus::Pending);

    let (code, c) = counts(&file, &sb);
    assert_eq!(
        (code, c),
        (0, expect(&[("fixed", 2), ("keep", 6)])),
        "a re-run plans nothing"
    );
}

/// The walk-through at the Voicent Gateway's sandbox: removals by reqId (a status poll, then
/// `callremove`), the new requests posted after.
#[test]
fn an_edited_voicent_campaign_converges_and_a_rerun_plans_nothing() {
    use outdial::provider::voicent::sandbox::{Sandbox, SandboxConfig};
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: std::time::Duration::from_millis(50),
        ..SandboxConfig::default()
    })
    .unwrap();
    let extra = "provider = \"voicent\"\n";
    let table = "[voicent]\nrequests_per_second = 100\npoll_interval_ms = 10\n";
    let first = [
        ("8185550101", "a", AT10, "Ann"),
        ("8185550102", "c", AT10, "Cy"),
        ("8185550103", "d", AT10, "Dee"),
        ("8185550104", "e", AT10, "Eve"),
        ("8185550105", "f", AT10, "Fay"),
        ("8185550100", "g", "", "Gus"),
    ];
    let file = campaign_for(dir.path(), extra, table, &first);
    let out = run(outdial(&["send", s(&file)], &sb.url(), &SETTLE));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(counts_at(&file, &sb.url()), (0, expect(&[("keep", 6)])));
    let edited = [
        ("8185550101", "a", AT11, "Ann"),
        ("8185550102", "c", AT10, "Cyrus"),
        ("8185550105", "f", AT10, "Fay"),
        ("8185550100", "g", "", "Gustav"),
        ("8185550111", "k", AT10, "Kim"),
        ("8185550112", "l", AT10, "Lou"),
    ];
    campaign_for(dir.path(), extra, table, &edited);
    let planned = expect(&[
        ("create", 2),
        ("fixed", 1),
        ("keep", 1),
        ("remove", 2),
        ("replace", 2),
    ]);
    assert_eq!(counts_at(&file, &sb.url()), (2, planned));
    let out = run(outdial(
        &["--format", "json", "send", s(&file)],
        &sb.url(),
        &SETTLE,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sent = crate::support::record(&out, "sent");
    assert_eq!(
        sent["removals"],
        serde_json::json!({"replaced": 2, "removed": 2, "fixed": 0}),
        "{sent}"
    );
    assert_eq!(sent["numbers_sent"], 4, "{sent}");
    // Exactly one record held per recipient of the file, none for the two removed.
    let held = sb.records();
    let mut live: BTreeMap<String, Vec<outdial::provider::voicent::sandbox::Taken>> =
        BTreeMap::new();
    for t in sb.taken().into_iter().filter(|t| held.contains(&t.reqid)) {
        live.entry(t.phoneno.clone()).or_default().push(t);
    }
    let numbers: Vec<&str> = live.keys().map(String::as_str).collect();
    assert_eq!(
        numbers,
        [
            "8185550100",
            "8185550101",
            "8185550102",
            "8185550105",
            "8185550111",
            "8185550112"
        ],
        "{live:?}"
    );
    for (number, calls) in &live {
        assert_eq!(calls.len(), 1, "{number}: {calls:?}");
    }
    let txt = |n: &str| live[n][0].field("txt").unwrap_or_default().to_owned();
    let calltime = |n: &str| -> i64 { live[n][0].field("calltime").unwrap().parse().unwrap() };
    assert_eq!(txt("8185550102"), "Hello Cyrus.");
    assert_eq!(
        txt("8185550100"),
        "Hello Gus.",
        "dialled: never posted again"
    );
    // a now rings an hour after f (both counted from the moment each was posted).
    let later = calltime("8185550101") - calltime("8185550105");
    assert!((59..=61).contains(&later), "{later}");
    assert_eq!(
        counts_at(&file, &sb.url()),
        (0, expect(&[("fixed", 1), ("keep", 5)]))
    );
}

/// The walk-through at voip-communications.net's stand-in: with the scheduled-call delete
/// configured, calls are removed by the provider's own callid and posted anew; without it
/// the provider cannot remove a call, so an edited one is fixed and nothing is posted.
#[test]
fn an_edited_voipcomm_campaign_converges_only_where_it_can_remove() {
    use outdial::provider::voipcomm::sandbox::{CallStatus, DELETE_PATH, LIST_PATH};

    use crate::voipcomm::{FAST, cmd, example, sandbox};
    let dir = tempfile::tempdir().unwrap();
    let file = example(dir.path(), "voipcomm-reminder.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    let with_delete = original.replacen(
        "[voipcomm]\n",
        &format!(
            "[voipcomm]\nscheduled_list_url = \"{LIST_PATH}\"\nscheduled_delete_url = \"{DELETE_PATH}\"\n"
        ),
        1,
    );
    std::fs::write(&file, &with_delete).unwrap();
    let f = file.to_str().unwrap();
    let sb = sandbox(Default::default(), true);
    let plan = || {
        let out = run(cmd(
            &["--format", "json", "plan", f, "--detailed-exitcode"],
            Some(&sb.url()),
            &[],
        ));
        let plan = crate::support::record(&out, "plan");
        valid_plan(&plan);
        let counts: BTreeMap<String, u64> =
            serde_json::from_value(plan["changes"]["counts"].clone()).unwrap();
        (out.status.code().unwrap(), counts, plan)
    };
    let out = run(cmd(&["send", f], Some(&sb.url()), &FAST));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(plan().1, expect(&[("keep", 3)]));

    // 0101 at 18:00, 0107 greeted by another name, 0103 gone, 0104 new.
    let edited = with_delete
        .replacen(
            "callid = \"dent101\"\n",
            "callid = \"dent101\"\nat = \"2027-03-01 18:00\"\n",
            1,
        )
        .replacen("José Núñez", "Pepe Núñez", 1)
        .replacen(
            "[[recipient]]\nnumber = \"1-818-555-0103\"",
            "[[recipient]]\nnumber = \"818 555 0104\"\ncallid = \"dent104\"\nvars = { name = \"Kim\", day = \"Monday\", time = \"9 AM\" }\n\n[[xrecipient]]\nnumber = \"1-818-555-0103\"",
            1,
        );
    // The third recipient's table is renamed away, then dropped with everything after it.
    let edited = edited[..edited.find("[[xrecipient]]").unwrap()].to_owned();
    std::fs::write(&file, &edited).unwrap();
    let (code, counts, _) = plan();
    assert_eq!(
        (code, counts),
        (2, expect(&[("create", 1), ("remove", 1), ("replace", 2)]))
    );
    let out = run(cmd(
        &["--format", "json", "send", f],
        Some(&sb.url()),
        &FAST,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sent = crate::support::record(&out, "sent");
    assert_eq!(
        sent["removals"],
        serde_json::json!({"replaced": 2, "removed": 1, "fixed": 0}),
        "{sent}"
    );
    let mut live: BTreeMap<String, Vec<BTreeMap<String, String>>> = BTreeMap::new();
    for c in sb
        .calls()
        .into_iter()
        .filter(|c| c.status != CallStatus::Deleted)
    {
        live.entry(c.to).or_default().push(c.params);
    }
    let numbers: Vec<&str> = live.keys().map(String::as_str).collect();
    assert_eq!(
        numbers,
        ["18185550101", "18185550104", "18185550107"],
        "{live:?}"
    );
    assert!(live.values().all(|calls| calls.len() == 1), "{live:?}");
    let says = |n: &str| live[n][0].values().any(|v| v.contains("Pepe"));
    assert!(says("18185550107"), "{live:?}");
    assert_eq!(live["18185550101"][0]["call_date"], "2027-03-01 18:00");
    assert_eq!(plan().0, 0, "a re-run plans nothing");

    // Without the delete, the provider cannot remove a call: an edit is fixed, not sent.
    let without = edited.replacen(
        &format!("scheduled_delete_url = \"{DELETE_PATH}\"\n"),
        "",
        1,
    );
    std::fs::write(&file, without.replacen("Pepe", "Pedro", 1)).unwrap();
    let (code, counts, plan_record) = plan();
    assert_eq!((code, counts), (0, expect(&[("fixed", 1), ("keep", 2)])));
    assert_eq!(
        plan_record["changes"]["rows"][0]["why"], "cannot-remove",
        "{plan_record}"
    );
    let before = sb.calls().len();
    let out = run(cmd(&["send", f], Some(&sb.url()), &FAST));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(sb.calls().len(), before, "nothing posted");
}

/// `send --plan` removes no call its plan does not list: a plan saved before another send
/// changed the journal is refused (nothing sent), and a plan saved after it applies exactly
/// its replacement.
#[test]
fn a_saved_plan_pins_the_calls_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let sb = sandbox(Default::default());
    let v1 = [
        ("8185550101", "a", AT10, "Ann"),
        ("8185550102", "b", AT10, "Bob"),
    ];
    let v2 = [
        ("8185550101", "a", AT11, "Ann"),
        ("8185550102", "b", AT10, "Bob"),
    ];
    let file = campaign(dir.path(), &v2);
    let early = dir.path().join("early.json");
    let out = run(outdial(
        &["plan", s(&file), "--out", s(&early)],
        &sb.url(),
        &[],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    campaign(dir.path(), &v1);
    let out = run(outdial(&["send", s(&file)], &sb.url(), &SETTLE));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    campaign(dir.path(), &v2);
    let mut send_early = outdial(&["send", s(&file), "--plan", s(&early)], &sb.url(), &SETTLE);
    send_early.env("COLUMNS", "1000");
    let out = run(send_early);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("1 call to replace or remove that the plan does not list"),
        "{}",
        text(&out)
    );
    assert_eq!(sb.calls().len(), 2, "nothing sent");

    let reviewed = dir.path().join("reviewed.json");
    let out = run(outdial(
        &["plan", s(&file), "--out", s(&reviewed)],
        &sb.url(),
        &[],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&reviewed).unwrap()).unwrap();
    let removals = saved["removals"].as_array().unwrap();
    assert_eq!(removals.len(), 1, "{saved}");
    assert!(
        removals[0].as_str().unwrap().starts_with("replace "),
        "{saved}"
    );
    let out = run(outdial(
        &["send", s(&file), "--plan", s(&reviewed)],
        &sb.url(),
        &SETTLE,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let calls = live(&sb);
    assert_eq!(calls["a"].len(), 1);
    assert_eq!(calls["a"][0].1.as_deref(), Some("3/1/2027 11:00 AM"));
    // Sent again, the same plan does nothing more: its replacement is done.
    let out = run(outdial(
        &["send", s(&file), "--plan", s(&reviewed)],
        &sb.url(),
        &SETTLE,
    ));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(sb.calls().len(), 3);
}

/// The plan schema is strict where it matters: an action or a reason `plan` never writes is
/// refused.
#[test]
fn the_plan_schema_refuses_what_plan_never_writes() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::repo().join("schemas/plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let plan = |act: &str, why: &str| {
        serde_json::json!({
            "type": "plan", "file": "c.toml", "campaign": "c", "recipients": 1, "uploads": 0,
            "call_posts": 1, "posts": 1, "bytes": 10,
            "journal": {"path": "j", "accepted": 1, "in_doubt": 0, "to_send": 0},
            "changes": {"counts": {act: 1}, "rows": [
                {"act": act, "why": why, "callid": "a", "number": "8185550101"}
            ]}
        })
    };
    assert!(validator.is_valid(&plan("fixed", "dialled")));
    assert!(!validator.is_valid(&plan("in doubt", "dialled")));
    assert!(!validator.is_valid(&plan("fixed", "because")));
    assert!(!validator.is_valid(&plan("update", "dialled")));
}
