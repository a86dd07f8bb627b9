//! Loopback HTTP tests: every request has a client timeout, every sandbox is shut down.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::*;
use crate::provider::voiceshot::reply::{parse_command_reply, parse_query_reply};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Calls stay pending unless a test asks for outcomes.
fn config() -> SandboxConfig {
    SandboxConfig {
        dial_delay: Duration::from_secs(3600),
        seed: 7,
        ..SandboxConfig::default()
    }
}

fn client_with(timeout: Duration) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .build()
        .unwrap()
}

fn post(sb: &Sandbox, xml: &str) -> reqwest::Result<(u16, String)> {
    post_with(&client_with(TIMEOUT), sb, xml)
}

fn post_with(
    client: &reqwest::blocking::Client,
    sb: &Sandbox,
    xml: &str,
) -> reqwest::Result<(u16, String)> {
    let resp = client
        .post(sb.url())
        .header("Content-Type", "text/xml")
        .body(xml.to_owned())
        .send()?;
    let status = resp.status().as_u16();
    Ok((status, resp.text()?))
}

/// Posts and returns the errorid of a 200 command reply.
fn errorid(sb: &Sandbox, xml: &str) -> u32 {
    let (status, body) = post(sb, xml).unwrap();
    assert_eq!(status, 200, "{body}");
    parse_command_reply(body.as_bytes()).unwrap().errorid
}

fn send_calls(menuid: &str, callids: &[&str]) -> String {
    let numbers: String = callids
        .iter()
        .enumerate()
        .map(|(i, c)| format!(r#"<phonenumber number="81855501{i:02}" callid="{c}"/>"#))
        .collect();
    format!(
        r#"<campaign menuid="{menuid}" action="0" callerid="8185550199"><prompts><prompt promptid="1" tts="Server down."/><prompt promptid="2" tts="Press 1."/></prompts><phonenumbers>{numbers}</phonenumbers></campaign>"#
    )
}

fn statuses(sb: &Sandbox) -> Vec<(String, CallStatus)> {
    sb.calls()
        .into_iter()
        .map(|c| (c.callid, c.status))
        .collect()
}

fn wav_bytes() -> Vec<u8> {
    let data = [0u8, 0, 16, 0, 32, 0, 16, 0];
    let mut w = Vec::new();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&[1, 0, 1, 0]); // PCM, mono
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&16000u32.to_le_bytes());
    w.extend_from_slice(&[2, 0, 16, 0]);
    w.extend_from_slice(b"data");
    w.extend_from_slice(&(data.len() as u32).to_le_bytes());
    w.extend_from_slice(&data);
    w
}

fn upload(name: &str, content: &str) -> String {
    format!(
        r#"<campaign action="1"><file xmlns:dt="urn:schemas-microsoft-com:datatypes" dt:dt="bin.base64" filename="{name}" fileaction="save">{content}</file></campaign>"#
    )
}

