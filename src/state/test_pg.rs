//! A fresh, empty PostgreSQL database for each unit test that needs one, on one server per
//! test process: `OUTDIAL_TEST_PG` (an admin URL) when set, else a throwaway cluster that
//! `scripts/pg-throwaway.sh` starts and stops when the process ends. Without either, the test
//! says so loudly on stderr and returns; with `CI=true` it fails instead (CI never skips).

use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The admin URL of the test process's server, or why there is none.
fn server() -> &'static Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("OUTDIAL_TEST_PG") {
            return Ok(url);
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-throwaway.sh");
        let out = Command::new("bash")
            .arg(script)
            .args(["start", "--watch", &std::process::id().to_string()])
            .output()
            .map_err(|e| format!("{script}: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .map(str::to_owned)
            .ok_or_else(|| "pg-throwaway.sh printed no URL".to_owned())
    })
}

/// `url` with its database replaced by `db`.
pub(crate) fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgresql", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or_default();
    let mut out = format!("{scheme}://{authority}/{db}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The URL of a new, empty database, or `None` (after saying why on stderr) when no server
/// can be had. Panics on CI, where a server must be there.
#[allow(clippy::print_stderr)]
pub(crate) fn fresh_database() -> Option<String> {
    let admin = match server() {
        Ok(url) => url,
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "no PostgreSQL on CI: {why}"
            );
            eprintln!("SKIPPED (no PostgreSQL): {why}");
            return None;
        }
    };
    static N: AtomicU32 = AtomicU32::new(0);
    let db = format!(
        "outdial_unit_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut client =
        postgres::Client::connect(admin, postgres::NoTls).expect("the test server answers");
    // One statement each: neither may run inside a transaction block.
    for sql in [
        format!("DROP DATABASE IF EXISTS {db}"),
        format!("CREATE DATABASE {db}"),
    ] {
        client.batch_execute(&sql).expect("a test database is made");
    }
    Some(with_database(admin, &db))
}

#[test]
fn the_database_of_a_url_is_replaced_keeping_its_host_and_parameters() {
    assert_eq!(
        with_database("postgresql://postgres@/postgres?host=/tmp/x", "t1"),
        "postgresql://postgres@/t1?host=/tmp/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h:5433", "t2"),
        "postgres://u:p@h:5433/t2"
    );
}
