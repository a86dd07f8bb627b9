//! The structure check: the parsed TOML tree walked against the campaign file's JSON Schema.
//!
//! serde stops at the first unknown key or wrong type; users want every one at once. So the
//! tree from [`toml::de::DeTable`] (which keeps a span on every key and value) is checked
//! against the schema generated from [`super::file`], every mismatch becomes a [`Problem`],
//! and the offending value is pruned so that deserialisation of the rest still succeeds and
//! the semantic checks can run on it too.

use std::sync::Arc;

use serde_json::Value as Json;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Problem, Problems, did_you_mean};
use crate::source::SourceFile;

/// A step in the path to a value, for messages.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// A key that was reported and removed, so later checks do not also report its absence.
#[derive(Debug, Clone)]
pub(crate) struct Pruned {
    /// The table the key was in, dotted with 1-based indexes: "" for the top level (a
    /// misspelt `[voicshot]`), "prompt[2]", "recipients".
    pub table: String,
    /// For an unknown key, the known key it was probably meant to be (`timezone` for
    /// `timezne`): that key's absence is not reported again.
    pub meant: Option<String>,
}

/// Checks `root` against `schema`, reporting into `problems` and pruning what does not fit.
/// Returns what was pruned.
pub(crate) fn check(
    root: &mut Spanned<DeTable<'_>>,
    schema: &Json,
    source: &Arc<SourceFile>,
    problems: &mut Problems,
) -> Vec<Pruned> {
    let mut walker = Walker {
        defs: schema.get("$defs"),
        source,
        problems,
        pruned: Vec::new(),
    };
    let anchor = 0..0;
    let mut path = Vec::new();
    walker.check_table(root.get_mut(), schema, &mut path, &anchor);
    walker.pruned
}

struct Walker<'a> {
    defs: Option<&'a Json>,
    source: &'a Arc<SourceFile>,
    problems: &'a mut Problems,
    pruned: Vec<Pruned>,
}

