//! Do-not-call lists (`suppress = [...]`): plain text, one number a line, or a CSV with a
//! number column. A list must be exact, so a number that cannot be read is an error, not a
//! skipped line.

use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::Arc;

use csv::ByteRecord;
use toml::Spanned;

use super::dedupe::Seen;
use super::{MAX_ROW_BYTES, SHOWN, open_error, reader};
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
    let unreadable = |problems: &mut Problems, message: String| {
        problems.push(
            Problem::error("suppress::unreadable", message)
                .at(source, list.span(), "this file")
                .help("suppression list paths are relative to the campaign file's folder"),
        );
    };
    // Streamed, never read whole: a do-not-call list can be large, and a runaway line is
    // stopped at MAX_ROW_BYTES.
    let file = match super::open_list(&path) {
        Ok(file) => file,
        Err(err) => return unreadable(problems, open_error(&path, &err)),
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
    // A list that cannot be read to its end is an error: the numbers after the fault would
    // otherwise be called.
    let mut failure = None;
    if is_csv {
        let mut reader = reader(BufReader::with_capacity(1 << 16, file));
        let wanted = number_column.map_or("number", |c| c.get_ref().as_str());
        let column = match reader.byte_headers() {
            Ok(h) => h.iter().position(|name| {
                let name = name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name);
                name.trim_ascii() == wanted.as_bytes() || name.trim_ascii() == b"number"
            }),
            Err(err) => return unreadable(problems, format!("{shown}: {err}")),
        };
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
        loop {
            match super::read_row(&mut reader, &mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(err) => {
                    failure = Some(err.to_string());
                    break;
                }
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            let text = String::from_utf8_lossy(record.get(column).unwrap_or_default());
            // Numbers abroad too: a provider that calls them must find them suppressed.
            match phone::parse_international(&text) {
                Ok(n) => out.push(n.as_u64()),
                // A number outside NANP can never be called, so it never needs suppressing.
                Err(NumberError::NotNanp) => {}
                Err(err) => report(line, &text, 0..text.len(), err),
            }
        }
    } else {
        let mut input = BufReader::with_capacity(1 << 16, file);
        let mut bytes = Vec::new();
        for i in 1.. {
            bytes.clear();
            match (&mut input)
                .take(MAX_ROW_BYTES + 1)
                .read_until(b'\n', &mut bytes)
            {
                Ok(0) => break,
                Ok(_) if bytes.len() as u64 > MAX_ROW_BYTES => {
                    failure = Some(format!(
                        "line {i} is longer than {} MiB: a list of numbers has one short number a line",
                        MAX_ROW_BYTES >> 20
                    ));
                    break;
                }
                Ok(_) => {}
                Err(err) => {
                    failure = Some(err.to_string());
                    break;
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let line = text.strip_suffix('\n').unwrap_or(&text);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let content = line.split('#').next().unwrap_or_default();
            let trimmed = content.trim().trim_start_matches('\u{feff}');
            if trimmed.is_empty() {
                continue;
            }
            match phone::parse_international(trimmed) {
                Ok(n) => out.push(n.as_u64()),
                Err(NumberError::NotNanp) => {}
                Err(err) => {
                    let start = line.find(trimmed).unwrap_or(0);
                    report(i, line, start..start + trimmed.len(), err);
                }
            }
        }
    }
    if let Some(failure) = failure {
        unreadable(
            problems,
            format!(
                "{shown}: {failure} (the numbers after it were not read, so nothing can be sent)"
            ),
        );
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
