//! The state store: `--state` / `OUTDIAL_STATE`, and the journal, locks and caps kept in
//! PostgreSQL.

use crate::support::{outdial, pg};

#[test]
fn a_state_location_that_is_no_url_is_a_usage_error_that_never_shows_the_password() {
    let run = outdial([
        "check",
        "--state",
        "mysql://me:hunter2@db/x",
        "tests/fixtures/valid/warnings.toml",
    ]);
    assert_eq!(run.code, 64, "{}", run.stderr);
    assert!(run.stderr.contains("state::location"), "{}", run.stderr);
    assert!(run.stderr.contains("mysql://***@db/x"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn each_test_gets_a_fresh_empty_database() {
    let (Some(a), Some(b)) = (pg(), pg()) else {
        return;
    };
    assert_ne!(a, b);
    for url in [a, b] {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let tables: i64 = client
            .query_one(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 0, "{url}");
    }
}

/// The global `--state` (where journals live) and the sandbox's own file of accepted calls
/// once shared a name, and `outdial sandbox` panicked whenever OUTDIAL_STATE was set.
#[test]
fn the_sandbox_runs_with_a_state_url_in_the_environment_and_keeps_its_calls_file() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = crate::support::tempdir();
    let calls = dir.path().join("calls.json");
    let mut sandbox = Command::new(env!("CARGO_BIN_EXE_outdial"))
        .args(["sandbox", "--port", "0", "--calls-file"])
        .arg(&calls)
        .env("OUTDIAL_STATE", "postgres://ci:hunter2@127.0.0.1:1/outdial")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sandbox starts");
    let mut url = String::new();
    BufReader::new(sandbox.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let _ = sandbox.kill();
    let out = sandbox.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?} {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
