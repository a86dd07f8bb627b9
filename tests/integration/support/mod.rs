//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::Reader;
use quick_xml::events::Event;

/// The repository root (tests run the CLI from here so paths in output are short and stable).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a CLI run produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The moment golden outputs are made at: fixtures schedule calls on fixed dates, and a
/// golden output must not change when the calendar passes them.
pub const NOW: &str = "2026-06-01T00:00:00Z";

/// Runs `outdial ARGS…` from the repository root with deterministic rendering, at [`NOW`]
/// unless the arguments say `--now`.
pub fn outdial<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().into()).collect();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_outdial"));
    cmd.args(&args).args(yes_if_sending(&args));
    if !args.iter().any(|a| a == "--now") && args.first().is_some_and(|a| a != "schema") {
        cmd.args(["--now", NOW]);
    }
    let output = cmd
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("outdial runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `--yes` when `args` are a real `send` (not a dry run) that does not say it already: a real
/// send asks first unless told not to, and refuses without a terminal to ask on.
pub fn yes_if_sending<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Option<&'static str> {
    let has = |flag: &str| args.iter().any(|a| a.as_ref() == flag);
    // `send` the command, not `compile --action send`.
    let sends = args.iter().enumerate().any(|(i, a)| {
        a.as_ref() == "send"
            && (i == 0
                || !["--action", "-a"]
                    .iter()
                    .any(|f| args[i - 1].as_ref() == *f))
    });
    (sends && !has("--dry-run") && !has("--yes")).then_some("--yes")
}

/// An XML element as a plain tree, for comparing documents structurally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<Element>,
    pub text: String,
}

/// Parses one XML document with quick-xml's reader (unescaping attributes and text);
/// whitespace-only text between elements is dropped.
pub fn parse_xml(xml: &str) -> Element {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => stack.push(element(&start)),
            Event::Empty(start) => {
                let el = element(&start);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().expect("balanced");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(text) => {
                // Only base64 text occurs in outdial's posts, so no entity references.
                let text = text.xml10_content();
                if let (Some(el), false) = (stack.last_mut(), text.trim().is_empty()) {
                    el.text.push_str(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements");
    root.expect("a root element")
}

fn element(start: &quick_xml::events::BytesStart<'_>) -> Element {
    let name = start.name().as_ref().to_string();
    let attrs = start
        .attributes()
        .map(|a| {
            let a = a.expect("attribute parses");
            let key = a.key.as_ref().to_string();
            // Attribute-value normalisation as any XML 1.0 parser (VoiceShot's) applies it.
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("attribute unescapes")
                .into_owned();
            (key, value)
        })
        .collect();
    Element {
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
    }
}

/// Whether `xmllint` can be run. On CI (`CI` set) it must be: `.ci/run` installs it.
pub fn have_xmllint() -> bool {
    have_tool("xmllint", "libxml2-utils", "schema validation not run")
}

/// Whether the command `tool` (from the Debian package `package`) can be run. On CI (`CI`
/// set) it must be, so a test never passes there by skipping; locally a missing tool is a
/// visible skip that says what did not run (`skipped`).
#[allow(clippy::print_stderr)]
pub fn have_tool(tool: &str, package: &str, skipped: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required on CI (.ci/run installs {package})"
        );
        eprintln!("SKIPPED: {tool} is not installed (apt-get install {package}); {skipped}");
    }
    found
}

/// Validates files against `schemas/voiceshot-campaign.xsd`; returns xmllint's stderr on failure.
pub fn xmllint(files: &[PathBuf]) -> Result<(), String> {
    let output = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(repo().join("schemas/voiceshot-campaign.xsd"))
        .args(files)
        .output()
        .expect("xmllint runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A campaign's text made to ring at any hour (`window = "always"` in `[recipients]`): a test
/// that sends at the real clock must not depend on the hour it runs at, as the default
/// calling hours (08:00-21:00 recipient-local) refuse Los Angeles numbers by day in UTC.
pub fn any_hour(text: &str) -> String {
    let is_window = |line: &str| line.trim_start().starts_with("window") && line.contains('=');
    let has_window = text.lines().any(is_window);
    let mut out = String::with_capacity(text.len() + 32);
    let mut placed = false;
    for line in text.lines() {
        if is_window(line) {
            out.push_str("window = \"always\"\n");
            placed = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if line.trim() == "[recipients]" && !has_window {
            out.push_str("window = \"always\"\n");
            placed = true;
        }
    }
    if !placed {
        out.push_str("\n[recipients]\nwindow = \"always\"\n");
    }
    out
}

/// `example` (a file of examples/, with its sounds) copied into a fresh directory, made to
/// ring at any hour ([`any_hour`]).
pub fn example_in(example: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let file = dir.path().join(example);
    let text = std::fs::read_to_string(repo().join("examples").join(example)).unwrap();
    std::fs::write(&file, any_hour(&text)).unwrap();
    let sounds = dir.path().join("sounds");
    std::fs::create_dir_all(&sounds).unwrap();
    std::fs::copy(
        repo().join("examples/sounds/hello.wav"),
        sounds.join("hello.wav"),
    )
    .unwrap();
    (dir, file)
}

/// Lists `dir`'s files sorted by name.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// Parses JSON Lines output, one value per line.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// `outdial ARGS` run in `dir`, through the state store at `state` when given, without
/// provider credentials or colour.
pub fn outdial_in(dir: &Path, state: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_outdial"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("OUTDIAL_STATE")
        .env_remove("VOICESHOT_USERNAME")
        .env_remove("VOICESHOT_PASSWORD")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    if let Some(state) = state {
        cmd.env("OUTDIAL_STATE", state);
    }
    cmd.output().unwrap()
}

/// The first JSON Lines record of `out`'s stdout of type `kind`; without one, the test fails
/// showing the output.
pub fn record(out: &std::process::Output, kind: &str) -> serde_json::Value {
    json_lines(&String::from_utf8_lossy(&out.stdout))
        .into_iter()
        .find(|l| l["type"] == kind)
        .unwrap_or_else(|| {
            panic!(
                "no {kind} record: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// Validates every JSON Lines record of `stdout` against `schemas/result.schema.json` (the one
/// schema of `query` and `report` alike) and gives how many are of type `kind`.
pub fn valid_records(stdout: &str, kind: &str) -> usize {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("schemas/result.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut n = 0;
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&record)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{line}\n{}", errors.join("\n"));
        n += usize::from(record["type"] == kind);
    }
    n
}

mod pg;
#[allow(unused_imports)]
pub use pg::{Cluster, pg};
