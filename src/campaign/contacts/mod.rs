//! Recipients at scale: CSV contact lists, do-not-call lists, dedupe, and the row stream.
//!
//! A CSV is read twice and never held. Loading ([`super::load`]) does the file-level checks
//! (the file opens, the header has the number column, placeholders name columns, the
//! suppression lists parse) and then streams every row once through the same checks the
//! posts will rely on, keeping only the dedupe set (8 bytes a number), the sorted indexes of
//! the rows to leave out, counts, and the first few problems. Planning ([`RowStream`]) streams
//! the file again, skips the listed rows and turns the rest into [`Recipient`]s batch by batch;
//! if the file changed in between, the stream stops with a problem instead of sending
//! something that was never checked.
//!
//! [`Recipient`]: super::Recipient

mod cap;
mod dedupe;
mod excerpt;
mod header;
mod report;
mod rows;
mod rules;
mod scan;
mod settings;
mod stream;
mod suppress;
mod window;

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::diagnostic::Problem;
use crate::phone::Region;
use header::Columns;

pub use cap::CallHistory;
pub(super) use header::{Header, read_header};
pub use rules::{CallingRules, Closed, QuietDays};
pub(super) use scan::{ScanInput, scan};
pub(super) use settings::{number_types, settings};
pub use stream::RowStream;
pub use window::Window;
pub(super) use window::past_times;

/// The largest excerpt read back from a CSV to show one row (and read to tell its line ends).
const MAX_EXCERPT: u64 = 4096;

/// At most this many row problems of one kind are shown; the rest are counted.
pub const SHOWN: usize = 20;

/// A CSV contact list that passed loading, ready to stream.
#[derive(Debug, Clone)]
pub struct Contacts {
    /// The file, resolved against the campaign file's folder.
    pub path: PathBuf,
    /// Where `csv = "…"` stands in the campaign file.
    pub span: Range<usize>,
    columns: Columns,
    /// Data-row indexes (0-based, header excluded) that are not called, ascending.
    skip: Vec<u64>,
    fingerprint: Fingerprint,
    region: Region,
    /// Added to the reader's line numbers (see `Header::crlf`).
    line_fix: u64,
    /// The calling rules, judged again (with the same "now") when the rows are streamed.
    calling: Option<std::sync::Arc<CallingRules>>,
    /// `allow_number_types`, applied again when the rows are streamed.
    allowed: crate::phone::NumberTypes,
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

/// What loading counted. `rows = valid + invalid`; `recipients` is what `send` calls: the
/// campaign file's own recipients plus the valid rows, less duplicates and suppressed numbers.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RecipientStats {
    /// Numbers written in the campaign file (`numbers` and `[[recipient]]`).
    pub inline: u64,
    /// CSV data rows read.
    pub rows: u64,
    /// CSV rows that passed every check.
    pub valid: u64,
    /// CSV rows left out as invalid (`on_invalid = "skip"`).
    pub invalid: u64,
    /// Entries left out because their number came earlier.
    pub duplicates: u64,
    /// Entries left out because their number is on a suppression list.
    pub suppressed: u64,
    /// Distinct numbers on the suppression lists.
    pub suppress_list: u64,
    /// Recipients to call.
    pub recipients: u64,
    /// Calls scheduled in the past (warned about, or errors with `deny_past`).
    pub past: u64,
    /// Entries left out because `max_calls` was reached (other campaigns' journals).
    pub capped: u64,
    /// Journals read for `max_calls`.
    pub journals: u64,
    /// Immediate calls moved to the next opening of the calling hours.
    pub deferred: u64,
    /// Entries left out by the calling hours (`on_invalid = "skip"`).
    pub outside_window: u64,
    /// Entries left out by `quiet_days` (`on_invalid = "skip"`).
    pub quiet_day: u64,
    /// What the calling rules did, per time zone (the zones of an area code that spans
    /// several are one entry), in zone order.
    pub rules: Vec<ZoneRules>,
    /// The first skipped rows, as warnings naming file, line and column (for `plan`).
    #[serde(skip)]
    pub skipped: Vec<Problem>,
}

