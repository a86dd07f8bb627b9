//! Row problems shown with the row itself: the scan keeps only where a problem is (a
//! [`Spot`]), and the line is read back from the file afterwards for the excerpt.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::MAX_EXCERPT;
use super::header::Columns;
use super::rows::RowError;
use crate::diagnostic::Problem;
use crate::phone::Region;
use crate::source::SourceFile;

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
        let (text, span) = redact(&bytes, column);
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

/// The row as shown under a problem: the offending field as written, every other field
/// masked with `*` (one a character, line breaks kept, so line and column numbers stay
/// right). A row holds other people's data, and a list that is not a list at all may hold
/// anything (an environment, a key file): nothing but the field at fault is printed. Without
/// a column (a ragged row), only the shape of the row is shown.
fn redact(raw: &[u8], column: Option<usize>) -> (String, Range<usize>) {
    let spans = field_spans(raw);
    let mut text = String::new();
    let mut span = None;
    for (i, field) in spans.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        // Lossy, so a bad byte is shown as U+FFFD and the span still fits.
        let written = String::from_utf8_lossy(&raw[field.clone()]);
        if Some(i) == column {
            let start = text.len();
            text.push_str(&written);
            span = Some(start..text.len());
        } else {
            text.extend(written.chars().map(|c| match c {
                '\n' | '\r' => c,
                _ => '*',
            }));
        }
    }
    let span = match column {
        None => 0..text.len(),
        Some(_) => span.unwrap_or(text.len()..text.len()),
    };
    (text, span)
}

/// The byte ranges of every field in one raw CSV record (quotes included).
fn field_spans(raw: &[u8]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut i = 0;
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
        spans.push(start..i);
        if i >= raw.len() || raw[i] != b',' {
            return spans;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fields_in_raw_records() {
        let raw = br#"a,"b, ""c""",d"#;
        let fields: Vec<&[u8]> = field_spans(raw).into_iter().map(|s| &raw[s]).collect();
        assert_eq!(fields, [&b"a"[..], br#""b, ""c""""#, b"d"]);
        let multi = b"\"x\ny\",z";
        assert_eq!(&multi[field_spans(multi)[1].clone()], b"z");
    }

    #[test]
    fn excerpts_show_only_the_field_at_fault() {
        let raw = r#"818-555-0110,"Max, Jr.",note é,bad-id"#.as_bytes();
        let (text, span) = redact(raw, Some(3));
        // Masked character for character, so the field stays in its column.
        assert_eq!(text, "************,**********,******,bad-id");
        assert_eq!(&text[span], "bad-id");
        let (text, span) = redact(raw, Some(1));
        assert_eq!(&text[span], "\"Max, Jr.\"");
        assert!(!text.contains("note"));
        // A ragged row shows its shape only.
        let (text, span) = redact(b"ab,\"c\nd\"", None);
        assert_eq!((text.as_str(), span), ("**,**\n**", 0..8));
        // A column past the row's end points after it.
        let (text, span) = redact(b"a,b", Some(5));
        assert_eq!((text.as_str(), span), ("*,*", 3..3));
    }
}
