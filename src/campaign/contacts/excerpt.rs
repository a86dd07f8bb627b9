//! Row problems shown with the row itself: the scan keeps only where a problem is (a
//! [`Spot`]), and the line is read back from the file afterwards for the excerpt.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::header::Columns;
use super::rows::RowError;
use crate::diagnostic::Problem;
use crate::phone::Region;
use crate::source::SourceFile;

/// The largest excerpt read back from a CSV to show one row.
pub(super) const MAX_EXCERPT: u64 = 4096;

/// A row problem kept for showing: where it is, so its line can be read back afterwards.
pub(super) struct Spot {
    pub(super) line: u64,
    pub(super) byte: u64,
    pub(super) end: u64,
    pub(super) error: RowError,
}

/// Reads lines back from the CSV to show them under a problem.
pub(super) struct Excerpts {
    file: Option<File>,
    path: PathBuf,
}

impl Excerpts {
    pub(super) fn open(path: &Path) -> Self {
        Self {
            file: File::open(path).ok(),
            path: path.to_path_buf(),
        }
    }

    /// The row's text as a source excerpt with real line numbers, and the span of `column`.
    pub(super) fn excerpt(
        &mut self,
        spot: &Spot,
        shown: &str,
        column: Option<usize>,
    ) -> (Arc<SourceFile>, Range<usize>) {
        let mut bytes = Vec::new();
        if let Some(file) = &mut self.file {
            let len = spot.end.saturating_sub(spot.byte).min(MAX_EXCERPT);
            if file.seek(SeekFrom::Start(spot.byte)).is_ok() {
                let _ = file.by_ref().take(len).read_to_end(&mut bytes);
            }
        }
        while bytes.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            bytes.pop();
        }
        // See `Header::crlf`: the record may start with the LF of the line before.
        let lead = bytes
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        bytes.drain(..lead);
        if spot.byte == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let span = column.map_or(0..bytes.len(), |c| field_span(&bytes, c));
        // Lossy text shifts offsets after a bad byte; the span is of the first bad field, so
        // only what follows it moves.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let span = span.start.min(text.len())..span.end.min(text.len());
        let _ = &self.path;
        (
            SourceFile::excerpt(shown, text, spot.line as usize, "csv"),
            span,
        )
    }

    /// The problem for a row error, as an error or (for a skipped row) a warning.
    pub(super) fn problem(
        &mut self,
        spot: &Spot,
        columns: &Columns,
        shown: &str,
        region: Region,
        provider: &str,
        error: bool,
    ) -> Problem {
        let column = spot.error.column();
        let (excerpt, span) = self.excerpt(spot, shown, column);
        let cell = excerpt.slice(span.clone()).unwrap_or_default();
        let cell = unquote(cell);
        let (message, help) = spot
            .error
            .describe(&cell, columns.names.len(), region, provider);
        let where_ = match column {
            Some(c) => format!(
                "line {}, column {} ({})",
                spot.line,
                c + 1,
                columns.names.get(c).map_or("?", String::as_str)
            ),
            None => format!("line {}", spot.line),
        };
        let message = format!("{where_}: {message}");
        let problem = if error {
            Problem::error(spot.error.code(), message)
        } else {
            Problem::warning(spot.error.code(), format!("skipped {message}"))
        };
        problem.at(&excerpt, span, "here").help(help)
    }
}

/// A cell's text without the CSV quoting.
fn unquote(cell: &str) -> String {
    match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => cell.to_string(),
    }
}

/// The byte range of field `index` in one raw CSV record (quotes included).
fn field_span(raw: &[u8], index: usize) -> Range<usize> {
    let mut i = 0;
    let mut field = 0;
    loop {
        let start = i;
        if raw.get(i) == Some(&b'"') {
            i += 1;
            while i < raw.len() {
                if raw[i] == b'"' {
                    if raw.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < raw.len() && raw[i] != b',' && raw[i] != b'\n' && raw[i] != b'\r' {
            i += 1;
        }
        if field == index {
            return start..i;
        }
        if i >= raw.len() || raw[i] != b',' {
            return raw.len()..raw.len();
        }
        i += 1;
        field += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_in_raw_records() {
        let raw = br#"a,"b, ""c""",d"#;
        assert_eq!(&raw[field_span(raw, 0)], b"a");
        assert_eq!(&raw[field_span(raw, 1)], br#""b, ""c""""#);
        assert_eq!(&raw[field_span(raw, 2)], b"d");
        assert_eq!(field_span(raw, 3), raw.len()..raw.len());
        let multi = b"\"x\ny\",z";
        assert_eq!(&multi[field_span(multi, 1)], b"z");
    }
}
