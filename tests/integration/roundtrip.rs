//! Property: any valid campaign compiles to XML that parses back to the same numbers, call ids
//! and prompt texts, whatever the text holds (`<>&"'`, braces, quotes, non-ASCII, line breaks).

use std::collections::HashSet;
use std::path::Path;

use outdial::plan::{self, Action};
use outdial::{callid, load, phone, prepared};
use proptest::prelude::*;
use toml::{Table, Value};

use crate::support::{Element, parse_xml};

/// Text made of the characters most likely to break naive XML: markup, quotes, braces,
/// non-ASCII letters and symbols, emoji, tabs and line breaks.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        "[a-zA-Z0-9 ]{1,6}",
        Just("<".to_string()),
        Just(">".to_string()),
        Just("&".to_string()),
        Just("&amp;".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("é".to_string()),
        Just("Ñ".to_string()),
        Just("中文".to_string()),
        Just("🙂".to_string()),
        Just("\u{a0}".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("]]>".to_string()),
    ];
    prop::collection::vec(pieces, 0..12).prop_map(|p| p.concat())
}

/// A NANP number, written in one of the shapes people use.
fn number() -> impl Strategy<Value = (String, String)> {
    let code = (2u8..=9, 0u8..=9, 0u8..=9)
        .prop_filter("not an N11 code", |&(_, b, c)| !(b == 1 && c == 1));
    // Area codes never assigned (N9X, 37X, 96X, 555) and exchanges that reach no one (950,
    // 976) are refused, so they are not "valid numbers" to generate.
    let npa = code
        .clone()
        .prop_filter("an assignable area code", |&(a, b, c)| {
            b != 9 && !matches!((a, b), (3, 7) | (9, 6)) && (a, b, c) != (5, 5, 5)
        });
    let nxx = code.prop_filter("an exchange that reaches people", |&e| {
        e != (9, 5, 0) && e != (9, 7, 6)
    });
    (npa, nxx, 0u16..=9999, 0usize..5)
        .prop_map(|((a, b, c), (d, e, f), line, shape)| {
            let (npa, nxx) = (format!("{a}{b}{c}"), format!("{d}{e}{f}"));
            let line = format!("{line:04}");
            let written = match shape {
                0 => format!("{npa}{nxx}{line}"),
                1 => format!("({npa}) {nxx}-{line}"),
                2 => format!("+1 {npa} {nxx} {line}"),
                3 => format!("1-{npa}-{nxx}-{line}"),
                _ => format!("{npa}.{nxx}.{line}"),
            };
            (written, format!("{npa}{nxx}{line}"))
        })
        // Premium-rate and personal numbers (900, 5XX, 700) are refused by default.
        .prop_filter("a kind of number outdial calls", |(_, digits)| {
            outdial::phone::parse(digits).is_ok_and(|n| outdial::phone::restricted(&n).is_none())
        })
}

#[derive(Debug, Clone)]
struct Person {
    written: String,
    digits: String,
    callid: Option<String>,
    value: String,
}

fn people() -> impl Strategy<Value = Vec<Person>> {
    // An empty value counts as no value (so `[vars]` can fill blank CSV cells): values here
    // are never empty.
    let value = text().prop_filter("a value", |v| !v.is_empty());
    let person = (number(), prop::option::of("[A-Za-z0-9]{0,40}"), value).prop_map(
        |((written, digits), callid, value)| Person {
            written,
            digits,
            callid,
            value,
        },
    );
    prop::collection::vec(person, 1..12).prop_map(|list| {
        let mut seen = HashSet::new();
        list.into_iter()
            .filter(|p| seen.insert(p.digits.clone()))
            .enumerate()
            // Prefixing the index keeps given call ids unique.
            .map(|(i, mut p)| {
                p.callid = p.callid.map(|c| format!("c{i}x{c}"));
                p
            })
            .collect()
    })
}

