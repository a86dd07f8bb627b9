//! What kind of number a valid number is, by libphonenumber's number types (the metadata the
//! `phonenumber` crate embeds): the kinds outdial refuses, and whether a number abroad rings
//! where its prefix says (a fixed line) or anywhere in its country (most mobiles).
//!
//! North American numbers take a fast path on their area code, since they come by the
//! million: only the few non-geographic area codes (5XX, 700, 900) are looked up in the
//! metadata, and a test holds the fast path to the metadata for every area code.

use phonenumber::metadata::DATABASE;

use super::number::PhoneNumber;

/// A kind of number outdial does not call unless `allow_number_types` names it; a
/// premium-rate number is never called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Restricted {
    /// Premium-rate: the person called pays, or is charged, per minute.
    PremiumRate,
    /// A personal number that follows someone (NANP 5XX and 700, UK 070).
    Personal,
    /// Shared-cost: caller and called share the charge (UK 084x, DE 0180).
    SharedCost,
    /// A universal access number (one number for a company's many lines).
    Uan,
    /// A satellite phone (+870 Inmarsat, +881 Global Mobile Satellite System, +88216 Thuraya):
    /// expensive to ring and to answer.
    Satellite,
}

impl Restricted {
    /// Every kind, in the order messages list them.
    pub const ALL: [Restricted; 5] = [
        Restricted::PremiumRate,
        Restricted::Personal,
        Restricted::SharedCost,
        Restricted::Uan,
        Restricted::Satellite,
    ];

    /// The name `allow_number_types` uses.
    pub fn name(self) -> &'static str {
        match self {
            Restricted::PremiumRate => "premium-rate",
            Restricted::Personal => "personal",
            Restricted::SharedCost => "shared-cost",
            Restricted::Uan => "uan",
            Restricted::Satellite => "satellite",
        }
    }

    /// The kind `allow_number_types` names by `name`.
    pub fn parse(name: &str) -> Option<Restricted> {
        let name = name.trim().to_ascii_lowercase();
        Restricted::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether `allow_number_types` may name it (premium-rate numbers are never called).
    pub fn allowable(self) -> bool {
        self != Restricted::PremiumRate
    }
}

/// The kinds a campaign allows (`allow_number_types`), as a bit set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NumberTypes(u8);

impl NumberTypes {
    /// Allows `kind` (premium-rate stays refused).
    pub fn allow(&mut self, kind: Restricted) {
        if kind.allowable() {
            self.0 |= 1 << kind as u8;
        }
    }

    /// Whether a number of `kind` may be called.
    pub fn allows(self, kind: Restricted) -> bool {
        self.0 & (1 << kind as u8) != 0
    }
}

/// Why a number is of a restricted kind: the kind, and where that is known from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kind {
    /// The kind.
    pub kind: Restricted,
    /// Where it comes from: "NANP area code 900", "libphonenumber's number types for GB".
    pub source: String,
}

/// A number's restricted kind, if it has one.
// Inlined with its first test: a North American number outside the 5XX, 7XX and 9XX area
// codes (nearly every one) is no restricted kind, and that answer is asked for every row of
// a contact list (the call and its return value were 66 instructions a row, callgrind).
#[inline]
pub fn restricted(number: &PhoneNumber) -> Option<Kind> {
    if number.is_nanp() {
        return match number.as_bytes()[0] {
            b'5' | b'7' | b'9' => nanp(number),
            _ => None,
        };
    }
    abroad(number)
}

/// [`restricted`] for a number outside +1.
fn abroad(number: &PhoneNumber) -> Option<Kind> {
    let digits = &number.as_str()[1..];
    let satellite = ["870", "881", "88216"]
        .into_iter()
        .find(|p| digits.starts_with(p));
    if let Some(prefix) = satellite {
        return Some(Kind {
            kind: Restricted::Satellite,
            source: format!("prefix +{prefix}, satellite networks (ITU-T E.164)"),
        });
    }
    let (kind, region) = typed(number)?;
    let kind = match kind {
        phonenumber::Type::PremiumRate => Restricted::PremiumRate,
        phonenumber::Type::SharedCost => Restricted::SharedCost,
        phonenumber::Type::PersonalNumber => Restricted::Personal,
        phonenumber::Type::Uan => Restricted::Uan,
        _ => return None,
    };
    Some(Kind {
        kind,
        source: format!("libphonenumber's number types for {region}"),
    })
}

