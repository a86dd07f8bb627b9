//! `outdial listen` against posts no honest provider sends, and against the ones real
//! providers do send that our sandboxes never did: forged, downgraded, misaddressed and test
//! posts, every shape of voip-communications callback, slow and idle peers, and stores it
//! cannot or must not write.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use outdial::results::{Outcome, Store};

use super::listen::{
    AUTH, BIN, Listener, PASSWORD, USER, VOIPCOMM_ENV, contacts, outdial, post, send,
    voiceshot_campaign,
};
use crate::support::tempdir;

const TOKEN: &str = "tok_3f9a1c77d2e84b06a5c1e0d9";
const XML: &str = "text/xml";
const FORM: &str = "application/x-www-form-urlencoded";

/// A VoiceShot campaign of 3 recipients sent to a sandbox that never dials: the journal
/// knows every (call id, number); no summary comes but the ones a test posts.
fn sent_voiceshot(dir: &Path) -> (PathBuf, Vec<(String, String)>) {
    use outdial::provider::voiceshot::sandbox::{Sandbox, SandboxConfig};
    let file = voiceshot_campaign(dir, 3, "");
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .unwrap();
    send(&file, &sb.url(), &[]);
    let calls = sb
        .calls()
        .into_iter()
        .map(|c| (c.callid, c.number))
        .collect();
    (file, calls)
}

fn summary(callid: &str, number: &str, status: &str, comment: &str) -> String {
    format!(
        r#"<campaign menuid="1-1234" duration="14" phonenumber="{number}" status="{status}" comment="{comment}" callid="{callid}" dateandtime="12/1/2026 1:02:03 AM"/>"#
    )
}

fn authed(file: &Path, db: &Path) -> Listener {
    let env = [
        ("OUTDIAL_LISTEN_USER", USER),
        ("OUTDIAL_LISTEN_PASSWORD", PASSWORD),
    ];
    Listener::start_with(&[file], db, &[], &env)
}

#[test]
fn listen_will_not_serve_unauthenticated_unless_told_and_then_says_so() {
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 1, "");
    let out = outdial(
        &["listen", file.to_str().unwrap(), "--bind", "127.0.0.1:0"],
        &[],
    );
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("must be authenticated"), "{stderr}");
    assert!(stderr.contains("--insecure-no-auth"), "{stderr}");
    // A token too short to be a secret is refused before anything is served.
    let out = outdial(
        &["listen", file.to_str().unwrap(), "--bind", "127.0.0.1:0"],
        &[("OUTDIAL_LISTEN_TOKEN", "abc")],
    );
    assert_eq!(out.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OUTDIAL_LISTEN_TOKEN"), "{stderr}");
    assert!(!stderr.contains("abc\n"), "{stderr}");
    let db = dir.path().join("r.db");
    let open = Listener::start_with(&[&file], &db, &["--insecure-no-auth"], &[]);
    let (_, log) = open.stop();
    let log = log.join("\n");
    assert!(log.contains("warning: --insecure-no-auth"), "{log}");
}

#[test]
fn a_forged_post_is_refused_and_the_token_route_lets_a_provider_in() {
    let dir = tempdir();
    let (file, calls) = sent_voiceshot(dir.path());
    let db = dir.path().join("r.db");
    let listener = Listener::start_with(&[&file], &db, &[], &[("OUTDIAL_LISTEN_TOKEN", TOKEN)]);
    let (callid, number) = &calls[0];
    let forged = summary(callid, number, "Successful", "Human Answer");
    let plain = listener.route("/voiceshot/summary");
    // No credentials, a guessed token, credentials that are not set: all refused.
    assert_eq!(post(&plain, XML, forged.clone(), None).0, 401);
    let wrong = format!("{plain}/tok_3f9a1c77d2e84b06a5c1e0d8");
    assert_eq!(post(&wrong, XML, forged.clone(), None).0, 401);
    assert_eq!(post(&plain, XML, forged.clone(), AUTH).0, 401);
    assert!(
        Store::open(&db)
            .unwrap()
            .calls("voiceshot", "loop")
            .unwrap()
            .is_empty()
    );
    // The provider's URL ends in the token.
    let good = format!("{plain}/{TOKEN}");
    assert_eq!(post(&good, XML, forged, None).0, 200);
    let calls = Store::open(&db)
        .unwrap()
        .calls("voiceshot", "loop")
        .unwrap();
    assert_eq!(calls.len(), 1);
    let (code, log) = listener.stop();
    assert_eq!(code, Some(0));
    let log = log.join("\n");
    assert!(!log.contains(TOKEN), "the token never shows: {log}");
    assert!(log.contains("refused with 401"), "{log}");
}

