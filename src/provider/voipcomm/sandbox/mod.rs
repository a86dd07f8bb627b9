//! A local stand-in for the voip-communications.net make-calls API, for demos, end-to-end
//! and fault tests. Loopback only.
//!
//! - `POST /api-v2/index.php/pcall/call`: Basic auth (when credentials are configured), the
//!   page's validation (HTTP 400 with `code_desc`), JSON replies with unique callids.
//! - `GET|POST /api-v2/index.php/pcall/scheduled`: the scheduled calls,
//!   `{"data": [{"callid", "to", "call_date"}]}`; `GET|POST …/pcall/scheduled/delete` with
//!   `callid=…` (in the query or a form body) deletes one. Both requests are recorded with
//!   their method ([`Sandbox::scheduled_requests`]). The vendor documents that these exist but not their shape: these
//!   paths and shapes are the stand-in's assumption, which outdial's settings point at.
//! - Calls without `call_date` end after `dial_delay` with an outcome chosen by the last digit
//!   of `to` (7: machine, 8: no answer, 9: busy, else a person), then the stand-in POSTs
//!   `callid`, `to`, `status` (Person, Machine, NoAnswer, Busy) and `billed_seconds` as a form
//!   to the call's `callback_url` (loopback URLs only; the shape `listen` reads, see
//!   [`super::callback`]), retrying a failed post a few times. Scheduled calls wait until
//!   deleted.
//! - `GET /_sandbox/calls` (JSON array of [`SandboxCall`]), `POST /_sandbox/shutdown`.
//!
//! Every call is stored before any reply is written, so a fault after that point leaves the
//! client exactly the ambiguity a real one faces.

mod faults;

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header;
use hyper::{Method, Request, Response, StatusCode};
use serde::Serialize;

pub use faults::{Faults, FaultsParseError, Route};

use super::tables;
use crate::http_server::{
    self, BodyError, HangUp, Limits, Reply, Resetter, Stop, closing, response,
};

/// The make-calls path, as on the real host.
pub const CALL_PATH: &str = "/api-v2/index.php/pcall/call";
/// The stand-in's scheduled-calls list.
pub const LIST_PATH: &str = "/api-v2/index.php/pcall/scheduled";
/// The stand-in's scheduled-call delete.
pub const DELETE_PATH: &str = "/api-v2/index.php/pcall/scheduled/delete";

/// How the stand-in behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen; default `127.0.0.1:0`.
    pub addr: SocketAddr,
    /// When set, requests must carry these as HTTP Basic credentials, else 401.
    pub credentials: Option<(String, String)>,
    /// Injected faults.
    pub faults: Faults,
    /// Time from acceptance to the end of an immediate call; default 200 ms.
    pub dial_delay: Duration,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: None,
            faults: Faults::default(),
            dial_delay: Duration::from_millis(200),
        }
    }
}

/// Where a call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    /// Waiting for its `call_date`.
    Scheduled,
    /// Being dialled.
    Dialling,
    /// Finished; see the outcome.
    Ended,
    /// Deleted before it was dialled.
    Deleted,
}

/// Who (or what) answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A person: the `answer_` options ran.
    Person,
    /// Voicemail: the `answermachine_` options ran.
    Machine,
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
}

/// One call the stand-in accepted.
#[derive(Clone, Debug, Serialize)]
pub struct SandboxCall {
    /// The stand-in's unique callid.
    pub callid: String,
    /// The number called.
    pub to: String,
    /// Every parameter as posted.
    pub params: BTreeMap<String, String>,
    /// Where the call stands.
    pub status: CallStatus,
    /// Who answered, once ended.
    pub outcome: Option<Outcome>,
    /// Seconds billed, once ended.
    pub billed_seconds: u32,
    /// The SMS sent when a machine answered.
    pub sms: Option<String>,
    /// Whether the callback was delivered (`None`: none configured, or not yet ended).
    pub callback_delivered: Option<bool>,
    /// Which make-calls request (K) carried it.
    pub request: u32,
    #[serde(skip)]
    due: Option<Instant>,
}

