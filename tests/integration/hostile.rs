//! Every command that talks to a provider, against hostile loopback servers: pages that echo
//! the request (credentials included) cut anywhere, credentials in an endpoint's userinfo,
//! replies nested a million deep, and a post that arrives after the client gave up.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

use crate::support::Run;

const BIN: &str = env!("CARGO_BIN_EXE_outdial");

/// One request as the hostile server read it.
pub struct Request {
    /// The request line and headers, as sent.
    pub head: String,
    /// The body.
    pub body: Vec<u8>,
}

impl Request {
    /// The whole request as text: what an echoing page quotes.
    pub fn text(&self) -> String {
        format!("{}\r\n{}", self.head, String::from_utf8_lossy(&self.body))
    }
}

/// A loopback HTTP server answering every request with `reply(request)`: `(status, body)`,
/// one request per connection. It lives as long as the test process.
pub struct Hostile {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    pub fn start(reply: impl Fn(&Request) -> (u16, Vec<u8>) + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let reply = Arc::new(reply);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (reply, log) = (reply.clone(), log.clone());
                std::thread::spawn(move || serve(stream, &*reply, &log));
            }
        });
        Hostile { url, seen }
    }

    /// The heads of the requests received so far.
    pub fn heads(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, reply: &dyn Fn(&Request) -> (u16, Vec<u8>), log: &Mutex<Vec<String>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    log.lock().unwrap().push(head.clone());
    let (status, page) = reply(&Request { head, body });
    if status == 0 {
        // No answer at all: hold the connection until the client gives up.
        std::thread::sleep(Duration::from_secs(5));
        return;
    }
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} Hostile\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        page.len()
    );
    let _ = stream.write_all(&page);
    let _ = stream.flush();
}

/// Runs `outdial ARGS…` in `dir` with exactly the environment `env` (plus PATH and NO_COLOR).
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(BIN)
        .args(args)
        .args(crate::support::yes_if_sending(args))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .envs(env.iter().copied())
        .output()
        .expect("outdial runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `example` copied into a fresh directory, ringing at any hour.
fn campaign_in(example: &str) -> (tempfile::TempDir, PathBuf) {
    crate::support::example_in(example)
}

/// Every file under `dir` (journal, store, saved outputs), as text.
fn files_text(dir: &Path) -> String {
    let mut out = String::new();
    for entry in walk(dir) {
        if let Ok(bytes) = std::fs::read(&entry) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The first 4-character run of any of `secrets` in `text`.
fn leak<'a>(text: &str, secrets: &'a [String]) -> Option<&'a str> {
    secrets.iter().find_map(|s| {
        s.as_bytes()
            .windows(4)
            .filter_map(|w| std::str::from_utf8(w).ok())
            .find(|run| text.contains(run))
            .map(|_| s.as_str())
    })
}

/// A provider's campaign, credentials, and the commands that talk to it.
struct Target {
    example: &'static str,
    env: Vec<(&'static str, &'static str)>,
    commands: &'static [&'static str],
}

const VS_USER: &str = "vsUser7Qx";
const VS_PASSWORD: &str = "Tr0ubadour4Horse&<9";
const VC_KEY: &str = "acct42Zq";
const VC_PASSWORD: &str = "Sup3rS3cretPa55w0rd";
const URL_USER: &str = "gwUser9K";
const URL_PASSWORD: &str = "gwPa55Wd%40xJ";
const URL_PASSWORD_DECODED: &str = "gwPa55Wd@xJ";

fn targets() -> Vec<Target> {
    vec![
        Target {
            example: "outage-alert.toml",
            env: vec![
                ("VOICESHOT_USERNAME", VS_USER),
                ("VOICESHOT_PASSWORD", VS_PASSWORD),
            ],
            commands: &["send", "ping", "query", "pause", "resume", "delete"],
        },
        Target {
            example: "voicent-text.toml",
            env: Vec::new(),
            commands: &["send", "ping"],
        },
        Target {
            example: "voipcomm-reminder.toml",
            env: vec![
                ("VOIPCOMM_API_KEY", VC_KEY),
                ("VOIPCOMM_API_PASSWORD", VC_PASSWORD),
            ],
            // (Its `delete` needs a URL the campaign configures; `query` reads the journal.
            // The send asks for the scheduled-calls list after a post in doubt.)
            commands: &["send"],
        },
    ]
}

