//! Problems found in a campaign: what is wrong, where, and what to do about it.
//!
//! Every check in outdial reports a [`Problem`] instead of failing fast, so one run shows the
//! user everything at once. A problem implements [`miette::Diagnostic`] for the human renderer
//! and serialises to a flat JSON record for `--format json`.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use miette::{LabeledSpan, SourceCode};
use serde::Serialize;

use crate::source::{Clipped, LineCol, SourceFile};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The campaign cannot be compiled or sent.
    Error,
    /// Worth knowing; compilation goes on.
    Warning,
}

/// A second place a problem points at (for example the first occurrence of a duplicate).
#[derive(Debug, Clone)]
pub struct Note {
    span: Range<usize>,
    label: String,
}

/// One problem with a location in a source file, a label on the exact value, and help.
#[derive(Debug, Clone)]
pub struct Problem {
    severity: Severity,
    code: &'static str,
    message: String,
    source: Option<Arc<SourceFile>>,
    span: Option<Range<usize>>,
    label: Option<String>,
    help: Option<String>,
    notes: Vec<Note>,
    /// What the human renderer is shown when a label is on a very long line (made on first
    /// use; `None` when the file is shown as it is).
    clipped: OnceLock<Option<Clipped>>,
}

impl Problem {
    /// A new error with a stable `code` (e.g. `campaign::unknown-key`) and a one-line message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A new warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            source: None,
            span: None,
            label: None,
            help: None,
            notes: Vec::new(),
            clipped: OnceLock::new(),
        }
    }

    /// Points the problem at `span` of `source`, labelled with `label`.
    #[must_use]
    pub fn at(
        mut self,
        source: &Arc<SourceFile>,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        self.source = Some(Arc::clone(source));
        self.span = Some(span);
        self.label = Some(label.into());
        self.clipped = OnceLock::new();
        self
    }

    /// Names a file without a position in it (a file that could not be read, say).
    #[must_use]
    pub fn in_file(mut self, source: &Arc<SourceFile>) -> Self {
        self.source = Some(Arc::clone(source));
        self
    }

    /// Adds help: what to do about it.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label in the same file.
    #[must_use]
    pub fn note(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.notes.push(Note {
            span,
            label: label.into(),
        });
        self.clipped = OnceLock::new();
        self
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The help text, if any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The file the problem is in, if any.
    pub fn source_file(&self) -> Option<&Arc<SourceFile>> {
        self.source.as_ref()
    }

    /// Byte span of the primary label.
    pub fn span(&self) -> Option<Range<usize>> {
        self.span.clone()
    }

    /// Line and column of the primary label.
    pub fn location(&self) -> Option<LineCol> {
        Some(self.source.as_ref()?.line_col(self.span.as_ref()?.start))
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A flat record for JSON output.
    pub fn record(&self) -> ProblemRecord<'_> {
        let location = self.location();
        ProblemRecord {
            severity: self.severity,
            code: self.code,
            message: &self.message,
            file: self.source.as_ref().map(|s| s.name()),
            line: location.map(|l| l.line),
            column: location.map(|l| l.column),
            label: self.label.as_deref(),
            help: self.help.as_deref(),
        }
    }

    /// For the human renderer: an excerpt of the primary label's line when any label starts or
    /// ends on a line too long to show whole (miette panics past column 65,535). JSON records
    /// keep the exact position either way.
    fn clipped(&self) -> Option<&Clipped> {
        self.clipped
            .get_or_init(|| {
                let source = self.source.as_ref()?;
                let span = self.span.clone()?;
                let long = std::iter::once(&span)
                    .chain(self.notes.iter().map(|n| &n.span))
                    .any(|s| source.on_long_line(s.start) || source.on_long_line(s.end));
                long.then(|| source.clip(span))
            })
            .as_ref()
    }

    fn sort_key(&self) -> (Option<&str>, usize, usize, Severity) {
        (
            self.source.as_ref().map(|s| s.name()),
            // Problems in a large CSV each hold an excerpt of their own row: order them by
            // where the excerpt starts, then by the offset inside it.
            self.source.as_ref().map_or(0, |s| s.first_line()),
            self.span.as_ref().map_or(0, |s| s.start),
            self.severity,
        )
    }
}

/// A problem flattened for `--format json`.
#[derive(Debug, Serialize)]
pub struct ProblemRecord<'a> {
    /// `error` or `warning`.
    pub severity: Severity,
    /// Stable code.
    pub code: &'static str,
    /// One-line message.
    pub message: &'a str,
    /// File name as given on the command line.
    pub file: Option<&'a str>,
    /// One-based line.
    pub line: Option<usize>,
    /// One-based column.
    pub column: Option<usize>,
    /// Label on the value.
    pub label: Option<&'a str>,
    /// What to do.
    pub help: Option<&'a str>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl miette::Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.span.as_ref()?;
        if let Some(clipped) = self.clipped() {
            return Some(clipped as &dyn SourceCode);
        }
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        if let Some(clipped) = self.clipped() {
            // Notes outside the excerpt are left out of the picture (JSON has no notes).
            let primary = LabeledSpan::new_primary_with_span(self.label.clone(), clipped.span());
            let notes = self.notes.iter().filter_map(|n| {
                let span = clipped.map(&n.span)?;
                Some(LabeledSpan::new_with_span(Some(n.label.clone()), span))
            });
            return Some(Box::new(std::iter::once(primary).chain(notes)));
        }
        let primary = LabeledSpan::new_primary_with_span(self.label.clone(), span);
        let notes = self
            .notes
            .iter()
            .map(|n| LabeledSpan::new_with_span(Some(n.label.clone()), n.span.clone()));
        Some(Box::new(std::iter::once(primary).chain(notes)))
    }
}

