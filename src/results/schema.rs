//! The store's tables, as SQL, and the version of their shape.

/// The schema, kept as SQL so a user can read it beside docs/guide/report-and-listen.md.
pub(super) const SCHEMA: &str = include_str!("schema.sql");
/// Bumped when a table changes shape. Versions 1 and 2 are migrated in place (see
/// `version.rs`); any other version is refused, never rewritten.
pub(super) const SCHEMA_VERSION: &str = "3";
