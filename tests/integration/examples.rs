//! The examples: golden XML for every example and action, every post valid against the XSD,
//! and each documented VoiceShot example reproduced element for element.

use std::path::{Path, PathBuf};

use crate::support::{Element, files_in, have_xmllint, outdial, parse_xml, repo, tempdir, xmllint};

const ACTIONS: [&str; 9] = [
    "send",
    "sounds",
    "sounds-delete",
    "delete",
    "query",
    "query-all",
    "ping",
    "pause",
    "resume",
];

fn examples() -> Vec<PathBuf> {
    let mut list: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.strip_prefix(repo()).unwrap().to_path_buf())
        .collect();
    list.sort();
    list
}

/// The examples that compile to VoiceShot XML (the others name another provider).
fn voiceshot_examples() -> Vec<PathBuf> {
    examples()
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(repo().join(p)).unwrap();
            !text.contains("\nprovider = ")
        })
        .collect()
}

#[test]
fn every_example_checks_clean() {
    let list = examples();
    assert!(list.len() >= 7, "{list:?}");
    for example in list {
        let run = outdial([Path::new("check"), &example]);
        assert_eq!(run.code, 0, "{}: {}", example.display(), run.stderr);
        assert!(
            run.stderr.is_empty(),
            "{}: no warnings expected: {}",
            example.display(),
            run.stderr
        );
    }
}

/// Each example has its own campaign name, so its own journal and call ids: two sharing one
/// made a `send` of the second refuse with "the campaign changed".
#[test]
fn no_two_examples_share_a_campaign_name() {
    let mut seen: std::collections::BTreeMap<String, PathBuf> = Default::default();
    for example in examples() {
        let text = std::fs::read_to_string(repo().join(&example)).unwrap();
        let table: toml::Table = text.parse().unwrap();
        let name = table["campaign"]["name"].as_str().unwrap().to_owned();
        if let Some(first) = seen.insert(name.clone(), example.clone()) {
            panic!(
                "{} and {} are both \"{name}\"",
                first.display(),
                example.display()
            );
        }
    }
    assert!(seen.len() >= 12, "{seen:?}");
}

#[test]
fn golden_xml_for_every_example_and_action() {
    for example in voiceshot_examples() {
        let mut golden = String::new();
        for action in ACTIONS {
            let run = outdial([
                Path::new("compile"),
                &example,
                Path::new("--action"),
                Path::new(action),
            ]);
            assert_eq!(
                run.code,
                0,
                "{} --action {action}: {}",
                example.display(),
                run.stderr
            );
            golden.push_str(&format!("===== --action {action}\n{}", run.stdout));
        }
        let name = example.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, golden);
    }
}

#[test]
fn every_compiled_post_validates_against_the_xsd() {
    if !have_xmllint() {
        return;
    }
    let dir = tempdir();
    let mut files = Vec::new();
    for example in voiceshot_examples() {
        for action in ACTIONS {
            let out = dir.path().join(format!(
                "{}-{action}",
                example.file_stem().unwrap().to_string_lossy()
            ));
            let run = outdial([
                "compile".as_ref(),
                example.as_os_str(),
                "--action".as_ref(),
                action.as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
            ]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            files.extend(files_in(&out));
        }
    }
    assert!(files.len() >= 50, "{} posts", files.len());
    xmllint(&files)
        .unwrap_or_else(|err| panic!("posts do not match schemas/voiceshot-campaign.xsd:\n{err}"));
}

#[test]
fn the_xsd_rejects_what_voiceshot_would() {
    if !have_xmllint() {
        return;
    }
    let dir = tempdir();
    let cases = [
        (
            "bad-number",
            r#"<campaign menuid="1-1" action="0"><phonenumbers><phonenumber number="1185550100"/></phonenumbers></campaign>"#,
        ),
        (
            "bad-callid",
            r#"<campaign menuid="1-1" action="2"><phonenumbers><phonenumber callid="a-1"/></phonenumbers></campaign>"#,
        ),
        ("bad-action", r#"<campaign menuid="1-1" action="5"/>"#),
        (
            "bad-date",
            r#"<campaign menuid="1-1" action="0"><phonenumbers><phonenumber number="8185550100" dateandtime="2026-12-01 09:00"/></phonenumbers></campaign>"#,
        ),
        (
            "prompts-after-numbers",
            r#"<campaign menuid="1-1" action="0"><phonenumbers><phonenumber number="8185550100"/></phonenumbers><prompts><prompt promptid="1" tts="x"/></prompts></campaign>"#,
        ),
        (
            "bad-base64",
            r#"<campaign action="1"><file filename="a.wav" fileaction="save">not base64!</file></campaign>"#,
        ),
    ];
    for (name, xml) in cases {
        let path = dir.path().join(format!("{name}.xml"));
        std::fs::write(&path, xml).unwrap();
        assert!(xmllint(&[path]).is_err(), "{name} should be rejected");
    }
}

/// Drops what the comparison ignores: call ids the documented send example does not have,
/// and the base64 of uploads (the page's file is not ours).
fn normalise(mut el: Element, documented: &Element) -> Element {
    if el.name == "phonenumber" && !documented.attrs.contains_key("callid") {
        el.attrs.remove("callid");
    }
    if el.name == "file" {
        assert_eq!(
            el.text.is_empty(),
            documented.text.is_empty(),
            "file content presence"
        );
        el.text.clear();
    }
    let children = el
        .children
        .drain(..)
        .zip(&documented.children)
        .map(|(c, d)| normalise(c, d))
        .collect();
    el.children = children;
    el
}

fn strip_text(mut el: Element) -> Element {
    if el.name == "file" {
        el.text.clear();
    }
    el.children = el.children.into_iter().map(strip_text).collect();
    el
}

#[test]
fn documented_examples_are_reproduced_element_for_element() {
    let cases = [
        ("outage-alert", "examples/outage-alert.toml", "send"),
        (
            "per-number-prompts",
            "examples/per-number-prompts.toml",
            "send",
        ),
        ("pause", "examples/pause.toml", "pause"),
        ("delete-pending", "examples/delete-pending.toml", "delete"),
        ("sound-upload", "examples/sound-upload.toml", "sounds"),
        (
            "sound-delete",
            "examples/sound-upload.toml",
            "sounds-delete",
        ),
        ("query", "examples/query.toml", "query-all"),
    ];
    for (doc, example, action) in cases {
        let documented = parse_xml(
            &std::fs::read_to_string(
                repo().join(format!("tests/fixtures/voiceshot-docs/{doc}.xml")),
            )
            .unwrap(),
        );
        let run = outdial(["compile", example, "--action", action]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let ours = parse_xml(&run.stdout);
        assert_eq!(
            ours.children.len(),
            documented.children.len(),
            "{doc}: same children"
        );
        assert_eq!(
            normalise(ours, &documented),
            strip_text(documented),
            "{doc}"
        );
    }
}

#[test]
fn uploads_decode_to_the_exact_file_bytes() {
    use base64::Engine;
    let run = outdial([
        "compile",
        "examples/sound-upload.toml",
        "--action",
        "sounds",
    ]);
    assert_eq!(run.code, 0);
    let doc = parse_xml(&run.stdout);
    let file = &doc.children[0];
    assert_eq!(file.attrs["dt:dt"], "bin.base64");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&file.text)
        .expect("valid base64");
    assert_eq!(
        bytes,
        std::fs::read(repo().join("examples/sounds/hello.wav")).unwrap()
    );
}
