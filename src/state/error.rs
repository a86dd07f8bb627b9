//! Why the state store cannot be used: a location outdial does not know, a server it cannot
//! reach, a schema newer than this outdial, a query that failed; the password never shows.

use super::schema::SCHEMA_VERSION;

/// Why the state store cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The location is not one outdial knows.
    #[error(
        "state location \"{shown}\" is not a PostgreSQL URL (postgres://… or postgresql://…) nor \"local\""
    )]
    NotAUrl {
        /// The location, redacted.
        shown: String,
    },
    /// The URL does not parse.
    #[error("state location {shown}: {why}")]
    BadUrl {
        /// The location, redacted.
        shown: String,
        /// Why.
        why: String,
    },
    /// The server cannot be reached, or refused the connection.
    #[error("state store {shown} is unreachable: {why}")]
    Unreachable {
        /// The location, redacted.
        shown: String,
        /// Why (the client's message, which never holds the password).
        why: String,
    },
    /// The database was written by a newer outdial.
    #[error(
        "state store {shown} has schema version {found}, newer than this outdial's {SCHEMA_VERSION}"
    )]
    Newer {
        /// The location, redacted.
        shown: String,
        /// The version found.
        found: i32,
    },
    /// A query failed (the connection was lost mid-way, the server restarted, …).
    #[error("state store {shown}: {why}")]
    Query {
        /// The location, redacted.
        shown: String,
        /// Why.
        why: String,
    },
}

impl StateError {
    /// A query on the store at `shown` failed.
    pub(super) fn query(shown: String, e: &postgres::Error) -> StateError {
        StateError::Query {
            shown,
            why: error_text(e),
        }
    }

    /// The store at `shown` cannot be reached.
    pub(super) fn unreachable(shown: String, e: &postgres::Error) -> StateError {
        StateError::Unreachable {
            shown,
            why: error_text(e),
        }
    }

    /// Whether the store could not be reached or was lost (as opposed to a wrong URL or a
    /// database outdial cannot use): running again once it is back resumes.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            StateError::Unreachable { .. } | StateError::Query { .. }
        )
    }
}

/// A client error with its cause (the client's own `Display` leaves out why a connection
/// failed: "error connecting to server" alone).
fn error_text(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    if let Some(db) = e.as_db_error() {
        return db.message().to_owned();
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
