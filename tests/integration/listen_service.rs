//! `listen` as a service: the probes a supervisor and a load balancer ask, the Prometheus
//! metrics behind the posts' own credentials, JSON logs, and settings from the environment.

use std::time::Duration;

use super::listen::{AUTH, Listener, PASSWORD, USER, post, small_setup, summary};
use crate::support::tempdir;

/// A GET with a deadline, with credentials if given: status and body.
pub(super) fn get(url: &str, auth: Option<(&str, &str)>) -> (u16, String) {
    let mut request = reqwest::blocking::Client::new()
        .get(url)
        .timeout(Duration::from_secs(20));
    if let Some((user, password)) = auth {
        request = request.basic_auth(user, Some(password));
    }
    let reply = request.send().expect("listen answers");
    let status = reply.status().as_u16();
    (status, reply.text().unwrap())
}

/// The value of the sample `series` (name and labels, as written) in a Prometheus text.
pub(super) fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no sample {series} in:\n{text}"))
}

#[test]
fn probes_answer_without_credentials_and_metrics_count_what_happened_behind_them() {
    let dir = tempdir();
    let (listener, _db, callids) = small_setup(dir.path(), "");
    assert_eq!(get(&listener.route("/healthz"), None), (200, "ok\n".into()));
    assert_eq!(
        get(&listener.route("/readyz"), None),
        (200, "ready\n".into())
    );
    // Metrics are behind the posts' credentials.
    assert_eq!(get(&listener.route("/metrics"), None).0, 401);
    assert_eq!(
        get(&listener.route("/metrics"), Some((USER, "wrong"))).0,
        401
    );

    let url = listener.route("/voiceshot/summary");
    let good = summary(&callids[0], "Successful", "Human Answer");
    assert_eq!(post(&url, "text/xml", good.clone(), AUTH).0, 200);
    assert_eq!(post(&url, "text/xml", good.clone(), AUTH).0, 200);
    assert_eq!(post(&url, "text/xml", good, None).0, 401);
    assert_eq!(post(&url, "text/xml", "<campaign", AUTH).0, 400);
    let stray = summary("nobody", "Successful", "Human Answer");
    assert_eq!(post(&url, "text/xml", stray, AUTH).0, 200);
    let (status, text) = get(&listener.route("/metrics"), AUTH);
    assert_eq!(status, 200, "{text}");
    let route = r#"{route="/voiceshot/summary"}"#;
    let at = |name: &str| sample(&text, &format!("outdial_listen_{name}{route}"));
    assert_eq!(at("posts_received_total"), 5.0);
    assert_eq!(at("posts_stored_total"), 3.0);
    assert_eq!(at("posts_duplicate_total"), 1.0);
    assert_eq!(at("posts_unmatched_total"), 1.0);
    let refused = |reason: &str| {
        sample(
            &text,
            &format!(
                r#"outdial_listen_posts_refused_total{{route="/voiceshot/summary",reason="{reason}"}}"#
            ),
        )
    };
    assert_eq!(refused("unauthorized"), 1.0);
    assert_eq!(refused("malformed"), 1.0);
    // Three posts reached the store (the redelivery too: it is recognised there).
    assert_eq!(sample(&text, "outdial_listen_store_seconds_count"), 3.0);
    // The two refused metrics requests are counted under their own route.
    assert_eq!(
        sample(
            &text,
            r#"outdial_listen_posts_refused_total{route="/metrics",reason="unauthorized"}"#
        ),
        2.0
    );
    assert!(!text.contains(PASSWORD));
}

