//! `listen` and `report` in fresh folders match providers' posts against a journal kept in the
//! PostgreSQL state store: the campaign was sent from another folder, and neither has a file.

use crate::listen::{Listener, campaign_in, post, send, undialled};
use crate::support::{pg, tempdir};

const TOKEN: &str = "state-listen-token-0123456789";

#[test]
fn listen_and_report_in_fresh_folders_match_posts_against_the_stores_journal() {
    let Some(url) = pg() else {
        return;
    };
    let env = [
        ("OUTDIAL_STATE", url.as_str()),
        ("OUTDIAL_LISTEN_TOKEN", TOKEN),
    ];
    let dir = tempdir();
    let fresh = |name: &str| campaign_in(dir.path(), name);
    let sent = fresh("sent");
    let sb = undialled();
    send(&sent, &sb.url(), &env);
    assert!(!dir.path().join("sent/.outdial/loop.jsonl").exists());
    let calls = sb.calls();
    assert_eq!(calls.len(), 3);

    let listening = fresh("listening");
    let listener =
        Listener::start_with(&[&listening], &dir.path().join("recordings.db"), &[], &env);
    for c in &calls {
        let body = format!(
            r#"<?xml version="1.0"?><campaign menuid="1-1234" duration="12" phonenumber="{}" status="Successful" comment="Human Answer" callid="{}" dateandtime="12/1/2026 1:02:03 AM"><prompts><prompt promptid="1" keypress="1"/></prompts></campaign>"#,
            c.number, c.callid
        );
        let route = listener.route(&format!("/voiceshot/summary/{TOKEN}"));
        let (status, text) = post(&route, "text/xml", body, None);
        assert_eq!(status, 200, "{text}");
    }
    let (code, _) = listener.stop();
    assert_eq!(code, Some(0));

    // Filed as the campaign's calls, not as unmatched posts.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let filed: i64 = client
        .query_one(
            "SELECT count(*) FROM outdial_calls WHERE campaign = 'loop' AND outcome = 'reached'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(filed, 3);

    let reporting = fresh("reporting");
    let out = crate::listen::outdial(
        &["--format", "json", "report", reporting.to_str().unwrap()],
        &env,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = crate::support::json_lines(&stdout);
    let counts = &lines.last().unwrap()["counts"];
    assert_eq!(counts["reached"], 3, "{counts}");
}
