//! Phone numbers as people write them: the fast NANP parser and the international one. A
//! number read is written back and read again to itself, and its integer form round-trips;
//! its kind (premium-rate, satellite, …) and whether it rings country-wide are looked up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outdial::phone::{self, PhoneNumber};

fn round_trip(n: PhoneNumber) {
    assert_eq!(phone::parse_international(n.as_str()), Ok(n), "{n:?} does not read back");
    assert_eq!(PhoneNumber::from_u64(n.as_u64()), Some(n), "{n:?} integer form");
    assert_eq!(n.is_nanp(), !n.as_str().starts_with('+'));
    let _ = phone::restricted(&n);
    if n.is_nanp() {
        assert_eq!(phone::country_wide(&n), None, "{n:?} is placed by its area code");
    } else {
        let _ = phone::country_wide(&n);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(n) = phone::parse_bytes(data) {
        assert!(n.is_nanp());
        round_trip(n);
    }
    if let Ok(n) = phone::parse_bytes_international(data) {
        round_trip(n);
    }
});