fn escape_braces(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// What VoiceShot's parser reads back for text outdial wrote (line breaks become spaces).
fn normalised(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\n', '\r', '\t'], " ")
}

fn campaign_toml(
    people: &[Person],
    before: &str,
    after: &str,
    constant: &str,
    batch: i64,
) -> String {
    let table = |pairs: Vec<(&str, Value)>| {
        Value::Table(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    };
    let s = |t: &str| Value::String(t.to_string());
    let mut doc = Table::new();
    doc.insert("campaign".into(), table(vec![("name", s("prop-test"))]));
    doc.insert(
        "voiceshot".into(),
        table(vec![
            ("menuid", s("1-1234")),
            ("batch_size", Value::Integer(batch)),
        ]),
    );
    let template = format!("{}{{v}}{}", escape_braces(before), escape_braces(after));
    let prompts = vec![
        table(vec![("id", Value::Integer(1)), ("tts", s(&template))]),
        table(vec![
            ("id", Value::Integer(2)),
            ("tts", s(&format!("x{}", escape_braces(constant)))),
        ]),
    ];
    doc.insert("prompt".into(), Value::Array(prompts));
    // Loaded at the real now: the hours are not what this test is about.
    doc.insert("recipients".into(), table(vec![("window", s("always"))]));
    let recipients = people
        .iter()
        .map(|p| {
            let mut entry = vec![
                ("number", s(&p.written)),
                ("vars", table(vec![("v", s(&p.value))])),
            ];
            if let Some(id) = &p.callid {
                entry.push(("callid", s(id)));
            }
            table(entry)
        })
        .collect();
    doc.insert("recipient".into(), Value::Array(recipients));
    toml::to_string(&doc).expect("TOML serialises")
}

/// (number, callid, [prompt texts]) for every phonenumber of a send post.
fn calls_in(doc: &Element) -> Vec<(String, String, Vec<String>)> {
    let texts = |prompts: &Element| {
        prompts
            .children
            .iter()
            .map(|p| p.attrs["tts"].clone())
            .collect::<Vec<_>>()
    };
    let shared = doc.children.iter().find(|c| c.name == "prompts").map(texts);
    let numbers = doc
        .children
        .iter()
        .find(|c| c.name == "phonenumbers")
        .expect("phonenumbers");
    numbers
        .children
        .iter()
        .map(|n| {
            let own = n.children.iter().find(|c| c.name == "prompts").map(texts);
            let prompts = own
                .or_else(|| shared.clone())
                .expect("prompts at one level");
            (
                n.attrs["number"].clone(),
                n.attrs["callid"].clone(),
                prompts,
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn compiled_posts_parse_back_to_the_campaign(
        people in people(),
        before in text(),
        after in text(),
        constant in text(),
        batch in 1i64..5,
    ) {
        let source = campaign_toml(&people, &before, &after, &constant, batch);
        let loaded = load::load_str(Path::new("prop.toml"), source.clone())
            .unwrap_or_else(|p| panic!("valid campaign rejected: {:?}\n{source}", p.into_sorted()));
        let campaign = loaded.campaign;

        let mut got = Vec::new();
        let posts = plan::all_posts(&campaign, Action::Send).expect("plans");
        prop_assert_eq!(posts.len(), people.len().div_ceil(batch as usize));
        for post in &posts {
            let xml = prepared::encode_to_vec(&campaign, post).expect("renders");
            let xml = String::from_utf8(xml).expect("UTF-8");
            got.extend(calls_in(&parse_xml(&xml)));
        }

        let prefix = callid::prefix("prop-test");
        let expected: Vec<(String, String, Vec<String>)> = people
            .iter()
            .map(|p| {
                let number = phone::parse(&p.written).expect("generated numbers are valid");
                let id = p.callid.clone().unwrap_or_else(|| callid::derive(&prefix, &number));
                let first = normalised(&format!("{before}{}{after}", p.value));
                (p.digits.clone(), id, vec![first, normalised(&format!("x{constant}"))])
            })
            .collect();
        prop_assert_eq!(got, expected);
    }
}
