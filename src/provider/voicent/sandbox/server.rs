//! The sandbox's HTTP side: one thread per connection, one request per connection
//! (`Connection: close`), form bodies or query strings, the three handlers.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Record, SandboxConfig, State, Taken, gateway_time};
use crate::provider::voicent::{CALL_PATH, REMOVE_PATH, STATUS_PATH};

/// Longest request head or body accepted.
const MAX_REQUEST: u64 = 1 << 20;

pub(super) fn spawn(
    listener: TcpListener,
    cfg: SandboxConfig,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    let cfg = Arc::new(cfg);
    Ok(std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            match listener.accept() {
                Ok((stream, _)) => {
                    let (cfg, state) = (Arc::clone(&cfg), Arc::clone(&state));
                    std::thread::spawn(move || {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                        let _ = serve(stream, &cfg, &state);
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }))
}

struct Request {
    method: String,
    path: String,
    query: String,
    length: u64,
}

fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut buf = Vec::new();
    loop {
        let n = reader
            .by_ref()
            .take(MAX_REQUEST)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if buf.ends_with(b"\r\n\r\n") || buf.ends_with(b"\n\n") {
            break;
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut req = httparse::Request::new(&mut headers);
    if !matches!(req.parse(&buf), Ok(httparse::Status::Complete(_))) {
        return Ok(None);
    }
    let target = req.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let length = req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
        .unwrap_or(0);
    Ok(Some(Request {
        method: req.method.unwrap_or("GET").to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        length,
    }))
}

fn respond(stream: &mut TcpStream, code: u16, body: &str) -> io::Result<()> {
    let reason = match code {
        200 => "OK",
        404 => "Not Found",
        413 => "Payload Too Large",
        _ => "Internal Server Error",
    };
    write!(
        stream,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// The connection is reset (RST), not closed: the client sees a failure mid-request.
fn reset(stream: TcpStream) {
    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
    drop(stream);
}

fn serve(mut stream: TcpStream, cfg: &SandboxConfig, state: &Mutex<State>) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(req) = read_head(&mut reader)? else {
        return Ok(());
    };
    if req.length > MAX_REQUEST {
        return respond(&mut stream, 413, "too large");
    }
    let lock = || state.lock().expect("sandbox state");
    let k = if req.path == CALL_PATH {
        let mut s = lock();
        s.call_requests += 1;
        s.call_requests
    } else {
        0
    };
    let faults = &cfg.faults;
    if k > 0 && faults.reset_before.contains(&k) {
        reset(stream);
        return Ok(());
    }
    let mut body = Vec::new();
    reader.take(req.length).read_to_end(&mut body)?;
    let text = if req.method == "GET" || body.is_empty() {
        req.query.clone()
    } else {
        String::from_utf8_lossy(&body).into_owned()
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let reqid = || field("reqid").and_then(|id| id.trim().parse::<u64>().ok());
    match req.path.as_str() {
        CALL_PATH => {
            if k <= faults.fail_first {
                return respond(&mut stream, 500, "<html><body>Internal error</body></html>");
            }
            if faults.no_reqid.contains(&k) {
                return respond(
                    &mut stream,
                    200,
                    "<html><body><h1>Call Scheduler</h1><p>The request could not be processed.</p></body></html>",
                );
            }
            let kinds = [
                "txt",
                "audiofile",
                "startapp",
                "startexec",
                "startvxml",
                "starturl",
            ];
            let given = kinds.iter().filter(|k| field(k).is_some()).count();
            let phoneno = field("phoneno").unwrap_or("").trim().to_owned();
            if phoneno.is_empty() || given != 1 {
                return respond(
                    &mut stream,
                    200,
                    "<html><body><p>Invalid call request: phoneno and one of txt, audiofile, startapp, startexec are required.</p></body></html>",
                );
            }
            let minutes: u32 = if field("schedule") == Some("t") {
                field("calltime").and_then(|m| m.parse().ok()).unwrap_or(0)
            } else {
                0
            };
            let now = jiff::Timestamp::now();
            let id = {
                let mut s = lock();
                let id = (now.as_millisecond().max(0) as u64).max(s.last_reqid + 1);
                s.last_reqid = id;
                let taken = Taken {
                    reqid: id.to_string(),
                    phoneno,
                    form: form.clone(),
                };
                s.taken.push(taken.clone());
                s.records.insert(
                    id,
                    Record {
                        taken,
                        due: Instant::now() + cfg.minute * minutes,
                        selfdelete: field("selfdelete") == Some("1"),
                        ivr: field("startapp").is_some(),
                        requested: gateway_time(now),
                    },
                );
                id
            };
            if faults.drop_after.contains(&k) {
                let _ = stream.shutdown(Shutdown::Both);
                return Ok(());
            }
            if faults.error_after.contains(&k) {
                return respond(&mut stream, 500, "<html><body>Internal error</body></html>");
            }
            if faults.is_slow(k) {
                std::thread::sleep(faults.delay);
            }
            respond(
                &mut stream,
                200,
                &format!(
                    "<html><body>Your call is scheduled for {}. [ReqId={id}]</body></html>",
                    now.strftime("%a %b %d %H:%M:%S UTC %Y")
                ),
            )
        }
        STATUS_PATH => {
            let page = match reqid() {
                Some(id) => lock().status(id, Instant::now(), cfg.dial_delay),
                None => "ERROR: no such call record: ".to_owned(),
            };
            respond(&mut stream, 200, &page)
        }
        REMOVE_PATH => {
            let page = match reqid() {
                Some(id) if lock().records.remove(&id).is_some() => "[removed]".to_owned(),
                Some(id) => format!("ERROR: no such call record: {id}"),
                None => "ERROR: no such call record: ".to_owned(),
            };
            respond(&mut stream, 200, &page)
        }
        _ => respond(&mut stream, 404, "<html><body>Not found</body></html>"),
    }
}
