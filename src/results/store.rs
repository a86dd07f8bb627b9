//! The SQLite results store: opened once per command, written in one transaction per post, so a
//! post acknowledged to a provider is on disk and a redelivered post changes nothing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// The schema, kept as SQL so a user can read it beside docs/guide/report-and-listen.md.
const SCHEMA: &str = include_str!("schema.sql");
/// Bumped when a table changes shape; a store of another version is refused, never rewritten.
const SCHEMA_VERSION: &str = "1";
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
}

impl Outcome {
    /// The word stored in the `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Reached => "reached",
            Outcome::NotReached => "not-reached",
            Outcome::Pending => "pending",
            Outcome::Unknown => "unknown",
        }
    }

    pub(super) fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "reached" => Outcome::Reached,
            "not-reached" => Outcome::NotReached,
            "pending" => Outcome::Pending,
            "unknown" => Outcome::Unknown,
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

/// The columns of `keypresses` as [`Keypress::values`] gives them, for an `INSERT`.
pub(super) const KEYPRESS_COLUMNS: &str = "(provider, campaign, callid, number, prompt, keys, \
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
    /// Opens (and on first use creates) the store at `path`, in WAL mode.
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
        // WAL: readers (report) never block the writer (listen); synchronous=FULL because a
        // post is acknowledged only after its commit is durable.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(fail)?;
        match found {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION],
                )
                .map_err(fail)?;
            }
            Some(found) if found != SCHEMA_VERSION => {
                return Err(StoreError::Version {
                    path: path.to_path_buf(),
                    found,
                });
            }
            Some(_) => {}
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
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

    /// Stores what one post (or one query reply) said, in one transaction. With `post`
    /// (the route and the exact body), a post already stored is recognised by its digest and
    /// changes nothing: the answer is `false`. Rows replace earlier rows of the same recipient.
    pub fn record(
        &mut self,
        post: Option<(&str, &[u8])>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<bool, StoreError> {
        let now = jiff::Timestamp::now().to_string();
        let tx = self.conn.transaction().map_err(|e| StoreError::Sqlite {
            path: self.path.clone(),
            source: e,
        })?;
        let result = (|| -> rusqlite::Result<bool> {
            if let Some((route, body)) = post {
                let mut hash = Sha256::new();
                hash.update(route.as_bytes());
                hash.update([0]);
                hash.update(body);
                let digest = format!("{:x}", hash.finalize());
                let fresh = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO posts (digest, route, received_at) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![digest, route, now])?;
                if fresh == 0 {
                    return Ok(false);
                }
            }
            for call in calls {
                tx.prepare_cached(&format!("INSERT OR REPLACE INTO calls {CALL_COLUMNS}"))?
                    .execute(&call.values(&now)[..])?;
            }
            for key in keys {
                tx.prepare_cached(&format!(
                    "INSERT OR REPLACE INTO keypresses {KEYPRESS_COLUMNS}"
                ))?
                .execute(&key.values(&key.source, &now)[..])?;
            }
            Ok(true)
        })();
        // On an error the transaction is dropped, which rolls it back.
        let committed = result.and_then(|fresh| tx.commit().map(|()| fresh));
        committed.map_err(|e| self.fail(e))
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
            .query_map(params![provider, campaign], |row| {
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
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// Every stored keypress of one campaign, ordered by call id, number and prompt.
    pub fn keypresses(&self, provider: &str, campaign: &str) -> Result<Vec<Keypress>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT provider, campaign, callid, number, prompt, keys, source FROM keypresses \
                 WHERE provider = ?1 AND campaign = ?2 ORDER BY callid, number, prompt, source",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(params![provider, campaign], |row| {
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
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