/// Every secret of the canary runs, and the forms a server sees them in.
fn canaries() -> Vec<String> {
    let b64 =
        |u: &str, p: &str| base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
    vec![
        VS_USER.into(),
        VS_PASSWORD.into(),
        "Tr0ubadour4Horse&amp;&lt;9".into(),
        VC_KEY.into(),
        VC_PASSWORD.into(),
        b64(VC_KEY, VC_PASSWORD),
        URL_USER.into(),
        URL_PASSWORD.into(),
        URL_PASSWORD_DECODED.into(),
        b64(URL_USER, URL_PASSWORD_DECODED),
    ]
}

/// What the canary's server answers next: its status, and how many filler characters come
/// before the echo (the next request gets one more, up to 300, then 0 again).
#[derive(Clone, Copy)]
struct Page {
    status: u16,
    cut: usize,
}

/// `example` in a fresh directory with 298 more recipients, for providers that post one
/// call a request (each post of a send then meets the next cut position), paced as fast as
/// the provider allows.
fn many_in(example: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, file) = campaign_in(example);
    let mut text = std::fs::read_to_string(&file).unwrap();
    if example.starts_with("voicent") {
        text = text.replace("[voicent]\n", "[voicent]\nrequests_per_second = 1000\n");
    }
    if !example.starts_with("outage") {
        for i in 0..298 {
            let area = ["213", "310", "415"][i / 100];
            text.push_str(&format!(
                "\n[[recipient]]\nnumber = \"+1 {area} 555 01{:02}\"\ncallid = \"many{i}\"\nvars = {{ name = \"N\", day = \"Monday\", time = \"9 AM\" }}\n",
                i % 100
            ));
        }
    }
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

/// The canary: every command that talks to a provider, against pages that echo the whole
/// request (headers and body) after `cut` filler characters, for every `cut` from 0 to 300,
/// as an error page (500) and as an answer the reader cannot read (200). Credentials come
/// from the environment and from the endpoint's userinfo. No 4-character run of any secret
/// may appear in stdout, stderr (with `-v` traces) or any file written (journal, store).
///
/// Coverage: each request gets the next cut position. A command is run (human and JSON
/// output in turn, `-v` always) until its requests have met the cut positions up to 300
/// with each status: commands whose posts are safe to repeat meet all 301 in one run
/// (`--retries 300`, each failure shown in a "retrying" line); so does a send of one call a
/// request (voip-communications.net, 301 recipients), and Voicent's send with HTTP 500,
/// where every call is left in doubt and the send goes on. A command the answer ends
/// (VoiceShot's send, a post and its lookup a run; every command's unreadable HTTP 200; Voicent's
/// send with HTTP 200, a refusal) is run once per position: every position for every command.
/// A run is one short process (the zone table no longer reads every zone at start-up), so the
/// ~2,100 runs stay near a minute on two idle cores.
#[test]
#[allow(clippy::print_stderr)] // How long it took, for whoever runs it with --nocapture.
fn canary_no_part_of_a_secret_appears_anywhere_at_any_cut() {
    let targets = targets();
    let mut jobs = Vec::new();
    for (t, target) in targets.iter().enumerate() {
        for &command in target.commands {
            for status in [500, 200] {
                jobs.push((t, command, status));
            }
        }
    }
    let started = Instant::now();
    let jobs = Mutex::new(jobs.into_iter());
    let runs = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| canary_worker(&targets, &jobs, &runs));
        }
    });
    eprintln!(
        "canary: {} runs in {:?}",
        runs.load(Ordering::SeqCst),
        started.elapsed()
    );
}