impl<'a> Walker<'a> {
    /// Follows `$ref` and drops the `null` branch that schemars adds for `Option<T>`.
    fn resolve(&self, mut schema: &'a Json) -> &'a Json {
        loop {
            if let Some(reference) = schema.get("$ref").and_then(Json::as_str) {
                let name = reference.rsplit('/').next().unwrap_or_default();
                match self.defs.and_then(|d| d.get(name)) {
                    Some(target) => schema = target,
                    None => return schema,
                }
                continue;
            }
            let branches = schema
                .get("anyOf")
                .or_else(|| schema.get("oneOf"))
                .and_then(Json::as_array);
            if let Some(branches) = branches {
                let non_null: Vec<&Json> = branches
                    .iter()
                    .filter(|b| b.get("type").and_then(Json::as_str) != Some("null"))
                    .collect();
                if let [single] = non_null.as_slice() {
                    schema = single;
                    continue;
                }
            }
            return schema;
        }
    }

    /// The accepted scalar type names of a (resolved) schema node, without "null".
    fn types(schema: &Json) -> Vec<&str> {
        match schema.get("type") {
            Some(Json::String(t)) => vec![t.as_str()],
            Some(Json::Array(ts)) => ts
                .iter()
                .filter_map(Json::as_str)
                .filter(|t| *t != "null")
                .collect(),
            _ if Self::allowed_strings(schema).is_some() => vec!["string"],
            _ => Vec::new(),
        }
    }

    /// For enums of strings (`enum`, or `oneOf` of `const`s): the allowed values.
    fn allowed_strings(schema: &Json) -> Option<Vec<&str>> {
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            return values.iter().map(Json::as_str).collect();
        }
        let branches = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))?
            .as_array()?;
        branches
            .iter()
            .map(|b| b.get("const").and_then(Json::as_str))
            .collect()
    }

    /// Checks a value; returns false when it must be pruned.
    fn check_value(
        &mut self,
        value: &mut Spanned<DeValue<'_>>,
        schema: &'a Json,
        path: &mut Vec<Step>,
    ) -> bool {
        let schema = self.resolve(schema);
        let span = value.span();
        if !self.check_type(value, schema, path) {
            return false;
        }
        match value.get_mut() {
            DeValue::Table(table) => {
                let anchor = span;
                self.check_table(table, schema, path, &anchor);
                true
            }
            DeValue::Array(items) => self.check_array(items, schema, path),
            DeValue::String(text) => self.check_enum_string(text, schema, path, span),
            DeValue::Integer(integer) => self.check_integer_range(integer, schema, path, span),
            _ => true,
        }
    }

    /// Whether the value has one of the types the (resolved) schema accepts; reports it if not.
    fn check_type(&mut self, value: &Spanned<DeValue<'_>>, schema: &Json, path: &[Step]) -> bool {
        let span = value.span();
        let types = Self::types(schema);
        let found = value.get_ref().type_str();
        let matches = types.iter().any(|t| {
            matches!(
                (*t, value.get_ref()),
                ("string", DeValue::String(_))
                    | ("boolean", DeValue::Boolean(_))
                    | ("integer", DeValue::Integer(_))
                    | ("number", DeValue::Integer(_) | DeValue::Float(_))
                    | ("array", DeValue::Array(_))
                    | ("object", DeValue::Table(_))
            )
        });
        if types.is_empty() || matches {
            return true;
        }
        let expected = types
            .iter()
            .map(|t| type_phrase(t))
            .collect::<Vec<_>>()
            .join(" or ");
        let mut problem = Problem::error(
            "campaign::wrong-type",
            format!(
                "{} must be {expected}, not {}",
                describe(path),
                article(found)
            ),
        )
        .at(self.source, span, format!("expected {expected}"));
        if types == ["string"]
            && matches!(value.get_ref(), DeValue::Integer(_) | DeValue::Datetime(_))
        {
            problem = problem.help(format!(
                "put it in quotes: \"{}\"",
                self.source.slice(value.span()).unwrap_or_default()
            ));
        } else if let Some(help) = description(schema) {
            problem = problem.help(help);
        }
        self.problems.push(problem);
        false
    }

    /// Checks each item of an array against the schema's `items`, dropping those that do not
    /// fit. The array itself is always kept.
    fn check_array(
        &mut self,
        items: &mut toml::de::DeArray<'_>,
        schema: &'a Json,
        path: &mut Vec<Step>,
    ) -> bool {
        let Some(item_schema) = schema.get("items") else {
            return true;
        };
        let mut keep = Vec::with_capacity(items.len());
        for (index, item) in items.iter_mut().enumerate() {
            path.push(Step::Index(index));
            keep.push(self.check_value(item, item_schema, path));
            path.pop();
        }
        if keep.iter().any(|k| !k) {
            let mut pruned = toml::de::DeArray::new();
            for (item, keep) in items.iter().zip(keep) {
                if keep {
                    pruned.push(item.clone());
                }
            }
            *items = pruned;
        }
        true
    }

    /// Whether a string is one of the values the schema allows (any string when it names none);
    /// reports it if not.
    fn check_enum_string(
        &mut self,
        text: &str,
        schema: &Json,
        path: &[Step],
        span: std::ops::Range<usize>,
    ) -> bool {
        let Some(allowed) = Self::allowed_strings(schema) else {
            return true;
        };
        if allowed.contains(&text) {
            return true;
        }
        let mut problem = Problem::error(
            "campaign::unknown-value",
            format!("{} cannot be \"{text}\"", describe(path)),
        )
        .at(
            self.source,
            span,
            format!("expected one of {}", quoted_list(&allowed)),
        );
        problem = match did_you_mean(text, allowed.iter().copied()) {
            Some(close) => problem.help(format!("did you mean \"{close}\"?")),
            None => problem.help(format!("use one of {}", quoted_list(&allowed))),
        };
        self.problems.push(problem);
        false
    }

    /// Whether an integer fits in 64 bits and in the schema's `minimum`/`maximum`; reports it
    /// if not.
    fn check_integer_range(
        &mut self,
        integer: &toml::de::DeInteger<'_>,
        schema: &Json,
        path: &[Step],
        span: std::ops::Range<usize>,
    ) -> bool {
        let parsed = i64::from_str_radix(integer.as_str(), integer.radix()).ok();
        let minimum = schema.get("minimum").and_then(Json::as_i64);
        let maximum = schema.get("maximum").and_then(Json::as_i64);
        let in_range = parsed
            .is_some_and(|n| minimum.is_none_or(|m| n >= m) && maximum.is_none_or(|m| n <= m));
        if in_range {
            return true;
        }
        let range = match (minimum, maximum) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (Some(lo), None) => format!("at least {lo}"),
            (None, Some(hi)) => format!("at most {hi}"),
            (None, None) => "a whole number that fits in 64 bits".to_string(),
        };
        let mut problem = Problem::error(
            "campaign::out-of-range",
            format!("{} must be {range}", describe(path)),
        )
        .at(self.source, span, format!("must be {range}"));
        if let Some(help) = description(schema) {
            problem = problem.help(help);
        }
        self.problems.push(problem);
        false
    }

    /// Checks each key of a table against the schema's properties, removes what does not fit,
    /// then reports the required keys that are missing.
    fn check_table(
        &mut self,
        table: &mut DeTable<'_>,
        schema: &'a Json,
        path: &mut Vec<Step>,
        anchor: &std::ops::Range<usize>,
    ) {
        let schema = self.resolve(schema);
        let properties = schema.get("properties").and_then(Json::as_object);
        let additional = schema.get("additionalProperties");
        let mut pruned: Vec<String> = Vec::new();
        for (key, value) in table.iter_mut() {
            let name = key.get_ref().to_string();
            let property = properties.and_then(|p| p.get(&name));
            let value_schema = match (property, additional) {
                (Some(property), _) => property,
                (None, Some(extra)) if extra.is_object() => extra,
                _ => {
                    self.unknown_key(&name, key.span(), properties, path);
                    pruned.push(name);
                    continue;
                }
            };
            path.push(Step::Key(name.clone()));
            let keep = self.check_value(value, value_schema, path);
            path.pop();
            if !keep {
                self.pruned.push(Pruned {
                    table: dotted(path),
                    meant: Some(name.clone()),
                });
                pruned.push(name);
            }
        }
        for name in &pruned {
            table.remove(name.as_str());
        }
        self.missing_keys(table, schema, properties, &pruned, path, anchor);
    }

    /// Reports a key the table's schema does not know, and records it as pruned.
    fn unknown_key(
        &mut self,
        name: &str,
        span: std::ops::Range<usize>,
        properties: Option<&serde_json::Map<String, Json>>,
        path: &[Step],
    ) {
        let known: Vec<&str> = properties
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut problem = Problem::error(
            "campaign::unknown-key",
            format!("unknown key `{name}` in {}", table_name(path)),
        )
        .at(self.source, span, "unknown key");
        let meant = did_you_mean(name, known.iter().copied());
        problem = match meant {
            Some(close) => problem.help(format!("did you mean `{close}`?")),
            None => problem.help(format!(
                "the keys of {} are {}",
                table_name(path),
                backticked_list(&known)
            )),
        };
        self.problems.push(problem);
        self.pruned.push(Pruned {
            table: dotted(path),
            meant: meant.map(str::to_owned),
        });
    }

    /// Reports each required key absent from the table, unless it was just pruned or
    /// reported as misspelt.
    fn missing_keys(
        &mut self,
        table: &DeTable<'_>,
        schema: &'a Json,
        properties: Option<&'a serde_json::Map<String, Json>>,
        pruned: &[String],
        path: &[Step],
        anchor: &std::ops::Range<usize>,
    ) {
        let required = schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten();
        let table_path = dotted(path);
        for name in required.filter_map(Json::as_str) {
            // A misspelling of it was just reported with "did you mean": once is enough.
            let misspelt = self
                .pruned
                .iter()
                .any(|p| p.table == table_path && p.meant.as_deref() == Some(name));
            if table.contains_key(name) || pruned.iter().any(|p| p == name) || misspelt {
                continue;
            }
            let property = properties.and_then(|p| p.get(name));
            let mut problem = Problem::error(
                "campaign::missing-key",
                format!("{} is missing the required key `{name}`", table_name(path)),
            )
            .at(self.source, anchor.clone(), format!("add `{name}` here"));
            if let Some(help) =
                property.and_then(|p| description(self.resolve(p)).or_else(|| description(p)))
            {
                problem = problem.help(format!("`{name}`: {help}"));
            }
            self.problems.push(problem);
        }
    }
}

