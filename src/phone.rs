//! Phone numbers: North American ones (which every provider outdial speaks can dial), and
//! numbers abroad in E.164 for the providers that call them.
//!
//! A NANP number is accepted in the shapes people write (`8185550100`, `(818) 555-0100`,
//! `818.555.0100`, `+1 818 555 0100`, `1-818-555-0100`) and kept as its 10 national digits,
//! the form providers show in their examples. The parser is a single pass over the bytes
//! with no allocation, because it runs once per recipient and recipients come by the million.
//! A number with another country code (`+44 …`) is read by libphonenumber's rules instead
//! ([`parse_international`]), only where a provider takes it.

use std::fmt;

mod kind;

pub use kind::{Kind, NumberTypes, Restricted, country_wide, restricted};

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
    fn from_ascii(text: &[u8]) -> PhoneNumber {
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

/// Why a text is not a callable number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Nothing but spaces or punctuation.
    #[error("the number is empty")]
    Empty,
    /// A letter or symbol that is not punctuation.
    #[error("'{0}' is not allowed in a phone number")]
    BadCharacter(char),
    /// `+` followed by a country code other than 1.
    #[error("not a North American (+1) number")]
    NotNanp,
    /// Not 10 digits (11 with a leading 1).
    #[error("{0} digits: a North American number has 10 (area code, exchange, line)")]
    WrongLength(usize),
    /// Area code starting with 0 or 1.
    #[error("area code {0} cannot start with 0 or 1")]
    AreaCode(String),
    /// Exchange starting with 0 or 1.
    #[error("exchange {0} cannot start with 0 or 1")]
    Exchange(String),
    /// An N11 service code (211, 311, … 911) in the area code or exchange.
    #[error("{0} is a service code (N11), not an area code or exchange")]
    ServiceCode(String),
    /// An area code that is reserved and never assigned (N9X, 37X, 96X, 555).
    #[error("area code {0} is reserved and never assigned ({1})")]
    Reserved(String, &'static str),
    /// An exchange that does not reach a subscriber (950 carrier access, 976 pay-per-call).
    #[error("exchange {0} does not reach a person ({1})")]
    SpecialExchange(String, &'static str),
    /// A character that cannot be seen (zero-width space, direction mark, …).
    #[error("an invisible character, U+{code:04X} ({1}), is in the number", code = *.0 as u32)]
    Invisible(char, &'static str),
    /// A number written as a spreadsheet writes numbers (`8185550100.0`, `8.18555E+09`).
    #[error("{0:?} is written as a spreadsheet number; format the column as text")]
    Spreadsheet(String),
    /// 11 digits whose leading 1 is not a separate country code (`180-555-0460-1`): reading
    /// it as one would shift every digit.
    #[error("{0} digits, and the leading 1 is not written as a country code (\"1-…\" or \"+1 …\")")]
    MisplacedOne(usize),
    /// An extension after the number (`x123`, `ext. 5`, `;ext=5`, `#5`).
    #[error("the number has an extension ({0:?}); outdial dials the number only")]
    Extension(String),
    /// A number of a kind outdial does not call (premium-rate), or calls only when
    /// `allow_number_types` names it (personal, shared-cost, UAN, satellite).
    #[error("{} is a {} number ({}){}", .0, .1.kind.name(), .1.source, if .1.kind.allowable() { "" } else { ": outdial never calls one" })]
    Restricted(String, Kind),
    /// A `+` number outside +1 that is not a valid number of the country its code names.
    #[error(
        "not a valid number of the country its code names (checked with libphonenumber's rules)"
    )]
    NotValidAbroad,
}

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
    let mut digits = [0u8; 11];
    let mut count = 0usize;
    let mut plus = false;
    let mut seen_digit = false;
    // Digit groups as written: where the first one ends decides whether a leading 1 is a
    // country code.
    let mut first_group = 0usize;
    let mut in_first = true;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if count < digits.len() {
                    digits[count] = b;
                }
                count += 1;
                seen_digit = true;
                if in_first {
                    first_group += 1;
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
            b'+' if !seen_digit && !plus => plus = true,
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
    if count == 0 {
        return Err(NumberError::Empty);
    }
    // "180-555-0460-1" has 11 digits and starts with 1, but that 1 opens an area code group:
    // taken as a country code, every digit would shift.
    if count == 11 && digits[0] == b'1' && !plus && first_group != 1 && first_group != 11 {
        return Err(NumberError::MisplacedOne(count));
    }
    if plus && digits[0] != b'1' {
        return Err(NumberError::NotNanp);
    }
    let national: &[u8] = match count {
        10 if !plus => &digits[..10],
        11 if digits[0] == b'1' => &digits[1..11],
        // Report the national digits the user wrote: without the +1 or leading 1.
        _ => {
            let national = if plus || digits[0] == b'1' {
                count - 1
            } else {
                count
            };
            return Err(NumberError::WrongLength(national));
        }
    };
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
    Ok(PhoneNumber::from_ascii(national))
}

/// [`parse`], and for a number written with another country code (`+44 20 7946 0958`), that
/// number checked against libphonenumber's rules for its country: what a provider that calls
/// abroad accepts. NANP numbers take the fast path and its errors.
pub fn parse_international(text: &str) -> Result<PhoneNumber, NumberError> {
    match parse(text) {
        Err(NumberError::NotNanp) => {}
        other => return other,
    }
    // Only `+` numbers outside +1 reach here (see `parse_bytes`), so no region is needed.
    let number = phonenumber::parse(None, text.trim()).map_err(|_| NumberError::NotValidAbroad)?;
    if !number.is_valid() {
        return Err(NumberError::NotValidAbroad);
    }
    let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
    if e164.len() > 16 || !e164.starts_with('+') || !e164[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotValidAbroad);
    }
    // Text that says +1 was read by the NANP parser above; libphonenumber reaching +1 from
    // other text dropped digits ("+01.321-3--1.321-----49" became +1 321 313 2149), and a
    // +1 number kept in this form would never meet its NANP twin in the dedupe set or a
    // do-not-call list (found by the `phone` fuzzer).
    if e164.starts_with("+1") {
        return Err(NumberError::NotValidAbroad);
    }
    // libphonenumber drops what it takes for national prefixes inside odd punctuation
    // ("+3((708 080 0)40259" became +37080040259, which it then calls invalid): the number
    // kept must read back as itself, valid, or it is not taken (found by the `phone` fuzzer).
    let same = |again: phonenumber::PhoneNumber| {
        again.is_valid() && again.format().mode(phonenumber::Mode::E164).to_string() == e164
    };
    if !phonenumber::parse(None, &e164).is_ok_and(same) {
        return Err(NumberError::NotValidAbroad);
    }
    Ok(PhoneNumber::from_ascii(e164.as_bytes()))
}

