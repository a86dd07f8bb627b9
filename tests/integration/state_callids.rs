//! The cross-campaign call-id guard: a call id given by hand that another campaign already
//! posted to the same provider is refused before anything is sent (exit 5), named with the
//! other campaign and the recipient's line; `plan` and `check` show the same problem. With
//! local state the other campaigns are the journals next to the file; with PostgreSQL, every
//! campaign sent through the database, from any folder.

use std::path::Path;
use std::process::Output;

use outdial::provider::voiceshot::sandbox::{Faults, Sandbox};

use crate::submit::{FAST, sandbox};
use crate::support::{outdial_in, pg, tempdir};

/// Writes campaign `name` to `dir/<name>.toml`, its recipients in `<name>.csv` with a
/// `callid` column: `rows` are (number, callid).
fn campaign(dir: &Path, name: &str, rows: &[(&str, &str)]) {
    let mut csv = String::from("number,callid\n");
    for (number, id) in rows {
        csv.push_str(&format!("{number},{id}\n"));
    }
    std::fs::write(dir.join(format!("{name}.csv")), csv).unwrap();
    std::fs::write(
        dir.join(format!("{name}.toml")),
        format!(
            "[campaign]\nname = \"{name}\"\n\n[voiceshot]\nmenuid = \"1-1234\"\ncallerid = \"8185550199\"\n\n[[prompt]]\nid = 1\ntts = \"The web server is down.\"\n\n[recipients]\nwindow = \"always\"\ncsv = \"{name}.csv\"\n"
        ),
    )
    .unwrap();
}

fn send(dir: &Path, state: Option<&str>, name: &str, sb: &Sandbox) -> Output {
    let file = format!("{name}.toml");
    let url = sb.url();
    let mut args = vec!["send", file.as_str(), "--yes", "--endpoint", url.as_str()];
    args.extend(FAST);
    outdial_in(dir, state, &args)
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `fall` reuses `spring`'s call id `vip1` on line 3 of fall.csv: the refusal names the id,
/// the other campaign, the line and what to do.
fn assert_named(out: &Output) {
    let text = err(out);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("state::callid-elsewhere"), "{text}");
    assert!(
        text.contains("call id \"vip1\" (line 3 of") && text.contains("fall.csv"),
        "{text}"
    );
    assert!(text.contains("campaign \"spring\"'s"), "{text}");
    assert!(text.contains("1 recipient of campaign \"fall\""), "{text}");
    assert!(text.contains("rename these call ids"), "{text}");
}

#[test]
fn a_call_id_another_campaign_sent_from_the_same_folder_is_refused_by_send_plan_and_check() {
    let sb = sandbox(Faults::default());
    let dir = tempdir();
    campaign(
        dir.path(),
        "spring",
        &[("8185550101", "vip1"), ("8185550102", "vip2")],
    );
    campaign(
        dir.path(),
        "fall",
        &[("8185550103", "fall3"), ("8185550104", "vip1")],
    );
    // Before spring is sent, fall is fine to check.
    let out = outdial_in(dir.path(), None, &["check", "fall.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let out = send(dir.path(), None, "spring", &sb);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let posted = sb.requests();
    assert_eq!(sb.calls().len(), 2);
    assert_named(&send(dir.path(), None, "fall", &sb));
    assert_eq!(sb.requests(), posted, "nothing of fall was posted");
    assert!(!dir.path().join(".outdial/fall.jsonl").exists());
    // `plan` and `check` show the same problem, with the same exit.
    assert_named(&outdial_in(dir.path(), None, &["plan", "fall.toml"]));
    assert_named(&outdial_in(dir.path(), None, &["check", "fall.toml"]));
    // spring itself resumes untroubled: its own ids are not another campaign's.
    let out = send(dir.path(), None, "spring", &sb);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    // Renamed, fall goes out.
    campaign(
        dir.path(),
        "fall",
        &[("8185550103", "fall3"), ("8185550104", "fall4")],
    );
    let out = send(dir.path(), None, "fall", &sb);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    assert_eq!(sb.calls().len(), 4);
}

#[test]
fn with_postgresql_a_call_id_sent_from_another_folder_is_refused() {
    let Some(state) = pg() else {
        return;
    };
    let sb = sandbox(Faults::default());
    let (a, b) = (tempdir(), tempdir());
    campaign(a.path(), "spring", &[("8185550101", "vip1")]);
    campaign(
        b.path(),
        "fall",
        &[("8185550103", "fall3"), ("8185550104", "vip1")],
    );
    let out = send(a.path(), Some(&state), "spring", &sb);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let posted = sb.requests();
    // Folder b has no journal of spring: only the database knows it.
    assert_named(&send(b.path(), Some(&state), "fall", &sb));
    assert_named(&outdial_in(b.path(), Some(&state), &["plan", "fall.toml"]));
    assert_eq!(sb.requests(), posted, "nothing of fall was posted");
    // With local state, folder b knows of no other campaign.
    let out = outdial_in(b.path(), None, &["check", "fall.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
}
