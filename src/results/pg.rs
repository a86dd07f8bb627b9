//! The results store in PostgreSQL (`--state postgres://…`): what every `listen` replica
//! writes and `report` reads from any folder. The same rows and the same precedence as the
//! SQLite store (see `posts.rs`); what differs is how several writers at once are kept
//! apart:
//! - a post is recognised by the primary key of `outdial_posts` (`ON CONFLICT DO NOTHING`):
//!   a redelivery to another replica, even one in flight at the same instant, waits for the
//!   first to commit and then changes nothing;
//! - the posts about one call take turns (a transaction-level advisory lock per call), so
//!   the precedence reads the row it replaces;
//! - every post is one transaction, committed before the provider gets its 2xx.
//!
//! The client blocks: every method here runs off the async workers (`listen` calls them
//! through `spawn_blocking`), on a few pooled connections.

use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use postgres::{Client, Transaction};

use super::error::StoreError;
use super::filing::Filing;
use super::posts::{Filed, Post, Unmatched, Verdict, verdict};
use super::store::Store;
use crate::outcome::{CallRecord, Keypress, Outcome, Source};
use crate::state::{PgLocation, StateError};

/// The results tables, kept as SQL beside the local store's `schema.sql`.
const SCHEMA: &str = include_str!("pg_schema.sql");
/// The version of [`SCHEMA`], in `outdial_meta` under `results_schema_version`.
const RESULTS_VERSION: &str = "1";
/// The transaction-level advisory lock under which the results tables are made.
const SCHEMA_LOCK: i64 = 0x6f75_7464_6961_6c01; // "outdial\x01"
/// Connections a process keeps at most: enough for the two cores `listen` is sized for and
/// the probes, few enough that many replicas stay under a server's `max_connections`.
const POOL: usize = 8;
/// How long a post waits for a free connection before it is answered 503.
const POOL_WAIT: Duration = Duration::from_secs(30);
/// Rows fetched at a time when a campaign is copied out (memory stays bounded).
const BATCH: i32 = 5000;

/// A PostgreSQL results store and its connections.
pub struct PgResults {
    at: PgLocation,
    pool: Mutex<Idle>,
    freed: Condvar,
}

/// The connections not in use, and how many are open in all.
struct Idle {
    clients: Vec<Client>,
    open: usize,
}

impl std::fmt::Debug for PgResults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgResults({})", self.at)
    }
}

impl PgResults {
    /// Connects once (bringing the schema up to date), so a wrong URL or an unreachable
    /// server is an error here rather than at the first post.
    pub fn open(at: &PgLocation) -> Result<PgResults, StoreError> {
        let mut client = at.connect()?;
        make_tables(&mut client).map_err(|e| StoreError::from(at.query_error(&e)))?;
        Ok(PgResults {
            at: at.clone(),
            pool: Mutex::new(Idle {
                clients: vec![client],
                open: 1,
            }),
            freed: Condvar::new(),
        })
    }

    /// Runs `work` on a pooled connection. A connection that failed is closed, not pooled.
    pub(super) fn with<T>(
        &self,
        work: impl FnOnce(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut client = self.take()?;
        let done = work(&mut client);
        let mut idle = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if done.is_ok() && !client.is_closed() {
            idle.clients.push(client);
        } else {
            idle.open -= 1;
        }
        drop(idle);
        self.freed.notify_one();
        done.map_err(|e| StoreError::from(self.at.query_error(&e)))
    }

    /// A connection: an idle one, a new one while fewer than [`POOL`] are open, else the
    /// first one given back within [`POOL_WAIT`].
    fn take(&self) -> Result<Client, StoreError> {
        let mut idle = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(client) = idle.clients.pop() {
                return Ok(client);
            }
            if idle.open < POOL {
                idle.open += 1;
                drop(idle);
                return self.at.connect().map_err(|e| {
                    let mut idle = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
                    idle.open -= 1;
                    self.freed.notify_one();
                    StoreError::from(e)
                });
            }
            let (back, waited) = self
                .freed
                .wait_timeout(idle, POOL_WAIT)
                .unwrap_or_else(PoisonError::into_inner);
            idle = back;
            if waited.timed_out() && idle.clients.is_empty() && idle.open >= POOL {
                return Err(StoreError::from(StateError::Query {
                    shown: self.at.shown(),
                    why: format!("no free connection in {} s", POOL_WAIT.as_secs()),
                }));
            }
        }
    }

