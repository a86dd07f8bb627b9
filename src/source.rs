//! A campaign-related text file held in memory, so diagnostics can point into it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::NamedSource;

/// A text file (campaign TOML, CSV, suppression list) and the name it is reported under.
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    named: NamedSource<String>,
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
        let path = path.into();
        let named = NamedSource::new(path.display().to_string(), text).with_language("toml");
        Arc::new(Self { path, named })
    }

    /// The path the file was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name diagnostics use for the file.
    pub fn name(&self) -> &str {
        self.named.name()
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        self.named.inner()
    }

    /// The source for miette's renderer.
    pub fn named(&self) -> &NamedSource<String> {
        &self.named
    }

    /// The slice of text a span covers, if the span is inside the text.
    pub fn slice(&self, span: Range<usize>) -> Option<&str> {
        self.text().get(span)
    }

    /// Line and column of `offset` (clamped to the end of the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let text = self.text();
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        LineCol { line, column }
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
}
