//! A valid phone number, kept inline as text so it stays `Copy`.

use std::fmt;

/// A valid number: a North American one (area code, exchange and line) for every provider,
/// or, for providers that call abroad, an international one in E.164.
///
/// Kept inline as text, so it stays `Copy` and recipients by the million cost no allocation:
/// a NANP number as its 10 national digits (`8185550100`, the form providers show), an
/// international one as `+` and up to 15 digits (`+442079460958`), which no NANP number can
/// be mistaken for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber {
    len: u8,
    text: [u8; 16],
}

/// The flag [`PhoneNumber::as_u64`] sets on international numbers: their digits (15 at most,
/// under 2^50) never reach it, and NANP numbers (under 10^10) stay as they were.
const INTERNATIONAL: u64 = 1 << 62;

impl PhoneNumber {
    pub(super) fn from_ascii(text: &[u8]) -> PhoneNumber {
        let mut out = [0u8; 16];
        out[..text.len()].copy_from_slice(text);
        PhoneNumber {
            len: text.len() as u8,
            text: out,
        }
    }

    /// The number as outdial writes it: 10 digits for NANP (`8185550100`), `+` and the
    /// digits for an international number (`+442079460958`).
    pub fn as_str(&self) -> &str {
        // The constructors only store ASCII.
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The number's ASCII bytes, as [`PhoneNumber::as_str`] gives them: the rules ask for
    /// every row, and `as_str`'s UTF-8 check was 1.4% of a 1M-row `check` (perf).
    pub fn as_bytes(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }

    /// Whether this is a North American (+1) number.
    pub fn is_nanp(&self) -> bool {
        self.text[0] != b'+'
    }

    /// The number in E.164 without the `+`: country code and national number
    /// (`18185550100`, `442079460958`).
    pub fn e164_digits(&self) -> String {
        match self.as_str().strip_prefix('+') {
            Some(digits) => digits.to_owned(),
            None => format!("1{}", self.as_str()),
        }
    }

    /// The number as one integer (for compact sets); international numbers carry a flag bit.
    pub fn as_u64(&self) -> u64 {
        // On the bytes: the check pass asks this for every row, and going through `as_str`
        // (a UTF-8 check) and a char pattern cost 208 instructions a call (callgrind, 100k
        // rows: 4% of a compile).
        let text = self.as_bytes();
        let digits = text.strip_prefix(b"+").unwrap_or(text);
        let n = digits.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0'));
        if self.is_nanp() { n } else { n | INTERNATIONAL }
    }

    /// The inverse of [`PhoneNumber::as_u64`] for values it produced.
    pub fn from_u64(n: u64) -> Option<PhoneNumber> {
        if n & INTERNATIONAL != 0 {
            let digits = (n & !INTERNATIONAL).to_string();
            if digits.len() > 15 {
                return None;
            }
            return Some(PhoneNumber::from_ascii(format!("+{digits}").as_bytes()));
        }
        if n >= 10_000_000_000 {
            return None;
        }
        Some(PhoneNumber::from_ascii(format!("{n:010}").as_bytes()))
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.as_str())
    }
}
