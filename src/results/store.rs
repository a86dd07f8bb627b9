//! The SQLite results store: opened once per command, written in one transaction per post, so a
//! post acknowledged to a provider is on disk and a redelivered post changes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, params};

use super::columns::{call_of, keypress_of};
use super::error::StoreError;
use super::schema::{SCHEMA, SCHEMA_VERSION};
use super::version;
use crate::outcome::{CallRecord, Keypress};

/// How long a writer waits for another process holding the database (`listen` and `query`
/// may run side by side).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open results store.
pub struct Store {
    pub(super) conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (and on first use creates) the store at `path`, in WAL mode. A file that is not
    /// an outdial results store (not SQLite, or another program's tables) is refused before
    /// anything is written to it; a store of version 1 is migrated in place.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let fail = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        let found = version::own_version(&conn, path)?;
        // WAL: readers (report) never block the writer (listen); synchronous=FULL because a
        // post is acknowledged only after its commit is durable.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(fail)?;
        match found.as_deref() {
            None => {
                conn.execute_batch(SCHEMA).map_err(fail)?;
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION],
                )
                .map_err(fail)?;
            }
            Some(SCHEMA_VERSION) => conn.execute_batch(SCHEMA).map_err(fail)?,
            Some("1" | "2") => version::migrate(&conn).map_err(fail)?,
            Some(found) => {
                return Err(StoreError::Version {
                    path: path.to_path_buf(),
                    found: found.to_owned(),
                });
            }
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Makes sure the store takes writes (file, folder, WAL) by committing a write that
    /// changes nothing, so `listen` finds out before it binds rather than at its first post.
    pub fn check_writable(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let fail = |source| StoreError::ReadOnly {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(fail)?;
        tx.execute(
            "UPDATE meta SET value = value WHERE key = 'schema_version'",
            [],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn fail(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Every stored result of one campaign, ordered by call id and number.
    pub fn calls(&self, provider: &str, campaign: &str) -> Result<Vec<CallRecord>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT provider, campaign, callid, number, status, outcome, reason, duration, \
                 answered_by, attempts, called_at, source, recording FROM calls \
                 WHERE provider = ?1 AND campaign = ?2 ORDER BY callid, number",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(params![provider, campaign], call_of)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// Every stored keypress of one campaign, ordered by call id, number and prompt.
    pub fn keypresses(&self, provider: &str, campaign: &str) -> Result<Vec<Keypress>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT provider, campaign, callid, number, prompt, keys, source FROM keypresses \
                 WHERE provider = ?1 AND campaign = ?2 \
                 ORDER BY callid, number, prompt, source, seq",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(params![provider, campaign], keypress_of)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::outcome::{Outcome, Source};

    /// A VoiceShot summary row of campaign `outage` (the version tests reuse it).
    pub(in crate::results) fn call(callid: &str, outcome: Outcome) -> CallRecord {
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
            called_at: Some("5/20/2004 10:50:50 PM".into()),
            source: Source::Summary,
            recording: None,
        }
    }

    #[test]
    fn a_redelivered_post_changes_nothing_and_rows_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".outdial/results.db");
        let mut store = Store::open(&path).unwrap();
        let body = b"<campaign callid=\"a1\"/>";
        let key = Keypress {
            provider: "voiceshot".into(),
            campaign: "outage".into(),
            callid: "a1".into(),
            number: "2025550143".into(),
            prompt: 3,
            keys: "#".into(),
            source: Source::Summary,
        };
        let first = store
            .record(
                Some(("/voiceshot/summary", body)),
                &[call("a1", Outcome::Reached)],
                std::slice::from_ref(&key),
            )
            .unwrap();
        assert!(first);
        // The same body again, even claiming another outcome, is recognised and ignored.
        let again = store
            .record(
                Some(("/voiceshot/summary", body)),
                &[call("a1", Outcome::NotReached)],
                &[],
            )
            .unwrap();
        assert!(!again);
        drop(store);
        let store = Store::open(&path).unwrap();
        let calls = store.calls("voiceshot", "outage").unwrap();
        assert_eq!(calls, vec![call("a1", Outcome::Reached)]);
        assert_eq!(store.keypresses("voiceshot", "outage").unwrap(), vec![key]);
        assert!(store.calls("voiceshot", "other").unwrap().is_empty());
    }

    #[test]
    fn a_later_report_replaces_the_recipients_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        store
            .record(None, &[call("a1", Outcome::Pending)], &[])
            .unwrap();
        store
            .record(None, &[call("a1", Outcome::Reached)], &[])
            .unwrap();
        let calls = store.calls("voiceshot", "outage").unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].outcome, Outcome::Reached);
    }

    #[test]
    fn a_store_of_another_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
        drop(conn);
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::Version { ref found, .. } if found == "99"),
            "{err}"
        );
    }

    #[test]
    fn every_keypress_of_call_events_is_kept_in_order_and_a_summary_replaces_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("r.db")).unwrap();
        let press = |keys: &str, source| Keypress {
            provider: "voiceshot".into(),
            campaign: "outage".into(),
            callid: "a1".into(),
            number: "2025550143".into(),
            prompt: 1,
            keys: keys.into(),
            source,
        };
        for keys in ["1", "2", "1"] {
            store
                .record(None, &[], &[press(keys, Source::Event)])
                .unwrap();
        }
        store
            .record(None, &[], &[press("9", Source::Summary)])
            .unwrap();
        store
            .record(None, &[], &[press("3", Source::Summary)])
            .unwrap();
        let kept: Vec<(String, Source)> = store
            .keypresses("voiceshot", "outage")
            .unwrap()
            .into_iter()
            .map(|k| (k.keys, k.source))
            .collect();
        assert_eq!(
            kept,
            [
                ("1".to_owned(), Source::Event),
                ("2".to_owned(), Source::Event),
                ("1".to_owned(), Source::Event),
                ("3".to_owned(), Source::Summary),
            ]
        );
    }

    #[test]
    fn a_version_1_store_is_brought_up_to_date_with_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let conn = Connection::open(&path).unwrap();
        // The tables as version 1 made them.
        conn.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
             INSERT INTO meta VALUES ('schema_version', '1');
             CREATE TABLE calls (provider TEXT NOT NULL, campaign TEXT NOT NULL,
               callid TEXT NOT NULL, number TEXT NOT NULL, status TEXT NOT NULL,
               outcome TEXT NOT NULL CHECK (outcome IN ('reached', 'not-reached', 'pending')),
               reason TEXT, duration INTEGER,
               answered_by TEXT CHECK (answered_by IN ('human', 'machine')),
               attempts INTEGER, called_at TEXT,
               source TEXT NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
               recording TEXT, updated_at TEXT NOT NULL,
               PRIMARY KEY (provider, campaign, callid, number)) STRICT;
             CREATE TABLE keypresses (provider TEXT NOT NULL, campaign TEXT NOT NULL,
               callid TEXT NOT NULL, number TEXT NOT NULL, prompt INTEGER NOT NULL,
               keys TEXT NOT NULL,
               source TEXT NOT NULL CHECK (source IN ('summary', 'callback', 'query', 'event')),
               received_at TEXT NOT NULL,
               PRIMARY KEY (provider, campaign, callid, number, prompt, source)) STRICT;
             CREATE TABLE posts (digest TEXT PRIMARY KEY, route TEXT NOT NULL,
               received_at TEXT NOT NULL) STRICT;
             INSERT INTO calls VALUES ('voiceshot', 'outage', 'a1', '2025550143', 'Successful',
               'reached', NULL, 14, 'human', 1, '5/20/2004 10:50:50 PM', 'summary', NULL, 'x');
             INSERT INTO keypresses VALUES ('voiceshot', 'outage', 'a1', '2025550143', 3, '#',
               'summary', 'x');",
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(
            store.calls("voiceshot", "outage").unwrap(),
            [call("a1", Outcome::Reached)]
        );
        assert_eq!(store.keypresses("voiceshot", "outage").unwrap().len(), 1);
        // What version 1 could not hold.
        store
            .record(
                None,
                &[call("b2", Outcome::Unknown), call("c3", Outcome::Removed)],
                &[],
            )
            .unwrap();
        assert_eq!(store.calls("voiceshot", "outage").unwrap().len(), 3);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let version = super::version::own_version(&conn, &path).unwrap();
        assert_eq!(version.as_deref(), Some(SCHEMA_VERSION));
    }

    #[test]
    fn a_store_that_cannot_be_written_is_found_out_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        Store::open(&path).unwrap().check_writable().unwrap();
        // Read-only the way a user without write permission opens it (root ignores modes).
        let conn =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let mut store = Store { conn, path };
        let err = store.check_writable().unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err}");
        assert!(err.to_string().contains("cannot be written"), "{err}");
    }
}