#[allow(clippy::print_stderr)] // Each pair's runs and time, for --nocapture.
fn canary_worker(
    targets: &[Target],
    jobs: &Mutex<impl Iterator<Item = (usize, &'static str, u16)>>,
    runs: &AtomicUsize,
) {
    let secrets = canaries();
    let page = Arc::new(Mutex::new(Page {
        status: 500,
        cut: 0,
    }));
    let next = page.clone();
    let server = Hostile::start(move |r| {
        let mut p = next.lock().unwrap();
        let body = format!("{}{}", "x".repeat(p.cut), r.text());
        let status = p.status;
        p.cut = (p.cut + 1) % 301;
        (status, body.into_bytes())
    });
    let endpoint = server
        .url
        .replace("http://", &format!("http://{URL_USER}:{URL_PASSWORD}@"));
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{URL_USER}:{URL_PASSWORD_DECODED}"))
    );
    loop {
        let Some((t, command, status)) = jobs.lock().unwrap().next() else {
            return;
        };
        let target = &targets[t];
        let job_started = Instant::now();
        let mut next_cut = 0;
        let mut i = 0;
        while next_cut <= 300 {
            *page.lock().unwrap() = Page {
                status,
                cut: next_cut,
            };
            let before = server.heads().len();
            let (dir, file) = many_in(target.example);
            let f = file.to_str().unwrap();
            let format = if i % 2 == 0 { "human" } else { "json" };
            i += 1;
            let retries = if command == "send" { "0" } else { "300" };
            let mut args = vec![
                command,
                f,
                "-v",
                "--format",
                format,
                "--endpoint",
                &endpoint,
                "--retries",
                retries,
                "--backoff",
                "0s",
                "--timeout",
                "5s",
                "--settle",
                "0s",
            ];
            if command == "send" {
                args.push("--trust-journal");
            }
            let run = run_env(dir.path(), &args, &target.env);
            runs.fetch_add(1, Ordering::SeqCst);
            let everything = format!("{}{}{}", run.stdout, run.stderr, files_text(dir.path()));
            // The temporary folder's random name is in paths the output shows: ".tmpetPaz5"
            // holds "etPa", a run of a secret, by chance (about one run in 25 of 2,100).
            let everything = everything.replace(dir.path().to_str().unwrap(), "DIR");
            let cut = next_cut;
            if let Some(secret) = leak(&everything, &secrets) {
                panic!(
                    "{} {command} (HTTP {status}, cuts from {cut}): part of {secret:?} leaked:\n{}\n{}",
                    target.example, run.stdout, run.stderr
                );
            }
            assert_ne!(run.code, 0, "{} {command}: {}", target.example, run.stderr);
            let heads = server.heads();
            assert!(
                heads.len() > before,
                "{} {command}: nothing reached the server: {}",
                target.example,
                run.stderr
            );
            // The credentials of the userinfo still go to the server, as HTTP Basic.
            assert!(
                heads[before..].iter().all(|h| h.contains(&basic)),
                "{}: {:?}",
                target.example,
                heads.get(before)
            );
            next_cut += heads.len() - before;
        }
        eprintln!(
            "canary: {} {command} HTTP {status}: {i} runs, {:?}",
            target.example,
            job_started.elapsed()
        );
    }
}

/// A reply nested a million deep is an unreadable reply (in doubt for a send), never a
/// crash: VoiceShot's XML replies to send, ping and query, voip-communications.net's JSON.
#[test]
fn replies_nested_a_million_deep_are_unreadable_not_a_crash() {
    let xml = format!("{}{}", "<a>".repeat(1_000_000), "</a>".repeat(1_000_000));
    let json = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
    let xml_server = Hostile::start(move |_| (200, xml.clone().into_bytes()));
    let json_server = Hostile::start(move |_| (200, json.clone().into_bytes()));
    let cases = [
        (
            "outage-alert.toml",
            "send",
            &xml_server,
            "nested deeper than 256",
        ),
        (
            "outage-alert.toml",
            "ping",
            &xml_server,
            "nested deeper than 256",
        ),
        (
            "outage-alert.toml",
            "query",
            &xml_server,
            "nested deeper than 256",
        ),
        ("voipcomm-reminder.toml", "send", &json_server, "in doubt"),
    ];
    for (example, command, server, says) in cases {
        let (dir, file) = campaign_in(example);
        let args = [
            command,
            file.to_str().unwrap(),
            "--endpoint",
            &server.url,
            "--retries",
            "0",
            "--settle",
            "0s",
            "--trust-journal",
        ];
        let run = run_env(dir.path(), &args, &[]);
        assert!(
            matches!(run.code, 3 | 4),
            "{example} {command}: exit {}: {}",
            run.code,
            run.stderr
        );
        assert!(
            run.stderr.contains(says),
            "{example} {command}: {}",
            run.stderr
        );
    }
}