#[derive(Debug)]
struct Shared {
    cfg: SandboxConfig,
    addr: SocketAddr,
    calls: Mutex<Vec<SandboxCall>>,
    requests: AtomicU32,
    /// The faults injected now, and how many requests they have numbered.
    faults: Mutex<(Faults, u32)>,
    /// "METHOD path" of every list and delete request.
    scheduled_requests: Mutex<Vec<String>>,
    stop: Stop,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running stand-in. Dropping it shuts it down.
#[derive(Debug)]
pub struct Sandbox {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds the listener and starts serving.
    pub fn start(cfg: SandboxConfig) -> io::Result<Sandbox> {
        let listener = TcpListener::bind(cfg.addr)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            faults: Mutex::new((cfg.faults.clone(), 0)),
            cfg,
            addr,
            calls: Mutex::new(Vec::new()),
            requests: AtomicU32::new(0),
            scheduled_requests: Mutex::new(Vec::new()),
            stop: Stop::default(),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            // Faults can be injected after the start (`inject`): every connection can be
            // reset.
            let resets = true;
            let stop = shared.stop.clone();
            http_server::spawn(
                "voipcomm-http",
                listener,
                LIMITS,
                resets,
                stop,
                move |reset, request| serve(Arc::clone(&shared), reset, request),
            )?
        };
        let dialler = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("voipcomm-dial".into())
                .spawn(move || dial_loop(&shared))?
        };
        Ok(Sandbox {
            shared,
            threads: vec![acceptor, dialler],
        })
    }

    /// The make-calls URL, `http://127.0.0.1:PORT/api-v2/index.php/pcall/call`.
    pub fn url(&self) -> String {
        self.url_of(CALL_PATH)
    }

    /// The URL of `path` on this stand-in.
    pub fn url_of(&self, path: &str) -> String {
        format!("http://{}{path}", self.shared.addr)
    }

    /// Every call accepted so far, in order.
    pub fn calls(&self) -> Vec<SandboxCall> {
        lock(&self.shared.calls).clone()
    }

    /// "METHOD path" of every scheduled-call list and delete request so far, in order.
    pub fn scheduled_requests(&self) -> Vec<String> {
        lock(&self.shared.scheduled_requests).clone()
    }

    /// Injects `faults` from now on, numbering requests from 1 again (the calls already
    /// taken stay): a test sets up clean, then faults what follows.
    pub fn inject(&self, faults: Faults) {
        *lock(&self.shared.faults) = (faults, 0);
    }

    /// How many requests the faults have numbered since the start or the last
    /// [`inject`](Self::inject).
    pub fn numbered(&self) -> u32 {
        lock(&self.shared.faults).1
    }

    /// How many make-calls POSTs have arrived (faulted ones included).
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Blocks until `POST /_sandbox/shutdown`.
    pub fn wait(mut self) {
        self.join();
    }

    fn join(&mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.shared.stop.stop();
            self.join();
        }
    }
}

/// Ends immediate calls once due and delivers their callbacks (outside the lock: a slow
/// receiver must not hold up the API).
fn dial_loop(shared: &Shared) {
    // Loopback only, so no proxy; a receiver gets 2 s to answer.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build();
    let Ok(client) = client else { return };
    while !shared.stop.is_stopped() {
        thread::sleep(Duration::from_millis(10));
        let now = Instant::now();
        let mut ended = Vec::new();
        {
            let mut calls = lock(&shared.calls);
            for call in calls.iter_mut() {
                if call.status == CallStatus::Dialling && call.due.is_some_and(|d| d <= now) {
                    end(call);
                    if call.params.contains_key("callback_url") {
                        ended.push(call.clone());
                    }
                }
            }
        }
        for call in ended {
            let delivered = deliver_callback(&client, &call);
            if let Some(c) = lock(&shared.calls)
                .iter_mut()
                .find(|c| c.callid == call.callid)
            {
                c.callback_delivered = Some(delivered);
            }
        }
    }
}

/// The outcome a number gets: by its last digit, so tests and demos can pick one.
fn outcome_for(to: &str) -> Outcome {
    match to.bytes().last() {
        Some(b'7') => Outcome::Machine,
        Some(b'8') => Outcome::NoAnswer,
        Some(b'9') => Outcome::Busy,
        _ => Outcome::Person,
    }
}

fn end(call: &mut SandboxCall) {
    let outcome = outcome_for(&call.to);
    call.status = CallStatus::Ended;
    call.outcome = Some(outcome);
    let text_len = |keys: &[&str]| -> u32 {
        keys.iter()
            .filter_map(|k| call.params.get(*k))
            .map(|v| v.len() as u32)
            .sum()
    };
    call.billed_seconds = match outcome {
        // About 15 characters a second of speech, at least 6 seconds.
        Outcome::Person => 6 + text_len(&["answer_speak", "answer_tts"]) / 15,
        Outcome::Machine => 6 + text_len(&["answermachine_speak", "answermachine_tts"]) / 15,
        Outcome::NoAnswer | Outcome::Busy => 0,
    };
    if outcome == Outcome::Machine {
        call.sms = call.params.get("answermachine_sms").cloned();
    }
}

