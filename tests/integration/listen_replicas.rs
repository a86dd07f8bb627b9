//! Several `listen` processes behind one store, one of them SIGKILLed in the middle of the
//! load: every post that got a 2xx is stored, none twice, and `report` from another folder
//! shows them all. On one SQLite file (two processes on one machine), and on PostgreSQL
//! (the replicas of a service; skipped, saying so, when no PostgreSQL can be started).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::listen::{BIN, Listener, send, voiceshot_campaign};
use crate::support::tempdir;

const TOKEN: &str = "replica-token-0123456789abcdef";
/// Client threads posting at once (a provider's delivery workers).
const CLIENTS: usize = 8;

/// Where the replicas keep results.
enum Backend {
    /// One SQLite file for both.
    Sqlite(PathBuf),
    /// A PostgreSQL database (its URL).
    Postgres(String),
}

impl Backend {
    /// The environment of every outdial run against this store.
    fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("OUTDIAL_LISTEN_TOKEN", TOKEN.to_owned())];
        if let Backend::Postgres(url) = self {
            env.push(("OUTDIAL_STATE", url.clone()));
        }
        env
    }
}

/// A Call Summary as VoiceShot posts it.
fn summary(callid: &str, number: &str, reached: bool) -> String {
    let (status, comment) = if reached {
        ("Successful", "Human Answer")
    } else {
        ("Unsuccessful", "No Answer")
    };
    format!(
        r#"<?xml version="1.0"?><campaign menuid="1-1234" duration="12" phonenumber="{number}" status="{status}" comment="{comment}" callid="{callid}" dateandtime="12/1/2026 1:02:03 AM"><prompts><prompt promptid="1" keypress="1"/></prompts></campaign>"#
    )
}

/// The folder `name` with the campaign of `from` as a fresh checkout has it (its file and
/// contacts), and with `journal` a copy of its local journal; no results store.
fn checkout(from: &Path, root: &Path, name: &str, journal: bool) -> PathBuf {
    let to = root.join(name);
    std::fs::create_dir_all(to.join(".outdial")).unwrap();
    let mut files = vec!["loop.toml", "contacts.csv"];
    if journal {
        files.push(".outdial/loop.jsonl");
    }
    for file in files {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    to.join("loop.toml")
}

/// The campaign of `n` recipients in `sent` with the sandbox as its endpoint (the journal in
/// the store is keyed by it), sent with `env` (`OUTDIAL_STATE` or not): its file, and the
/// calls as the sandbox holds them.
fn sent_campaign(
    sent: &Path,
    n: usize,
    sb: &outdial::provider::voiceshot::sandbox::Sandbox,
    env: &[(&str, &str)],
) -> (
    PathBuf,
    Vec<outdial::provider::voiceshot::sandbox::SandboxCall>,
) {
    std::fs::create_dir_all(sent).unwrap();
    let file = voiceshot_campaign(sent, n, "");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "menuid = \"1-1234\"\n",
        &format!("menuid = \"1-1234\"\nendpoint = \"{}\"\n", sb.url()),
    );
    std::fs::write(&file, text).unwrap();
    send(&file, &sb.url(), env);
    let calls = sb.calls();
    assert_eq!(calls.len(), n);
    (file, calls)
}