/// [`parse_international`] on a CSV cell's bytes.
pub fn parse_bytes_international(bytes: &[u8]) -> Result<PhoneNumber, NumberError> {
    match parse_bytes(bytes) {
        Err(NumberError::NotNanp) => parse_international(&String::from_utf8_lossy(bytes)),
        other => other,
    }
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

/// A `region` setting: how numbers written without `+` are read. Only the regions of the North
/// American Numbering Plan (country code 1: US, CA, PR, …) are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

/// Why a `region` setting is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// Not a CLDR region code.
    #[error("\"{0}\" is not a region code")]
    Unknown(String),
    /// A real region outside NANP.
    #[error("region {0} dials country code +{1}; only NANP regions (country code 1) are read")]
    NotNanp(String, u16),
}

impl RegionError {
    /// The message, naming `provider` (its display name) where the rule is the provider's.
    pub fn message(&self, provider: &str) -> String {
        match self {
            RegionError::NotNanp(region, code) => format!(
                "region {region} dials country code +{code}; {provider} calls NANP numbers only (country code 1)"
            ),
            other => other.to_string(),
        }
    }
}

impl NumberError {
    /// What to do about it, for this kind of mistake (the message says what was seen).
    pub fn help(&self) -> String {
        const EXAMPLE: &str = "e.g. (818) 555-0100 or +1 818 555 0100";
        match self {
            NumberError::Empty => format!("write the number, {EXAMPLE}, or remove the entry"),
            NumberError::BadCharacter(_) => format!(
                "keep only digits, spaces and ( ) - . /, with + only in front: {EXAMPLE}"
            ),
            NumberError::NotNanp => {
                "remove this number, or call it through a provider that calls abroad".to_owned()
            }
            NumberError::WrongLength(n) if *n < 10 => format!(
                "a digit is missing (the area code?): a North American number is 3 + 3 + 4 digits, {EXAMPLE}"
            ),
            NumberError::WrongLength(_) => format!(
                "there are digits too many: a North American number is 3 + 3 + 4 digits, with at most a leading 1, {EXAMPLE}"
            ),
            NumberError::AreaCode(_) | NumberError::Exchange(_) => format!(
                "check the digits: a trunk 0 or 1 in front, or a missing area code, shifts them; {EXAMPLE}"
            ),
            NumberError::ServiceCode(_) => {
                "N11 codes (211, 411, 911 …) reach services, not people: check the number".to_owned()
            }
            NumberError::Reserved(..) | NumberError::SpecialExchange(..) => {
                "check the number with the person it belongs to: no subscriber has it".to_owned()
            }
            NumberError::Invisible(..) => {
                "type the number again by hand: it was pasted with a character that cannot be seen"
                    .to_owned()
            }
            NumberError::Spreadsheet(_) => {
                "format the column as text in the spreadsheet, then export the CSV again".to_owned()
            }
            NumberError::MisplacedOne(_) => {
                "write a leading 1 apart as the country code (1-800-555-0460), or drop it".to_owned()
            }
            NumberError::Extension(_) => {
                "remove the extension from the number; give it as the recipient's `ext` where the provider dials extensions".to_owned()
            }
            NumberError::Restricted(_, kind) if !kind.kind.allowable() => {
                "remove it: the person called pays for the call, and no campaign may place one"
                    .to_owned()
            }
            NumberError::Restricted(_, kind) => format!(
                "remove it, or add allow_number_types = [\"{}\"] to [recipients] to call such numbers",
                kind.kind.name()
            ),
            NumberError::NotValidAbroad => {
                "check the digits against the country's numbering: + country code, then the number without its leading 0, e.g. +44 20 7946 0958".to_owned()
            }
        }
    }

