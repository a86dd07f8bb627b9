//! The transport's tests, most against a small server of their own on 127.0.0.1: backoff
//! and retries, what counts as not sent, redirects, GET requests, a reply that trickles past
//! the deadline, credentials refused over plain HTTP and kept out of error messages.

use super::*;

#[test]
fn round_waits_double_with_at_most_as_much_again_of_jitter() {
    let waits: Vec<Duration> = round_waits(Duration::from_millis(100), 4).collect();
    assert_eq!(waits.len(), 4, "one wait per retry");
    for (i, wait) in waits.iter().enumerate() {
        let base = Duration::from_millis(100 << i);
        assert!(*wait >= base && *wait <= base * 2, "{i}: {wait:?}");
    }
    let capped: Vec<Duration> = round_waits(Duration::from_secs(40), 3).collect();
    assert!(capped[2] <= MAX_WAIT * 2, "{capped:?}");
    assert!(round_waits(Duration::ZERO, 3).all(|w| w.is_zero()));
    // Seeded per process (backon's `std` feature): two runs do not wait alike. With
    // a fixed seed every client would jitter the same way, which is no jitter at all.
    let a: Vec<Duration> = round_waits(Duration::from_secs(1), 8).collect();
    let b: Vec<Duration> = round_waits(Duration::from_secs(1), 8).collect();
    assert_ne!(a, b);
}

#[test]
fn loopback_detection() {
    assert!(is_loopback("http://127.0.0.1:8080/post"));
    assert!(is_loopback("http://localhost/post"));
    assert!(is_loopback("http://[::1]:9/x"));
    assert!(!is_loopback("http://example.com/post"));
    assert!(!is_loopback("http://10.0.0.1/post"));
}

#[test]
fn credentials_over_plain_http_are_refused() {
    let cfg = |url: &str| TransportConfig {
        endpoints: vec![url.into()],
        ..TransportConfig::default()
    };
    assert!(matches!(
        Transport::new(cfg("http://example.com/post"), true),
        Err(TransportError::Insecure(_))
    ));
    assert!(Transport::new(cfg("http://127.0.0.1:1/post"), true).is_ok());
    assert!(Transport::new(cfg("http://example.com/post"), false).is_ok());
    let mut allowed = cfg("http://example.com/post");
    allowed.allow_insecure = true;
    assert!(Transport::new(allowed, true).is_ok());
}

#[test]
fn refused_connections_are_retried_then_reported_as_not_sent() {
    // A port that was just free: connecting is refused, nothing is sent.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/post");
    let t = Transport::new(
        TransportConfig {
            endpoints: vec![url.clone(), url],
            retries: 1,
            backoff: Duration::from_millis(1),
            timeout: Duration::from_secs(2),
            ..TransportConfig::default()
        },
        false,
    )
    .unwrap();
    let mut retries = 0;
    let err = t
        .post(
            &PostBody::Bytes(b"<campaign/>".to_vec()),
            false,
            &mut |_| retries += 1,
        )
        .unwrap_err();
    assert!(!err.maybe_sent, "{err}");
    assert_eq!(retries, 3);
}

/// A loopback server answering each connection with `reply(request)`, written in pieces
/// `pause` apart; returns its URL and the requests it received.
fn server(
    reply: impl Fn(&str) -> Vec<Vec<u8>> + Send + 'static,
    pause: Duration,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/post", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
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
            let _ = reader.read_exact(&mut body);
            let request = format!("{head}\r\n{}", String::from_utf8_lossy(&body));
            log.lock().unwrap().push(request.clone());
            for piece in reply(&request) {
                if stream.write_all(&piece).is_err() {
                    break;
                }
                let _ = stream.flush();
                std::thread::sleep(pause);
            }
        }
    });
    (url, seen)
}

fn transport(url: &str, timeout: Duration, secrets: Secrets) -> Transport {
    Transport::new(
        TransportConfig {
            endpoints: vec![url.into()],
            retries: 0,
            timeout,
            secrets,
            ..TransportConfig::default()
        },
        false,
    )
    .unwrap()
}

