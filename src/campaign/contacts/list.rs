//! Opening and reading a contact or do-not-call list: regular files only, and no row
//! longer than [`MAX_ROW_BYTES`], so a list can neither block nor fill memory.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The largest excerpt read back from a CSV to show one row (and read to tell its line ends).
pub(super) const MAX_EXCERPT: u64 = 4096;

/// The message for a file that cannot be opened.
pub(super) fn open_error(path: &Path, err: &std::io::Error) -> String {
    format!("cannot read {}: {err}", path.display())
}

/// Opens a contact or do-not-call list: a regular file only. Devices (`/dev/zero` never
/// ends), FIFOs (opening one blocks), folders, and the kernel's files under `/proc` and
/// `/sys` (which claim to be regular, and `/proc/self/environ` holds the credentials) are
/// refused before a byte is read, so nothing of them can reach a problem excerpt.
pub(super) fn open_list(path: &Path) -> std::io::Result<File> {
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
pub(super) const MAX_ROW_BYTES: u64 = 1 << 20;

/// Reads a list for the CSV reader, failing once one row grows past [`MAX_ROW_BYTES`]. The
/// csv crate has no such limit: it grows its record buffer as long as the field goes on.
pub(super) struct RowLimit<R> {
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
pub(super) type ListReader<R> = csv::Reader<RowLimit<R>>;

/// The CSV reader every pass uses.
pub(super) fn reader<R: Read>(input: R) -> ListReader<R> {
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
pub(super) fn read_row<R: Read>(
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