/// The country code of a number abroad that rings anywhere in its country rather than where
/// its prefix says, as libphonenumber places numbers: any number type but a fixed line,
/// except mobiles in the countries whose mobile numbers carry an area code (AR, BR, CN, ID,
/// MX, VN). `None` for a number placed by its prefix (and for every NANP number: its area
/// code places it).
pub fn country_wide(number: &PhoneNumber) -> Option<u16> {
    if number.is_nanp() {
        return None;
    }
    let parsed = phonenumber::parse(None, number.as_str()).ok()?;
    let code = parsed.code().value();
    let (kind, _) = typed(number)?;
    let geographic = match kind {
        phonenumber::Type::FixedLine | phonenumber::Type::FixedLineOrMobile => true,
        phonenumber::Type::Mobile => [52, 54, 55, 62, 84, 86].contains(&code),
        // A type the metadata cannot tell is judged by its prefix: the country's own
        // row when nothing longer matches.
        phonenumber::Type::Unknown => true,
        _ => false,
    };
    (!geographic).then_some(code)
}

/// A number's libphonenumber type and its region, by the metadata's patterns for the
/// national number as written (with its leading zeros: Italy's fixed lines keep theirs).
fn typed(number: &PhoneNumber) -> Option<(phonenumber::Type, String)> {
    use phonenumber::Type;
    let parsed = phonenumber::parse(None, number.as_str()).ok()?;
    let meta = parsed.metadata(&DATABASE)?;
    let national = parsed.national().to_string();
    let d = meta.descriptors();
    if !d.general().is_match(&national) {
        return Some((Type::Unknown, meta.id().to_owned()));
    }
    let order: [(Type, Option<&phonenumber::metadata::Descriptor>); 8] = [
        (Type::PremiumRate, d.premium_rate()),
        (Type::TollFree, d.toll_free()),
        (Type::SharedCost, d.shared_cost()),
        (Type::PersonalNumber, d.personal_number()),
        (Type::Uan, d.uan()),
        (Type::Voip, d.voip()),
        (Type::Pager, d.pager()),
        (Type::Voicemail, d.voicemail()),
    ];
    let found = order
        .into_iter()
        .find(|(_, desc)| desc.is_some_and(|desc| desc.is_match(&national)))
        .map(|(kind, _)| kind);
    let kind = found.unwrap_or_else(|| {
        let fixed = d.fixed_line().is_some_and(|f| f.is_match(&national));
        let mobile = d.mobile().is_some_and(|m| m.is_match(&national));
        match (fixed, mobile) {
            (true, true) => Type::FixedLineOrMobile,
            (true, false) => Type::FixedLine,
            (false, true) => Type::Mobile,
            (false, false) => Type::Unknown,
        }
    });
    Some((kind, meta.id().to_owned()))
}

