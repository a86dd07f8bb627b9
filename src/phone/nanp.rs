//! The North American parser: the shapes people write, read in one pass over the bytes with
//! no allocation (it runs once per recipient), and the slow path for pasted Unicode.

use super::error::NumberError;
use super::kind::{NumberTypes, restricted};
use super::number::PhoneNumber;

/// Parses a NANP number written with common punctuation.
///
/// ```
/// let number = outdial::phone::parse("+1 (818) 555-0100").unwrap();
/// assert_eq!(number.as_str(), "8185550100");
/// assert!(outdial::phone::parse("+44 20 7946 0958").is_err());
/// ```
pub fn parse(text: &str) -> Result<PhoneNumber, NumberError> {
    parse_bytes(text.as_bytes())
}

/// [`parse`] on bytes not yet known to be UTF-8 (a CSV cell): the accepted shapes are ASCII,
/// so checking the encoding first would only cost time.
pub fn parse_bytes(bytes: &[u8]) -> Result<PhoneNumber, NumberError> {
    if !bytes.is_ascii() {
        // Pasted numbers carry no-break spaces, typographic dashes, full-width digits: the
        // slow path folds them to ASCII first (rare, so the common case stays a byte loop).
        return parse_unicode(bytes);
    }
    let written = Digits::read(bytes)?;
    let national = written.national()?;
    check_codes(national)?;
    Ok(PhoneNumber::from_ascii(national))
}

/// The digits of an ASCII number as written, and what the shape around them says.
struct Digits {
    /// The first 11 digits.
    digits: [u8; 11],
    /// How many digits there are in all.
    count: usize,
    /// Written with a leading `+`.
    plus: bool,
    /// Digits in the first group as written: where it ends decides whether a leading 1 is
    /// a country code.
    first_group: usize,
}

impl Digits {
    /// Reads the digits, passing over punctuation; an extension, a spreadsheet's form or a
    /// stray character is an error.
    #[inline]
    fn read(bytes: &[u8]) -> Result<Digits, NumberError> {
        let mut d = Digits {
            digits: [0u8; 11],
            count: 0,
            plus: false,
            first_group: 0,
        };
        let mut seen_digit = false;
        let mut in_first = true;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'0'..=b'9' => {
                    if d.count < d.digits.len() {
                        d.digits[d.count] = b;
                    }
                    d.count += 1;
                    seen_digit = true;
                    if in_first {
                        d.first_group += 1;
                    }
                }
                b' ' | b'-' | b'.' | b'(' | b')' | b'[' | b']' | b'/' | b'\t' => {
                    if seen_digit {
                        in_first = false;
                    }
                    if b == b'.' {
                        spreadsheet(bytes, i)?;
                    }
                }
                b'+' if !seen_digit && !d.plus => d.plus = true,
                b'x' | b'X' | b'e' | b'E' | b'#' | b';' if seen_digit => {
                    return Err(tail(bytes, i));
                }
                _ => {
                    let c = String::from_utf8_lossy(&bytes[i..bytes.len().min(i + 4)])
                        .chars()
                        .next()
                        .unwrap_or('?');
                    return Err(NumberError::BadCharacter(c));
                }
            }
        }
        if d.count == 0 {
            return Err(NumberError::Empty);
        }
        Ok(d)
    }

    /// The 10 national digits: without the +1 or leading 1.
    #[inline]
    fn national(&self) -> Result<&[u8], NumberError> {
        let (digits, count, plus) = (&self.digits, self.count, self.plus);
        let first_group = self.first_group;
        // "180-555-0460-1" has 11 digits and starts with 1, but that 1 opens an area code
        // group: taken as a country code, every digit would shift.
        if count == 11 && digits[0] == b'1' && !plus && first_group != 1 && first_group != 11 {
            return Err(NumberError::MisplacedOne(count));
        }
        if plus && digits[0] != b'1' {
            return Err(NumberError::NotNanp);
        }
        match count {
            10 if !plus => Ok(&digits[..10]),
            11 if digits[0] == b'1' => Ok(&digits[1..11]),
            // Report the national digits the user wrote: without the +1 or leading 1.
            _ => {
                let national = if plus || digits[0] == b'1' {
                    count - 1
                } else {
                    count
                };
                Err(NumberError::WrongLength(national))
            }
        }
    }
}