/// POSTs the end of `call` to its callback URL (its query included: outdial names the call
/// there); only to loopback, so the stand-in never reaches out to the network.
fn deliver_callback(client: &reqwest::blocking::Client, call: &SandboxCall) -> bool {
    let Some(url) = call.params.get("callback_url") else {
        return false;
    };
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "http" || !loopback {
        return false;
    }
    let status = match call.outcome {
        Some(Outcome::Person) => "Person",
        Some(Outcome::Machine) => "Machine",
        Some(Outcome::NoAnswer) => "NoAnswer",
        Some(Outcome::Busy) => "Busy",
        None => return false,
    };
    let body = super::form_body(&[
        ("callid", call.callid.clone()),
        ("to", call.to.clone()),
        ("status", status.to_string()),
        ("billed_seconds", call.billed_seconds.to_string()),
    ]);
    let send = || {
        client
            .post(url.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .is_ok_and(|r| r.status().is_success())
    };
    // A receiver that is restarting or busy gets a few more tries, as a real callback sender
    // would retry: listen stores a redelivered callback once.
    let mut wait = Duration::from_millis(200);
    for _ in 1..CALLBACK_TRIES {
        if send() {
            return true;
        }
        thread::sleep(wait);
        wait *= 2;
    }
    send()
}

/// Tries per callback.
const CALLBACK_TRIES: u32 = 4;

/// Longest request body accepted.
const MAX_BODY: usize = 1 << 20;

/// Time a client has to send its request head, and its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// One request per connection: every reply closes it.
const LIMITS: Limits = Limits::sandbox(false, READ_TIMEOUT);

type Page = Response<Full<Bytes>>;

fn respond(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Page {
    closing(response(status, content_type, body))
}

fn json_reply(status: StatusCode, data: serde_json::Value) -> Page {
    respond(
        status,
        "application/json",
        serde_json::json!({ "data": data }).to_string(),
    )
}

async fn serve(shared: Arc<Shared>, reset: Resetter, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let (method, path) = (&parts.method, parts.uri.path());
    let route = match (method.as_str(), path) {
        ("POST", CALL_PATH) => Some(Route::Call),
        ("GET" | "POST", LIST_PATH) => Some(Route::List),
        ("GET" | "POST", DELETE_PATH) => Some(Route::Delete),
        _ => None,
    };
    let call_no = if route == Some(Route::Call) {
        shared.requests.fetch_add(1, Ordering::SeqCst) + 1
    } else {
        0
    };
    let (faults, k) = {
        let mut f = lock(&shared.faults);
        let k = match route {
            Some(r) if f.0.counts(r) => {
                f.1 += 1;
                f.1
            }
            _ => 0,
        };
        (f.0.clone(), k)
    };
    if k > 0 && faults.reset_before.contains(&k) {
        // The connection is reset (RST), not closed: the client sees a failure mid-request.
        reset.arm();
        return Err(HangUp);
    }
    let body = match http_server::read_body(&parts.headers, body, MAX_BODY, READ_TIMEOUT).await {
        Ok(body) => body,
        Err(BodyError::TooLarge) => {
            return Ok(respond(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain",
                "too large",
            ));
        }
        Err(BodyError::TimedOut | BodyError::Broken(_)) => return Err(HangUp),
    };
    if k > 0 && k <= faults.fail_first {
        return Ok(respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "simulated failure: nothing was stored",
        ));
    }
    if k > 0 && faults.late.contains(&k) {
        // Held past the client's patience, then applied: it gave up on a request that holds.
        shared.stop.sleep(faults.late_by).await;
    }
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if path == LIST_PATH || path == DELETE_PATH {
        lock(&shared.scheduled_requests).push(format!("{method} {path}"));
    }
    if let Some(refusal) = route.and_then(|_| auth_refusal(&shared, authorization)) {
        return Ok(refusal);
    }
    let page = match route {
        Some(Route::Call) => match post_call(&shared, &body, call_no) {
            (page, true) => page,
            // Refused by the page's rules: nothing stored, and no fault follows.
            (page, false) => return Ok(page),
        },
        Some(Route::List) => {
            let list: Vec<serde_json::Value> = lock(&shared.calls)
                .iter()
                .filter(|c| c.status == CallStatus::Scheduled)
                .map(|c| {
                    serde_json::json!({
                        "callid": c.callid,
                        "to": c.to,
                        "call_date": c.params.get("call_date"),
                    })
                })
                .collect();
            json_reply(StatusCode::OK, serde_json::Value::Array(list))
        }
        Some(Route::Delete) => {
            let mut form = parse_form(&body);
            form.extend(parse_form(parts.uri.query().unwrap_or("").as_bytes()));
            delete(&shared, form.get("callid").cloned().unwrap_or_default())
        }
        None => return Ok(other(&shared, method, path)),
    };
    // Applied: from here on every fault leaves the client without a clear answer.
    if k > 0 && faults.drop_after.contains(&k) {
        return Err(HangUp);
    }
    if k > 0 && faults.is_slow(k) {
        shared.stop.sleep(faults.delay).await;
    }
    if k > 0 && faults.error_after.contains(&k) {
        return Ok(respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            "simulated failure after storing the call",
        ));
    }
    if k > 0 && faults.garbage_after.contains(&k) {
        return Ok(respond(
            StatusCode::OK,
            "text/html",
            "<html><body>OK</body></html>",
        ));
    }
    Ok(page)
}

