//! Tests of the phone number parsers, the regions and the explanations.

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