    /// The message, naming `provider` (its display name) where the rule is the provider's.
    pub fn message(&self, provider: &str) -> String {
        match self {
            NumberError::NotNanp => {
                format!("not a North American (+1) number; {provider} calls NANP numbers only")
            }
            other => other.to_string(),
        }
    }
}

impl Region {
    /// The United States, the default.
    pub const US: Region = Region(phonenumber::country::Id::US);

    /// Parses a region code such as `US` or `CA`, accepting only NANP regions.
    pub fn parse(code: &str) -> Result<Region, RegionError> {
        let upper = code.trim().to_ascii_uppercase();
        let id: phonenumber::country::Id = upper
            .parse()
            .map_err(|_| RegionError::Unknown(code.to_string()))?;
        let meta = phonenumber::metadata::DATABASE
            .by_id(id.as_ref())
            .ok_or_else(|| RegionError::Unknown(code.to_string()))?;
        match meta.country_code() {
            1 => Ok(Region(id)),
            cc => Err(RegionError::NotNanp(upper, cc)),
        }
    }

    /// The region code, e.g. `US`.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

/// A longer explanation of why `text` failed [`parse`], using the full libphonenumber rules.
///
/// The fast parser only knows NANP shapes; for a number it rejects, this says which country
/// the number belongs to when it is a valid number elsewhere, so "+44 20 7946 0958" reads as
/// "a GB number" rather than "wrong length". It is slow (regular expressions, metadata
/// lookups), so callers use it only for the problems they actually show.
pub fn explain(text: &str, err: &NumberError, region: Region, provider: &str) -> String {
    // Regions are NANP only, so only a `+` number outside +1 can belong to another country;
    // for the rest, loading the metadata (a fixed ~0.15 s of regex compilation) tells nothing.
    if *err != NumberError::NotNanp {
        return format!("\"{}\": {}", text.trim(), err.message(provider));
    }
    let foreign = phonenumber::parse(Some(region.0), text)
        .ok()
        .filter(|n| n.code().value() != 1 && n.is_valid());
    match foreign {
        Some(number) => {
            let country = number.country().id().map_or_else(
                || format!("+{}", number.code().value()),
                |id| id.as_ref().to_string(),
            );
            format!(
                "{} is a {country} number (+{}); {provider} calls NANP numbers only",
                text.trim(),
                number.code().value()
            )
        }
        None => format!("\"{}\": {}", text.trim(), err.message(provider)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_abroad_are_read_in_e164_for_providers_that_call_them() {
        let london = parse_international("+44 20 7946 0958").unwrap();
        assert_eq!(london.as_str(), "+442079460958");
        assert_eq!(london.e164_digits(), "442079460958");
        assert!(!london.is_nanp());
        assert_eq!(PhoneNumber::from_u64(london.as_u64()), Some(london));
        // The national trunk 0 written in brackets is dropped, as dialling does.
        assert_eq!(
            parse_international("+44 (0)20 7946 0958").map(|n| n.as_str().to_owned()),
            Ok("+442079460958".to_owned())
        );
        let la = parse_international("+1 (818) 555-0100").unwrap();
        assert_eq!(
            (la.as_str(), la.e164_digits().as_str()),
            ("8185550100", "18185550100")
        );
        assert!(la.is_nanp());
        assert_eq!(PhoneNumber::from_u64(la.as_u64()), Some(la));
        assert_eq!(
            parse_international("+44 12"),
            Err(NumberError::NotValidAbroad)
        );
        // Found by the fuzzer: odd brackets made libphonenumber drop digits.
        assert_eq!(
            parse_international("+3((708 080 0)40259"),
            Err(NumberError::NotValidAbroad)
        );
        // NANP mistakes keep their own errors.
        assert_eq!(
            parse_international("818-555-010"),
            Err(NumberError::WrongLength(9))
        );
        // Without `+`, only NANP: there is no country to read a national number in.
        assert!(parse_international("020 7946 0958").is_err());
        assert_eq!(parse("+44 20 7946 0958"), Err(NumberError::NotNanp));
    }

    #[test]
    fn accepts_common_shapes() {
        for shape in [
            "8185550100",
            "(818) 555-0100",
            "818.555.0100",
            "818-555-0100",
            "+1 818 555 0100",
            "+18185550100",
            "1-818-555-0100",
            "18185550100",
            " 818 555 0100 ",
        ] {
            assert_eq!(
                parse(shape).map(|n| n.to_string()),
                Ok("8185550100".to_string()),
                "{shape}"
            );
        }
    }

    #[test]
    fn rejects_with_reasons() {
        assert_eq!(parse(""), Err(NumberError::Empty));
        assert_eq!(parse("--"), Err(NumberError::Empty));
        assert_eq!(parse("818555010"), Err(NumberError::WrongLength(9)));
        assert_eq!(parse("81855501000"), Err(NumberError::WrongLength(11)));
        assert_eq!(parse("+1 818 555 010"), Err(NumberError::WrongLength(9)));
        assert_eq!(parse("+44 20 7946 0958"), Err(NumberError::NotNanp));
        assert_eq!(parse("818-555-01OO"), Err(NumberError::BadCharacter('O')));
        assert_eq!(
            parse("118-555-0100"),
            Err(NumberError::AreaCode("118".into()))
        );
        assert_eq!(
            parse("818-155-0100"),
            Err(NumberError::Exchange("155".into()))
        );
        assert_eq!(
            parse("911-555-0100"),
            Err(NumberError::ServiceCode("911".into()))
        );
        assert_eq!(
            parse("818-411-0100"),
            Err(NumberError::ServiceCode("411".into()))
        );
        assert_eq!(parse("8+185550100"), Err(NumberError::BadCharacter('+')));
    }

    /// Shapes people paste from documents, spreadsheets and phones.
    #[test]
    fn accepts_numbers_as_people_write_them() {
        for shape in [
            "[818] 555-0100",
            "818/555-0100",
            "818\u{2013}555\u{2013}0100",
            "818\u{2014}555\u{2014}0100",
            "818\u{00A0}555\u{00A0}0100",
            "\u{FF08}\u{FF18}\u{FF11}\u{FF18}\u{FF09}\u{FF15}\u{FF15}\u{FF15}\u{FF0D}\u{FF10}\u{FF11}\u{FF10}\u{FF10}",
            "\u{0668}\u{0661}\u{0668} 555 0100",
            "+1\u{202F}818\u{202F}555\u{202F}0100",
            "1 (818) 555-0100",
        ] {
            assert_eq!(
                parse(shape).map(|n| n.to_string()),
                Ok("8185550100".to_string()),
                "{shape}"
            );
        }
    }

    /// Nothing is ever read with its digits shifted, and what cannot be dialled says why.
    #[test]
    fn never_shifts_digits_and_names_what_it_saw() {
        assert!(matches!(
            parse("1202377952.0"),
            Err(NumberError::Spreadsheet(_))
        ));
        assert!(matches!(
            parse("8185550100.0"),
            Err(NumberError::Spreadsheet(_))
        ));
        assert!(matches!(
            parse("8.18555E+09"),
            Err(NumberError::Spreadsheet(_))
        ));
        assert_eq!(parse("180-555-0460-1"), Err(NumberError::MisplacedOne(11)));
        for ext in [
            "818-555-0100 x123",
            "818-555-0100 ext. 5",
            "8185550100;ext=5",
            "818 555 0100 #5",
        ] {
            assert!(
                matches!(parse(ext), Err(NumberError::Extension(_))),
                "{ext}"
            );
        }
        let err = parse("818\u{200B}5550100").unwrap_err();
        assert_eq!(err, NumberError::Invisible('\u{200B}', "zero-width space"));
        assert!(err.to_string().contains("U+200B"), "{err}");
        assert!(matches!(
            parse("290-555-0100"),
            Err(NumberError::Reserved(..))
        ));
        assert!(matches!(
            parse("375-555-0100"),
            Err(NumberError::Reserved(..))
        ));
        assert!(matches!(
            parse("965-555-0100"),
            Err(NumberError::Reserved(..))
        ));
        assert!(matches!(
            parse("555-555-0100"),
            Err(NumberError::Reserved(..))
        ));
        assert!(matches!(
            parse("818-950-0100"),
            Err(NumberError::SpecialExchange(..))
        ));
        assert!(matches!(
            parse("818-976-0100"),
            Err(NumberError::SpecialExchange(..))
        ));
        assert_eq!(
            parse("18185550100").map(|n| n.to_string()),
            Ok("8185550100".into())
        );
    }

    #[test]
    fn regions_outside_nanp_are_refused() {
        assert_eq!(Region::parse("us"), Ok(Region::US));
        assert!(Region::parse("CA").is_ok());
        assert_eq!(
            Region::parse("GB"),
            Err(RegionError::NotNanp("GB".into(), 44))
        );
        assert!(matches!(Region::parse("XX"), Err(RegionError::Unknown(_))));
    }

    #[test]
    fn explains_foreign_numbers() {
        let text = "+44 20 7946 0958";
        let err = parse(text).unwrap_err();
        let why = explain(text, &err, Region::US, "the provider");
        assert!(why.contains("GB number (+44)"), "{why}");
        let err = parse("818555010").unwrap_err();
        assert!(explain("818555010", &err, Region::US, "the provider").contains("9 digits"));
    }

    #[test]
    fn text_that_does_not_say_plus_one_never_becomes_a_plus_one_number() {
        // libphonenumber reads this as +1 321 313 2149; kept as "+13213132149" it would be
        // another number than 3213132149 to the dedupe set and the do-not-call lists.
        for text in ["+01.321-3--1.321-----49", "+0 1 321 313 2149"] {
            let read = parse_international(text);
            assert!(
                read.as_ref().is_err() || read.as_ref().is_ok_and(PhoneNumber::is_nanp),
                "{text}: {read:?}"
            );
        }
        assert_eq!(
            parse_international("+1 321 313 2149").map(|n| n.is_nanp()),
            Ok(true)
        );
    }

    #[test]
    fn as_u64_is_the_digits() {
        assert_eq!(parse("8185550100").unwrap().as_u64(), 8_185_550_100);
    }
}