/// Posts every body, each until a replica acknowledges it with a 2xx: a failed post
/// (refused, reset, 5xx) goes to the next replica, as a load balancer retries. Returns the
/// call ids acknowledged, as they were, and calls `midway` once half are.
fn post_all(
    urls: &[String],
    posts: Vec<(String, String)>,
    midway: impl FnOnce() + Send,
) -> Vec<String> {
    let queue = Arc::new(Mutex::new(posts));
    let total = queue.lock().unwrap().len();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(240);
    thread::scope(|scope| {
        for worker in 0..CLIENTS {
            let (queue, acked, done) = (Arc::clone(&queue), Arc::clone(&acked), Arc::clone(&done));
            scope.spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                let mut turn = worker;
                loop {
                    let Some((callid, body)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    loop {
                        assert!(Instant::now() < deadline, "posts not acknowledged in time");
                        turn += 1;
                        let url = format!("{}/voiceshot/summary/{TOKEN}", urls[turn % urls.len()]);
                        let reply = client
                            .post(&url)
                            .header("Content-Type", "text/xml")
                            .body(body.clone())
                            .send();
                        match reply {
                            Ok(r) if r.status().is_success() => break,
                            Ok(r) => assert!(
                                r.status().is_server_error(),
                                "a post refused with {}",
                                r.status()
                            ),
                            Err(_) => {}
                        }
                        thread::sleep(Duration::from_millis(20));
                    }
                    acked.lock().unwrap().push(callid);
                    done.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
        while done.load(Ordering::SeqCst) < total / 2 {
            assert!(
                Instant::now() < deadline,
                "half the posts not acknowledged in time"
            );
            thread::sleep(Duration::from_millis(5));
        }
        midway();
    });
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

/// `outdial ARGS…` that must succeed within two minutes: its stdout (through a file, as a
/// report of thousands of rows is more than a pipe holds).
fn report(args: &[&str], env: &[(&str, &str)], dir: &Path) -> String {
    let path = dir.join("report.out");
    let mut child = std::process::Command::new(BIN)
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&path).unwrap())
        .stderr(std::fs::File::create(dir.join("report.err")).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("outdial {args:?} did not finish in 120 s");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let err = std::fs::read_to_string(dir.join("report.err")).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    std::fs::read_to_string(path).unwrap()
}

/// Two replicas, `n` summaries and a tenth of them again (redeliveries), replica one killed
/// halfway; then checks the store and the report from a third folder.
fn replicas_survive_a_kill(backend: &Backend, n: usize) {
    use outdial::provider::voiceshot::sandbox::{Sandbox, SandboxConfig};
    let dir = tempdir();
    let sent = dir.path().join("sent");
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .unwrap();
    let env = backend.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, calls) = sent_campaign(&sent, n, &sb, &env);
    // On PostgreSQL the replicas and the report find the journal there: fresh checkouts.
    let local = matches!(backend, Backend::Sqlite(_));

    let db = match backend {
        Backend::Sqlite(db) => db.clone(),
        // Only the recordings' folder then.
        Backend::Postgres(_) => dir.path().join("recordings.db"),
    };
    let one = checkout(&sent, dir.path(), "one", local);
    let two = checkout(&sent, dir.path(), "two", local);
    let replicas = [
        Listener::start_with(&[&one], &db, &[], &env),
        Listener::start_with(&[&two], &db, &[], &env),
    ];
    let urls: Vec<String> = replicas.iter().map(|r| r.url.clone()).collect();

    let mut posts: Vec<(String, String)> = calls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.callid.clone(), summary(&c.callid, &c.number, i % 5 != 0)))
        .collect();
    let again: Vec<_> = posts.iter().step_by(10).cloned().collect();
    posts.extend(again);
    // A fixed shuffle: redeliveries mixed in with first deliveries.
    let len = posts.len();
    for i in 0..len {
        posts.swap(i, (i * 7919 + 13) % len);
    }
    let [first, second] = replicas;
    let acked = post_all(&urls, posts, move || first.kill());
    assert_eq!(acked.len(), n + n.div_ceil(10), "every post acknowledged");

    // The report from a third folder, with no store of its own.
    let third = checkout(&sent, dir.path(), "third", local);
    let mut args = vec!["--format", "json", "report", third.to_str().unwrap()];
    if let Backend::Sqlite(db) = backend {
        args.extend(["--db", db.to_str().unwrap()]);
    }
    let stdout = report(&args, &env, dir.path());
    let lines = crate::support::json_lines(&stdout);
    let results: Vec<_> = lines.iter().filter(|l| l["type"] == "result").collect();
    assert_eq!(results.len(), n);
    let counts = &lines.last().unwrap()["counts"];
    assert_eq!(counts["reached"], n - n.div_ceil(5), "{counts}");
    assert_eq!(counts["not_reached"], n.div_ceil(5), "{counts}");
    for id in &acked {
        let row = results.iter().find(|r| r["callid"] == id.as_str());
        assert!(
            row.is_some_and(|r| r["source"] == "summary"),
            "{id} missing"
        );
    }

    // None filed twice: one history row per call (a second filing would add one).
    let (rows, history, fresh_posts) = match backend {
        Backend::Sqlite(db) => {
            let conn = rusqlite::Connection::open(db).unwrap();
            let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
            (
                count("SELECT count(*) FROM calls"),
                count("SELECT count(*) FROM history"),
                count("SELECT count(*) FROM posts"),
            )
        }
        Backend::Postgres(url) => {
            let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
            let mut count = |sql: &str| client.query_one(sql, &[]).unwrap().get::<_, i64>(0);
            (
                count("SELECT count(*) FROM outdial_calls"),
                count("SELECT count(*) FROM outdial_history"),
                count("SELECT count(*) FROM outdial_posts"),
            )
        }
    };
    assert_eq!((rows, history, fresh_posts), (n as i64, n as i64, n as i64));
    let (code, _) = second.stop();
    assert_eq!(code, Some(0));
}