/// What the calling rules did to the recipients of one time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ZoneRules {
    /// The zone, or the zones of area codes that span several ("America/Halifax,
    /// America/St_Johns").
    pub zone: String,
    /// Left out: outside the calling hours.
    pub outside_window: u64,
    /// Left out: a quiet day.
    pub quiet_day: u64,
    /// Left out: `max_calls` reached.
    pub capped: u64,
    /// Immediate calls deferred to the next opening.
    pub deferred: u64,
    /// When the deferred calls ring (RFC 9557, in the campaign's zone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deferred_to: Option<String>,
}

/// What tells the second pass that the CSV is still the file the first pass checked.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
}

impl Fingerprint {
    fn of(file: &File) -> Option<Self> {
        let meta = file.metadata().ok()?;
        Some(Self {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The message for a file that cannot be opened.
fn open_error(path: &Path, err: &std::io::Error) -> String {
    format!("cannot read {}: {err}", path.display())
}

/// Opens a contact or do-not-call list: a regular file only. Devices (`/dev/zero` never
/// ends), FIFOs (opening one blocks), folders, and the kernel's files under `/proc` and
/// `/sys` (which claim to be regular, and `/proc/self/environ` holds the credentials) are
/// refused before a byte is read, so nothing of them can reach a problem excerpt.
fn open_list(path: &Path) -> std::io::Result<File> {
    use std::io::{Error, ErrorKind};
    let canonical = std::fs::canonicalize(path)?;
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|system| canonical.starts_with(system))
    {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{} is a system file, not a list of numbers",
                canonical.display()
            ),
        ));
    }
    if !std::fs::metadata(&canonical)?.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a device, a FIFO or a folder)",
        ));
    }
    File::open(&canonical)
}

/// The longest row a contact or do-not-call list may have. A real row is a few hundred bytes;
/// a quote that is never closed turns the rest of the file into one field, which without a
/// bound would be read into memory whole (a 10 GB list, a 10 GB field).
pub(crate) const MAX_ROW_BYTES: u64 = 1 << 20;

/// Reads a list for the CSV reader, failing once one row grows past [`MAX_ROW_BYTES`]. The
/// csv crate has no such limit: it grows its record buffer as long as the field goes on.
struct RowLimit<R> {
    inner: R,
    /// Bytes handed to the CSV reader so far.
    read: u64,
    /// Where the row being read starts, set by [`read_row`] after each row.
    row_start: std::cell::Cell<u64>,
}

impl<R: Read> Read for RowLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // The reader buffers ahead, so `read` runs up to a buffer past the row: the bound is
        // on the row plus one buffer, which is what memory holds.
        if self.read.saturating_sub(self.row_start.get()) > MAX_ROW_BYTES + BUFFER as u64 {
            return Err(std::io::Error::other(RowTooLong));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The error [`RowLimit`] raises, recognised by [`read_row`].
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row longer than {} MiB", MAX_ROW_BYTES >> 20)
    }
}

impl std::error::Error for RowTooLong {}

/// The CSV reader's own buffer.
const BUFFER: usize = 1 << 16;

/// A list's CSV reader: every pass uses this one, and reads rows through [`read_row`].
type ListReader<R> = csv::Reader<RowLimit<R>>;

/// The CSV reader every pass uses.
fn reader<R: Read>(input: R) -> ListReader<R> {
    // Flexible, so that a ragged row is reported with its line and the scan goes on to find
    // every other problem, instead of the reader stopping at the first one.
    csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(BUFFER)
        .from_reader(RowLimit {
            inner: input,
            read: 0,
            row_start: std::cell::Cell::new(0),
        })
}

/// Reads the next row into `record` (`Ok(false)` at the end). A row over [`MAX_ROW_BYTES`]
/// is an error naming the line it starts on and the likely cause.
fn read_row<R: Read>(
    reader: &mut ListReader<R>,
    record: &mut csv::ByteRecord,
) -> Result<bool, csv::Error> {
    match reader.read_byte_record(record) {
        Ok(more) => {
            let next = reader.position().byte();
            reader.get_ref().row_start.set(next);
            Ok(more)
        }
        Err(err) => {
            let too_long = matches!(err.kind(), csv::ErrorKind::Io(io)
                if io.get_ref().is_some_and(|e| e.is::<RowTooLong>()));
            if !too_long {
                return Err(err);
            }
            let line = reader.position().line();
            Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the row at line {line} is longer than {} MiB: a quote (\") that is never closed makes the rest of the file one field; close it, or remove the row",
                    MAX_ROW_BYTES >> 20
                ),
            )
            .into())
        }
    }
}