/// The scheduled-call delete of the call with this callid: only a call still scheduled.
fn delete(shared: &Shared, id: String) -> Page {
    let mut calls = lock(&shared.calls);
    match calls
        .iter_mut()
        .find(|c| c.callid == id && c.status == CallStatus::Scheduled)
    {
        Some(call) => {
            call.status = CallStatus::Deleted;
            json_reply(
                StatusCode::OK,
                serde_json::json!({"code": 200, "code_desc": "", "callid": id}),
            )
        }
        None => json_reply(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"code": 400, "code_desc": "no scheduled call with this callid", "callid": id}),
        ),
    }
}

/// The stand-in's own requests, and anything else.
fn other(shared: &Shared, method: &Method, path: &str) -> Page {
    match (method.as_str(), path) {
        ("GET", "/_sandbox/calls") => {
            let calls = lock(&shared.calls).clone();
            respond(
                StatusCode::OK,
                "application/json",
                serde_json::to_string(&calls).unwrap_or_default(),
            )
        }
        ("POST", "/_sandbox/shutdown") => {
            // The server lets this reply out before it stops.
            shared.stop.stop();
            respond(StatusCode::OK, "text/plain", "stopping")
        }
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found"),
    }
}

/// The 401 to reply when the request lacks the configured credentials.
fn auth_refusal(shared: &Shared, authorization: Option<&str>) -> Option<Page> {
    let (user, pass) = shared.cfg.credentials.as_ref()?;
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    );
    (authorization != Some(expected.as_str())).then(|| {
        json_reply(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"code": 401, "code_desc": "Invalid API credentials"}),
        )
    })
}

