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
