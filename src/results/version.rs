//! Which store a file is: outdial's own (and of which version), a new one, or something else;
//! and the step from version 1 to the current one.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::store::{SCHEMA, SCHEMA_VERSION, StoreError};

/// The schema version of the store in `conn`: `None` for an empty file (a new store), an
/// error for a file that is not a store of outdial's at all.
pub(super) fn own_version(conn: &Connection, path: &Path) -> Result<Option<String>, StoreError> {
    let foreign = |what: String| StoreError::Foreign {
        path: path.to_path_buf(),
        what,
    };
    // Reading the catalogue is the first read of the file: a file that is not SQLite fails
    // here ("file is not a database").
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .map_err(|e| foreign(e.to_string()))?;
    if tables.is_empty() {
        return Ok(None);
    }
    let ours = ["calls", "keypresses", "meta", "posts"];
    let version = if ours.iter().all(|t| tables.iter().any(|n| n == t)) {
        conn.query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |row| row.get::<_, String>(0),
        )
        .optional()
        .ok()
        .flatten()
    } else {
        None
    };
    match version {
        Some(v) => Ok(Some(v)),
        None => {
            let mut list = tables
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if tables.len() > 5 {
                list.push_str(", …");
            }
            Err(foreign(format!("it holds the tables {list}")))
        }
    }
}

/// Version 1 to 2: `calls.outcome` takes `unknown` (SQLite changes a CHECK only by building
/// the table again), and the history and unmatched tables are added; one transaction.
pub(super) fn migrate_from_1(conn: &Connection) -> rusqlite::Result<()> {
    let calls = SCHEMA
        .split("CREATE TABLE IF NOT EXISTS calls")
        .nth(1)
        .and_then(|rest| rest.split(") STRICT;").next())
        .unwrap_or_default();
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         CREATE TABLE calls_v2{calls}) STRICT;
         INSERT INTO calls_v2 SELECT * FROM calls;
         DROP TABLE calls;
         ALTER TABLE calls_v2 RENAME TO calls;
         {SCHEMA}
         UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version';
         COMMIT;"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::store::{CALL_COLUMNS, CallRecord, Outcome, Source, Store};

    fn call(callid: &str, outcome: Outcome) -> CallRecord {
        CallRecord {
            provider: "voiceshot".into(),
            campaign: "outage".into(),
            callid: callid.into(),
            number: "2025550143".into(),
            status: "Successful".into(),
            outcome,
            reason: None,
            duration: Some(14),
            answered_by: Some("human".into()),
            attempts: Some(1),
            called_at: None,
            source: Source::Summary,
            recording: None,
        }
    }

    #[test]
    fn a_version_1_store_is_migrated_and_takes_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        // Version 1's tables: `calls.outcome` without `unknown`.
        let v1 = SCHEMA
            .replace("'pending', 'unknown'", "'pending'")
            .split("CREATE TABLE IF NOT EXISTS history")
            .next()
            .unwrap()
            .to_owned();
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&v1).unwrap();
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')", [])
            .unwrap();
        let row = call("a1", Outcome::Reached);
        conn.execute(
            &format!("INSERT INTO calls {CALL_COLUMNS}"),
            &row.values(&"2026-01-01T00:00:00Z".to_owned())[..],
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.calls("voiceshot", "outage").unwrap(), vec![row]);
        store
            .record(None, &[call("a2", Outcome::Unknown)], &[])
            .unwrap();
        assert_eq!(store.calls("voiceshot", "outage").unwrap().len(), 2);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let version: String = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
    }

    #[test]
    fn a_foreign_file_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE calls (who TEXT); INSERT INTO calls VALUES ('x');")
            .unwrap();
        drop(conn);
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::Foreign { .. }) && err.to_string().contains("calls"),
            "{err}"
        );
        let conn = Connection::open(&path).unwrap();
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1, "nothing of ours was added");
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "not a database at all, but long enough to be read as one .....................................................................").unwrap();
        let err = Store::open(&text).unwrap_err();
        assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    }
}
