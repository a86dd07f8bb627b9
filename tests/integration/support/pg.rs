//! PostgreSQL for the tests: a fresh, empty database per test on one server per test process,
//! and clusters a test owns (to restart under a send).
//!
//! The server is `OUTDIAL_TEST_PG` (an admin URL) when set (`.ci/run` sets it), else a
//! throwaway cluster started once by `scripts/pg-throwaway.sh`, stopped when the test process
//! ends. Without either a test prints `SKIPPED (no PostgreSQL): <reason>` and returns; with
//! `CI=true` it fails instead: CI never skips.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use super::repo;

/// A throwaway cluster: its admin URL and folder.
#[derive(Debug)]
pub struct Cluster {
    /// Admin URL (the `postgres` database, the `postgres` role, trust auth).
    pub url: String,
    dir: PathBuf,
}

#[allow(dead_code)] // each test uses a part
impl Cluster {
    /// Starts a new cluster, stopped when it is dropped (or when the test process ends).
    fn start() -> Result<Cluster, String> {
        let out = Command::new("bash")
            .arg(repo().join("scripts/pg-throwaway.sh"))
            .args(["start", "--watch", &std::process::id().to_string()])
            .output()
            .map_err(|e| format!("scripts/pg-throwaway.sh: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
        let url = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .ok_or("scripts/pg-throwaway.sh printed no URL")?
            .to_owned();
        let dir = PathBuf::from(url.rsplit_once("host=").ok_or("no host= in the URL")?.1);
        Ok(Cluster { url, dir })
    }

    /// A cluster of the test's own, or `None` when none can be started (said on stderr;
    /// fails on CI).
    pub fn own() -> Option<Cluster> {
        Cluster::start().map_err(|why| skip(&why)).ok()
    }

    /// A new empty database on this cluster: its URL.
    pub fn database(&self) -> String {
        fresh_database(&self.url)
    }

    /// `pg_ctl restart`: every connection is cut, the server comes back.
    pub fn restart(&self) {
        let status = Command::new("bash")
            .arg(repo().join("scripts/pg-throwaway.sh"))
            .arg("restart")
            .arg(&self.dir)
            .status()
            .expect("pg-throwaway.sh runs");
        assert!(status.success(), "the cluster restarts");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/pg-throwaway.sh"))
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

/// Says loudly that a test did not run, or fails it on CI.
#[allow(clippy::print_stderr)]
fn skip(why: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "no PostgreSQL on CI: {why}"
    );
    eprintln!("SKIPPED (no PostgreSQL): {why}");
}

/// The test process's server: `OUTDIAL_TEST_PG`, else a throwaway cluster.
fn server() -> &'static Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(|| {
        if let Ok(url) = std::env::var("OUTDIAL_TEST_PG") {
            return Ok(url);
        }
        // Kept for the whole process: the watcher stops it when the process ends.
        Cluster::start().map(|c| {
            let url = c.url.clone();
            std::mem::forget(c);
            url
        })
    })
}

/// The URL of a fresh, empty database on the shared test server, or `None` when there is no
/// server (the test then returns; on CI it fails instead).
pub fn pg() -> Option<String> {
    match server() {
        Ok(admin) => Some(fresh_database(admin)),
        Err(why) => {
            skip(why);
            None
        }
    }
}

/// Makes a database with a name no other test uses on `admin`'s server; gives its URL.
fn fresh_database(admin: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let db = format!(
        "outdial_it_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut client = postgres::Client::connect(admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("the test server answers: {e}"));
    for sql in [
        format!("DROP DATABASE IF EXISTS {db}"),
        format!("CREATE DATABASE {db}"),
    ] {
        client.batch_execute(&sql).expect("a test database is made");
    }
    with_database(admin, &db)
}

/// `url` with its database replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgresql", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or_default();
    match query {
        Some(q) => format!("{scheme}://{authority}/{db}?{q}"),
        None => format!("{scheme}://{authority}/{db}"),
    }
}