#[test]
fn metrics_take_the_token_route_and_unknown_paths_share_one_label() {
    let dir = tempdir();
    let (_, _, _) = small_setup(dir.path(), "");
    let file = dir.path().join("loop.toml");
    let token = "t0ken-for-metrics-0123456789";
    let listener = Listener::start_with(
        &[&file],
        &dir.path().join("r.db"),
        &[],
        &[("OUTDIAL_LISTEN_TOKEN", token)],
    );
    assert_eq!(get(&listener.route("/metrics"), None).0, 401);
    assert_eq!(get(&listener.route("/metrics/not-the-token"), None).0, 401);
    for path in ["/a", "/b/c", "/wp-login.php"] {
        assert_eq!(get(&listener.route(path), None).0, 404);
    }
    let (status, text) = get(&listener.route(&format!("/metrics/{token}")), None);
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        sample(
            &text,
            r#"outdial_listen_posts_refused_total{route="other",reason="no-route"}"#
        ),
        3.0
    );
    assert!(!text.contains(token));
}

#[test]
fn json_logs_and_settings_from_the_environment() {
    let dir = tempdir();
    let (_, _, callids) = small_setup(dir.path(), "");
    let file = dir.path().join("loop.toml");
    // --bind is given on the command line by Listener; the rest come from the environment.
    let listener = Listener::start_with(
        &[&file],
        &dir.path().join("ignored.db"),
        &[],
        &[
            ("OUTDIAL_LISTEN_USER", USER),
            ("OUTDIAL_LISTEN_PASSWORD", PASSWORD),
            ("OUTDIAL_LOG_FORMAT", "json"),
            ("OUTDIAL_LISTEN_MAX_BODY", "2000"),
        ],
    );
    let url = listener.route("/voiceshot/summary");
    let good = summary(&callids[0], "Successful", "Human Answer");
    assert_eq!(post(&url, "text/xml", good, AUTH).0, 200);
    assert_eq!(post(&url, "text/xml", "x".repeat(3000), AUTH).0, 413);
    let (code, log) = listener.stop();
    assert_eq!(code, Some(0));
    let lines: Vec<serde_json::Value> = log
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let event = |name: &str| {
        lines
            .iter()
            .find(|v| v["event"] == name)
            .unwrap_or_else(|| panic!("no {name} in {log:?}"))
    };
    let stored = event("stored");
    assert_eq!(stored["level"], "INFO");
    assert_eq!(stored["callid"], callids[0].as_str());
    assert_eq!(stored["campaign"], "loop");
    assert_eq!(stored["fresh"], true);
    assert!(stored["timestamp"].as_str().unwrap().ends_with('Z'));
    let rejected = event("rejected");
    assert_eq!(rejected["level"], "WARN");
    assert_eq!(rejected["status"], 413);
    assert_eq!(event("stopped")["stored"], 1);
    assert!(!log.iter().any(|l| l.contains(PASSWORD)));
    // OUTDIAL_LISTEN_DB was not set: the --db given is the store.
    assert!(dir.path().join("ignored.db").exists());
}

#[test]
fn the_store_comes_from_the_environment_when_no_db_is_given() {
    let dir = tempdir();
    let (_, _, callids) = small_setup(dir.path(), "");
    let file = dir.path().join("loop.toml");
    let db = dir.path().join("elsewhere/results.db");
    let out = super::listen::outdial(&["listen", "--help"], &[]);
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "OUTDIAL_LISTEN_BIND",
        "OUTDIAL_LISTEN_DB",
        "OUTDIAL_LISTEN_MAX_BODY",
        "OUTDIAL_LOG_FORMAT",
    ] {
        assert!(help.contains(var), "{var} not in:\n{help}");
    }
    let listener = Listener::start_env(
        &[&file],
        &[
            ("OUTDIAL_LISTEN_USER", USER),
            ("OUTDIAL_LISTEN_PASSWORD", PASSWORD),
            ("OUTDIAL_LISTEN_DB", db.to_str().unwrap()),
        ],
    );
    let url = listener.route("/voiceshot/summary");
    let good = summary(&callids[0], "Successful", "Human Answer");
    assert_eq!(post(&url, "text/xml", good, AUTH).0, 200);
    drop(listener);
    let store = outdial::results::Store::open(&db).unwrap();
    assert_eq!(store.calls("voiceshot", "loop").unwrap().len(), 1);
}
