//! Why the results store could not be opened, read or written.

use std::path::PathBuf;

use super::schema::SCHEMA_VERSION;

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
