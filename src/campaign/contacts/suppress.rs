//! Do-not-call lists (`suppress = [...]`): plain text, one number a line, or a CSV with a
//! number column. A list must be exact, so an entry that cannot be read as any number is an
//! error, not a skipped line: a garbled entry may hide someone who must not be called. An
//! entry outdial could never dial (a reserved code, a service code, a premium-rate number)
//! is counted in a warning and left out, and an entry with an extension suppresses the
//! number without it (also counted): national registries hold both kinds.

use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::sync::Arc;

use csv::ByteRecord;
use toml::Spanned;

use super::dedupe::Seen;
use super::list::{MAX_ROW_BYTES, open_error, open_list, read_row, reader};
use super::stats::SHOWN;
use crate::campaign::file::RecipientsSection;
use crate::diagnostic::{Problem, Problems};
use crate::phone::{self, NumberError, PhoneNumber, Region, Restricted};
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
    let file = match open_list(&path) {
        Ok(file) => file,
        Err(err) => return unreadable(problems, open_error(&path, &err)),
    };
    let mut entries = Entries {
        shown: path.display().to_string(),
        out,
        odd: Odd::default(),
        bad: 0,
    };
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // A list that cannot be read to its end is an error: the numbers after the fault would
    // otherwise be called.
    let end = if is_csv {
        let wanted = number_column.map_or("number", |c| c.get_ref().as_str());
        entries.read_csv(file, wanted, problems)
    } else {
        entries.read_text(file, problems)
    };
    let shown = entries.shown;
    match end {
        End::Read => {}
        End::Failed(failure) => unreadable(
            problems,
            format!(
                "{shown}: {failure} (the numbers after it were not read, so nothing can be sent)"
            ),
        ),
        End::NoHeader(err) => return unreadable(problems, format!("{shown}: {err}")),
        End::NoColumn(wanted) => {
            return problems.push(
                Problem::error(
                    "suppress::missing-column",
                    format!("{shown} has no \"{wanted}\" column"),
                )
                .at(source, list.span(), "this file")
                .help("a CSV suppression list needs a header row with a `number` column"),
            );
        }
    }
    entries.odd.report(&shown, problems);
    if entries.bad > SHOWN {
        problems.push(
            Problem::error(
                "suppress::more-problems",
                format!("{} more unreadable numbers in {shown}", entries.bad - SHOWN),
            )
            .at(source, list.span(), "this file"),
        );
    }
}

/// How reading a list ended.
enum End {
    /// Read to its end.
    Read,
    /// Stopped by a fault: the numbers after it were not read.
    Failed(String),
    /// A CSV list whose header row cannot be read.
    NoHeader(csv::Error),
    /// A CSV list with no column of this name (nor `number`).
    NoColumn(String),
}

/// The entries of one list as they are read: the numbers go to `out`, odd entries are
/// counted, unreadable ones reported (the first [`SHOWN`]) and counted.
struct Entries<'a> {
    /// The list's path as shown.
    shown: String,
    out: &'a mut Vec<u64>,
    odd: Odd,
    bad: usize,
}

impl Entries<'_> {
    /// Reads a CSV list's `wanted` (or `number`) column.
    fn read_csv(&mut self, file: std::fs::File, wanted: &str, problems: &mut Problems) -> End {
        let mut reader = reader(BufReader::with_capacity(1 << 16, file));
        let column = match reader.byte_headers() {
            Ok(h) => h.iter().position(|name| {
                let name = name.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(name);
                name.trim_ascii() == wanted.as_bytes() || name.trim_ascii() == b"number"
            }),
            Err(err) => return End::NoHeader(err),
        };
        let Some(column) = column else {
            return End::NoColumn(wanted.to_string());
        };
        let mut record = ByteRecord::new();
        loop {
            match read_row(&mut reader, &mut record) {
                Ok(true) => {}
                Ok(false) => return End::Read,
                Err(err) => return End::Failed(err.to_string()),
            }
            let line = record.position().map_or(0, |p| p.line() as usize);
            let text = String::from_utf8_lossy(record.get(column).unwrap_or_default());
            // Numbers abroad too: a provider that calls them must find them suppressed.
            self.take(line, &text, 0..text.len(), problems);
        }
    }

    /// Reads a plain-text list: one number a line, `#` starts a comment.
    fn read_text(&mut self, file: std::fs::File, problems: &mut Problems) -> End {
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
                    return End::Failed(format!(
                        "line {i} is longer than {} MiB: a list of numbers has one short number a line",
                        MAX_ROW_BYTES >> 20
                    ));
                }
                Ok(_) => {}
                Err(err) => return End::Failed(err.to_string()),
            }
            let text = String::from_utf8_lossy(&bytes);
            let line = text.strip_suffix('\n').unwrap_or(&text);
            let line = line.strip_suffix('\r').unwrap_or(line);
            let content = line.split('#').next().unwrap_or_default();
            let trimmed = content.trim().trim_start_matches('\u{feff}');
            if trimmed.is_empty() {
                continue;
            }
            let start = line.find(trimmed).unwrap_or(0);
            self.take(i, line, start..start + trimmed.len(), problems);
        }
        End::Read
    }

    /// Takes the entry at `cell` of `text` (line `line`).
    fn take(&mut self, line: usize, text: &str, cell: Range<usize>, problems: &mut Problems) {
        match entry(&text[cell.clone()]) {
            Entry::Number(n) => self.out.push(n.as_u64()),
            Entry::Odd(n, kind) => {
                self.out.extend(n.map(|n| n.as_u64()));
                self.odd.count(kind, line, text, cell);
            }
            Entry::Bad(err) => {
                self.bad += 1;
                if self.bad <= SHOWN {
                    problems.push(self.bad_entry(line, text, cell, &err));
                }
            }
        }
    }

    /// The error for an entry that is not a number outdial can match.
    fn bad_entry(&self, line: usize, text: &str, cell: Range<usize>, err: &NumberError) -> Problem {
        let excerpt = SourceFile::excerpt(&self.shown, text.to_string(), line, "text");
        Problem::error(
            "suppress::bad-number",
            format!(
                "line {line}: {}",
                // Numbers of other countries are skipped, not reported: no provider rule is
                // stated here.
                phone::explain(&text[cell.clone()], err, Region::US, "outdial")
            ),
        )
        .at(&excerpt, cell, "not a number outdial can match")
        .help("a do-not-call list must be exact: fix the number or comment it out with #")
    }
}

