//! Numbers abroad: a number written with another country code, checked against
//! libphonenumber's rules for its country, for the providers that call abroad.

use super::error::NumberError;
use super::nanp::{parse, parse_bytes};
use super::number::PhoneNumber;

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
