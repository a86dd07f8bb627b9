//! Bringing a database's schema to this outdial's version: the missing migrations of
//! [`MIGRATIONS`] applied in one transaction under an advisory lock, a newer schema refused.

use super::error::StateError;
use super::schema::{MIGRATIONS, SCHEMA_VERSION};

/// Any number, the same for every outdial: the transaction-level advisory lock that lets one
/// runner at a time create or migrate the schema.
const MIGRATION_LOCK: i64 = 0x6f75_7464_6961_6c00; // "outdial\0"

/// Brings the schema of `client`'s database (`shown`: its location, redacted) to
/// [`SCHEMA_VERSION`]; a newer one is refused.
pub(super) fn migrate(client: &mut postgres::Client, shown: &str) -> Result<(), StateError> {
    let err = |e: postgres::Error| StateError::query(shown.to_owned(), &e);
    let mut tx = client.transaction().map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(err)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS outdial_meta (key text PRIMARY KEY, value text NOT NULL)",
    )
    .map_err(err)?;
    let found: i32 = tx
        .query_opt(
            "SELECT value::int FROM outdial_meta WHERE key = 'schema_version'",
            &[],
        )
        .map_err(err)?
        .map_or(0, |row| row.get(0));
    if found > SCHEMA_VERSION {
        return Err(StateError::Newer {
            shown: shown.to_owned(),
            found,
        });
    }
    if found == SCHEMA_VERSION {
        return tx.commit().map_err(err);
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.batch_execute(sql).map_err(err)?;
    }
    tx.execute(
        "INSERT INTO outdial_meta (key, value) VALUES ('schema_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&SCHEMA_VERSION.to_string()],
    )
    .map_err(err)?;
    tx.commit().map_err(err)
}