#[test]
fn two_listeners_on_one_sqlite_file_lose_and_repeat_nothing_when_one_is_killed() {
    let dir = tempdir();
    replicas_survive_a_kill(&Backend::Sqlite(dir.path().join("shared.db")), 1000);
}

#[test]
fn two_listen_replicas_on_postgresql_lose_and_repeat_nothing_when_one_is_killed() {
    let Some(url) = crate::support::pg() else {
        return;
    };
    replicas_survive_a_kill(&Backend::Postgres(url), 2000);
}

#[test]
fn readiness_and_posts_follow_the_postgresql_server() {
    use super::listen::{AUTH, PASSWORD, USER, post};
    use super::listen_service::get;
    use outdial::provider::voiceshot::sandbox::{Sandbox, SandboxConfig};
    let Some(cluster) = crate::support::Cluster::own() else {
        return;
    };
    let url = cluster.database();
    let dir = tempdir();
    let env = [
        ("OUTDIAL_LISTEN_USER", USER),
        ("OUTDIAL_LISTEN_PASSWORD", PASSWORD),
        ("OUTDIAL_STATE", url.as_str()),
    ];
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        ..SandboxConfig::default()
    })
    .unwrap();
    let sent = dir.path().join("sent");
    let (_, calls) = sent_campaign(&sent, 3, &sb, &env);
    let fresh = checkout(&sent, dir.path(), "fresh", false);
    let listener = Listener::start_with(&[&fresh], &dir.path().join("unused.db"), &[], &env);
    let ready = || get(&listener.route("/readyz"), None).0;
    let summary_url = listener.route("/voiceshot/summary");
    let deliver = |i: usize| {
        let body = summary(&calls[i].callid, &calls[i].number, true);
        post(&summary_url, "text/xml", body, AUTH).0
    };
    assert_eq!(ready(), 200);
    assert_eq!(deliver(0), 200);

    // A restart cuts every connection: a post may be refused (503, to be retried) but never
    // acknowledged unstored, and the listener reconnects on its own.
    cluster.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    while deliver(1) != 200 {
        assert!(
            Instant::now() < deadline,
            "no post stored after the restart"
        );
        thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(ready(), 200);
    // Both matched through the journal `send` kept in the database.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let count = |client: &mut postgres::Client, sql: &str| -> i64 {
        client.query_one(sql, &[]).unwrap().get(0)
    };
    assert_eq!(count(&mut client, "SELECT count(*) FROM outdial_calls"), 2);
    assert_eq!(
        count(&mut client, "SELECT count(*) FROM outdial_unmatched"),
        0
    );
    drop(client);

    // The server gone: not ready, posts refused with 503, the process still up.
    drop(cluster);
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready() != 503 {
        assert!(Instant::now() < deadline, "still ready without a server");
        thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(deliver(2), 503);
    assert_eq!(get(&listener.route("/healthz"), None).0, 200);
    let (code, log) = listener.stop();
    assert_eq!(code, Some(0), "{log:?}");
    assert!(!log.iter().any(|l| l.contains(PASSWORD)));
}