    /// Copies the rows of `campaign` at `provider` (and the provider's unmatched posts) into
    /// a new SQLite store at `path`, which `report` then reads as it reads a local one. Read
    /// in one snapshot (a repeatable-read transaction), a batch of rows at a time.
    pub fn copy_out(
        &self,
        provider: &str,
        campaign: &str,
        path: &Path,
    ) -> Result<Store, StoreError> {
        let mut store = Store::open(path)?;
        let fail = |e| StoreError::Sqlite {
            path: path.to_path_buf(),
            source: e,
        };
        let copied = self.with(|client| {
            let mut pg = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let local = store.conn.transaction().map_err(Copy::Sqlite);
            let result = (|| {
                let local = local?;
                for table in &TABLES {
                    copy_table(&mut pg, &local, table, provider, campaign)?;
                }
                local.commit().map_err(Copy::Sqlite)
            })();
            pg.commit()?;
            Ok(result)
        })?;
        copied.map_err(|e| match e {
            Copy::Sqlite(e) => fail(e),
            Copy::Pg(e) => StoreError::from(self.at.query_error(&e)),
        })?;
        Ok(store)
    }
}

/// A copy's failure on either side.
enum Copy {
    Sqlite(rusqlite::Error),
    Pg(postgres::Error),
}

impl From<postgres::Error> for Copy {
    fn from(e: postgres::Error) -> Self {
        Copy::Pg(e)
    }
}

/// A table copied out: its name on each side, its columns (the same on both), and whether
/// it is chosen by provider alone (unmatched posts name no campaign).
struct Table {
    pg: &'static str,
    local: &'static str,
    columns: &'static str,
    by_provider: bool,
    order: &'static str,
}

const TABLES: [Table; 5] = [
    Table {
        pg: "outdial_calls",
        local: "calls",
        columns: "provider, campaign, callid, number, status, outcome, reason, duration, \
                  answered_by, attempts, called_at, source, recording, updated_at",
        by_provider: false,
        order: "callid, number",
    },
    Table {
        pg: "outdial_keypresses",
        local: "keypresses",
        columns: "provider, campaign, callid, number, prompt, keys, source, received_at, seq",
        by_provider: false,
        order: "callid, number, prompt, source, seq",
    },
    Table {
        pg: "outdial_responses",
        local: "responses",
        columns: "provider, campaign, callid, number, name, value, source, received_at",
        by_provider: false,
        order: "callid, number, name, source",
    },
    Table {
        pg: "outdial_history",
        local: "history",
        columns: "digest, provider, campaign, callid, number, status, outcome, verdict, body, \
                  received_at",
        by_provider: false,
        order: "id",
    },
    Table {
        pg: "outdial_unmatched",
        local: "unmatched",
        columns: "digest, route, provider, callid, number, why, body, received_at",
        by_provider: true,
        order: "id",
    },
];

/// Makes the tables (once: later calls find them) and records their version. Refuses a
/// database whose results tables are of a newer version.
fn make_tables(client: &mut Client) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    // One process at a time, so replicas starting together do not race to create a table.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    let found: Option<String> = tx
        .query_opt(
            "SELECT value FROM outdial_meta WHERE key = 'results_schema_version'",
            &[],
        )?
        .map(|row| row.get(0));
    if found.as_deref() == Some(RESULTS_VERSION) {
        return tx.commit();
    }
    tx.batch_execute(SCHEMA)?;
    tx.execute(
        "INSERT INTO outdial_meta (key, value) VALUES ('results_schema_version', $1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&RESULTS_VERSION],
    )?;
    tx.commit()
}

