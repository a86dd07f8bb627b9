//! A VoiceShot campaign whose Call Summaries go to a URL outdial cannot see: `plan` and `send`
//! say once where results will come from, and `report` says why every call is pending while
//! nothing is stored.

use std::time::Duration;

use outdial::provider::voiceshot::sandbox::{Sandbox, SandboxConfig};

use crate::report::{cli, fixtures_in, ok, text};
use crate::submit::{FAST, outdial as net, run};
use crate::support::tempdir;

const NOTE: &str = "note: VoiceShot posts Call Summaries to the URL set in its web designer";
const NOTHING: &str = "every call sent (30) is pending: no result of this campaign is stored";

#[test]
fn without_summary_url_plan_and_send_note_it_once_and_report_says_why_all_are_pending() {
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        seed: 13,
        ..SandboxConfig::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = fixtures_in(dir.path());
    let f = file.to_str().unwrap();

    let plan = cli(dir.path(), &["plan", f]);
    ok(&plan, "plan");
    assert_eq!(
        text(&plan.stderr).matches(NOTE).count(),
        1,
        "{}",
        text(&plan.stderr)
    );
    // `check` says nothing of it: the Call Query still answers, so nothing is wrong.
    let check = cli(dir.path(), &["check", f]);
    ok(&check, "check");
    assert!(
        !text(&check.stderr).contains(NOTE),
        "{}",
        text(&check.stderr)
    );

    let sent = run(net(&["send", f], &sb.url(), &FAST));
    ok(&sent, "send");
    assert_eq!(
        text(&sent.stderr).matches(NOTE).count(),
        1,
        "{}",
        text(&sent.stderr)
    );

    let report = cli(dir.path(), &["report", f]);
    ok(&report, "report");
    let said = format!("{}{}", text(&report.stdout), text(&report.stderr));
    assert_eq!(said.matches(NOTHING).count(), 1, "{said}");
    assert!(said.contains("run `outdial query FILE`"), "{said}");
    let json = cli(dir.path(), &["--format", "json", "report", f]);
    assert!(
        text(&json.stdout).contains("\"code\":\"report::nothing-stored\""),
        "{}",
        text(&json.stdout)
    );

    // Once the Call Query has stored results, the report has nothing to explain.
    ok(&run(net(&["query", f], &sb.url(), &FAST)), "query");
    let after = cli(dir.path(), &["report", f]);
    ok(&after, "report after query");
    let said = format!("{}{}", text(&after.stdout), text(&after.stderr));
    assert!(!said.contains("is pending: no result"), "{said}");

    // Naming where `listen` receives the summaries silences the note; a bad URL is refused.
    let body = std::fs::read_to_string(&file).unwrap();
    let named = body.replacen(
        "[voiceshot]\n",
        "[voiceshot]\nsummary_url = \"https://hooks.example/outdial\"\n",
        1,
    );
    std::fs::write(&file, named).unwrap();
    let plan = cli(dir.path(), &["plan", f]);
    ok(&plan, "plan with summary_url");
    assert!(
        !text(&plan.stderr).contains("note: VoiceShot"),
        "{}",
        text(&plan.stderr)
    );
    let bad = body.replacen("[voiceshot]\n", "[voiceshot]\nsummary_url = \"hooks\"\n", 1);
    std::fs::write(&file, bad).unwrap();
    let check = cli(dir.path(), &["check", f]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    assert!(
        text(&check.stderr).contains("`summary_url` \"hooks\" is not an http(s) URL"),
        "{}",
        text(&check.stderr)
    );
}
