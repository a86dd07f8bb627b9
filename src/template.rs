//! Prompt text with `{placeholders}`.
//!
//! The syntax is deliberately small (field substitution, `{{` and `}}` for literal braces):
//! a prompt is a sentence to speak, not a program, and a small syntax can point at the exact
//! byte of a mistake.

use std::ops::Range;

/// A parsed template: literal text and placeholders, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text (braces already unescaped).
    Text(String),
    /// A placeholder and its byte range in the template text (including the braces).
    Var {
        /// The variable name.
        name: String,
        /// Where `{name}` stands in the template text.
        span: Range<usize>,
    },
}

/// A syntax mistake in a template, with its byte range in the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
    /// Where, in the template text.
    pub span: Range<usize>,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Template {
    /// Parses template text, reporting every syntax mistake.
    pub fn parse(text: &str) -> Result<Self, Vec<TemplateError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, n)| n) == Some('{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().map(|&(_, n)| n) == Some('}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let rest = &text[i + 1..];
                    match rest.find(['}', '{']) {
                        Some(end) if rest.as_bytes()[end] == b'}' => {
                            let name = &rest[..end];
                            let span = i..i + end + 2;
                            if name.is_empty() || !name.chars().all(is_name_char) {
                                errors.push(TemplateError {
                                    message: format!("`{{{name}}}` is not a valid placeholder"),
                                    help: "placeholder names use letters, digits, `_` and `-`; write `{{` and `}}` for literal braces".into(),
                                    span: span.clone(),
                                });
                            } else {
                                if !literal.is_empty() {
                                    parts.push(Part::Text(std::mem::take(&mut literal)));
                                }
                                parts.push(Part::Var {
                                    name: name.to_string(),
                                    span: span.clone(),
                                });
                            }
                            while chars.peek().is_some_and(|&(j, _)| j < span.end) {
                                chars.next();
                            }
                        }
                        _ => errors.push(TemplateError {
                            message: "`{` opens a placeholder that is never closed".into(),
                            help: "close it with `}`, or write `{{` for a literal brace".into(),
                            span: i..i + 1,
                        }),
                    }
                }
                '}' => errors.push(TemplateError {
                    message: "`}` without a matching `{`".into(),
                    help: "write `}}` for a literal brace".into(),
                    span: i..i + 1,
                }),
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        if errors.is_empty() {
            Ok(Self { parts })
        } else {
            Err(errors)
        }
    }

    /// The parts in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Placeholder names with their spans, in order of appearance.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &Range<usize>)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { name, span } => Some((name.as_str(), span)),
            Part::Text(_) => None,
        })
    }

    /// The template as written: placeholders in braces, literal braces doubled (what a
    /// reviewer compares, before any recipient's values go in).
    pub fn written(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.replace('{', "{{").replace('}', "}}"),
                Part::Var { name, .. } => format!("{{{name}}}"),
            })
            .collect()
    }

    /// Whether the template has no placeholders.
    pub fn is_constant(&self) -> bool {
        self.vars().next().is_none()
    }

    /// Fills the placeholders; on a missing value returns the first missing name.
    ///
    /// ```
    /// use outdial::template::Template;
    /// let t = Template::parse("Hello {name}, {{literally}}").unwrap();
    /// assert_eq!(t.render(|k| (k == "name").then_some("Ann")).unwrap(), "Hello Ann, {literally}");
    /// assert_eq!(t.render(|_| None), Err("name"));
    /// ```
    pub fn render<'v>(&self, lookup: impl Fn(&str) -> Option<&'v str>) -> Result<String, &str> {
        let mut out = String::new();
        self.render_into(&mut out, lookup)?;
        Ok(out)
    }

    /// Like [`Template::render`], appending to `out` (so a caller can reuse one buffer). The
    /// values may live anywhere (a recipient, the campaign); the error borrows the template.
    pub fn render_into<'v>(
        &self,
        out: &mut String,
        lookup: impl Fn(&str) -> Option<&'v str>,
    ) -> Result<(), &str> {
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Var { name, .. } => out.push_str(lookup(name).ok_or(name.as_str())?),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders() {
        let t = Template::parse("Hello {name}, {{literal}} {service}!").unwrap();
        let vars: Vec<_> = t.vars().map(|(n, _)| n).collect();
        assert_eq!(vars, ["name", "service"]);
        let text = t.render(|k| match k {
            "name" => Some("Ann"),
            "service" => Some("web-1"),
            _ => None,
        });
        assert_eq!(text.unwrap(), "Hello Ann, {literal} web-1!");
        assert_eq!(t.render(|_| None), Err("name"));
    }

    #[test]
    fn spans_point_at_placeholders() {
        let src = "ab {name} c";
        let t = Template::parse(src).unwrap();
        let (_, span) = t.vars().next().unwrap();
        assert_eq!(&src[span.clone()], "{name}");
    }

    #[test]
    fn reports_every_mistake() {
        let errors = Template::parse("a } b {x y} c {oops").unwrap_err();
        let spans: Vec<_> = errors.iter().map(|e| e.span.clone()).collect();
        assert_eq!(spans, vec![2..3, 6..11, 14..15]);
    }

    #[test]
    fn constant_template() {
        let t = Template::parse("No {{vars}} here").unwrap();
        assert!(t.is_constant());
        assert_eq!(t.render(|_| None).unwrap(), "No {vars} here");
    }
}
