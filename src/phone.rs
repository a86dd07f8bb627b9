//! North American phone numbers (the numbers every provider outdial speaks can dial).
//!
//! A number is accepted in the shapes people write (`8185550100`, `(818) 555-0100`,
//! `818.555.0100`, `+1 818 555 0100`, `1-818-555-0100`) and kept as its 10 national digits,
//! the form providers show in their examples. The parser is a single pass over the bytes
//! with no allocation, because it runs once per recipient and recipients come by the million.

use std::fmt;

/// A valid NANP number: area code, exchange and line, 10 ASCII digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber([u8; 10]);

impl PhoneNumber {
    /// The 10 digits, e.g. `8185550100`.
    pub fn as_str(&self) -> &str {
        // The constructor only stores ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 10 digits as a number (for compact sets).
    pub fn as_u64(&self) -> u64 {
        self.0.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0'))
    }

    /// The inverse of [`PhoneNumber::as_u64`] for values it produced.
    pub fn from_u64(mut n: u64) -> Option<PhoneNumber> {
        if n >= 10_000_000_000 {
            return None;
        }
        let mut out = [0u8; 10];
        for d in out.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        Some(PhoneNumber(out))
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
    let mut digits = [0u8; 11];
    let mut count = 0usize;
    let mut plus = false;
    let mut seen_digit = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if count < digits.len() {
                    digits[count] = b;
                }
                count += 1;
                seen_digit = true;
            }
            b' ' | b'-' | b'.' | b'(' | b')' | b'\t' => {}
            b'+' if !seen_digit && !plus => plus = true,
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
    let mut out = [0u8; 10];
    out.copy_from_slice(national);
    Ok(PhoneNumber(out))
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

/// Whether `text` is exactly 10 ASCII digits (the caller-ID rule).
pub fn is_ten_digits(text: &str) -> bool {
    text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn as_u64_is_the_digits() {
        assert_eq!(parse("8185550100").unwrap().as_u64(), 8_185_550_100);
    }
}