#[test]
fn redirects_are_failures_that_name_the_location_and_are_not_followed() {
    let (recorder, recorded) = server(
        |_| vec![b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec()],
        Duration::ZERO,
    );
    for status in [
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let to = recorder.clone();
        let (url, _) = server(
            move |_| {
                vec![
                    format!("HTTP/1.1 {status}\r\nlocation: {to}\r\ncontent-length: 0\r\n\r\n")
                        .into_bytes(),
                ]
            },
            Duration::ZERO,
        );
        let t = transport(&url, Duration::from_secs(5), Secrets::default());
        let err = t
            .post(
                &PostBody::Bytes(b"<campaign/>".to_vec()),
                false,
                &mut |_| {},
            )
            .unwrap_err();
        assert!(err.maybe_sent, "{err}");
        assert!(err.message.contains(&recorder), "{err}");
        assert!(err.message.contains("no redirect"), "{err}");
    }
    assert!(
        recorded.lock().unwrap().is_empty(),
        "nothing reached the Location"
    );
}

#[test]
fn a_get_carries_the_parameters_in_the_query_and_sends_no_body() {
    // `connection: close`: the test server answers one request a connection and closes
    // it; a kept-alive connection reused for the next request raced that close, and the
    // request failed about once in a few hundred runs ("connection error").
    let (url, seen) = server(
        |_| vec![b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok".to_vec()],
        Duration::ZERO,
    );
    let t = transport(&url, Duration::from_secs(5), Secrets::default());
    let params = PostBody::Bytes(b"callid=c+1%26x".to_vec());
    let reply = t
        .send_to(Method::Get, &params, true, &|e| e.to_owned(), &mut |_| {})
        .unwrap();
    assert_eq!((reply.status, reply.body.as_slice()), (200, &b"ok"[..]));
    let with_query = format!("{url}?team=a");
    t.send_to(
        Method::Get,
        &params,
        true,
        &|_| with_query.clone(),
        &mut |_| {},
    )
    .unwrap();
    t.post(&params, true, &mut |_| {}).unwrap();
    let seen = seen.lock().unwrap();
    assert!(
        seen[0].starts_with("GET /post?callid=c+1%26x HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    assert!(seen[0].ends_with("\r\n\r\n"), "no body: {}", seen[0]);
    assert!(
        !seen[0].to_ascii_lowercase().contains("content-type"),
        "{}",
        seen[0]
    );
    assert!(
        seen[1].starts_with("GET /post?team=a&callid=c+1%26x HTTP/1.1"),
        "{}",
        seen[1]
    );
    // POST stays the default, the parameters in the body.
    assert!(seen[2].starts_with("POST /post HTTP/1.1"), "{}", seen[2]);
    assert!(seen[2].ends_with("\r\n\r\ncallid=c+1%26x"), "{}", seen[2]);
}

#[test]
fn a_trickling_reply_is_cut_off_at_the_deadline() {
    let (url, _) = server(
        |_| {
            let mut pieces = vec![b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n".to_vec()];
            pieces.extend((0..1000).map(|_| b"x".to_vec()));
            pieces
        },
        Duration::from_millis(100),
    );
    let timeout = Duration::from_secs(1);
    let t = transport(&url, timeout, Secrets::default());
    let started = Instant::now();
    let err = t
        .post(&PostBody::Bytes(b"x".to_vec()), false, &mut |_| {})
        .unwrap_err();
    assert!(err.maybe_sent);
    assert!(err.message.contains("did not complete"), "{err}");
    // 1,000 bytes at 10 a second would take 100 s; the exchange ends at the deadline
    // (plus at most one chunk wait).
    assert!(started.elapsed() < 3 * timeout, "{:?}", started.elapsed());
}

#[test]
fn error_pages_that_echo_the_request_do_not_leak_credentials() {
    let (url, _) = server(
        |request| {
            let echo = format!("bad request: {request}");
            vec![
                format!(
                    "HTTP/1.1 400 Bad Request\r\ncontent-length: {}\r\n\r\n{echo}",
                    echo.len()
                )
                .into_bytes(),
            ]
        },
        Duration::ZERO,
    );
    let password = "canary-p&ss 9";
    let secrets = Secrets::new(["user-7", password], Some(("user-7", password)));
    let t = transport(&url, Duration::from_secs(5), secrets);
    let body = format!(
        "<campaign username=\"user-7\" password=\"{}\"/>",
        quick_xml::escape::escape(password)
    );
    let err = t
        .post(&PostBody::Bytes(body.into_bytes()), false, &mut |_| {})
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("HTTP 400"), "{shown}");
    assert!(shown.contains("***"), "{shown}");
    for leak in ["canary", "user-7", "p&amp;ss"] {
        assert!(!shown.contains(leak), "{leak} in {shown}");
    }
}