/// The plan's rules on the 10 national digits: area code and exchange, service codes,
/// reserved area codes and special exchanges.
#[inline]
fn check_codes(national: &[u8]) -> Result<(), NumberError> {
    let part = |r: std::ops::Range<usize>| String::from_utf8_lossy(&national[r]).into_owned();
    if national[0] < b'2' {
        return Err(NumberError::AreaCode(part(0..3)));
    }
    if national[3] < b'2' {
        return Err(NumberError::Exchange(part(3..6)));
    }
    if national[1] == b'1' && national[2] == b'1' {
        return Err(NumberError::ServiceCode(part(0..3)));
    }
    if national[4] == b'1' && national[5] == b'1' {
        return Err(NumberError::ServiceCode(part(3..6)));
    }
    let reserved = match &national[..3] {
        [_, b'9', _] => Some("N9X codes are kept for expanding the plan"),
        [b'3', b'7', _] | [b'9', b'6', _] => Some("37X and 96X are kept for unforeseen needs"),
        b"555" => Some("555 is not an area code"),
        _ => None,
    };
    if let Some(why) = reserved {
        return Err(NumberError::Reserved(part(0..3), why));
    }
    let special = match &national[3..6] {
        b"950" => Some("carrier access code"),
        b"976" => Some("pay-per-call service"),
        _ => None,
    };
    if let Some(why) = special {
        return Err(NumberError::SpecialExchange(part(3..6), why));
    }
    Ok(())
}

/// At a `.` in `bytes[i]`: a spreadsheet's `8185550100.0` is an error, not 81855501000.
fn spreadsheet(bytes: &[u8], i: usize) -> Result<(), NumberError> {
    let before = &bytes[..i];
    let after = &bytes[i + 1..];
    let digits_before = before
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits_before >= 7 && !after.is_empty() && after.iter().all(|&b| b == b'0') {
        return Err(NumberError::Spreadsheet(
            String::from_utf8_lossy(bytes).trim().to_string(),
        ));
    }
    Ok(())
}

/// What follows the number from `bytes[i]` on: an extension (`x123`, `ext. 5`, `;ext=5`,
/// `#5`), a spreadsheet's exponent (`8.18555E+09`), or a stray character.
fn tail(bytes: &[u8], i: usize) -> NumberError {
    let rest = String::from_utf8_lossy(&bytes[i..]).trim().to_string();
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with('e') && bytes[..i].contains(&b'.') {
        return NumberError::Spreadsheet(String::from_utf8_lossy(bytes).trim().to_string());
    }
    if lower.starts_with('x')
        || lower.starts_with("ext")
        || lower.starts_with(";ext=")
        || lower.starts_with('#')
    {
        return NumberError::Extension(rest);
    }
    NumberError::BadCharacter(rest.chars().next().unwrap_or('?'))
}

/// The first code point of each run of ten decimal digits outside ASCII that numbers are
/// pasted with (Unicode category Nd): Arabic-Indic, Extended Arabic-Indic, Devanagari,
/// Bengali, Thai, Myanmar, full-width. A digit is `(c - zero)` for the run it falls in.
const DIGIT_ZEROS: [u32; 7] = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0xFF10];

/// The slow path of [`parse_bytes`] for text with non-ASCII characters: typographic
/// punctuation and spaces become ASCII ones, other decimal digits become ASCII digits,
/// invisible characters are named by code point.
fn parse_unicode(bytes: &[u8]) -> Result<PhoneNumber, NumberError> {
    let text = String::from_utf8_lossy(bytes);
    let mut ascii = String::with_capacity(text.len());
    for c in text.chars() {
        let folded = match c {
            c if c.is_ascii() => c,
            // No-break, narrow no-break, thin, figure and ideographic spaces.
            '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\u{2007}' | '\u{3000}' => ' ',
            // Hyphens and dashes (en, em, figure, minus), full-width hyphen.
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' => '-',
            '\u{FF08}' => '(',
            '\u{FF09}' => ')',
            '\u{FF0B}' => '+',
            '\u{FF0E}' => '.',
            '\u{FF0F}' => '/',
            '\u{200B}' => return Err(NumberError::Invisible(c, "zero-width space")),
            '\u{200C}' | '\u{200D}' => return Err(NumberError::Invisible(c, "zero-width joiner")),
            '\u{200E}' | '\u{200F}' => return Err(NumberError::Invisible(c, "direction mark")),
            '\u{2060}' => return Err(NumberError::Invisible(c, "word joiner")),
            '\u{FEFF}' => return Err(NumberError::Invisible(c, "byte order mark")),
            '\u{00AD}' => return Err(NumberError::Invisible(c, "soft hyphen")),
            c => match DIGIT_ZEROS
                .iter()
                .find(|&&zero| (zero..zero + 10).contains(&(c as u32)))
            {
                Some(zero) => char::from(b'0' + (c as u32 - zero) as u8),
                None => return Err(NumberError::BadCharacter(c)),
            },
        };
        ascii.push(folded);
    }
    parse_bytes(ascii.as_bytes())
}

/// Refuses a number of a restricted kind that `allowed` does not name (premium-rate always).
pub fn check_kind(number: &PhoneNumber, allowed: NumberTypes) -> Result<(), NumberError> {
    match restricted(number) {
        Some(kind) if !allowed.allows(kind.kind) => {
            Err(NumberError::Restricted(number.to_string(), kind))
        }
        _ => Ok(()),
    }
}

/// Whether `text` is exactly 10 ASCII digits (the caller-ID rule).
pub fn is_ten_digits(text: &str) -> bool {
    text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit())
}
