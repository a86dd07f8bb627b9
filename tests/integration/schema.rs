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
