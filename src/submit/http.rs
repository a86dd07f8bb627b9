//! The HTTP transport: one POST of a body a provider encoded (or, where a setting asks for
//! it, a GET with that body as its query), and the retry policy.
//!
//! It knows no provider: the content type and headers come in [`TransportConfig`], the
//! endpoints too.
//!
//! The policy hinges on one question: could the provider have taken the post? A failure to
//! connect (refused, DNS, TLS, connect timeout) means no: it is retried with backoff, on the
//! fallback host too. Anything after the connection was made (timeout, reset, non-2xx, a reply
//! too large or not read in full) means maybe: the caller decides, because re-posting action 0
//! could call people twice.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use reqwest::blocking::{Body, Client};

use crate::provider::{Method, RequestHead};
pub use crate::secret::Secrets;
use crate::secret::redact_userinfo;

/// How the transport behaves.
#[derive(Clone, Debug)]
pub struct TransportConfig {
    /// Endpoints in the order to try them (primary, then fallback).
    pub endpoints: Vec<String>,
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, reply included.
    pub timeout: Duration,
    /// Extra rounds over the endpoints after the first.
    pub retries: u32,
    /// Wait before the second round; doubles each round up to a minute, plus jitter.
    pub backoff: Duration,
    /// Largest reply read; a bigger one is a failure (a query of 5000 calls is about 1 MB).
    pub max_reply: u64,
    /// Allow credentials over plain `http://` to a host other than loopback.
    pub allow_insecure: bool,
    /// Content type and headers of every post (the provider's).
    pub head: RequestHead,
    /// Values never to print or store (credentials): removed from every failure message,
    /// since error pages may echo the request.
    pub secrets: Secrets,
    /// Non-2xx statuses the provider documents as its answer (nothing taken): their replies
    /// are handed back to be read, not failed as ambiguous. Empty by default.
    pub answer_statuses: Vec<u16>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            endpoints: Vec::new(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_reply: 32 * 1024 * 1024,
            allow_insecure: false,
            head: RequestHead {
                content_type: "application/octet-stream",
                headers: Vec::new(),
            },
            secrets: Secrets::default(),
            answer_statuses: Vec::new(),
        }
    }
}

/// A request body: small posts in memory, uploads from the file they were rendered to.
#[derive(Debug)]
pub enum PostBody {
    /// The whole document.
    Bytes(Vec<u8>),
    /// A rendered document in a file without a name (see `tempfile::tempfile`), sent as a
    /// sized stream from its start on every try.
    File(File),
}

/// A failed request.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{endpoint}: {message}")]
pub struct Failure {
    /// Whether the body may have reached the provider.
    pub maybe_sent: bool,
    /// What went wrong.
    pub message: String,
    /// Where.
    pub endpoint: String,
}

/// A retry about to happen, for progress reporting.
#[derive(Clone, Debug)]
pub struct Retry {
    /// The failure that caused it.
    pub failure: Failure,
    /// The endpoint tried next.
    pub next: String,
    /// How long before trying.
    pub wait: Duration,
}

/// Why a transport could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Credentials would travel in clear text.
    #[error(
        "refusing to send credentials over plain http to {0}; use https, or pass --allow-insecure"
    )]
    Insecure(String),
    /// The HTTP client could not be built.
    #[error("cannot set up HTTP: {0}")]
    Client(String),
}

/// A reply body and the endpoint that gave it.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status: 2xx, or one of [`TransportConfig::answer_statuses`].
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
    /// The endpoint.
    pub endpoint: String,
}

/// Posts XML documents.
#[derive(Debug)]
pub struct Transport {
    client: Client,
    cfg: TransportConfig,
}

