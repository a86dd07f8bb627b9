//! Phone numbers: North American ones (which every provider outdial speaks can dial), and
//! numbers abroad in E.164 for the providers that call them.
//!
//! A NANP number is accepted in the shapes people write (`8185550100`, `(818) 555-0100`,
//! `818.555.0100`, `+1 818 555 0100`, `1-818-555-0100`) and kept as its 10 national digits,
//! the form providers show in their examples. The parser is a single pass over the bytes
//! with no allocation, because it runs once per recipient and recipients come by the million.
//! A number with another country code (`+44 …`) is read by libphonenumber's rules instead
//! ([`parse_international`]), only where a provider takes it.

mod abroad;
mod error;
mod kind;
mod nanp;
mod number;
mod region;
#[cfg(test)]
mod tests;

pub use abroad::{parse_bytes_international, parse_international};
pub use error::{NumberError, explain};
pub use kind::{Kind, NumberTypes, Restricted, country_wide, restricted};
pub use nanp::{check_kind, is_ten_digits, parse, parse_bytes};
pub use number::PhoneNumber;
pub use region::{Region, RegionError};