/// Copies one table's rows of the campaign, a batch at a time.
fn copy_table(
    pg: &mut Transaction<'_>,
    local: &rusqlite::Transaction<'_>,
    table: &Table,
    provider: &str,
    campaign: &str,
) -> Result<(), Copy> {
    let filter = if table.by_provider {
        "provider = $1 AND $2::text IS NOT NULL"
    } else {
        "provider = $1 AND campaign = $2"
    };
    let select = format!(
        "SELECT {} FROM {} WHERE {filter} ORDER BY {}",
        table.columns, table.pg, table.order
    );
    let count = table.columns.split(',').count();
    let marks: Vec<String> = (1..=count).map(|i| format!("?{i}")).collect();
    let insert = format!(
        "INSERT OR REPLACE INTO {} ({}) VALUES ({})",
        table.local,
        table.columns,
        marks.join(", ")
    );
    let portal = pg.bind(&select, &[&provider, &campaign])?;
    let mut statement = local.prepare_cached(&insert).map_err(Copy::Sqlite)?;
    loop {
        let rows = pg.query_portal(&portal, BATCH)?;
        if rows.is_empty() {
            return Ok(());
        }
        for row in &rows {
            let values: Vec<rusqlite::types::Value> = (0..count).map(|i| value(row, i)).collect();
            statement
                .execute(rusqlite::params_from_iter(values))
                .map_err(Copy::Sqlite)?;
        }
    }
}

/// A column's value as SQLite takes it: text, integer, bytes or NULL.
fn value(row: &postgres::Row, i: usize) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    let ty = row.columns()[i].type_();
    if *ty == postgres::types::Type::INT8 {
        row.get::<_, Option<i64>>(i)
            .map_or(Value::Null, Value::Integer)
    } else if *ty == postgres::types::Type::BYTEA {
        row.get::<_, Option<Vec<u8>>>(i)
            .map_or(Value::Null, Value::Blob)
    } else {
        row.get::<_, Option<String>>(i)
            .map_or(Value::Null, Value::Text)
    }
}

/// The advisory-lock key of one call (the first 8 bytes of a SHA-256 of its key): the posts
/// about it take turns. Two calls that share a key only wait for each other.
pub(super) fn call_key(provider: &str, campaign: &str, callid: &str, number: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in ["outdial call", provider, campaign, callid, number] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let mut first = [0; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

pub(super) fn int(n: Option<u32>) -> Option<i64> {
    n.map(i64::from)
}

/// Files one post in `tx` (see the module comment).
fn file_in(
    tx: &mut Transaction<'_>,
    post: Option<Post<'_>>,
    calls: &[CallRecord],
    keys: &[Keypress],
) -> Result<Filed, postgres::Error> {
    let now = jiff::Timestamp::now().to_string();
    let digest = post.map(|p| p.digest());
    if let (Some(post), Some(digest)) = (post, &digest) {
        let fresh = tx.execute(
            "INSERT INTO outdial_posts (digest, route, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (digest) DO NOTHING",
            &[digest, &post.route, &now],
        )?;
        if fresh == 0 {
            return Ok(Filed {
                fresh: false,
                verdict: None,
            });
        }
    }
    // In one order, so two posts about the same calls never wait on each other in a ring.
    let mut locks: Vec<i64> = calls
        .iter()
        .map(|c| call_key(&c.provider, &c.campaign, &c.callid, &c.number))
        .chain(
            keys.iter()
                .map(|k| call_key(&k.provider, &k.campaign, &k.callid, &k.number)),
        )
        .collect();
    locks.sort();
    locks.dedup();
    for key in &locks {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[key])?;
    }
    let mut first = None;
    let mut kept_over = false;
    for call in calls {
        let v = file_call(tx, call, &now)?;
        if let (Some(post), Some(digest)) = (post, &digest) {
            let body = post.keep_body.then_some(post.body);
            tx.execute(
                "INSERT INTO outdial_history (digest, provider, campaign, callid, number, \
                 status, outcome, verdict, body, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    digest,
                    &call.provider,
                    &call.campaign,
                    &call.callid,
                    &call.number,
                    &call.status,
                    &call.outcome.as_str(),
                    &v.as_str(),
                    &body,
                    &now,
                ],
            )?;
        }
        kept_over |= matches!(v, Verdict::Lesser | Verdict::Conflict);
        first.get_or_insert(v);
    }
    if !kept_over {
        for key in keys {
            file_key(tx, key, &now)?;
        }
    }
    Ok(Filed {
        fresh: true,
        verdict: first,
    })
}