/// Sends raw bytes on one connection and reads until the server closes or `timeout`.
fn raw_exchange(sb: &Sandbox, request: &[u8]) -> String {
    let mut s = TcpStream::connect_timeout(&sb.addr(), TIMEOUT).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn action_0_stores_calls_with_merged_prompts() {
    let sb = Sandbox::start(config()).unwrap();
    let xml = r#"<campaign menuid="1-1234" action="0" callerid="8185550199">
      <prompts><prompt promptid="1" tts="Web server 1 is down." /><prompt promptid="3" filename="greeting.wav" transferto="8185550123"/></prompts>
      <phonenumbers>
        <phonenumber number="8185550100" callid="a1" />
        <phonenumber number="8185550117" callid="a2" callerid="8185550198" dateandtime="1/1/2003 3:00 PM" ext="101">
          <prompts><prompt promptid="1" tts="Hello &amp; &lt;Ann&gt;" /></prompts>
        </phonenumber>
      </phonenumbers>
    </campaign>"#;
    let (status, body) = post(&sb, xml).unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, r#"<campaign errorid="0" comment="ok"/>"#);
    let calls = sb.calls();
    assert_eq!(calls.len(), 2);
    let (a, b) = (&calls[0], &calls[1]);
    assert_eq!(
        (a.menuid.as_str(), a.number.as_str(), a.callid.as_str()),
        ("1-1234", "8185550100", "a1")
    );
    assert_eq!(a.callerid.as_deref(), Some("8185550199"));
    assert_eq!(a.status, CallStatus::Pending);
    assert_eq!(a.request, 1);
    assert_eq!(a.prompts.len(), 2);
    assert_eq!(a.prompts[1].transferto.as_deref(), Some("8185550123"));
    assert_eq!(b.callerid.as_deref(), Some("8185550198"));
    assert_eq!(b.dateandtime.as_deref(), Some("1/1/2003 3:00 PM"));
    assert_eq!(b.ext.as_deref(), Some("101"));
    assert_eq!(
        b.prompts[0].tts.as_deref(),
        Some("Hello & <Ann>"),
        "per-number prompt wins"
    );
    assert_eq!(b.prompts[1].filename.as_deref(), Some("greeting.wav"));
    assert!(a.seq < b.seq);
    assert_eq!(sb.requests(), 1);
    sb.shutdown();
}

#[test]
fn action_1_saves_and_deletes_sound_files() {
    let sb = Sandbox::start(config()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(wav_bytes());
    // Wrapped with stray spaces, as in the documented example.
    let wrapped = format!("{}\n {}", &b64[..20], &b64[20..]);
    assert_eq!(errorid(&sb, &upload("hello.wav", &wrapped)), 0);
    assert_eq!(sb.sound_files(), ["hello.wav"]);
    // Unpadded, as the documented example is.
    let unpadded = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&wav_bytes()[..44]);
    assert_eq!(errorid(&sb, &upload("short.wav", &unpadded)), 0);
    assert_eq!(sb.sound_files(), ["hello.wav", "short.wav"]);
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="1"><file filename="short.wav" fileaction="delete"/></campaign>"#
        ),
        0
    );
    let delete =
        r#"<campaign action="1"><file filename="hello.wav" fileaction="delete"/></campaign >"#;
    assert_eq!(errorid(&sb, delete), 0);
    assert!(sb.sound_files().is_empty());

    let not_wav =
        base64::engine::general_purpose::STANDARD.encode(b"ID3\x03 this is an mp3 honestly");
    assert_eq!(errorid(&sb, &upload("x.wav", &not_wav)), 21);
    assert_eq!(errorid(&sb, &upload("x.wav", "!!!not base64!!!")), 21);
    assert_eq!(errorid(&sb, &upload("x.wav", "")), 21);
    assert_eq!(errorid(&sb, &upload("", &b64)), 13);
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="1"><file fileaction="save">UklGRg==</file></campaign>"#
        ),
        13
    );
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="1"><file filename="a.wav" fileaction="load"/></campaign>"#
        ),
        20
    );
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="1"><file filename="a.wav"/></campaign>"#
        ),
        20
    );
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="1"><file filename="../a.wav" fileaction="delete"/></campaign>"#
        ),
        20
    );
    assert_eq!(errorid(&sb, r#"<campaign action="1"/>"#), 20);
    assert!(sb.sound_files().is_empty());
    sb.shutdown();
}

#[test]
fn action_2_deletes_only_undialled_calls() {
    let sb = Sandbox::start(config()).unwrap();
    assert_eq!(
        errorid(&sb, &send_calls("1-1234", &["001", "002", "003"])),
        0
    );
    assert_eq!(errorid(&sb, &send_calls("1-9", &["001"])), 0);
    let delete = r#"<campaign action="2" menuid="1-1234"><phonenumbers><phonenumber callid="001" /><phonenumber callid="002" /></phonenumbers></campaign>"#;
    assert_eq!(errorid(&sb, delete), 0);
    let s = statuses(&sb);
    assert_eq!(s[0], ("001".into(), CallStatus::Deleted));
    assert_eq!(s[1], ("002".into(), CallStatus::Deleted));
    assert_eq!(s[2], ("003".into(), CallStatus::Pending));
    assert_eq!(
        s[3],
        ("001".into(), CallStatus::Pending),
        "other menuid untouched"
    );
    let query = r#"<campaign action="3" menuid="1-1234"><phonenumbers><phonenumber callid="" /></phonenumbers></campaign>"#;
    let (_, body) = post(&sb, query).unwrap();
    let q = parse_query_reply(body.as_bytes()).unwrap();
    assert_eq!(
        q.calls
            .iter()
            .map(|c| c.callid.as_str())
            .collect::<Vec<_>>(),
        ["003"]
    );
    // A delete must name its calls.
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="2" menuid="1-1234"><phonenumbers><phonenumber callid=""/></phonenumbers></campaign>"#
        ),
        6
    );
    assert_eq!(
        errorid(&sb, r#"<campaign action="2" menuid="1-1234"/>"#),
        16
    );
    sb.shutdown();

    // Dialled calls stay.
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        ..config()
    })
    .unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1234", &["001"])), 0);
    let delete = r#"<campaign action="2" menuid="1-1234"><phonenumbers><phonenumber callid="001" /></phonenumbers></campaign>"#;
    assert_eq!(errorid(&sb, delete), 0);
    assert_ne!(sb.calls()[0].status, CallStatus::Deleted);
    sb.shutdown();
}