/// The fast path for a North American number: only the non-geographic area codes can be of
/// a restricted kind.
fn nanp(number: &PhoneNumber) -> Option<Kind> {
    let d = number.as_bytes();
    let kind = match (d[0], d[1], d[2]) {
        (b'9', b'0', b'0') => Restricted::PremiumRate,
        // 700 is kept for carriers' own services; libphonenumber calls it invalid, and no
        // person has one.
        (b'7', b'0', b'0') => {
            return Some(Kind {
                kind: Restricted::Personal,
                source: "NANP area code 700 (carrier services)".into(),
            });
        }
        // 5XX codes hold personal-communication numbers and geographic ones (503, 512 …):
        // the metadata tells them apart.
        (b'5', ..) => {
            // The US metadata holds the plan's non-geographic codes for every NANP region.
            let meta = DATABASE.by_id("US")?;
            let personal = meta.descriptors().personal_number()?;
            if !personal.is_match(number.as_str()) {
                return None;
            }
            Restricted::Personal
        }
        _ => return None,
    };
    let area = &number.as_str()[..3];
    Some(Kind {
        kind,
        source: format!("NANP area code {area}, libphonenumber's number types"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::{parse, parse_international};

    fn kind(text: &str) -> Option<Restricted> {
        restricted(&parse_international(text).unwrap()).map(|k| k.kind)
    }

    #[test]
    fn premium_personal_shared_uan_and_satellite_numbers_are_told_apart() {
        use Restricted::*;
        for (text, want) in [
            ("900 234 5678", Some(PremiumRate)),
            ("+1 900 234 5678", Some(PremiumRate)),
            ("+44 909 123 4567", Some(PremiumRate)),
            ("+33 8 99 12 34 56", Some(PremiumRate)),
            ("+49 900 1234567", Some(PremiumRate)),
            ("+39 899 123456", Some(PremiumRate)),
            ("+61 1900 123 456", Some(PremiumRate)),
            ("500 234 5678", Some(Personal)),
            ("533 234 5678", Some(Personal)),
            ("700 234 5678", Some(Personal)),
            ("+44 70 1234 5678", Some(Personal)),
            ("+49 180 123456", Some(SharedCost)),
            ("+44 843 123 4567", Some(PremiumRate)),
            ("+881 6 1234 5678", Some(Satellite)),
            ("+870 773 123 456", Some(Satellite)),
            ("818 555 0100", None),
            ("503 234 5678", None),
            ("512 234 5678", None),
            ("800 234 5678", None),
            ("+44 20 7946 0958", None),
            ("+39 06 1234 5678", None),
            ("+49 69 1234 5678", None),
        ] {
            assert_eq!(kind(text), want, "{text}");
        }
        let source = restricted(&parse_international("+44 909 123 4567").unwrap()).unwrap();
        assert_eq!(source.source, "libphonenumber's number types for GB");
    }

    /// The fast path agrees with the metadata on every area code: a number of each is
    /// premium-rate or personal exactly when libphonenumber says so.
    #[test]
    fn the_nanp_fast_path_agrees_with_the_metadata_for_every_area_code() {
        for area in 200..1000 {
            for exchange in ["234", "555", "882"] {
                let text = format!("{area}{exchange}5678");
                let Ok(number) = parse(&text) else { continue };
                let d = DATABASE.by_id("US").unwrap().descriptors();
                let is = |desc: Option<&phonenumber::metadata::Descriptor>| {
                    desc.is_some_and(|desc| desc.is_match(&text))
                };
                let kind = if is(d.premium_rate()) {
                    phonenumber::Type::PremiumRate
                } else if is(d.personal_number()) {
                    phonenumber::Type::PersonalNumber
                } else {
                    phonenumber::Type::Unknown
                };
                let want = match kind {
                    phonenumber::Type::PremiumRate => Some(Restricted::PremiumRate),
                    phonenumber::Type::PersonalNumber => Some(Restricted::Personal),
                    _ if area == 700 => Some(Restricted::Personal),
                    _ => None,
                };
                assert_eq!(restricted(&number).map(|k| k.kind), want, "{text}");
            }
        }
    }

    #[test]
    fn mobiles_abroad_ring_anywhere_in_their_country() {
        let n = |t: &str| parse_international(t).unwrap();
        assert_eq!(country_wide(&n("+7 916 123 4567")), Some(7));
        assert_eq!(country_wide(&n("+7 495 123 4567")), None);
        assert_eq!(country_wide(&n("+61 4 1234 5678")), Some(61));
        // Brazil's mobiles carry an area code.
        assert_eq!(country_wide(&n("+55 11 98765 4321")), None);
        assert_eq!(country_wide(&n("818 555 0100")), None);
    }

    #[test]
    fn allow_number_types_never_allows_premium_rate() {
        let mut allowed = NumberTypes::default();
        for kind in Restricted::ALL {
            allowed.allow(kind);
        }
        assert!(!allowed.allows(Restricted::PremiumRate));
        assert!(allowed.allows(Restricted::Satellite) && allowed.allows(Restricted::Personal));
        assert_eq!(
            Restricted::parse(" Shared-Cost"),
            Some(Restricted::SharedCost)
        );
        assert_eq!(Restricted::parse("mobile"), None);
    }
}
