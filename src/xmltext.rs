//! Which characters XML 1.0 can carry.
//!
//! Text travels in XML documents and form posts alike, and a control character in TTS text
//! makes an XML provider reject the whole post, so it is a validation error with the exact
//! position, long before anything is sent.

/// The first character XML 1.0 cannot represent, with its byte offset.
pub fn first_forbidden(text: &str) -> Option<(usize, char)> {
    // Fast path for the common case (printable ASCII, as in most CSV cells): decoding chars
    // is only needed when a byte could start a forbidden character.
    if text
        .bytes()
        .all(|b| (0x20..0x80).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    text.char_indices().find(|&(_, c)| !allowed(c))
}

/// XML 1.0 `Char`: tab, newline, carriage return, and everything from U+0020 except the
/// non-characters U+FFFE and U+FFFF (surrogates cannot occur in a Rust string).
pub fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// How to name a character in a message: `U+0007` for invisible ones.
pub fn describe(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_control_characters() {
        assert_eq!(first_forbidden("ok\tfine\n"), None);
        assert_eq!(first_forbidden("bell\u{7}"), Some((4, '\u{7}')));
        assert_eq!(first_forbidden("é\u{FFFF}"), Some((2, '\u{FFFF}')));
        assert_eq!(describe('\u{1b}'), "U+001B");
    }
}
