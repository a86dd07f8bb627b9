//! The checked-in JSON Schema is the one the code generates.

use crate::support::{outdial, repo};

#[test]
fn checked_in_json_schema_is_current() {
    let generated = outdial::campaign::file::json_schema_text();
    let path = repo().join("schemas/campaign.schema.json");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        generated == checked_in,
        "schemas/campaign.schema.json is stale; regenerate it with\n  cargo run -- schema > schemas/campaign.schema.json"
    );
}

#[test]
fn schema_command_prints_the_schema() {
    let run = outdial(["schema"]);
    assert_eq!(run.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(schema["title"], "outdial campaign file");
    assert_eq!(schema["required"], serde_json::json!(["campaign"]));
    assert!(schema["properties"]["prompt"]["items"].is_object());
}

#[test]
fn json_schema_command_is_json_lines() {
    let run = outdial(["--format", "json", "schema"]);
    assert_eq!(run.code, 0);
    let lines = crate::support::json_lines(&run.stdout);
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert_eq!(lines[0]["type"], "version");
    assert_eq!(lines[1]["type"], "schema");
    assert_eq!(lines[1]["schema"], *outdial::campaign::file::json_schema());
}

/// The schema as checked in, compiled by the `jsonschema` crate: a validator that knows
/// nothing of outdial, as an editor's would.
fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("schemas/campaign.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// What an editor does with a campaign file: TOML read as JSON, then validated.
fn errors(validator: &jsonschema::Validator, toml_text: &str) -> Vec<String> {
    let table: toml::Table = toml_text.parse().expect("TOML");
    let json = serde_json::to_value(table).unwrap();
    validator
        .iter_errors(&json)
        .map(|e| format!("{} (at {})", e, e.instance_path()))
        .collect()
}

#[test]
fn every_example_is_valid_under_the_schema() {
    let validator = validator();
    let mut files: Vec<std::path::PathBuf> = crate::support::files_in(&repo().join("examples"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.extend(
        crate::support::files_in(&repo().join("tests/fixtures/diff"))
            .into_iter()
            .flat_map(|case| [case.join("old.toml"), case.join("new.toml")]),
    );
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let errors = errors(&validator, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn a_misspelt_key_is_named_not_lost_in_an_any_of() {
    let validator = validator();
    let text = std::fs::read_to_string(repo().join("examples/appointment-reminder.toml")).unwrap();
    // `[recipients]` is optional: under the schema schemars gives `Option<T>` by default,
    // `anyOf [{$ref}, {type: null}]`, this typo read "… is not valid under any of the given
    // schemas" (measured with a second validator, Python's jsonschema 4.26).
    let typo = text.replace(r#"at = "2027-11-30 17:30""#, r#"att = "2027-11-30 17:30""#);
    assert_ne!(typo, text);
    assert_eq!(
        errors(&validator, &typo),
        ["Additional properties are not allowed ('att' was unexpected) (at /recipients)"],
    );
    let typo = text.replace("timezone = ", "timezne = ");
    assert_eq!(
        errors(&validator, &typo),
        ["Additional properties are not allowed ('timezne' was unexpected) (at /campaign)"],
    );
    // The shapes editors can now check as they are typed.
    for (bad, key) in [
        (r#"name = "Reminders 2027""#, "/campaign/name"),
        (r#"menuid = "20862""#, "/voiceshot/menuid"),
        (r#"at = "tomorrow""#, "/recipients/at"),
        (r#"callerid = "818-555-0199""#, "/voiceshot/callerid"),
    ] {
        let field = bad.split(" = ").next().unwrap();
        let broken: String = text
            .lines()
            .map(|l| {
                if l.starts_with(&format!("{field} = ")) && !l.contains("+1") {
                    bad
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let errors = errors(&validator, &broken);
        assert!(
            errors.iter().any(|e| e.ends_with(&format!("(at {key})"))),
            "{bad}: {errors:#?}"
        );
        assert!(errors.iter().all(|e| !e.contains("anyOf")), "{errors:#?}");
    }
}
