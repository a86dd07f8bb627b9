//! Why a text is not a callable number, what to do about it, and (for a number of another
//! country) which country it belongs to.

use super::kind::Kind;
use super::region::Region;

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
    let foreign = phonenumber::parse(Some(region.id()), text)
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