#[test]
fn a_postgresql_store_out_of_reach_stops_listen_at_once_with_exit_4() {
    let dir = tempdir();
    let file = voiceshot_campaign(dir.path(), 3, "");
    let url = format!(
        "postgresql://outdial:s3cret-pw@/outdial?host={}&connect_timeout=2",
        dir.path().display()
    );
    let started = Instant::now();
    let out = super::listen::outdial(
        &["listen", file.to_str().unwrap(), "--bind", "127.0.0.1:0"],
        &[
            ("OUTDIAL_LISTEN_TOKEN", TOKEN),
            ("OUTDIAL_STATE", url.as_str()),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(stderr.contains("unreachable"), "{stderr}");
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
    assert!(out.stdout.is_empty(), "no URL: it never served");
}

#[test]
fn query_on_postgresql_keeps_a_listeners_final_word_and_report_elsewhere_reads_both() {
    use outdial::provider::voiceshot::sandbox::{CallStatus, Sandbox, SandboxConfig};
    let Some(url) = crate::support::pg() else {
        return;
    };
    let dir = tempdir();
    let sent = dir.path().join("sent");
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_millis(50),
        success_rate: 1.0,
        ..SandboxConfig::default()
    })
    .unwrap();
    let env = [
        ("OUTDIAL_LISTEN_TOKEN", TOKEN),
        ("OUTDIAL_STATE", url.as_str()),
    ];
    let (file, _) = sent_campaign(&sent, 6, &sb, &env);
    super::listen::wait_for("every call dialled", 30, || {
        sb.calls().iter().all(|c| !c.status.is_undialled())
    });
    let calls = sb.calls();
    // A summary says the first call reached no one; the sandbox's query will say otherwise.
    let one = checkout(&sent, dir.path(), "one", false);
    let listener = Listener::start_with(&[&one], &dir.path().join("unused.db"), &[], &env);
    let first = &calls[0];
    let (status, _) = super::listen::post(
        &listener.route(&format!("/voiceshot/summary/{TOKEN}")),
        "text/xml",
        summary(&first.callid, &first.number, false),
        None,
    );
    assert_eq!(status, 200);
    drop(listener);

    let mut args = vec!["query", file.to_str().unwrap(), "--endpoint"];
    let endpoint = sb.url();
    args.push(&endpoint);
    let out = super::listen::outdial(&args, &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("stored 5 results in postgresql://"),
        "{stderr}"
    );
    assert!(
        !sent.join(".outdial/results.db").exists(),
        "no results kept locally"
    );
    assert!(
        !sent.join(".outdial/loop.jsonl").exists(),
        "no journal kept locally"
    );

    let third = checkout(&sent, dir.path(), "third", false);
    let stdout = report(
        &["--format", "json", "report", third.to_str().unwrap()],
        &env,
        dir.path(),
    );
    let lines = crate::support::json_lines(&stdout);
    let results: Vec<_> = lines.iter().filter(|l| l["type"] == "result").collect();
    assert_eq!(results.len(), 6);
    for call in &calls {
        let row = results
            .iter()
            .find(|r| r["callid"] == call.callid.as_str())
            .unwrap();
        if call.callid == first.callid {
            assert_eq!(
                (&row["status"], &row["source"]),
                (&"not-reached".into(), &"summary".into())
            );
        } else {
            assert_eq!(call.status, CallStatus::Successful);
            assert_eq!(
                (&row["status"], &row["source"]),
                (&"reached".into(), &"query".into())
            );
        }
    }
}