/// At most this many problems of one kind (one code) are shown by [`Problems::into_sorted`].
pub const SHOWN_PER_KIND: usize = 20;

/// Every problem found so far, in the order of the files and positions they point at.
#[derive(Debug, Default, Clone)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.list.push(problem);
    }

    /// Records several problems.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.list.extend(problems);
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Problem::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|p| p.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.list.len() - self.error_count()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems sorted by file and position (a stable sort keeps discovery order on ties),
    /// at most [`SHOWN_PER_KIND`] of each kind: the rest of a kind are folded into one
    /// problem that counts them, right after the last one shown. A file with ten thousand
    /// copies of one mistake gets twenty and a count, and shows them in linear time.
    pub fn into_sorted(mut self) -> Vec<Problem> {
        self.list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut shown: HashMap<&'static str, usize> = HashMap::new();
        // Per kind: how many were folded, their severity, and where the last shown one went.
        let mut folded: HashMap<&'static str, (usize, Severity, usize)> = HashMap::new();
        let mut out = Vec::with_capacity(self.list.len().min(1024));
        for problem in self.list {
            let count = shown.entry(problem.code).or_default();
            *count += 1;
            if *count <= SHOWN_PER_KIND {
                if *count == SHOWN_PER_KIND {
                    folded.insert(problem.code, (0, problem.severity, out.len()));
                }
                out.push(problem);
            } else if let Some(fold) = folded.get_mut(problem.code) {
                fold.0 += 1;
                // An error among folded warnings makes the count an error.
                if problem.severity == Severity::Error {
                    fold.1 = Severity::Error;
                }
            }
        }
        let mut summaries: Vec<(usize, Problem)> = folded
            .into_iter()
            .filter(|(_, (n, ..))| *n > 0)
            .map(|(code, (n, severity, last))| {
                let problem = Problem::new(
                    severity,
                    code,
                    format!("{n} more problems like the ones above ({code}) are not shown"),
                )
                .help("fix the ones shown and run the check again to see the rest");
                (last, problem)
            })
            .collect();
        // Inserted from the back, so earlier positions stay valid.
        summaries.sort_by_key(|(last, _)| std::cmp::Reverse(*last));
        for (last, problem) in summaries {
            out.insert(last + 1, problem);
        }
        out
    }

    /// The problems in discovery order.
    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.list.iter()
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_sorted().into_iter()
    }
}

/// "did you mean" for a misspelt name: the closest candidate by Jaro-Winkler similarity.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(problem: &Problem) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut out = String::new();
        handler.render_report(&mut out, problem).unwrap();
        out
    }

    #[test]
    fn labels_far_along_a_line_are_rendered_clipped_at_their_real_position() {
        // miette pads to a label's column: it panicked from column 65,536 on. A tab is up to
        // four columns, a wide character two.
        for filler in [" ", "\t", "界"] {
            let text = format!("x = \"{}{{v}}\"\ny = [1, 1]\n", filler.repeat(70_000));
            let source = SourceFile::new("c.toml", text);
            let at = source.text().find('{').unwrap();
            let next = source.text().rfind('1').unwrap();
            let far = Problem::error("test::far", "far along")
                .at(&source, at..at + 3, "here")
                .note(4..5, "the string starts here, far away: left out")
                .note(next..next + 1, "on the next line: left out");
            let out = render(&far);
            assert!(out.contains("[c.toml:1:70006]"), "{out}");
            assert!(out.contains("here") && !out.contains("left out"), "{out}");
            assert!(out.len() < 2_000, "{out}");
            assert_eq!(
                far.location(),
                Some(LineCol {
                    line: 1,
                    column: 70_006
                })
            );
            // A label over the whole value is cut; one on a short line with a note on the
            // long line is shown with its own line.
            let whole = Problem::error("test::whole", "too long").at(&source, 4..at + 4, "all");
            assert!(render(&whole).contains("[c.toml:1:5]"));
            let short = Problem::error("test::short", "duplicate")
                .at(&source, next..next + 1, "again")
                .note(at..at + 3, "first");
            let out = render(&short);
            assert!(
                out.contains("[c.toml:2:9]") && out.contains("y = [1, 1]"),
                "{out}"
            );
            // A label from a short line to far along the next one.
            let text = format!("a = 1\nx = \"{}{{v}}\"\n", filler.repeat(70_000));
            let source = SourceFile::new("d.toml", text);
            let at = source.text().find('{').unwrap();
            let across = Problem::error("test::across", "across").at(&source, 0..at + 3, "both");
            let out = render(&across);
            assert!(out.contains("[d.toml:1:1]") && out.len() < 2_000, "{out}");
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["numbers", "number_column", "region", "callerid"];
        assert_eq!(did_you_mean("caler_id", keys), Some("callerid"));
        assert_eq!(did_you_mean("number_colum", keys), Some("number_column"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