/// Whether `url` goes to this machine (credentials may then travel in clear text).
fn is_loopback(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Transport {
    /// Builds the client; refuses credentials (`with_credentials`) over plain http to a
    /// remote host.
    pub fn new(
        mut cfg: TransportConfig,
        with_credentials: bool,
    ) -> Result<Transport, TransportError> {
        // Credentials in an endpoint's userinfo go to the server (as HTTP Basic) and nowhere
        // else: they are scrubbed like any other.
        let urls: Vec<String> = cfg.endpoints.clone();
        cfg.secrets = std::mem::take(&mut cfg.secrets).with_urls(urls.iter().map(String::as_str));
        if with_credentials
            && !cfg.allow_insecure
            && let Some(url) = cfg
                .endpoints
                .iter()
                .find(|u| !u.starts_with("https://") && !is_loopback(u))
        {
            return Err(TransportError::Insecure(redact_userinfo(url).into_owned()));
        }
        let client = Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            // A redirect would turn a call post into a GET (302) or re-post the whole
            // document, credentials included, wherever `Location` says (307/308): a 3xx is a
            // failure that names the location instead.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("outdial/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Client(e.to_string()))?;
        Ok(Transport { client, cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &TransportConfig {
        &self.cfg
    }

    /// `url` as failures, replies, retries and traces name it: without userinfo or any
    /// secret (a provider may take credentials in the query).
    fn shown(&self, url: &str) -> String {
        self.cfg.secrets.scrub(url)
    }

    /// One POST to `url`, bounded as a whole by the configured timeout: the status and
    /// body of a 2xx reply or of one of [`TransportConfig::answer_statuses`].
    pub fn post_once(&self, url: &str, body: &PostBody) -> Result<(u16, Vec<u8>), Failure> {
        self.send_once(Method::Post, url, body)
    }

    /// [`post_once`](Self::post_once) with `method`: a GET sends the body (form-encoded
    /// parameters, in memory) as the URL's query instead.
    pub fn send_once(
        &self,
        method: Method,
        url: &str,
        body: &PostBody,
    ) -> Result<(u16, Vec<u8>), Failure> {
        // Neither headers nor bodies are logged, as they carry the credentials.
        let shown = self.shown(url);
        let _span = tracing::info_span!("http", url = %shown, method = method.as_str()).entered();
        let started = Instant::now();
        let result = match method {
            Method::Post => self.exchange(url, body),
            Method::Get => self.get(url, body),
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok((status, reply)) => {
                tracing::info!(status, bytes = reply.len(), elapsed_ms, "reply");
            }
            Err(failure) => tracing::info!(
                maybe_sent = failure.maybe_sent,
                elapsed_ms,
                error = %failure.message,
                "failed"
            ),
        }
        result
    }

    /// A GET of `url` with `body`'s parameters added to its query.
    fn get(&self, url: &str, body: &PostBody) -> Result<(u16, Vec<u8>), Failure> {
        let PostBody::Bytes(query) = body else {
            return Err(Failure {
                maybe_sent: false,
                message: "a file upload cannot be sent as a GET".into(),
                endpoint: self.shown(url),
            });
        };
        let query = String::from_utf8_lossy(query);
        let url = match (query.is_empty(), url.contains('?')) {
            (true, _) => url.to_owned(),
            (false, false) => format!("{url}?{query}"),
            (false, true) => format!("{url}&{query}"),
        };
        let mut request = self.client.get(&url);
        for (name, value) in &self.cfg.head.headers {
            request = request.header(*name, value);
        }
        self.finish(&url, Instant::now(), request)
    }

    fn exchange(&self, url: &str, body: &PostBody) -> Result<(u16, Vec<u8>), Failure> {
        let fail = |maybe_sent: bool, message: String| Failure {
            maybe_sent,
            message: self.cfg.secrets.scrub(&message),
            endpoint: self.shown(url),
        };
        let started = Instant::now();
        let body = match body {
            PostBody::Bytes(b) => Body::from(b.clone()),
            PostBody::File(file) => {
                let rewound = file.try_clone().and_then(|mut f| {
                    let len = f.seek(SeekFrom::End(0))?;
                    f.seek(SeekFrom::Start(0))?;
                    Ok((f, len))
                });
                let (file, len) =
                    rewound.map_err(|e| fail(false, format!("cannot read the post: {e}")))?;
                Body::sized(file, len)
            }
        };
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, self.cfg.head.content_type);
        for (name, value) in &self.cfg.head.headers {
            request = request.header(*name, value);
        }
        self.finish(url, started, request.body(body))
    }

    /// Sends `request` to `url` and reads its reply: the status and body of a 2xx reply or
    /// of one of [`TransportConfig::answer_statuses`], else a failure.
    fn finish(
        &self,
        url: &str,
        started: Instant,
        request: reqwest::blocking::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), Failure> {
        let fail = |maybe_sent: bool, message: String| Failure {
            maybe_sent,
            message: self.cfg.secrets.scrub(&message),
            endpoint: self.shown(url),
        };
        let response = request
            .send()
            .map_err(|e| fail(!e.is_connect(), error_chain(&e)))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .unwrap_or("nowhere")
                .to_owned();
            return Err(fail(
                true,
                format!(
                    "HTTP {status}: redirected to {location}; outdial follows no redirect (set the endpoint to the final URL)"
                ),
            ));
        }
        let buf = self
            .read_reply(response, started)
            .map_err(|e| fail(true, e))?;
        if buf.len() as u64 > self.cfg.max_reply {
            return Err(fail(
                true,
                format!("reply larger than {} bytes", self.cfg.max_reply),
            ));
        }
        if !status.is_success() && !self.cfg.answer_statuses.contains(&status.as_u16()) {
            // Scrubbed whole, then cut: a cut inside a secret would leave a prefix that no
            // scrubber recognises.
            // (16 KiB hold the excerpt and any secret that starts within it.)
            let page = String::from_utf8_lossy(&buf[..buf.len().min(16 * 1024)]);
            let text = self.cfg.secrets.excerpt(&page, 200);
            return Err(fail(true, format!("HTTP {status}: {text}")));
        }
        Ok((status.as_u16(), buf))
    }

    /// Reads the reply body until its end, the size limit, or the deadline of the whole
    /// exchange: reqwest's timeout bounds each wait for a chunk, so a reply trickling one
    /// byte at a time would otherwise run on for ever. (The last wait can overrun the
    /// deadline by at most one timeout.)
    fn read_reply(
        &self,
        mut response: reqwest::blocking::Response,
        started: Instant,
    ) -> Result<Vec<u8>, String> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if started.elapsed() > self.cfg.timeout {
                return Err(format!(
                    "the reply did not complete within {:?}",
                    self.cfg.timeout
                ));
            }
            let n = response
                .read(&mut chunk)
                .map_err(|e| format!("reading the reply: {e}"))?;
            if n == 0 {
                return Ok(buf);
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.len() as u64 > self.cfg.max_reply {
                return Ok(buf);
            }
        }
    }

    /// Posts `body`, trying every endpoint in order, for `1 + retries` rounds with doubling
    /// backoff. A failure after which the provider may hold the post ends the loop at once
    /// unless `repeatable` (the post does no harm when taken twice: queries, uploads, pause).
    pub fn post(
        &self,
        body: &PostBody,
        repeatable: bool,
        on_retry: &mut dyn FnMut(&Retry),
    ) -> Result<Reply, Failure> {
        self.post_to(body, repeatable, &|endpoint| endpoint.to_owned(), on_retry)
    }

    /// [`post`](Self::post) to `url(endpoint)` for each endpoint: for providers with one URL
    /// per kind of request under a base endpoint.
    pub fn post_to(
        &self,
        body: &PostBody,
        repeatable: bool,
        url: &dyn Fn(&str) -> String,
        on_retry: &mut dyn FnMut(&Retry),
    ) -> Result<Reply, Failure> {
        self.send_to(Method::Post, body, repeatable, url, on_retry)
    }

    /// [`post_to`](Self::post_to) with `method` (see [`send_once`](Self::send_once)).
    pub fn send_to(
        &self,
        method: Method,
        body: &PostBody,
        repeatable: bool,
        url: &dyn Fn(&str) -> String,
        on_retry: &mut dyn FnMut(&Retry),
    ) -> Result<Reply, Failure> {
        let mut waits = round_waits(self.cfg.backoff, self.cfg.retries);
        let mut last = None;
        for round in 0..=self.cfg.retries {
            for (i, endpoint) in self.cfg.endpoints.iter().enumerate() {
                let url = &url(endpoint);
                match self.send_once(method, url, body) {
                    Ok((status, body)) => {
                        return Ok(Reply {
                            status,
                            body,
                            endpoint: self.shown(url),
                        });
                    }
                    Err(f) if f.maybe_sent && !repeatable => return Err(f),
                    Err(f) => {
                        let last_try =
                            round == self.cfg.retries && i + 1 == self.cfg.endpoints.len();
                        if !last_try {
                            let next_is_new_round = i + 1 == self.cfg.endpoints.len();
                            let next =
                                self.shown(&self.cfg.endpoints[(i + 1) % self.cfg.endpoints.len()]);
                            let pause = if next_is_new_round {
                                waits.next().unwrap_or(self.cfg.backoff)
                            } else {
                                Duration::ZERO
                            };
                            on_retry(&Retry {
                                failure: f.clone(),
                                next,
                                wait: pause,
                            });
                            std::thread::sleep(pause);
                        }
                        last = Some(f);
                    }
                }
            }
        }
        Err(last.unwrap_or_else(|| Failure {
            maybe_sent: false,
            message: "no endpoint configured".into(),
            endpoint: String::new(),
        }))
    }
}

/// The waits between rounds of [`Transport::post_to`], one per retry: `backoff`, doubling
/// each round up to [`MAX_WAIT`], each plus up to as much again at random (backon's
/// exponential backoff with jitter), so that clients that failed together do not all come
/// back at the same moment.
fn round_waits(backoff: Duration, retries: u32) -> impl Iterator<Item = Duration> {
    use backon::BackoffBuilder;
    backon::ExponentialBuilder::new()
        .with_min_delay(backoff)
        .with_factor(2.0)
        .with_max_delay(MAX_WAIT.max(backoff))
        .with_max_times(retries as usize)
        .with_jitter()
        .build()
}

/// The longest wait between two rounds before its jitter.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// The error and its causes on one line ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
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
            |_| {
                vec![
                    b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok".to_vec(),
                ]
            },
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
}