#[test]
fn a_final_word_is_not_downgraded_or_overturned_by_a_later_post() {
    let dir = tempdir();
    let (file, calls) = sent_voiceshot(dir.path());
    let db = dir.path().join("r.db");
    let listener = authed(&file, &db);
    let url = listener.route("/voiceshot/summary");
    let (callid, number) = &calls[0];
    let first = summary(callid, number, "Unsuccessful", "No Answer");
    assert_eq!(post(&url, XML, first, AUTH).0, 200);
    // A later "reached" and a later empty status: both answered 200, neither replaces.
    let reached = summary(callid, number, "Successful", "Human Answer");
    assert_eq!(post(&url, XML, reached, AUTH).0, 200);
    let pending = summary(callid, number, "", "");
    assert_eq!(post(&url, XML, pending, AUTH).0, 200);
    let store = Store::open(&db).unwrap();
    let rows = store.calls("voiceshot", "loop").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, Outcome::NotReached);
    assert_eq!(rows[0].reason.as_deref(), Some("No Answer"));
    // Both kept as history and counted: one lesser, one conflicting.
    assert_eq!(store.overruled("voiceshot", "loop").unwrap(), (1, 1));
    drop(store);
    let (_, log) = listener.stop();
    let log = log.join("\n");
    assert!(
        log.contains("conflicts with the final word stored before"),
        "{log}"
    );
    assert!(log.contains("a lesser word than the stored one"), "{log}");
    // `report` counts them.
    let out = outdial(
        &[
            "report",
            file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        &[],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(
            "2 later posts kept in history: 1 conflicting with a stored final word, 1 saying less"
        ),
        "{text}"
    );
}

