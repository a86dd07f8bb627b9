//! Do-not-call lists (`suppress = [...]`): plain text, one number a line, or a CSV with a
//! number column. A list must be exact, so a number that cannot be read is an error, not a
//! skipped line.

use std::ops::Range;
use std::sync::Arc;

use csv::ByteRecord;
use toml::Spanned;

use super::dedupe::Seen;
use super::{SHOWN, open_error, reader};
use crate::campaign::file::RecipientsSection;
use crate::diagnostic::{Problem, Problems};
use crate::phone::{self, NumberError, Region};
use crate::source::SourceFile;

/// Reads every list in `[recipients] suppress` into one set, so that checking a number is
/// one hash probe (a binary search over 10,000 numbers was a fifth of the scan).
pub(super) fn suppression(
    section: Option<&RecipientsSection>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Seen {
    let mut suppress: Vec<u64> = Vec::new();
    for list in section.iter().flat_map(|s| &s.suppress) {
        let number_column = section.and_then(|s| s.number_column.as_ref());
        load_suppress(list, number_column, source, &mut suppress, problems);
    }
    let mut set = Seen::new();
    for &n in &suppress {
        if set.first(n).is_none() {
            set.insert(n, 0);
        }
    }
    set
}

/// Reads one suppression list into `out`.
fn load_suppress(
    list: &Spanned<String>,
    number_column: Option<&Spanned<String>>,
    source: &Arc<SourceFile>,
    out: &mut Vec<u64>,
    problems: &mut Problems,
) {
    let path = source.resolve(list.get_ref());
    let read = super::open_list(&path).and_then(|mut f| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).map(|_| bytes)
    });
    let bytes = match read {
        Ok(bytes) => bytes,
        Err(err) => {
            problems.push(
                Problem::error("suppress::unreadable", open_error(&path, &err))
                    .at(source, list.span(), "this file")
                    .help("suppression list paths are relative to the campaign file's folder"),
            );
            return;
        }
    };
    let shown = path.display().to_string();
    let mut bad = 0usize;
    let mut report = |line: usize, text: &str, cell: Range<usize>, err: NumberError| {
        bad += 1;
        if bad <= SHOWN {
            let excerpt = SourceFile::excerpt(&shown, text.to_string(), line, "text");
            problems.push(
                Problem::error(
                    "suppress::bad-number",
                    format!(
                        "line {line}: {}",
                        // Numbers of other countries are skipped, not reported: no provider
                        // rule is stated here.
                        phone::explain(&text[cell.clone()], &err, Region::US, "outdial")
                    ),
                )
                .at(&excerpt, cell, "not a number outdial can match")
                .help("a do-not-call list must be exact: fix the number or comment it out with #"),
            );
        }
    };
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        let mut reader = reader(bytes.as_slice());
        let wanted = number_column.map_or("number", |c| c.get_ref().as_str());
        let column = reader.byte_headers().ok().and_then(|h| {
            h.iter().position(|name| {
                let name = name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name);
                name.trim_ascii() == wanted.as_bytes() || name.trim_ascii() == b"number"
            })
        });
        let Some(column) = column else {
            problems.push(
                Problem::error(
                    "suppress::missing-column",
                    format!("{shown} has no \"{wanted}\" column"),
                )
                .at(source, list.span(), "this file")
                .help("a CSV suppression list needs a header row with a `number` column"),
            );
            return;
        };
        let mut record = ByteRecord::new();
        while let Ok(true) = reader.read_byte_record(&mut record) {
            let line = record.position().map_or(0, |p| p.line() as usize);
            let text = String::from_utf8_lossy(record.get(column).unwrap_or_default());
            match phone::parse(&text) {
                Ok(n) => out.push(n.as_u64()),
                // A number outside NANP can never be called, so it never needs suppressing.
                Err(NumberError::NotNanp) => {}
                Err(err) => report(line, &text, 0..text.len(), err),
            }
        }
    } else {
        let text = String::from_utf8_lossy(&bytes);
        for (i, line) in text.lines().enumerate() {
            let content = line.split('#').next().unwrap_or_default();
            let trimmed = content.trim().trim_start_matches('\u{feff}');
            if trimmed.is_empty() {
                continue;
            }
            match phone::parse(trimmed) {
                Ok(n) => out.push(n.as_u64()),
                Err(NumberError::NotNanp) => {}
                Err(err) => {
                    let start = line.find(trimmed).unwrap_or(0);
                    report(i + 1, line, start..start + trimmed.len(), err);
                }
            }
        }
    }
    if bad > SHOWN {
        problems.push(
            Problem::error(
                "suppress::more-problems",
                format!("{} more unreadable numbers in {shown}", bad - SHOWN),
            )
            .at(source, list.span(), "this file"),
        );
    }
}
