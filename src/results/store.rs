//! The SQLite results store: opened once per command, written in one transaction per post, so a
//! post acknowledged to a provider is on disk and a redelivered post changes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, params};

use super::version;

/// The schema, kept as SQL so a user can read it beside docs/guide/report-and-listen.md.
pub(super) const SCHEMA: &str = include_str!("schema.sql");
/// Bumped when a table changes shape. Versions 1 and 2 are migrated in place (see
/// `version.rs`); any other version is refused, never rewritten.
pub(super) const SCHEMA_VERSION: &str = "3";
/// How long a writer waits for another process holding the database (`listen` and `query`
/// may run side by side).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the store could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("results store {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The folder for the database could not be made.
    #[error("results store {path}: cannot create its folder: {source}")]
    Folder {
        /// The database file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The file is SQLite (or not even that) but not an outdial results store.
    #[error(
        "{path} is not an outdial results store ({what}): use another --db path, or move the file away"
    )]
    Foreign {
        /// The database file.
        path: PathBuf,
        /// What was found instead.
        what: String,
    },
    /// The store cannot be written (a read-only file or folder, a full disk).
    #[error(
        "results store {path} cannot be written: {source}; make the file and its folder writable, or use another --db path"
    )]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The PostgreSQL store could not be reached, or refused an operation.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    /// The file is a results store of another version of outdial.
    #[error(
        "results store {path} has schema version {found}, this outdial writes version {SCHEMA_VERSION}: use a new --db path or the outdial that made it"
    )]
    Version {
        /// The database file.
        path: PathBuf,
        /// The version the file says it has.
        found: String,
    },
}

/// Whether a recipient was reached, as far as the provider has said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Someone (or a machine) answered and the message played.
    Reached,
    /// The provider gave up on the call (busy, no answer, failed, removed …).
    NotReached,
    /// The provider holds the call but has not finished it.
    Pending,
    /// The provider said something outdial does not recognise; its words are kept in the
    /// row. Never counted as not reached, never retried.
    Unknown,
    /// The provider no longer holds a call it took: removed by `delete`, or by the provider
    /// itself once made (the Voicent Gateway's `selfdelete`). Whether it reached anyone is
    /// not known, so it is not retried.
    Removed,
}

impl Outcome {
    /// The word stored in the `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not-reached",
            Outcome::Pending => "pending",
            Outcome::Unknown => "unknown",
            Outcome::Removed => "removed",
        }
    }

    pub(super) fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "reached" => Outcome::Reached,
            "not-reached" => Outcome::NotReached,
            "pending" => Outcome::Pending,
            "unknown" => Outcome::Unknown,
            "removed" => Outcome::Removed,
            _ => return None,
        })
    }
}

/// Where a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A VoiceShot Call Summary.
    Summary,
    /// A voip-communications.net callback.
    Callback,
    /// A reply to `outdial query` (VoiceShot action 3, Voicent status polling).
    Query,
    /// A VoiceShot Call Event.
    Event,
}

impl Source {
    /// The word stored in the `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Summary => "summary",
            Source::Callback => "callback",
            Source::Query => "query",
            Source::Event => "event",
        }
    }

    pub(super) fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "summary" => Source::Summary,
            "callback" => Source::Callback,
            "query" => Source::Query,
            "event" => Source::Event,
            _ => return None,
        })
    }
}

impl rusqlite::ToSql for Outcome {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl rusqlite::ToSql for Source {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// The columns of `calls` as [`CallRecord::values`] gives them, for an `INSERT`.
pub(super) const CALL_COLUMNS: &str = "(provider, campaign, callid, number, status, outcome, \
     reason, duration, answered_by, attempts, called_at, source, recording, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// The columns of `keypresses` as [`Keypress::values`] gives them, for an `INSERT` (`seq` 0:
/// one row per prompt and source).
pub(super) const KEYPRESS_COLUMNS: &str = "(provider, campaign, callid, number, prompt, keys, \
     source, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// The `INSERT` of a keypress from `source` ([`Keypress::values`]): a Call Event's goes after
/// the keypresses already stored at its prompt (events come one keypress each, and every one is
/// kept, in order); any other source's replaces that source's row for the prompt.
pub(super) fn keypress_insert(source: Source) -> String {
    match source {
        Source::Event => EVENT_KEYPRESS.to_owned(),
        _ => format!("INSERT OR REPLACE INTO keypresses {KEYPRESS_COLUMNS}"),
    }
}

const EVENT_KEYPRESS: &str = "INSERT INTO keypresses (provider, campaign, callid, number, \
     prompt, keys, source, received_at, seq) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
     coalesce(max(seq) + 1, 0) FROM keypresses WHERE provider = ?1 AND campaign = ?2 \
     AND callid = ?3 AND number = ?4 AND prompt = ?5 AND source = ?7";

/// The columns of `responses` as [`Response::values`] gives them, for an `INSERT`.
pub(super) const RESPONSE_COLUMNS: &str = "(provider, campaign, callid, number, name, value, \
     source, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// One recipient's result: a row of `calls`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// `voiceshot`, `voicent` or `voipcomm`.
    pub provider: String,
    /// The campaign's name.
    pub campaign: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number as the journal keys it; empty when the post did not say.
    pub number: String,
    /// The provider's status word, verbatim.
    pub status: String,
    /// What the status means.
    pub outcome: Outcome,
    /// Why the call did not reach anyone, in the provider's words.
    pub reason: Option<String>,
    /// Seconds on the line.
    pub duration: Option<u32>,
    /// `human` or `machine`, when the provider says.
    pub answered_by: Option<String>,
    /// How many times the provider tried.
    pub attempts: Option<u32>,
    /// When the provider says the call took place, as it wrote it.
    pub called_at: Option<String>,
    /// Which kind of report this row came from.
    pub source: Source,
    /// A voicemail recording saved beside the database (relative path).
    pub recording: Option<String>,
}

impl CallRecord {
    /// The row's values in [`CALL_COLUMNS`] order, stored at `now`.
    // A `String`, not a `str`: a value handed to SQLite as `&dyn ToSql` must be sized.
    #[allow(clippy::ptr_arg)]
    pub(super) fn values<'a>(&'a self, now: &'a String) -> [&'a dyn rusqlite::ToSql; 14] {
        [
            &self.provider,
            &self.campaign,
            &self.callid,
            &self.number,
            &self.status,
            &self.outcome,
            &self.reason,
            &self.duration,
            &self.answered_by,
            &self.attempts,
            &self.called_at,
            &self.source,
            &self.recording,
            now,
        ]
    }
}

