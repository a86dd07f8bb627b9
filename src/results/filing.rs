//! Where `listen` files the posts it accepts: one interface, so the server does not know
//! whether the store is the project's SQLite file or a PostgreSQL database that several
//! listeners share. Every method blocks: call it off the async workers.

use std::sync::{Mutex, PoisonError};

use super::error::StoreError;
use super::posts::{Filed, Post, Unmatched};
use super::store::Store;
use crate::outcome::{CallRecord, Keypress};

/// A results store `listen` writes to.
pub trait Filing: Send + Sync {
    /// Files one post in one transaction, by the precedence of [`Store::file`]; committed
    /// when this returns `Ok`.
    fn file(
        &self,
        post: Option<Post<'_>>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<Filed, StoreError>;

    /// Keeps a post that named no call; `false` when it was kept before.
    fn file_unmatched(&self, unmatched: &Unmatched) -> Result<bool, StoreError>;

    /// One round trip to the store (a read), for readiness.
    fn ping(&self) -> Result<(), StoreError>;

    /// The store as a person names it (a path, or a URL without its password).
    fn describe(&self) -> String;
}

/// The SQLite store, one writer at a time (SQLite takes one anyway).
impl Filing for Mutex<Store> {
    fn file(
        &self,
        post: Option<Post<'_>>,
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<Filed, StoreError> {
        let mut store = self.lock().unwrap_or_else(PoisonError::into_inner);
        store.file(post, calls, keys)
    }

    fn file_unmatched(&self, unmatched: &Unmatched) -> Result<bool, StoreError> {
        let mut store = self.lock().unwrap_or_else(PoisonError::into_inner);
        store.file_unmatched(unmatched)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let store = self.lock().unwrap_or_else(PoisonError::into_inner);
        store
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get::<_, String>(0),
            )
            .map(drop)
            .map_err(|e| store.fail(e))
    }

    fn describe(&self) -> String {
        let store = self.lock().unwrap_or_else(PoisonError::into_inner);
        store.path().display().to_string()
    }
}