fn description(schema: &Json) -> Option<String> {
    schema
        .get("description")
        .and_then(Json::as_str)
        .map(|d| d.replace('\n', " "))
}

fn type_phrase(json_type: &str) -> &'static str {
    match json_type {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "an array",
        "object" => "a table",
        _ => "something else",
    }
}

fn article(toml_type: &str) -> String {
    match toml_type {
        "integer" | "array" => format!("an {toml_type}"),
        _ => format!("a {toml_type}"),
    }
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn backticked_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the value at `path` (table keys from the root) stands in the file, if it is there.
pub(super) fn span_of(
    root: &Spanned<DeTable<'_>>,
    path: &[&str],
) -> Option<std::ops::Range<usize>> {
    let (last, tables) = path.split_last()?;
    let mut table = root.get_ref();
    for key in tables {
        match table.get(*key)?.get_ref() {
            DeValue::Table(inner) => table = inner,
            _ => return None,
        }
    }
    table.get(*last).map(Spanned::span)
}

/// How a table is named in messages: `[recipients]`, `[[prompt]] #2`, the top level.
fn table_name(path: &[Step]) -> String {
    match path {
        [] => "the top level".to_string(),
        [.., Step::Key(key), Step::Index(i)] if path.len() == 2 => format!("[[{key}]] #{}", i + 1),
        _ => format!("[{}]", dotted(path)),
    }
}

/// How a value is named in messages: `window` in [recipients].
fn describe(path: &[Step]) -> String {
    match path.split_last() {
        Some((Step::Key(key), [])) => format!("`{key}`"),
        Some((Step::Key(key), parent)) => format!("`{key}` in {}", table_name(parent)),
        Some((Step::Index(i), parent)) => format!("item {} of {}", i + 1, describe(parent)),
        None => "the file".to_string(),
    }
}

fn dotted(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{}]", i + 1)),
        }
    }
    out
}