/// Inserts `call`'s row or replaces the stored one where `condition` (a SQL `WHERE` on the
/// stored row `c`, or empty for always) allows; the number of rows written. One statement for
/// the listener's filing and `query`'s rows, which differ only in that condition.
pub(super) fn upsert_call(
    tx: &mut Transaction<'_>,
    call: &CallRecord,
    now: &str,
    condition: &str,
) -> Result<u64, postgres::Error> {
    tx.execute(
        &format!(
            "INSERT INTO outdial_calls AS c (provider, campaign, callid, number, status, \
             outcome, reason, duration, answered_by, attempts, called_at, source, recording, \
             updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (provider, campaign, callid, number) DO UPDATE SET \
             status = excluded.status, outcome = excluded.outcome, reason = excluded.reason, \
             duration = excluded.duration, answered_by = excluded.answered_by, \
             attempts = excluded.attempts, called_at = excluded.called_at, \
             source = excluded.source, recording = excluded.recording, \
             updated_at = excluded.updated_at {condition}"
        ),
        &[
            &call.provider,
            &call.campaign,
            &call.callid,
            &call.number,
            &call.status,
            &call.outcome.as_str(),
            &call.reason,
            &int(call.duration),
            &call.answered_by,
            &int(call.attempts),
            &call.called_at,
            &call.source.as_str(),
            &call.recording,
            &now,
        ],
    )
}

/// Writes `call`'s row where the precedence lets it (the call's lock is held).
fn file_call(
    tx: &mut Transaction<'_>,
    call: &CallRecord,
    now: &str,
) -> Result<Verdict, postgres::Error> {
    let stored = tx.query_opt(
        "SELECT status, outcome, source FROM outdial_calls \
         WHERE provider = $1 AND campaign = $2 AND callid = $3 AND number = $4",
        &[&call.provider, &call.campaign, &call.callid, &call.number],
    )?;
    let stored = stored.as_ref().map(|row| {
        (
            row.get::<_, &str>(0),
            Outcome::parse(row.get(1)).unwrap_or(Outcome::Pending),
            Source::parse(row.get(2)).unwrap_or(Source::Query),
        )
    });
    let v = verdict(stored, call);
    if v == Verdict::Stored {
        upsert_call(tx, call, now, "")?;
    }
    Ok(v)
}

/// Writes a keypress: a Call Event's after those already at its prompt, any other source's
/// in place of that source's row for the prompt (as the SQLite store does).
fn file_key(tx: &mut Transaction<'_>, key: &Keypress, now: &str) -> Result<(), postgres::Error> {
    let sql = match key.source {
        Source::Event => {
            "INSERT INTO outdial_keypresses (provider, campaign, callid, number, prompt, keys, \
             source, received_at, seq) SELECT $1::text, $2::text, $3::text, $4::text, \
             $5::bigint, $6::text, $7::text, $8::text, coalesce(max(seq) + 1, 0) \
             FROM outdial_keypresses WHERE provider = $1 AND campaign = $2 AND callid = $3 \
             AND number = $4 AND prompt = $5 AND source = $7"
        }
        _ => {
            "INSERT INTO outdial_keypresses (provider, campaign, callid, number, prompt, keys, \
             source, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (provider, campaign, callid, number, prompt, source, seq) \
             DO UPDATE SET keys = excluded.keys, received_at = excluded.received_at"
        }
    };
    tx.execute(
        sql,
        &[
            &key.provider,
            &key.campaign,
            &key.callid,
            &key.number,
            &i64::from(key.prompt),
            &key.keys,
            &key.source.as_str(),
            &now,
        ],
    )?;
    Ok(())
}

impl Filing for PgResults {
    fn file(
        &self,
        post: Option<Post<'_>>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<Filed, StoreError> {
        self.with(|client| {
            let mut tx = client.transaction()?;
            let filed = file_in(&mut tx, post, calls, keys)?;
            tx.commit()?;
            Ok(filed)
        })
    }

    fn file_unmatched(&self, u: &Unmatched) -> Result<bool, StoreError> {
        let digest = Post {
            route: &u.route,
            body: &u.body,
            keep_body: true,
        }
        .digest();
        self.with(|client| {
            client
                .execute(
                    "INSERT INTO outdial_unmatched (digest, route, provider, callid, number, \
                     why, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (digest) DO NOTHING",
                    &[
                        &digest,
                        &u.route,
                        &u.provider,
                        &u.callid,
                        &u.number,
                        &u.why,
                        &u.body,
                        &u.received_at,
                    ],
                )
                .map(|n| n > 0)
        })
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.with(|client| client.simple_query("SELECT 1").map(drop))
    }

    fn describe(&self) -> String {
        self.at.shown()
    }
}

#[cfg(test)]
#[path = "pg_tests.rs"]
mod tests;
