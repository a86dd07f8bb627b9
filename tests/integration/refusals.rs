//! A refusal from each provider, shown with the provider's own words beside outdial's
//! explanation: in the human output, in the JSON `failed` line and in the journal. Goldens,
//! against each provider's sandbox on loopback.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use outdial::provider::{voicent, voiceshot, voipcomm};

use crate::support::{repo, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_outdial");

/// `outdial send FILE --endpoint URL --yes` in `dir`, human and then JSON, with the
/// credentials given; the refusal of each, and the journal's last outcome line.
fn refused(dir: &Path, file: &str, url: &str, env: &[(&str, &str)], campaign: &str) -> String {
    let mut out = String::new();
    for json in [false, true] {
        let mut c = Command::new(BIN);
        if json {
            c.args(["--format", "json"]);
        }
        c.args(["send", file, "--endpoint", url, "--yes", "--timeout", "5s"])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100");
        for (k, v) in env {
            c.env(k, v);
        }
        let run = c.output().expect("outdial runs");
        let stdout = String::from_utf8(run.stdout).unwrap();
        let stderr = String::from_utf8(run.stderr).unwrap();
        let code = run.status.code().unwrap_or(-1);
        assert!(matches!(code, 3 | 5), "exit {code}: {stdout}{stderr}");
        if json {
            let failed = stdout
                .lines()
                .find(|l| l.contains(r#""type":"failed""#))
                .unwrap_or_else(|| panic!("no failed line: {stdout}"));
            let v: serde_json::Value = serde_json::from_str(failed).unwrap();
            assert!(v["provider_message"].is_string(), "{failed}");
            out += &format!("== json (exit {code})\n{failed}\n");
        } else {
            out += &format!("== human (exit {code})\n{stderr}");
        }
    }
    let journal = std::fs::read_to_string(dir.join(format!(".outdial/{campaign}.jsonl"))).unwrap();
    let outcome = journal
        .lines()
        .rfind(|l| l.contains(r#""outcome":"rejected""#))
        .unwrap_or_else(|| panic!("the refusal is not in the journal: {journal}\n{out}"));
    let mut v: serde_json::Value = serde_json::from_str(outcome).unwrap();
    assert!(v["provider_message"].is_string(), "{outcome}");
    for key in ["at", "attempt", "hash", "prev", "endpoint"] {
        if let Some(obj) = v.as_object_mut() {
            obj.remove(key);
        }
    }
    out += &format!("== journal\n{v}\n");
    out.replace(url, "http://127.0.0.1:PORT")
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, crate::support::any_hour(body)).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn voiceshot_refusal_keeps_its_comment() {
    // Post 1 of each run is `send`'s lookup; post 2 its call post.
    let sb = voiceshot::sandbox::Sandbox::start(voiceshot::sandbox::SandboxConfig {
        faults: "refuse=2+4".parse().unwrap(),
        ..Default::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = write(
        dir.path(),
        "refused",
        "[campaign]\nname = \"refused\"\nprovider = \"voiceshot\"\n\n[voiceshot]\nmenuid = \"1-1234\"\n\n[[prompt]]\nid = 1\ntts = \"Hello\"\n\n[recipients]\nnumbers = [\"8185550100\"]\n",
    );
    let shown = refused(dir.path(), &file, &sb.url(), &[], "refused");
    assert!(
        shown.contains("campaign not found in this account (deleted 11/30/2026)"),
        "{shown}"
    );
    insta::assert_snapshot!("refusal-voiceshot", shown.replace(&file, "refused.toml"));
}

#[test]
fn voicent_refusal_keeps_its_page() {
    let sb = voicent::sandbox::Sandbox::start(voicent::sandbox::SandboxConfig {
        faults: "refuse=1+2".parse().unwrap(),
        minute: Duration::from_secs(60),
        dial_delay: Duration::from_secs(3600),
        ..Default::default()
    })
    .unwrap();
    let dir = tempdir();
    let file = write(
        dir.path(),
        "refused",
        "[campaign]\nname = \"refused\"\nprovider = \"voicent\"\n\n[voicent]\nrequests_per_second = 1000\n\n[[prompt]]\nid = 1\ntts = \"Hello\"\n\n[recipients]\nnumbers = [\"8185550100\"]\n",
    );
    let shown = refused(dir.path(), &file, &sb.url(), &[], "refused");
    assert!(
        shown.contains("line for this number is out of service"),
        "{shown}"
    );
    insta::assert_snapshot!("refusal-voicent", shown.replace(&file, "refused.toml"));
    assert!(sb.taken().is_empty(), "a refused request schedules nothing");
}

#[test]
fn voipcomm_refusal_keeps_its_code_desc() {
    let sb = voipcomm::sandbox::Sandbox::start(voipcomm::sandbox::SandboxConfig {
        credentials: Some(("key".into(), "pass".into())),
        ..Default::default()
    })
    .unwrap();
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("sounds")).unwrap();
    std::fs::copy(
        repo().join("examples/sounds/hello.wav"),
        dir.path().join("sounds/hello.wav"),
    )
    .unwrap();
    let body = std::fs::read_to_string(repo().join("examples/voipcomm-bridge.toml"))
        .unwrap()
        .replace("connecting-you.wav", "connect?id=3")
        .replace("callback-requests", "refused");
    let file = write(dir.path(), "refused", &body);
    let env = [
        ("VOIPCOMM_API_KEY", "key"),
        ("VOIPCOMM_API_PASSWORD", "pass"),
    ];
    let shown = refused(dir.path(), &file, &sb.url(), &env, "refused");
    assert!(
        shown.contains("answer_play must be the URL of a WAV or MP3 file"),
        "{shown}"
    );
    assert!(!shown.contains("pass\""), "{shown}");
    insta::assert_snapshot!("refusal-voipcomm", shown.replace(&file, "refused.toml"));
}
