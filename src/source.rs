//! A campaign-related text file held in memory, so diagnostics can point into it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A text file (campaign TOML, CSV, suppression list) and the name it is reported under.
///
/// It may hold only an excerpt: a CSV of a million rows is never kept in memory, so a problem
/// in one row carries a [`SourceFile::excerpt`] of that row, which reports the row's real line
/// numbers.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    name: String,
    text: String,
    /// Lines of the real file before the held text (0 for a whole file).
    lines_before: usize,
    language: &'static str,
}

/// One-based line and column of a byte offset, as editors count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// One-based line number.
    pub line: usize,
    /// One-based column, counted in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps text read from `path`; `path` is shown as given, so relative paths stay short.
    pub fn new(path: impl Into<PathBuf>, text: String) -> Arc<Self> {
        Self::excerpt(path, text, 1, "toml")
    }

    /// Part of a file: `text` starts at one-based line `first_line` of `path`.
    pub fn excerpt(
        path: impl Into<PathBuf>,
        text: String,
        first_line: usize,
        language: &'static str,
    ) -> Arc<Self> {
        let path = path.into();
        Arc::new(Self {
            name: path.display().to_string(),
            path,
            text,
            lines_before: first_line.saturating_sub(1),
            language,
        })
    }

    /// The path the file was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name diagnostics use for the file.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The one-based line of the real file the held text starts on.
    pub fn first_line(&self) -> usize {
        self.lines_before + 1
    }

    /// The text held (the whole file, or the excerpt).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The slice of text a span covers, if the span is inside the text.
    pub fn slice(&self, span: Range<usize>) -> Option<&str> {
        self.text().get(span)
    }

    /// A path written in this file (`audio`, `csv`, `suppress`), resolved against the file's
    /// folder and cleaned lexically (`a/b/../c` as `a/c`, without touching the file system), so
    /// paths in messages and `sox` commands read the way a person would write them.
    pub fn resolve(&self, written: &str) -> PathBuf {
        use std::path::Component;
        let joined = self.path.parent().unwrap_or(Path::new("")).join(written);
        let mut out = PathBuf::new();
        for component in joined.components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir
                    if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
                {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Line and column of `offset` (clamped to the end of the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let text = self.text();
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1 + self.lines_before;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        LineCol { line, column }
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.lines_before,
            inner.column(),
            inner.line_count(),
        )
        .with_language(self.language);
        Ok(Box::new(contents))
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_paths_against_the_file_lexically() {
        let resolve = |file: &str, p: &str| {
            SourceFile::new(file, String::new())
                .resolve(p)
                .display()
                .to_string()
        };
        assert_eq!(
            resolve("tests/fixtures/invalid/c.toml", "../audio/x.wav"),
            "tests/fixtures/audio/x.wav"
        );
        assert_eq!(resolve("c.toml", "./a/./b.wav"), "a/b.wav");
        assert_eq!(resolve("c.toml", "../up.wav"), "../up.wav");
        assert_eq!(resolve("/abs/c.toml", "../x.wav"), "/x.wav");
        assert_eq!(resolve("dir/c.toml", "/etc/dnc.txt"), "/etc/dnc.txt");
    }

    #[test]
    fn line_and_column_count_characters() {
        let src = SourceFile::new("a.toml", "x = 1\nname = \"é-b\"\n".to_string());
        assert_eq!(src.line_col(0), LineCol { line: 1, column: 1 });
        let b = src.text().find('b').unwrap();
        // "é" is two bytes but one column.
        assert_eq!(
            src.line_col(b),
            LineCol {
                line: 2,
                column: 11
            }
        );
        assert_eq!(src.line_col(10_000).line, 3);
    }

    #[test]
    fn excerpts_keep_real_line_numbers() {
        let src = SourceFile::excerpt("big.csv", "a,b\nc".to_string(), 1000, "csv");
        assert_eq!(src.line_col(0).line, 1000);
        assert_eq!(
            src.line_col(4),
            LineCol {
                line: 1001,
                column: 1
            }
        );
        let contents = src.read_span(&(4..5).into(), 0, 0).unwrap();
        assert_eq!(contents.line(), 1000, "miette counts lines from 0");
    }
}
