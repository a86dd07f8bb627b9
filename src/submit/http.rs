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
mod tests;