/// What one entry of a list is.
enum Entry {
    /// A number to suppress.
    Number(PhoneNumber),
    /// An entry kept out of the list or cut to its number, with the number suppressed.
    Odd(Option<PhoneNumber>, OddKind),
    /// Not a number at all: an error.
    Bad(NumberError),
}

/// The entries a list may hold that are not plain numbers, but are no error.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OddKind {
    /// A number outdial could never dial: nothing to suppress.
    Undialable,
    /// A number with an extension: the number without it is suppressed.
    Extension,
}

/// Reads one entry.
fn entry(text: &str) -> Entry {
    match phone::parse_international(text) {
        Ok(n) if phone::restricted(&n).is_some_and(|k| k.kind == Restricted::PremiumRate) => {
            Entry::Odd(None, OddKind::Undialable)
        }
        Ok(n) => Entry::Number(n),
        // A number outside NANP can never be called, so it never needs suppressing.
        Err(NumberError::NotNanp) => Entry::Odd(None, OddKind::Undialable),
        Err(
            NumberError::Reserved(..)
            | NumberError::SpecialExchange(..)
            | NumberError::ServiceCode(_),
        ) => Entry::Odd(None, OddKind::Undialable),
        Err(NumberError::Extension(tail)) => {
            let base = text.rfind(tail.as_str()).map_or(text, |at| &text[..at]);
            match entry(base) {
                Entry::Number(n) => Entry::Odd(Some(n), OddKind::Extension),
                other => other,
            }
        }
        Err(err) => Entry::Bad(err),
    }
}

/// The first odd entry of a kind: its line's text, the entry's place in it, the line number.
type First = Option<(String, Range<usize>, usize)>;

/// The odd entries of one list: how many of each kind, and where the first is.
#[derive(Default)]
struct Odd {
    undialable: (usize, First),
    extension: (usize, First),
}

impl Odd {
    fn count(&mut self, kind: OddKind, line: usize, text: &str, cell: Range<usize>) {
        let slot = match kind {
            OddKind::Undialable => &mut self.undialable,
            OddKind::Extension => &mut self.extension,
        };
        slot.0 += 1;
        slot.1.get_or_insert_with(|| (text.to_string(), cell, line));
    }

    /// One warning for each kind found, at its first entry.
    fn report(self, shown: &str, problems: &mut Problems) {
        for (kind, (n, first)) in [
            (OddKind::Undialable, self.undialable),
            (OddKind::Extension, self.extension),
        ] {
            let Some((text, cell, line)) = first else {
                continue;
            };
            let excerpt = SourceFile::excerpt(shown, text, line, "text");
            let (code, what, label, help) = match kind {
                OddKind::Undialable => (
                    "suppress::undialable",
                    "numbers outdial could never dial (a reserved or service code, pay-per-call or premium-rate): left out of the list",
                    "never dialled",
                    "nothing to do: such an entry can never be called, so it needs no suppressing",
                ),
                OddKind::Extension => (
                    "suppress::extension",
                    "numbers with an extension: the number without it is suppressed",
                    "the number is suppressed",
                    "nothing to do: outdial dials numbers, not extensions, so the number itself is never called",
                ),
            };
            problems.push(
                Problem::warning(code, format!("{shown} line {line}: {n} {what}"))
                    .at(&excerpt, cell, label)
                    .help(help),
            );
        }
    }
}
