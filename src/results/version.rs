//! Which store a file is: outdial's own (and of which version), a new one, or something else;
//! and the step from version 1 to the current one.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::error::StoreError;
use super::schema::{SCHEMA, SCHEMA_VERSION};

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

/// The body of `table`'s `CREATE TABLE` in [`SCHEMA`] (from its opening parenthesis to
/// before `) STRICT;`).
fn table_body(table: &str) -> &'static str {
    SCHEMA
        .split(&format!("CREATE TABLE IF NOT EXISTS {table} "))
        .nth(1)
        .and_then(|rest| rest.split(") STRICT;").next())
        .unwrap_or_default()
}

/// Versions 1 and 2 to the current one, in one transaction. SQLite changes a CHECK or a
/// primary key only by building the table again, so `calls` (its outcome takes `unknown` and
/// `removed`) and `keypresses` (each Call Event's keypress numbered by `seq`, so a second
/// keypress at a prompt is kept beside the first) are copied into their new shapes; the
/// tables either version lacks (history, unmatched, responses) are then made by [`SCHEMA`].
/// Both versions have the same columns in both tables.
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let (calls, keypresses) = (table_body("calls"), table_body("keypresses"));
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         CREATE TABLE calls_new {calls}) STRICT;
         INSERT INTO calls_new SELECT * FROM calls;
         DROP TABLE calls;
         ALTER TABLE calls_new RENAME TO calls;
         CREATE TABLE keypresses_new {keypresses}) STRICT;
         INSERT INTO keypresses_new (provider, campaign, callid, number, prompt, keys, source,
           received_at, seq)
           SELECT provider, campaign, callid, number, prompt, keys, source, received_at, 0
           FROM keypresses;
         DROP TABLE keypresses;
         ALTER TABLE keypresses_new RENAME TO keypresses;
         {SCHEMA}
         UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version';
         COMMIT;"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{CallRecord, Keypress, Outcome, Source};
    use crate::results::columns::CALL_COLUMNS;
    use crate::results::store::Store;

    /// The store tests' call, with no time (a version 2 row carries none here).
    fn call(callid: &str, outcome: Outcome) -> CallRecord {
        CallRecord {
            called_at: None,
            ..crate::results::store::tests::call(callid, outcome)
        }
    }

    /// The tables as version 2 made them, from today's: no `removed` outcome, no `seq`, no
    /// `responses`.
    fn version_2() -> String {
        let (before, rest) = SCHEMA.split_once("-- The answers an IVR").unwrap();
        let (_, after) = rest.split_once("-- Every post accepted").unwrap();
        let v2 = format!("{before}-- Every post accepted{after}")
            .replace(", 'removed')", ")")
            .replace("  seq         INTEGER NOT NULL DEFAULT 0,\n", "")
            .replace("source, seq)", "source)");
        assert!(!v2.contains("seq  ") && !v2.contains("'removed'") && !v2.contains("responses ("));
        v2
    }

    #[test]
    fn a_version_2_store_is_migrated_and_takes_removed_and_every_keypress() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&version_2()).unwrap();
        conn.execute("INSERT INTO meta VALUES ('schema_version', '2')", [])
            .unwrap();
        let row = call("a1", Outcome::Unknown);
        conn.execute(
            &format!("INSERT INTO calls {CALL_COLUMNS}"),
            &row.values(&"2026-01-01T00:00:00Z".to_owned())[..],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO keypresses VALUES ('voiceshot', 'outage', 'a1', '2025550143', 1, '1', \
             'event', 'x')",
            [],
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.calls("voiceshot", "outage").unwrap(), vec![row]);
        let press = Keypress {
            provider: "voiceshot".into(),
            campaign: "outage".into(),
            callid: "a1".into(),
            number: "2025550143".into(),
            prompt: 1,
            keys: "2".into(),
            source: Source::Event,
        };
        store
            .record(None, &[call("a2", Outcome::Removed)], &[press])
            .unwrap();
        assert_eq!(store.calls("voiceshot", "outage").unwrap().len(), 2);
        let keys: Vec<String> = store
            .keypresses("voiceshot", "outage")
            .unwrap()
            .into_iter()
            .map(|k| k.keys)
            .collect();
        assert_eq!(keys, ["1", "2"], "the second keypress beside the first");
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let version = own_version(&conn, &path).unwrap();
        assert_eq!(version.as_deref(), Some(SCHEMA_VERSION));
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
