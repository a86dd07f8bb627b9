//! A CSV contact list that passed loading: what the second pass needs to stream it again,
//! and the fingerprint that tells it the file is still the one checked.

use std::fs::File;
use std::ops::Range;
use std::path::PathBuf;
use std::time::SystemTime;

use super::header::Columns;
use super::rules::CallingRules;
use crate::phone::Region;

/// A CSV contact list that passed loading, ready to stream.
#[derive(Debug, Clone)]
pub struct Contacts {
    /// The file, resolved against the campaign file's folder.
    pub path: PathBuf,
    /// Where `csv = "…"` stands in the campaign file.
    pub span: Range<usize>,
    pub(super) columns: Columns,
    /// Data-row indexes (0-based, header excluded) that are not called, ascending.
    pub(super) skip: Vec<u64>,
    pub(super) fingerprint: Fingerprint,
    pub(super) region: Region,
    /// Added to the reader's line numbers (see `Header::crlf`).
    pub(super) line_fix: u64,
    /// The calling rules, judged again (with the same "now") when the rows are streamed.
    pub(super) calling: Option<std::sync::Arc<CallingRules>>,
    /// `allow_number_types`, applied again when the rows are streamed.
    pub(super) allowed: crate::phone::NumberTypes,
}

impl Contacts {
    /// The NANP region numbers are read in.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Whether the CSV has a `timezone` column (each row's own zone for the calling rules).
    pub fn has_timezone(&self) -> bool {
        self.columns.timezone.is_some()
    }

    /// Names of the columns the prompts use (the vars of each CSV recipient).
    pub fn var_names(&self) -> &[Box<str>] {
        &self.columns.var_names
    }
}

/// What tells the second pass that the CSV is still the file the first pass checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fingerprint {
    pub(super) len: u64,
    pub(super) modified: Option<SystemTime>,
}

impl Fingerprint {
    pub(super) fn of(file: &File) -> Option<Self> {
        let meta = file.metadata().ok()?;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}