#[test]
fn action_3_returns_the_documented_shape() {
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        success_rate: 1.0,
        ..config()
    })
    .unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1234", &["g1", "g1", "g2"])), 0);
    assert_eq!(errorid(&sb, &send_calls("1-5", &["g1"])), 0);
    let query = |callid: &str| {
        let xml = format!(
            r#"<campaign action="3" menuid="1-1234"><phonenumbers><phonenumber callid="{callid}" /></phonenumbers></campaign>"#
        );
        let (status, body) = post(&sb, &xml).unwrap();
        assert_eq!(status, 200);
        assert!(
            body.starts_with(r#"<campaign menuid="1-1234"><phonenumbers>"#),
            "{body}"
        );
        parse_query_reply(body.as_bytes()).unwrap()
    };
    let group = query("g1");
    assert_eq!(group.errorid, None);
    assert_eq!(group.calls.len(), 2, "a reused callid is a group");
    for call in &group.calls {
        assert_eq!(call.status, "Successful");
        assert!(call.comment == "Human Answer" || call.comment == "Answering Machine");
        assert!(call.duration.unwrap() > 0);
        assert_eq!(
            call.keypresses.iter().map(|k| k.0).collect::<Vec<_>>(),
            [1, 2]
        );
        assert!(call.dateandtime.ends_with('M'), "{}", call.dateandtime);
    }
    assert_eq!(query("").calls.len(), 3);
    assert!(query("nosuch").calls.is_empty());
    let all = r#"<campaign action="3" menuid="1-1234"/>"#;
    assert_eq!(
        parse_query_reply(post(&sb, all).unwrap().1.as_bytes())
            .unwrap()
            .calls
            .len(),
        3
    );
    assert_eq!(errorid(&sb, r#"<campaign action="3"/>"#), 5);
    sb.shutdown();
}

#[test]
fn action_6_and_refusals() {
    let sb = Sandbox::start(config()).unwrap();
    assert_eq!(errorid(&sb, r#"<campaign action="6" />"#), 0);
    sb.shutdown();

    let sb = Sandbox::start(SandboxConfig {
        refuse_all: true,
        ..config()
    })
    .unwrap();
    let (_, body) = post(&sb, r#"<campaign action="6" />"#).unwrap();
    let reply = parse_command_reply(body.as_bytes()).unwrap();
    assert_eq!(reply.errorid, 1);
    assert!(reply.comment.contains("not registered"));
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a"])), 1);
    assert_eq!(errorid(&sb, "garbage"), 1, "the IP check comes first");
    assert!(sb.calls().is_empty());
    sb.shutdown();

    let sb = Sandbox::start(SandboxConfig {
        credentials: Some(("u".into(), "p&w".into())),
        ..config()
    })
    .unwrap();
    assert_eq!(errorid(&sb, r#"<campaign action="6" />"#), 1);
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="6" username="u" password="wrong"/>"#
        ),
        1
    );
    assert_eq!(
        errorid(
            &sb,
            r#"<campaign action="6" username="u" password="p&amp;w"/>"#
        ),
        0
    );
    sb.shutdown();
}

#[test]
fn actions_7_and_8_pause_and_resume() {
    let sb = Sandbox::start(config()).unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1234", &["a"])), 0);
    assert_eq!(errorid(&sb, &send_calls("1-9", &["z"])), 0);
    assert_eq!(
        errorid(&sb, r#"<campaign menuid="1-1234" action="7" />"#),
        0
    );
    assert_eq!(errorid(&sb, &send_calls("1-1234", &["b"])), 0);
    let s = statuses(&sb);
    assert_eq!(
        s,
        [
            ("a".into(), CallStatus::Paused),
            ("z".into(), CallStatus::Pending),
            ("b".into(), CallStatus::Paused)
        ]
    );
    // A paused call can still be deleted.
    let delete = r#"<campaign action="2" menuid="1-1234"><phonenumbers><phonenumber callid="b"/></phonenumbers></campaign>"#;
    assert_eq!(errorid(&sb, delete), 0);
    assert_eq!(
        errorid(&sb, r#"<campaign menuid="1-1234" action="8" />"#),
        0
    );
    let s = statuses(&sb);
    assert_eq!(
        s,
        [
            ("a".into(), CallStatus::Pending),
            ("z".into(), CallStatus::Pending),
            ("b".into(), CallStatus::Deleted)
        ]
    );
    assert_eq!(errorid(&sb, &send_calls("1-1234", &["c"])), 0);
    assert_eq!(sb.calls()[3].status, CallStatus::Pending);
    assert_eq!(errorid(&sb, r#"<campaign action="7" />"#), 5);
    assert_eq!(errorid(&sb, r#"<campaign action="8" menuid="x"/>"#), 5);
    sb.shutdown();
}

#[test]
fn paused_calls_do_not_dial_until_resumed() {
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::ZERO,
        ..config()
    })
    .unwrap();
    assert_eq!(errorid(&sb, r#"<campaign menuid="1-1" action="7" />"#), 0);
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a"])), 0);
    assert_eq!(sb.calls()[0].status, CallStatus::Paused);
    assert_eq!(errorid(&sb, r#"<campaign menuid="1-1" action="8" />"#), 0);
    assert!(!sb.calls()[0].status.is_undialled());
    sb.shutdown();
}

#[test]
fn documented_error_codes() {
    let sb = Sandbox::start(config()).unwrap();
    let ok_number = r#"<phonenumbers><phonenumber number="8185550100"/></phonenumbers>"#;
    let cases: Vec<(String, u32)> = vec![
        ("".into(), 3),
        ("<campaign action=\"0\"".into(), 3),
        ("<campaign action=\"6\"></prompts>".into(), 3),
        ("not xml at all".into(), 3),
        ("<prompt action=\"6\"/>".into(), 18),
        ("<campaign/>".into(), 4),
        ("<campaign action=\"\"/>".into(), 4),
        ("<campaign action=\"nine\"/>".into(), 4),
        ("<campaign action=\"4\"/>".into(), 4),
        ("<campaign action=\"42\"/>".into(), 4),
        (format!(r#"<campaign action="0">{ok_number}</campaign>"#), 5),
        (format!(r#"<campaign action="0" menuid="abc">{ok_number}</campaign>"#), 5),
        (format!(r#"<campaign action="0" menuid="1-">{ok_number}</campaign>"#), 5),
        (r#"<campaign action="2"><phonenumbers><phonenumber callid="1"/></phonenumbers></campaign>"#.into(), 5),
        (r#"<campaign action="0" menuid="1-1"/>"#.into(), 8),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers/></campaign>"#.into(), 8),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber callid="x"/></phonenumbers></campaign>"#.into(), 8),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="81855x0100"/></phonenumbers></campaign>"#.into(), 8),
        (format!(r#"<campaign action="0" menuid="1-1" callerid="818555019">{ok_number}</campaign>"#), 9),
        (format!(r#"<campaign action="0" menuid="1-1" callerid="81855501999">{ok_number}</campaign>"#), 9),
        (format!(r#"<campaign action="0" menuid="1-1" callerid="">{ok_number}</campaign>"#), 9),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="8185550100" callerid="818-555-01"/></phonenumbers></campaign>"#.into(), 9),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="8185550100" dateandtime="2026-01-01 09:00"/></phonenumbers></campaign>"#.into(), 10),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="8185550100" dateandtime="2/30/2026 9:00 AM"/></phonenumbers></campaign>"#.into(), 10),
        (format!(r#"<campaign action="0" menuid="1-1"><prompts><prompt tts="x"/></prompts>{ok_number}</campaign>"#), 11),
        (format!(r#"<campaign action="0" menuid="1-1"><prompts><prompt promptid="one" tts="x"/></prompts>{ok_number}</campaign>"#), 11),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="8185550100"><prompts><prompt tts="x"/></prompts></phonenumber></phonenumbers></campaign>"#.into(), 11),
        (format!(r#"<campaign action="0" menuid="1-1"><prompts><prompt promptid="1" tts=""/></prompts>{ok_number}</campaign>"#), 12),
        (format!(r#"<campaign action="0" menuid="1-1"><prompts><prompt promptid="1" filename=""/></prompts>{ok_number}</campaign>"#), 13),
        (format!(r#"<campaign action="0" menuid="1-1"><prompts><phonenumber/></prompts>{ok_number}</campaign>"#), 14),
        (format!(r#"<campaign action="0" menuid="1-1"><prompt promptid="1" tts="x"/>{ok_number}</campaign>"#), 15),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><prompt promptid="1"/></phonenumbers></campaign>"#.into(), 16),
        (r#"<campaign action="0" menuid="1-1"><phonenumber number="8185550100"/></campaign>"#.into(), 17),
        (r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="8185550100" callid="has space"/></phonenumbers></campaign>"#.into(), 6),
    ];
    for (xml, code) in &cases {
        assert_eq!(errorid(&sb, xml), *code, "{xml}");
    }
    assert!(sb.calls().is_empty(), "no refused post stores anything");
    // A post is all or nothing: one bad number refuses the whole post.
    let mixed = r#"<campaign action="0" menuid="1-1"><phonenumbers><phonenumber number="8185550100"/><phonenumber number=""/></phonenumbers></campaign>"#;
    assert_eq!(errorid(&sb, mixed), 8);
    assert!(sb.calls().is_empty());
    assert_eq!(sb.requests() as usize, cases.len() + 1);
    sb.shutdown();
}

#[test]
fn fault_fail_first_stores_nothing() {
    let sb = Sandbox::start(SandboxConfig {
        faults: "fail-first=2".parse().unwrap(),
        ..config()
    })
    .unwrap();
    for _ in 0..2 {
        let (status, _) = post(&sb, &send_calls("1-1", &["a"])).unwrap();
        assert_eq!(status, 500);
    }
    assert!(sb.calls().is_empty());
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a"])), 0);
    assert_eq!(sb.calls().len(), 1);
    assert_eq!(sb.calls()[0].request, 3);
    sb.shutdown();
}

#[test]
fn fault_reset_before_body_stores_nothing() {
    let sb = Sandbox::start(SandboxConfig {
        faults: "reset=2".parse().unwrap(),
        ..config()
    })
    .unwrap();
    let client = client_with(TIMEOUT);
    assert_eq!(
        post_with(&client, &sb, &send_calls("1-1", &["a"]))
            .unwrap()
            .0,
        200
    );
    let err = post_with(&client, &sb, &send_calls("1-1", &["b"])).unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(statuses(&sb), [("a".into(), CallStatus::Pending)]);
    assert_eq!(sb.requests(), 2, "the client did not silently retry");
    assert_eq!(
        post_with(&client, &sb, &send_calls("1-1", &["c"]))
            .unwrap()
            .0,
        200
    );
    assert_eq!(sb.calls().len(), 2);
    sb.shutdown();
}

#[test]
fn reset_is_a_real_rst() {
    let sb = Sandbox::start(SandboxConfig {
        faults: "reset=1".parse().unwrap(),
        ..config()
    })
    .unwrap();
    let body = send_calls("1-1", &["a"]);
    let req = format!(
        "POST /ivrapi.asp HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut s = TcpStream::connect_timeout(&sb.addr(), TIMEOUT).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = [0u8; 64];
    let err = s.read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    assert!(sb.calls().is_empty());
    sb.shutdown();
}

#[test]
fn fault_drop_after_stores_then_hangs_up() {
    let sb = Sandbox::start(SandboxConfig {
        faults: "drop=1".parse().unwrap(),
        ..config()
    })
    .unwrap();
    let err = post(&sb, &send_calls("1-1", &["a", "b"])).unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(
        sb.calls().len(),
        2,
        "the calls exist although the client never heard back"
    );
    assert_eq!(sb.requests(), 1);
    assert_eq!(errorid(&sb, &send_calls("1-1", &["c"])), 0);
    sb.shutdown();
}

#[test]
fn fault_error_after_stores_then_500() {
    let sb = Sandbox::start(SandboxConfig {
        faults: "error=2".parse().unwrap(),
        ..config()
    })
    .unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a"])), 0);
    let (status, _) = post(&sb, &send_calls("1-1", &["b"])).unwrap();
    assert_eq!(status, 500);
    assert_eq!(sb.calls().len(), 2);
    sb.shutdown();
}

#[test]
fn fault_delay_slows_replies_after_storing() {
    let sb = Sandbox::start(SandboxConfig {
        faults: "delay=300ms".parse().unwrap(),
        ..config()
    })
    .unwrap();
    let started = Instant::now();
    assert_eq!(errorid(&sb, r#"<campaign action="6"/>"#), 0);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let err = post_with(
        &client_with(Duration::from_millis(100)),
        &sb,
        &send_calls("1-1", &["a"]),
    )
    .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(
        sb.calls().len(),
        1,
        "a timed-out post may still have been taken"
    );
    sb.shutdown();
}

#[test]
fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let cfg = SandboxConfig {
        state_file: Some(path.clone()),
        ..config()
    };
    let sb = Sandbox::start(cfg.clone()).unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a", "b"])), 0);
    let b64 = base64::engine::general_purpose::STANDARD.encode(wav_bytes());
    assert_eq!(errorid(&sb, &upload("hello.wav", &b64)), 0);
    assert_eq!(errorid(&sb, r#"<campaign menuid="1-2" action="7"/>"#), 0);
    let before = sb.calls();
    sb.shutdown();
    assert!(path.exists());
    assert!(!dir.path().join("state.json.tmp").exists());

    let sb = Sandbox::start(cfg.clone()).unwrap();
    assert_eq!(sb.calls(), before);
    assert_eq!(sb.sound_files(), ["hello.wav"]);
    assert_eq!(errorid(&sb, &send_calls("1-2", &["c"])), 0);
    let after = sb.calls();
    assert_eq!(after[2].status, CallStatus::Paused, "the pause survived");
    assert!(after[2].seq > before[1].seq, "sequence numbers continue");
    sb.shutdown();

    std::fs::write(&path, b"{ not json").unwrap();
    let err = Sandbox::start(cfg).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
}

#[test]
fn chunked_and_keep_alive_on_one_connection() {
    let sb = Sandbox::start(config()).unwrap();
    let body = send_calls("1-1", &["a"]);
    let (first, rest) = body.split_at(20);
    let mut req = format!(
        "POST /ivrapi.asp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n{:x};ext=1\r\n{rest}\r\n0\r\n\r\n",
        first.len(),
        rest.len()
    );
    let six = r#"<campaign action="6"/>"#;
    req.push_str(&format!("POST /ivrapi.asp HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{six}", six.len()));
    let out = raw_exchange(&sb, req.as_bytes());
    assert_eq!(out.matches("HTTP/1.1 200 OK").count(), 2, "{out}");
    assert_eq!(
        out.matches(r#"<campaign errorid="0" comment="ok"/>"#)
            .count(),
        2,
        "{out}"
    );
    assert_eq!(sb.calls().len(), 1);
    sb.shutdown();
}

#[test]
fn chunked_body_from_reqwest() {
    let sb = Sandbox::start(config()).unwrap();
    let body = send_calls("1-1", &["a", "b"]).into_bytes();
    let resp = client_with(TIMEOUT)
        .post(sb.url())
        .body(reqwest::blocking::Body::new(std::io::Cursor::new(body)))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        parse_command_reply(&resp.bytes().unwrap()).unwrap().errorid,
        0
    );
    assert_eq!(sb.calls().len(), 2);
    sb.shutdown();
}

#[test]
fn http_edges() {
    let sb = Sandbox::start(SandboxConfig {
        max_body: 100,
        ..config()
    })
    .unwrap();
    let status = |raw: &[u8]| {
        let out = raw_exchange(&sb, raw);
        out.get(..12).unwrap_or(&out).to_owned()
    };
    // Over the cap: by Content-Length before the body is read, or as a chunked body arrives.
    assert_eq!(
        status(b"POST /ivrapi.asp HTTP/1.1\r\nContent-Length: 101\r\n\r\n"),
        "HTTP/1.1 413"
    );
    let mut chunked =
        b"POST /ivrapi.asp HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n".to_vec();
    chunked.extend([b'a'; 0x65]);
    chunked.extend(b"\r\n0\r\n\r\n");
    assert_eq!(status(&chunked), "HTTP/1.1 413");
    assert_eq!(
        status(b"GET /ivrapi.asp HTTP/1.1\r\nConnection: close\r\n\r\n"),
        "HTTP/1.1 405"
    );
    assert_eq!(
        status(b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"),
        "HTTP/1.1 404"
    );
    // Malformed heads and framings are refused, and nothing reaches the API.
    for bad in [
        &b"BLAH\r\n\r\n"[..],
        b"POST /ivrapi.asp HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        b"POST /ivrapi.asp HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"POST /ivrapi.asp HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /ivrapi.asp HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /ivrapi.asp HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
    ] {
        assert_eq!(status(bad), "HTTP/1.1 400", "{}", String::from_utf8_lossy(bad));
    }
    let mut big = b"POST /ivrapi.asp HTTP/1.1\r\nX: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 1 << 20));
    big.extend_from_slice(b"\r\n\r\n");
    assert_eq!(status(&big), "HTTP/1.1 431");
    assert!(sb.calls().is_empty());
    // HTTP/1.0 without keep-alive, as the PHP SDK sends it.
    let six = r#"<campaign action="6"/>"#;
    let req = format!(
        "POST /ivrapi.asp HTTP/1.0\r\nContent-Length: {}\r\n\r\n{six}",
        six.len()
    );
    let started = Instant::now();
    let out = raw_exchange(&sb, req.as_bytes());
    assert!(
        out.starts_with("HTTP/1.0 200 OK") && out.ends_with(r#"errorid="0" comment="ok"/>"#),
        "{out}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "the server closed the connection after its reply"
    );
    // Expect: 100-continue gets its interim response.
    let req = format!(
        "POST /ivrapi.asp HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{six}",
        six.len()
    );
    let out = raw_exchange(&sb, req.as_bytes());
    assert!(
        out.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"),
        "{out}"
    );
    sb.shutdown();
}

/// Both Content-Length and Transfer-Encoding: the request-smuggling shape. hyper reads the
/// body by Transfer-Encoding alone and closes the connection after its reply (RFC 9112
/// §6.3), so whatever the Content-Length would have framed as a second request is never
/// served.
#[test]
fn both_framings_cannot_smuggle_a_request() {
    let sb = Sandbox::start(config()).unwrap();
    let six = r#"<campaign action="6"/>"#;
    let smuggled = format!(
        "POST /ivrapi.asp HTTP/1.1\r\nContent-Length: {}\r\n\r\n{six}",
        six.len()
    );
    let req = format!(
        "POST /ivrapi.asp HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{six}\r\n0\r\n\r\n{smuggled}",
        six.len()
    );
    let out = raw_exchange(&sb, req.as_bytes());
    assert_eq!(out.matches("HTTP/1.1 ").count(), 1, "{out}");
    assert!(out.contains("Connection: close"), "{out}");
    assert_eq!(sb.requests(), 1, "the second request was never read");
    sb.shutdown();
}

#[test]
fn outcomes_follow_success_rate_and_seed() {
    let callids: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    let ids: Vec<&str> = callids.iter().map(String::as_str).collect();
    let run = |rate: f64, seed: u64| {
        let sb = Sandbox::start(SandboxConfig {
            dial_delay: Duration::ZERO,
            success_rate: rate,
            seed,
            ..config()
        })
        .unwrap();
        assert_eq!(errorid(&sb, &send_calls("1-1", &ids)), 0);
        let calls = sb.calls();
        sb.shutdown();
        calls
    };
    let none = run(0.0, 1);
    assert!(
        none.iter()
            .all(|c| c.status == CallStatus::Unsuccessful && c.keypresses.is_empty())
    );
    assert!(
        none.iter()
            .all(|c| c.comment == "No Answer" || c.comment == "Busy")
    );
    assert!(
        none.iter()
            .all(|c| c.duration == Some(0) && c.dialled_at.is_some())
    );
    let all = run(1.0, 1);
    assert!(
        all.iter()
            .all(|c| c.status == CallStatus::Successful && c.keypresses.len() == 2)
    );
    assert!(all.iter().any(|c| c.comment == "Human Answer"));
    let outcome = |calls: &[SandboxCall]| {
        calls
            .iter()
            .map(|c| {
                (
                    c.status,
                    c.comment.clone(),
                    c.duration,
                    c.keypresses.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        outcome(&run(0.5, 42)),
        outcome(&run(0.5, 42)),
        "same seed, same outcomes"
    );
    let mixed = run(0.5, 42);
    assert!(mixed.iter().any(|c| c.status == CallStatus::Successful));
    assert!(mixed.iter().any(|c| c.status == CallStatus::Unsuccessful));

    // Pending until the dial delay has passed.
    let sb = Sandbox::start(SandboxConfig {
        dial_delay: Duration::from_millis(200),
        ..config()
    })
    .unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a"])), 0);
    assert_eq!(sb.calls()[0].status, CallStatus::Pending);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!sb.calls()[0].status.is_undialled());
    sb.shutdown();
}

#[test]
fn concurrent_posts_are_each_stored_once() {
    let sb = Sandbox::start(config()).unwrap();
    let url = sb.url();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (url, barrier) = (url.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let ids: Vec<String> = (0..5).map(|i| format!("t{t}n{i}")).collect();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let client = client_with(TIMEOUT);
                barrier.wait();
                let resp = client
                    .post(url)
                    .body(send_calls("1-1", &ids))
                    .send()
                    .unwrap();
                assert_eq!(resp.status().as_u16(), 200);
                parse_command_reply(&resp.bytes().unwrap()).unwrap().errorid
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 0);
    }
    let calls = sb.calls();
    assert_eq!(calls.len(), 40);
    let mut ids: Vec<&str> = calls.iter().map(|c| c.callid.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40);
    let mut seqs: Vec<u64> = calls.iter().map(|c| c.seq).collect();
    seqs.dedup();
    assert_eq!(seqs.len(), 40);
    let mut requests: Vec<u32> = calls.iter().map(|c| c.request).collect();
    requests.sort_unstable();
    requests.dedup();
    assert_eq!(requests, (1..=8).collect::<Vec<_>>());
    assert_eq!(sb.requests(), 8);
    sb.shutdown();
}

#[test]
fn inspection_endpoints_and_remote_shutdown() {
    let sb = Sandbox::start(config()).unwrap();
    assert_eq!(errorid(&sb, &send_calls("1-1", &["a"])), 0);
    let base = format!("http://{}", sb.addr());
    let client = client_with(TIMEOUT);
    let get_json = |path: &str| {
        client
            .get(format!("{base}{path}"))
            .send()
            .unwrap()
            .bytes()
            .unwrap()
    };
    let calls: Vec<SandboxCall> = serde_json::from_slice(&get_json("/_sandbox/calls")).unwrap();
    assert_eq!(calls, sb.calls());
    let health: serde_json::Value = serde_json::from_slice(&get_json("/_sandbox/health")).unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "ok", "requests": 1, "calls": 1})
    );

    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        sb.wait();
        let _ = tx.send(());
    });
    let resp = client
        .post(format!("{base}/_sandbox/shutdown"))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    rx.recv_timeout(TIMEOUT)
        .expect("wait() returns after a remote shutdown");
    waiter.join().unwrap();
    assert!(
        client
            .get(format!("{base}/_sandbox/health"))
            .send()
            .is_err()
    );
}

#[test]
fn shutdown_closes_idle_keep_alive_connections() {
    let sb = Sandbox::start(config()).unwrap();
    let client = client_with(TIMEOUT);
    assert_eq!(
        post_with(&client, &sb, r#"<campaign action="6"/>"#)
            .unwrap()
            .0,
        200
    );
    // The client's pooled connection is idle now; shutdown must not wait for it to go away.
    let started = Instant::now();
    sb.shutdown();
    assert!(started.elapsed() < Duration::from_secs(2));
    // A shutdown handle from another thread works the same way.
    let sb = Sandbox::start(config()).unwrap();
    let handle = sb.shutdown_handle();
    std::thread::spawn(move || handle.shutdown())
        .join()
        .unwrap();
    let started = Instant::now();
    sb.wait();
    assert!(started.elapsed() < Duration::from_secs(2));
}
