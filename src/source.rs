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

/// Lines longer than this many bytes are not handed to the renderer whole: miette pads to
/// the column of a label, and panics at column 65,536 (a tab counts up to four columns, a
/// wide character two, so 512 bytes stays far below). A long line is unreadable anyway.
const LONG_LINE: usize = 512;
/// Characters of a long line kept on each side of the span shown.
const CLIP_CONTEXT: usize = 60;
/// Characters of a span kept on a long line.
const CLIP_SPAN: usize = 120;
/// What marks text left out of a clipped line.
const ELLIPSIS: &str = "\u{2026}";

impl SourceFile {
    /// The byte range of the line holding `offset` (without its line break).
    fn line_range(&self, offset: usize) -> Range<usize> {
        let text = self.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        start..end
    }

    /// Whether `offset` is on a line too long to be shown whole (see [`SourceFile::clip`]).
    pub fn on_long_line(&self, offset: usize) -> bool {
        self.line_range(offset).len() > LONG_LINE
    }

    /// A short excerpt of the line holding `span.start`, for the renderer: at most
    /// `CLIP_CONTEXT` characters on each side of the span, the span itself cut after
    /// `CLIP_SPAN` characters and at the end of its line. The excerpt reports the real line
    /// and column of the span, so only the shown text is shortened, never the position.
    pub fn clip(&self, span: Range<usize>) -> Clipped {
        let text = self.text();
        let line = self.line_range(span.start);
        let start = floor_char_boundary(text, span.start.clamp(line.start, line.end));
        let end = floor_char_boundary(text, span.end.clamp(start, line.end));
        let end = advance_chars(text, start, end, CLIP_SPAN);
        let from = text[line.start..start]
            .char_indices()
            .rev()
            .nth(CLIP_CONTEXT - 1)
            .map_or(line.start, |(i, _)| line.start + i);
        let mut to = advance_chars(text, end, line.end, CLIP_CONTEXT);
        let mut excerpt = String::new();
        if from > line.start {
            excerpt.push_str(ELLIPSIS);
        }
        let shift = excerpt.len();
        if to < line.end {
            excerpt.push_str(&text[from..to]);
            excerpt.push_str(ELLIPSIS);
        } else {
            // Keep the line break: a label on it (a value missing at the end of the line) is
            // drawn one column past the text, as for a short line.
            to += usize::from(text[to..].starts_with('\n'));
            excerpt.push_str(&text[from..to]);
        }
        let position = self.line_col(from);
        Clipped {
            name: self.name.clone(),
            language: self.language,
            text: excerpt,
            shift,
            from,
            to,
            line: position.line - 1,
            column: position.column - 1,
            span: start - from + shift..end - from + shift,
        }
    }
}

/// The offset `max_chars` characters after `from`, or `limit` if that comes first.
fn advance_chars(text: &str, from: usize, limit: usize, max_chars: usize) -> usize {
    text[from..limit]
        .char_indices()
        .nth(max_chars)
        .map_or(limit, |(i, _)| from + i)
}

/// Part of one long line of a [`SourceFile`], handed to the renderer in its place; offsets
/// into it are the file's offsets moved by [`Clipped::map`].
#[derive(Debug, Clone)]
pub struct Clipped {
    name: String,
    language: &'static str,
    text: String,
    /// Bytes of the leading ellipsis (0 if the excerpt starts at its line's start).
    shift: usize,
    /// The file's bytes `from..to` are shown.
    from: usize,
    to: usize,
    /// Zero-based line and column (in characters) of `from` in the real file.
    line: usize,
    column: usize,
    span: Range<usize>,
}

impl Clipped {
    /// The excerpt's span for the span it was made for.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The excerpt's span for another span of the file, if it lies in the excerpt (cut at its
    /// end).
    pub fn map(&self, span: &Range<usize>) -> Option<Range<usize>> {
        if span.start < self.from || span.start > self.to {
            return None;
        }
        let end = span.end.clamp(span.start, self.to);
        Some(span.start - self.from + self.shift..end - self.from + self.shift)
    }

    /// The excerpt as shown.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl SourceCode for Clipped {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // One line, shown whole; the renderer takes the position it prints (`file:line:col`)
        // from the contents of the primary span, so report the real column of its start.
        let offset = floor_char_boundary(&self.text, span.offset().min(self.text.len()));
        let column = self.column + self.text[self.shift.min(offset)..offset].chars().count();
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            (0, self.text.len()).into(),
            self.line,
            column,
            1,
        )
        .with_language(self.language);
        Ok(Box::new(contents))
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
    fn long_lines_are_clipped_around_the_span_at_its_real_position() {
        let line = format!("tts = \"{}{{x}}{}\"", "é".repeat(70_000), "b".repeat(500));
        let src = SourceFile::new("long.toml", format!("a = 1\n{line}\nb = 2\n"));
        let start = src.text().find('{').unwrap();
        assert!(src.on_long_line(start));
        assert!(!src.on_long_line(0));
        assert!(!src.on_long_line(src.text().len()));
        let clipped = src.clip(start..start + 3);
        assert_eq!(&clipped.text()[clipped.span()], "{x}");
        assert!(clipped.text().starts_with('…') && clipped.text().ends_with('…'));
        assert_eq!(clipped.text().chars().count(), 1 + 60 + 3 + 60 + 1);
        // `tts = "` is 7 characters: `{` is at (zero-based) column 70,007 of line 2.
        let contents = clipped.read_span(&clipped.span().into(), 1, 1).unwrap();
        assert_eq!((contents.line(), contents.column()), (1, 70_007));
        assert_eq!(
            src.line_col(start),
            LineCol {
                line: 2,
                column: 70_008
            }
        );
        // A long span is cut; a second span maps into the excerpt only if it is in it.
        let long = src.clip(7..start);
        assert_eq!(long.text()[long.span()].chars().count(), 120);
        assert_eq!(
            long.map(&(7..8)),
            Some(long.span().start..long.span().start + 1)
        );
        assert_eq!(long.map(&(start..start + 1)), None);
        // A span on the line break keeps the break, so the renderer can point at it.
        let end = src.text().find("\"\n").unwrap() + 1;
        let at_end = src.clip(end..end + 1);
        assert!(at_end.text().ends_with("bb\"\n"), "{:?}", at_end.text());
        let break_at = at_end.text().len() - 1;
        assert_eq!(at_end.span(), break_at..break_at);
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