/// Keys pressed at one prompt: a row of `keypresses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keypress {
    /// `voiceshot`, `voicent` or `voipcomm`.
    pub provider: String,
    /// The campaign's name.
    pub campaign: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number as the journal keys it; empty when the post did not say.
    pub number: String,
    /// The prompt id.
    pub prompt: u32,
    /// The keys, as the provider wrote them.
    pub keys: String,
    /// Which kind of report this row came from.
    pub source: Source,
}

impl Keypress {
    /// The row's values in [`KEYPRESS_COLUMNS`] order, as reported by `source` and stored at
    /// `now`.
    // A `String`, not a `str`: a value handed to SQLite as `&dyn ToSql` must be sized.
    #[allow(clippy::ptr_arg)]
    pub(super) fn values<'a>(
        &'a self,
        source: &'a Source,
        now: &'a String,
    ) -> [&'a dyn rusqlite::ToSql; 8] {
        [
            &self.provider,
            &self.campaign,
            &self.callid,
            &self.number,
            &self.prompt,
            &self.keys,
            source,
            now,
        ]
    }
}

/// One answer an IVR application collected during a call: a row of `responses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `voiceshot`, `voicent` or `voipcomm`.
    pub provider: String,
    /// The campaign's name.
    pub campaign: String,
    /// The call id outdial sent.
    pub callid: String,
    /// The number as the journal keys it.
    pub number: String,
    /// The answer's name, as the provider wrote it.
    pub name: String,
    /// The answer, as the provider wrote it.
    pub value: String,
    /// Which kind of report this row came from.
    pub source: Source,
}

impl Response {
    /// The row's values in [`RESPONSE_COLUMNS`] order, stored at `now`.
    // A `String`, not a `str`: a value handed to SQLite as `&dyn ToSql` must be sized.
    #[allow(clippy::ptr_arg)]
    pub(super) fn values<'a>(&'a self, now: &'a String) -> [&'a dyn rusqlite::ToSql; 8] {
        [
            &self.provider,
            &self.campaign,
            &self.callid,
            &self.number,
            &self.name,
            &self.value,
            &self.source,
            now,
        ]
    }
}

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

    /// Stores what one post (or rows from elsewhere) said, in one transaction: [`Store::file`]
    /// without keeping the body. `false`: the same post was stored before; nothing changed.
    pub fn record(
        &mut self,
        post: Option<(&str, &[u8])>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<bool, StoreError> {
        let post = post.map(|(route, body)| super::posts::Post {
            route,
            body,
            keep_body: false,
        });
        self.file(post, calls, keys).map(|filed| filed.fresh)
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

/// A `calls` row read as its first thirteen columns in `provider, campaign, callid, number,
/// status, outcome, reason, duration, answered_by, attempts, called_at, source, recording`
/// order, as a record.
pub(super) fn call_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<CallRecord> {
    let outcome: String = row.get(5)?;
    let source: String = row.get(11)?;
    Ok(CallRecord {
        provider: row.get(0)?,
        campaign: row.get(1)?,
        callid: row.get(2)?,
        number: row.get(3)?,
        status: row.get(4)?,
        // The CHECK constraints keep both columns to the known words.
        outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Pending),
        reason: row.get(6)?,
        duration: row.get(7)?,
        answered_by: row.get(8)?,
        attempts: row.get(9)?,
        called_at: row.get(10)?,
        source: Source::parse(&source).unwrap_or(Source::Query),
        recording: row.get(12)?,
    })
}

/// A `keypresses` row read as its first seven columns in `provider, campaign, callid, number,
/// prompt, keys, source` order, as a keypress.
pub(super) fn keypress_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Keypress> {
    let source: String = row.get(6)?;
    Ok(Keypress {
        provider: row.get(0)?,
        campaign: row.get(1)?,
        callid: row.get(2)?,
        number: row.get(3)?,
        prompt: row.get(4)?,
        keys: row.get(5)?,
        source: Source::parse(&source).unwrap_or(Source::Query),
    })
}

/// A `responses` row read as its first seven columns in `provider, campaign, callid, number,
/// name, value, source` order, as an answer.
pub(super) fn response_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Response> {
    let source: String = row.get(6)?;
    Ok(Response {
        provider: row.get(0)?,
        campaign: row.get(1)?,
        callid: row.get(2)?,
        number: row.get(3)?,
        name: row.get(4)?,
        value: row.get(5)?,
        source: Source::parse(&source).unwrap_or(Source::Query),
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

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
