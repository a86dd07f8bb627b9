//! The CSV's header row: read while the campaign file is validated (the file opens, is
//! UTF-8, has the number column), then matched against the prompts' placeholders.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use super::list::{MAX_EXCERPT, open_error, open_list, reader};
use crate::campaign::model::{Prompt, PromptContent, Zone};
use crate::diagnostic::{Problem, Problems, did_you_mean};
use crate::source::SourceFile;

/// Column positions in the CSV.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    pub(super) names: Vec<String>,
    pub(super) number: usize,
    pub(super) callid: Option<usize>,
    pub(super) at: Option<usize>,
    /// A `timezone` column: the row's own zone for the calling rules.
    pub(super) timezone: Option<usize>,
    /// Columns the prompts use, in [`Columns::var_names`] order.
    pub(super) vars: Vec<usize>,
    pub(super) var_names: Arc<[Box<str>]>,
    /// Per entry of `vars`: whether an empty cell is an error (no `[vars]` default).
    pub(super) required: Vec<bool>,
}

/// The CSV header, read while validating the campaign file.
#[derive(Debug)]
pub(in crate::campaign) struct Header {
    pub(super) path: PathBuf,
    pub(super) span: Range<usize>,
    pub(super) names: Vec<String>,
    pub(super) number: usize,
    /// The csv reader reports a record after a CRLF on the line of the CR (it takes the CR as
    /// the terminator and skips the LF as part of the next record), so lines in such files
    /// need one added.
    pub(super) crlf: bool,
}

impl Header {
    /// Whether the CSV has a column called `name`.
    pub(in crate::campaign) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The file name as shown in messages.
    pub(in crate::campaign) fn shown(&self) -> String {
        self.path.display().to_string()
    }
}

/// Reads the header of the CSV named by `csv`: the file must open, be UTF-8, and have the
/// number column.
pub(in crate::campaign) fn read_header(
    csv: &Spanned<String>,
    number_column: Option<&Spanned<String>>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Option<Header> {
    let path = source.resolve(csv.get_ref());
    let file = match open_list(&path) {
        Ok(file) => file,
        Err(err) => {
            problems.push(
                Problem::error("csv::unreadable", open_error(&path, &err))
                    .at(source, csv.span(), "this file")
                    .help("CSV paths are relative to the campaign file's folder"),
            );
            return None;
        }
    };
    let crlf = ends_in_crlf(&file);
    let mut reader = reader(file);
    let header = match reader.byte_headers() {
        Ok(header) => header.clone(),
        Err(err) => {
            problems.push(
                Problem::error("csv::unreadable", format!("{}: {err}", path.display())).at(
                    source,
                    csv.span(),
                    "this file",
                ),
            );
            return None;
        }
    };
    let names = names(&header, &path, csv, source, problems)?;
    let number = number_column_of(&names, number_column, &path, csv, source, problems)?;
    Some(Header {
        path,
        span: csv.span(),
        names,
        number,
        crlf,
    })
}

/// Whether the file's first line ends in CRLF (see [`Header::crlf`]); reads the file's start
/// and goes back to it.
fn ends_in_crlf(mut file: &std::fs::File) -> bool {
    let mut first = Vec::new();
    let _ = file.take(MAX_EXCERPT).read_to_end(&mut first);
    let crlf = first
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && first[i - 1] == b'\r');
    let _ = file.seek(SeekFrom::Start(0));
    crlf
}

/// The header row's names, trimmed; `None` (reported) when one is not UTF-8.
fn names(
    header: &csv::ByteRecord,
    path: &Path,
    csv: &Spanned<String>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Option<Vec<String>> {
    let mut names = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        // A BOM is how spreadsheet programs mark UTF-8; it is not part of the first name.
        let raw = if i == 0 {
            raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
        } else {
            raw
        };
        match std::str::from_utf8(raw) {
            Ok(name) => names.push(name.trim().to_string()),
            Err(_) => {
                problems.push(
                    Problem::error(
                        "csv::not-utf8",
                        format!(
                            "{} is not UTF-8: column {} of the header row",
                            path.display(),
                            i + 1
                        ),
                    )
                    .at(source, csv.span(), "this file")
                    .help("export the CSV as UTF-8 (\"CSV UTF-8\" in spreadsheet programs)"),
                );
                return None;
            }
        }
    }
    Some(names)
}

/// Where the number column (`number_column`, or `number`) is; `None` (reported, with the
/// likeliest name) when the header has no such column.
fn number_column_of(
    names: &[String],
    number_column: Option<&Spanned<String>>,
    path: &Path,
    csv: &Spanned<String>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Option<usize> {
    let wanted = number_column.map_or("number", |c| c.get_ref().as_str());
    if let Some(number) = names.iter().position(|n| n == wanted) {
        return Some(number);
    }
    let span = number_column.map_or_else(|| csv.span(), Spanned::span);
    let suggestion = did_you_mean(wanted, names.iter().map(String::as_str))
        .map(|s| format!("set number_column = \"{s}\""))
        .unwrap_or_else(|| {
            "set number_column to the header of the column that holds the numbers".into()
        });
    problems.push(
        Problem::error(
            "csv::missing-column",
            format!(
                "{} has no column \"{wanted}\" for the numbers (its columns: {})",
                path.display(),
                names.join(", ")
            ),
        )
        .at(source, span, "no such column")
        .help(suggestion),
    );
    None
}

/// Works out which columns the prompts use and reports placeholders the CSV cannot fill.
pub(super) fn columns(
    header: &Header,
    prompts: &[Prompt],
    vars: &BTreeMap<String, String>,
    zone: Option<&Zone>,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Option<Columns> {
    let find = |name: &str| header.names.iter().position(|n| n == name);
    let at = find("at");
    if at.is_some() && zone.is_none() {
        problems.push(
            Problem::error(
                "campaign::missing-timezone",
                format!(
                    "{} has an `at` column but the campaign has no time zone",
                    header.shown()
                ),
            )
            .at(source, header.span.clone(), "times in which zone?")
            .help("add `timezone = \"America/Chicago\"` (your zone) to [campaign]"),
        );
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for prompt in prompts {
        if let PromptContent::Tts(template) = &prompt.content {
            for (name, _) in template.vars() {
                if !names.contains(&name) && find(name).is_some() {
                    names.push(name);
                }
            }
        }
    }
    Some(Columns {
        number: header.number,
        callid: find("callid"),
        at,
        timezone: find("timezone"),
        vars: names.iter().filter_map(|n| find(n)).collect(),
        required: names.iter().map(|n| !vars.contains_key(*n)).collect(),
        var_names: names.iter().map(|&n| Box::from(n)).collect(),
        names: header.names.clone(),
    })
}
