//! Provider text made safe to show: what a provider (or anyone who can post to `listen`)
//! wrote ends up in a terminal, a spreadsheet and a web page, none of which may run it.
//!
//! - Control characters (ESC, BEL, CR, LF, TAB, DEL, the C1 range) are shown escaped as
//!   `\u{1b}`, in every format: a terminal never receives a control sequence, a page never an
//!   escape byte, a CSV row is never split or overwritten.
//! - A CSV cell of provider text that starts with `=`, `+`, `-`, `@`, TAB or CR gets a leading
//!   `'`, so a spreadsheet reads it as text, not as a formula (OWASP's advice on CSV
//!   injection).

use std::borrow::Cow;

/// `text` with every control character written as `\u{…}` (Rust's escape form): ESC becomes
/// `\u{1b}`, CR `\u{d}`. Text without control characters is returned as it is.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The characters that make a spreadsheet read a cell as a formula (or, for TAB and CR, that
/// some strip before doing so).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV field of provider text: a leading `'` when it would start a formula, control
/// characters escaped, quoted when it holds a comma or a quote.
pub fn csv_text(text: &str) -> String {
    let neutral = if text.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    csv_quoted(&escape_controls(&neutral))
}

/// A CSV field of a value outdial wrote itself (a number it normalised, a status word, a
/// count, an RFC 3339 time): quoted when needed, otherwise as it is.
pub fn csv_own(text: &str) -> String {
    csv_quoted(&escape_controls(text))
}

fn csv_quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_control_characters_escaped() {
        for (given, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
            ("-2+3", "'-2+3"),
            ("@cmd|' /C calc'!A0", "'@cmd|' /C calc'!A0"),
            ("\t=1", "'\\u{9}=1"),
            ("\r=1", "'\\u{d}=1"),
            ("Busy\u{1b}[2J\u{7}", "Busy\\u{1b}[2J\\u{7}"),
            ("No Answer", "No Answer"),
            ("a,b", "\"a,b\""),
            ("", ""),
        ] {
            assert_eq!(csv_text(given), want, "{given:?}");
        }
        // outdial's own values keep their sign: a number it wrote is not provider text.
        assert_eq!(csv_own("+18185550100"), "+18185550100");
        assert_eq!(csv_own("-1"), "-1");
    }

    #[test]
    fn text_without_control_characters_is_not_copied() {
        assert!(matches!(escape_controls("plain é"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\r\nb\u{9b}c"), "a\\u{d}\\u{a}b\\u{9b}c");
    }
}