#[test]
fn a_post_for_another_number_or_call_is_kept_unmatched_never_filed() {
    let dir = tempdir();
    let (file, calls) = sent_voiceshot(dir.path());
    let db = dir.path().join("r.db");
    let listener = authed(&file, &db);
    let url = listener.route("/voiceshot/summary");
    let (callid, number) = &calls[0];
    let last = &number[number.len() - 1..];
    let posts = [
        // The last digit alone once matched any number ending in it.
        summary(callid, last, "Successful", "Human Answer"),
        // A number the journal does not have for this call id.
        summary(callid, "2025550199", "Successful", "Human Answer"),
        // A call id no journal has (an inbound call, a typo).
        summary("nobody-1", number, "Successful", "Human Answer"),
        // The Test button in VoiceShot's Call Summary settings.
        r#"<campaign menuid="1-1234" callid="0" phonenumber="" status="" comment="Test"/>"#
            .to_owned(),
    ];
    for body in &posts {
        assert_eq!(
            post(&url, XML, body.clone(), AUTH),
            (200, String::new()),
            "{body}"
        );
    }
    let events = listener.route("/voiceshot/events");
    let stranger = r#"<prompt menuid="1-1234" callid="nobody-2" promptid="1" keypress="1"/>"#;
    assert_eq!(post(&events, XML, stranger, AUTH).0, 200);
    let store = Store::open(&db).unwrap();
    assert!(store.calls("voiceshot", "loop").unwrap().is_empty());
    let unmatched = store.unmatched("voiceshot").unwrap();
    assert_eq!(unmatched.len(), 5, "{unmatched:?}");
    assert!(
        unmatched[0].why.contains("is not the journal's number"),
        "{unmatched:?}"
    );
    assert_eq!(unmatched[3].why, "VoiceShot's Test post");
    drop(store);
    listener.stop();
    // `report --unmatched` shows them, as text and as JSON lines.
    let db_arg = db.to_str().unwrap();
    let out = outdial(
        &[
            "report",
            file.to_str().unwrap(),
            "--db",
            db_arg,
            "--unmatched",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let listed = stdout.lines().filter(|l| l.contains(" /voiceshot/"));
    assert_eq!(listed.count(), 5, "{stdout}");
    assert!(stdout.contains("5 posts kept as unmatched"), "{stdout}");
    assert!(stdout.contains("VoiceShot's Test post"), "{stdout}");
    let out = outdial(
        &[
            "--format",
            "json",
            "report",
            file.to_str().unwrap(),
            "--db",
            db_arg,
            "--unmatched",
        ],
        &[],
    );
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["type"] == "unmatched")
        .collect();
    assert_eq!(records.len(), 5);
    assert_eq!(records[2]["callid"], "nobody-1");
    assert!(records[2]["body"].as_str().unwrap().contains("nobody-1"));
}

/// A voip-communications campaign sent to a sandbox that never dials, so the only callbacks
/// are a test's: (campaign file, [(outdial call id, provider call id, `to`)]).
fn sent_voipcomm(dir: &Path) -> (PathBuf, Vec<(String, String, String)>) {
    use outdial::provider::voipcomm::sandbox::{Sandbox, SandboxConfig};
    contacts(dir, 6);
    let text = "[campaign]\nname = \"vc\"\nprovider = \"voipcomm\"\n\n[voipcomm]\ncallback_url = \"http://127.0.0.1:9/voipcomm/callback\"\n\n[voipcomm.answer]\nspeak = 1\nspeak_lang = \"en-US\"\n\n[[prompt]]\nid = 1\ntts = \"Your parcel arrives today.\"\n\n[recipients]\nwindow = \"always\"\ncsv = \"contacts.csv\"\n";
    let file = dir.join("vc.toml");
    std::fs::write(&file, text).unwrap();
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .unwrap();
    send(&file, &sb.url(), &VOIPCOMM_ENV);
    let calls = sb
        .calls()
        .into_iter()
        .map(|c| {
            let url = &c.params["callback_url"];
            let ours = url.split("outdial_callid=").nth(1).unwrap().to_owned();
            (ours, c.callid, c.to)
        })
        .collect();
    (file, calls)
}

#[test]
fn every_callback_shape_and_word_is_read_and_nothing_unknown_is_not_reached() {
    let dir = tempdir();
    let (file, calls) = sent_voipcomm(dir.path());
    let db = dir.path().join("r.db");
    let listener = authed(&file, &db);
    let base = listener.route("/voipcomm/callback");
    let with_ours = |ours: &str| format!("{base}?outdial_callid={ours}");
    let multipart = |fields: &[(&str, &str)]| {
        let mut body = String::new();
        for (k, v) in fields {
            body.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ));
        }
        body + "--XyZ--\r\n"
    };
    let (o0, p0, t0) = &calls[0];
    let (o1, p1, _) = &calls[1];
    let (o2, _, _) = &calls[2];
    let (o3, _, t3) = &calls[3];
    let (o4, _, _) = &calls[4];
    let (o5, p5, _) = &calls[5];
    let posts: Vec<(String, &str, String)> = vec![
        // A form naming the call by the provider's id alone, with synonyms.
        (
            base.clone(),
            FORM,
            format!("callid={p0}&to={t0}&status=ANSWERED&answered_by=Person&billsec=12"),
        ),
        // No callid in the body: the URL names the call.
        (
            with_ours(o1),
            FORM,
            "answer_status=Person&billed_seconds=12".into(),
        ),
        // JSON with extra fields.
        (
            with_ours(o2),
            "application/json",
            format!(
                r#"{{"callid":"{p1}x","status":"Machine","duration":"7","extra":{{"a":[1]}}}}"#
            ),
        ),
        // PHP's curl with an array of fields.
        (
            with_ours(o3),
            "multipart/form-data; boundary=XyZ",
            multipart(&[("to", t3), ("status", "Human"), ("billed_seconds", "3")]),
        ),
        // text/plain key=value lines, a word outdial does not know.
        (
            with_ours(o4),
            "text/plain",
            "status=completed\nbilled_seconds=30\n".into(),
        ),
        // An empty body for a named call: unknown, kept.
        (with_ours(o5), FORM, String::new()),
    ];
    for (url, ctype, body) in &posts {
        assert_eq!(
            post(url, ctype, body.clone(), AUTH).0,
            200,
            "{ctype} {body}"
        );
    }
    let store = Store::open(&db).unwrap();
    let rows = store.calls("voipcomm", "vc").unwrap();
    let row = |ours: &str| rows.iter().find(|r| r.callid == ours).cloned();
    let r0 = row(o0).expect("found by the provider's id");
    assert_eq!(
        (r0.outcome, r0.answered_by.as_deref(), r0.duration),
        (Outcome::Reached, Some("human"), Some(12))
    );
    let r1 = row(o1).unwrap();
    assert_eq!(
        (r1.outcome, r1.answered_by.as_deref()),
        (Outcome::Reached, Some("human"))
    );
    // The body's provider callid is not the journal's for this call: not filed under it.
    assert!(row(o2).is_none());
    let r3 = row(o3).unwrap();
    assert_eq!((r3.outcome, r3.duration), (Outcome::Reached, Some(3)));
    let r4 = row(o4).unwrap();
    assert_eq!(r4.outcome, Outcome::Unknown);
    assert_eq!(r4.status, "completed");
    let r5 = row(o5).unwrap();
    assert_eq!(r5.outcome, Outcome::Unknown);
    assert!(
        rows.iter().all(|r| r.outcome != Outcome::NotReached),
        "{rows:?}"
    );
    assert_eq!(store.unmatched("voipcomm").unwrap().len(), 1);
    drop(store);
    // The raw body is kept beside the row.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let raw: Vec<u8> = conn
        .query_row(
            "SELECT body FROM history WHERE callid = ?1",
            [o4.as_str()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(raw, b"status=completed\nbilled_seconds=30\n");
    drop(conn);
    listener.stop();
    // Unknown is never retried.
    let retry = dir.path().join("retry.csv");
    let out = outdial(
        &[
            "report",
            file.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--retry",
            retry.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let retry = std::fs::read_to_string(&retry).unwrap();
    let t4 = &calls[4].2[1..];
    assert!(!retry.contains(t4), "{retry}");
    let _ = p5;
}

#[test]
fn slow_heads_slow_bodies_and_idle_floods_do_not_hold_the_listener() {
    let dir = tempdir();
    let (file, calls) = sent_voiceshot(dir.path());
    let db = dir.path().join("r.db");
    let listener = authed(&file, &db);
    let addr = listener.url.trim_start_matches("http://").to_owned();
    // 300 idle connections and 100 half-sent heads: more than the 128 once served at all.
    let mut held = Vec::new();
    for i in 0..400 {
        let mut s = TcpStream::connect(&addr).unwrap();
        if i % 4 == 0 {
            write!(s, "POST /voiceshot/summary HTTP/1.1\r\nHost: x\r\n").unwrap();
        }
        held.push(s);
    }
    // A slow body: 1,000 bytes announced, 10 sent.
    let mut slow = TcpStream::connect(&addr).unwrap();
    let auth = base64_auth();
    write!(
        slow,
        "POST /voiceshot/summary HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<campaign "
    )
    .unwrap();
    let started = Instant::now();
    let (callid, number) = &calls[0];
    let body = summary(callid, number, "Successful", "Human Answer");
    assert_eq!(
        post(&listener.route("/voiceshot/summary"), XML, body, AUTH).0,
        200
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "a real post waited {took:?}");
    // The slow body is cut in seconds, with 408.
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut reply = Vec::new();
    let _ = slow.read_to_end(&mut reply);
    let cut = started.elapsed();
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(
        cut < Duration::from_secs(8),
        "the slow body held on for {cut:?}"
    );
    drop(held);
    let (code, _) = listener.stop();
    assert_eq!(code, Some(0));
}

fn base64_auth() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
}

#[test]
fn listen_refuses_a_store_it_cannot_write_or_that_is_not_its_own() {
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 1, "");
    let env = [
        ("OUTDIAL_LISTEN_USER", USER),
        ("OUTDIAL_LISTEN_PASSWORD", PASSWORD),
    ];
    // Bounded: a listen that wrongly starts serving is stopped after 20 s.
    let run = |db: &str| {
        let mut child = Command::new(BIN)
            .args([
                "listen",
                file.to_str().unwrap(),
                "--bind",
                "127.0.0.1:0",
                "--db",
                db,
            ])
            .envs(env)
            .env("NO_COLOR", "1")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        child.wait_with_output().unwrap()
    };
    // Read-only: SQLite's read-only URI, which holds even for root (who ignores file modes).
    drop(Store::open(&dir.path().join("r.db")).unwrap());
    let out = run("file:r.db?mode=ro");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be written"), "{stderr}");
    assert!(out.stdout.is_empty(), "never listened: {out:?}");
    // Another program's database: refused, and left as it was.
    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE calls (who TEXT, rang INTEGER);")
        .unwrap();
    drop(conn);
    let out = run(other.to_str().unwrap());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not an outdial results store"),
        "{stderr}"
    );
    // `report` says the same, not a raw SQL error.
    let out = outdial(
        &[
            "report",
            file.to_str().unwrap(),
            "--db",
            other.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not an outdial results store"),
        "{stderr}"
    );
    assert!(!stderr.contains("no such"), "{stderr}");
    let conn = rusqlite::Connection::open(&other).unwrap();
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
}