/// Credentials in an endpoint's userinfo go to the server (as HTTP Basic) and nowhere else:
/// not in errors, "retrying on" lines, `-v` traces, nor the journal, which keeps the
/// endpoint without them.
#[test]
fn endpoint_userinfo_is_never_shown_or_journaled() {
    let server = Hostile::start(|r| (503, format!("busy; you sent {}", r.text()).into_bytes()));
    // A port with nothing on it: connecting is refused, so the fallback is tried next.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let with = |url: &str| url.replace("http://", "http://gwuser:gwpass@");
    let primary = with(&format!("http://{closed}"));
    let fallback = with(&server.url);
    for format in ["human", "json"] {
        let (dir, file) = campaign_in("voicent-text.toml");
        let args = [
            "send",
            file.to_str().unwrap(),
            "-v",
            "--format",
            format,
            "--endpoint",
            &primary,
            "--fallback-endpoint",
            &fallback,
            "--retries",
            "1",
            "--backoff",
            "0s",
        ];
        let run = run_env(dir.path(), &args, &[]);
        let journal = files_text(dir.path());
        assert!(run.stderr.contains("***@127.0.0.1"), "{}", run.stderr);
        assert!(
            journal.contains(r#""endpoint":"http://***@127.0.0.1"#),
            "{journal}"
        );
        for shown in [&run.stdout, &run.stderr, &journal] {
            for secret in ["gwpass", "gwuser", "Z3d1c2VyOmd3cGFzcw"] {
                assert!(!shown.contains(secret), "{secret} shown: {shown}");
            }
        }
    }
    let basic = base64::engine::general_purpose::STANDARD.encode("gwuser:gwpass");
    assert!(
        server
            .heads()
            .iter()
            .all(|h| h.contains(&format!("Basic {basic}"))),
        "{:?}",
        server.heads()
    );
}

/// `resolve --not-sent` for a call whose post got no answer is refused until the settle time
/// has passed since the post (a late request could still place the call), saying how long
/// to wait; after it, it is taken.
#[test]
fn resolve_not_sent_waits_the_settle_time_after_the_post() {
    // Takes the request and never answers: the post times out, its call is in doubt.
    let server = Hostile::start(|_| (0, Vec::new()));
    let (dir, file) = campaign_in("voicent-text.toml");
    let f = file.to_str().unwrap();
    let send = [
        "send",
        f,
        "--endpoint",
        &server.url,
        "--timeout",
        "300ms",
        "--retries",
        "0",
    ];
    let run = run_env(dir.path(), &send, &[]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    let journal = dir.path().join(".outdial/voicent-reminder.jsonl");
    let state = outdial::journal::read_state(&journal).unwrap();
    let doubt: Vec<String> = state.in_doubt().into_iter().map(str::to_owned).collect();
    assert!(!doubt.is_empty(), "{}", run.stderr);
    let posted = jiff::Timestamp::now();
    let at = |secs: i64| (posted + jiff::SignedDuration::from_secs(secs)).to_string();
    let resolve = |now: &str, settle: Option<&str>| {
        let mut args = vec!["resolve", f, "--now", now, "--not-sent"];
        args.extend(doubt.iter().map(String::as_str));
        if let Some(s) = settle {
            args.extend(["--settle", s]);
        }
        run_env(dir.path(), &args, &[])
    };
    // The default settle time is 2 minutes (send's, with its default --timeout).
    let early = resolve(&at(30), None);
    assert_eq!(early.code, 64, "{}", early.stderr);
    assert!(early.stderr.contains("posted 30s ago"), "{}", early.stderr);
    assert!(
        early.stderr.contains("wait 1m 30s more"),
        "{}",
        early.stderr
    );
    let still = outdial::journal::read_state(&journal).unwrap();
    assert_eq!(still.in_doubt().len(), doubt.len(), "nothing was settled");
    // A shorter settle time given for a send that used one.
    let short = resolve(&at(30), Some("10s"));
    assert_eq!(short.code, 0, "{}", short.stderr);
    assert!(
        outdial::journal::read_state(&journal)
            .unwrap()
            .in_doubt()
            .is_empty()
    );
}

/// A WAV whose RIFF size is not the file's (a streaming recorder's 0xFFFFFFFF) fails
/// `check`, naming the file and how to write it again, before anything is sent.
#[test]
fn check_refuses_a_wav_whose_riff_size_disagrees_with_the_file() {
    let (dir, file) = campaign_in("sound-upload.toml");
    let wav = dir.path().join("sounds/hello.wav");
    let mut bytes = std::fs::read(&wav).unwrap();
    bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&wav, bytes).unwrap();
    let run = run_env(dir.path(), &["check", file.to_str().unwrap()], &[]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    for says in ["hello.wav", "audio::riff-size", "4294967295", "sox "] {
        assert!(run.stderr.contains(says), "{says}: {}", run.stderr);
    }
}