fn parse_form(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The `n`th make-calls post: its reply, and whether the call was stored (not when the
/// page's rules refuse it: a 400).
fn post_call(shared: &Shared, body: &[u8], n: u32) -> (Page, bool) {
    let params = parse_form(body);
    if let Err(desc) = validate(&params) {
        let mut data: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        data.insert("code".into(), 400.into());
        data.insert("code_desc".into(), desc.into());
        let page = json_reply(StatusCode::BAD_REQUEST, serde_json::Value::Object(data));
        return (page, false);
    }
    let scheduled = params.contains_key("call_date");
    let call = SandboxCall {
        callid: callid(n, &params),
        to: params["to"].clone(),
        params: params.clone(),
        status: if scheduled {
            CallStatus::Scheduled
        } else {
            CallStatus::Dialling
        },
        outcome: None,
        billed_seconds: 0,
        sms: None,
        callback_delivered: None,
        request: n,
        due: (!scheduled).then(|| Instant::now() + shared.cfg.dial_delay),
    };
    let id = call.callid.clone();
    lock(&shared.calls).push(call);
    let mut data: serde_json::Map<String, serde_json::Value> = params
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    data.insert("code".into(), 200.into());
    data.insert("code_desc".into(), "".into());
    data.insert("callid".into(), id.into());
    (
        json_reply(StatusCode::OK, serde_json::Value::Object(data)),
        true,
    )
}

/// A callid unique to this stand-in: 27 hex digits like the page's example, from the request
/// number and the number called.
fn callid(k: u32, params: &BTreeMap<String, String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in params["to"].bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{k:011x}{:016x}", hash)
}

/// The page's rules, as a 400 `code_desc` would state them.
fn validate(p: &BTreeMap<String, String>) -> Result<(), String> {
    if let Some(unknown) = p.keys().find(|k| !super::PARAMS.contains(&k.as_str())) {
        return Err(format!("unknown parameter {unknown}"));
    }
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    let to = p.get("to").ok_or("to is required")?;
    if !digits(to) || !(8..=15).contains(&to.len()) {
        return Err("to must be COUNTRY CODE + AREA CODE + NUMBER, digits only".into());
    }
    for key in [
        "from",
        "answer_dial_to",
        "answer_dial_from",
        "answermachine_sms_from",
    ] {
        if p.get(key).is_some_and(|v| !digits(v)) {
            return Err(format!("{key} must be a phone number, digits only"));
        }
    }
    if let Some(date) = p.get("call_date")
        && jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", date).is_err()
    {
        return Err("call_date must be YYYY-MM-DD HH:MM".into());
    }
    if p.get("record").is_some_and(|r| r != "YES" && r != "NO") {
        return Err("record must be YES or NO".into());
    }
    for key in [
        "callback_url",
        "answer_play",
        "answer_dial_tone_url",
        "answermachine_play",
    ] {
        if p.get(key)
            .is_some_and(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            return Err(format!("{key} must be a URL"));
        }
    }
    for key in ["answer_play", "answer_dial_tone_url", "answermachine_play"] {
        let audio = |u: &str| {
            let path = u.split(['?', '#']).next().unwrap_or(u).to_ascii_lowercase();
            path.ends_with(".wav") || path.ends_with(".mp3")
        };
        if p.get(key).is_some_and(|u| !audio(u)) {
            return Err(format!("{key} must be the URL of a WAV or MP3 file"));
        }
    }
    let answers = [
        "answer_play",
        "answer_speak",
        "answer_tts",
        "answer_ivr",
        "answer_dial_to",
    ];
    if !answers.iter().any(|k| p.contains_key(*k)) {
        return Err("at least one of the answer_ options must be provided".into());
    }
    for prefix in ["answer", "answermachine"] {
        if p.contains_key(&format!("{prefix}_speak")) {
            match p.get(&format!("{prefix}_speak_lang")) {
                None => {
                    return Err(format!(
                        "{prefix}_speak_lang is required with {prefix}_speak"
                    ));
                }
                Some(l) if !tables::is_language(l) => {
                    return Err(format!("{prefix}_speak_lang {l} is not supported"));
                }
                _ => {}
            }
        }
        if p.contains_key(&format!("{prefix}_tts")) {
            match p.get(&format!("{prefix}_tts_voice")) {
                None => return Err(format!("{prefix}_tts_voice is required with {prefix}_tts")),
                Some(v) if !tables::is_voice(v) => {
                    return Err(format!("{prefix}_tts_voice {v} is not supported"));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn validation_follows_the_page() {
        let ok = form(&[
            ("to", "18185550100"),
            ("answer_speak", "Hello"),
            ("answer_speak_lang", "en-US"),
        ]);
        assert_eq!(validate(&ok), Ok(()));
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("answer_play", "http://x/a.wav")], "to is required"),
            (
                &[("to", "+18185550100"), ("answer_ivr", "1")],
                "digits only",
            ),
            (&[("to", "18185550100")], "at least one of the answer_"),
            (
                &[("to", "18185550100"), ("answer_speak", "Hi")],
                "answer_speak_lang is required",
            ),
            (
                &[
                    ("to", "18185550100"),
                    ("answer_tts", "Hi"),
                    ("answer_tts_voice", "en-US_Bogus"),
                ],
                "not supported",
            ),
            (
                &[
                    ("to", "18185550100"),
                    ("answer_ivr", "1"),
                    ("call_date", "12/1/2026 9:00"),
                ],
                "call_date",
            ),
            (
                &[
                    ("to", "18185550100"),
                    ("answer_ivr", "1"),
                    ("colour", "red"),
                ],
                "unknown parameter colour",
            ),
        ];
        for (pairs, want) in cases {
            let err = validate(&form(pairs)).unwrap_err();
            assert!(err.contains(want), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn outcomes_follow_the_last_digit() {
        assert_eq!(outcome_for("18185550100"), Outcome::Person);
        assert_eq!(outcome_for("18185550107"), Outcome::Machine);
        assert_eq!(outcome_for("18185550108"), Outcome::NoAnswer);
        assert_eq!(outcome_for("18185550109"), Outcome::Busy);
        let p = form(&[("to", "18185550100")]);
        assert_ne!(callid(1, &p), callid(2, &p));
        assert_eq!(callid(1, &p).len(), 27);
    }
}
