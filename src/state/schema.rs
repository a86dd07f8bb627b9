//! The database's schema, versioned: each version is one SQL file under `schema/`, applied in
//! order in one transaction, and `outdial_meta` records the version reached. A later version
//! is a new file appended to [`MIGRATIONS`], never an edit of an old one.

/// The migrations, in order: version `i + 1` is `MIGRATIONS[i]`.
pub(super) const MIGRATIONS: &[&str] = &[include_str!("schema/001_journal.sql")];

/// The schema version this outdial writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;
