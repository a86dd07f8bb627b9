//! The HTTP transport: one POST of a body a provider encoded, and the retry policy.
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
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::blocking::{Body, Client};

use crate::provider::RequestHead;

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
    /// Wait before the second round; doubles each round.
    pub backoff: Duration,
    /// Largest reply read; a bigger one is a failure (a query of 5000 calls is about 1 MB).
    pub max_reply: u64,
    /// Allow credentials over plain `http://` to a host other than loopback.
    pub allow_insecure: bool,
    /// Content type and headers of every post (the provider's).
    pub head: RequestHead,
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
        }
    }
}

/// A request body: small posts in memory, uploads from the file they were rendered to.
#[derive(Debug)]
pub enum PostBody {
    /// The whole document.
    Bytes(Vec<u8>),
    /// A rendered document on disk, sent as a sized stream.
    File(PathBuf),
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
    pub fn new(cfg: TransportConfig, with_credentials: bool) -> Result<Transport, TransportError> {
        if with_credentials
            && !cfg.allow_insecure
            && let Some(url) = cfg
                .endpoints
                .iter()
                .find(|u| !u.starts_with("https://") && !is_loopback(u))
        {
            return Err(TransportError::Insecure(url.clone()));
        }
        let client = Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.timeout)
            .user_agent(concat!("outdial/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TransportError::Client(e.to_string()))?;
        Ok(Transport { client, cfg })
    }

    /// The configuration.
    pub fn config(&self) -> &TransportConfig {
        &self.cfg
    }

    /// One POST to `url`.
    pub fn post_once(&self, url: &str, body: &PostBody) -> Result<Vec<u8>, Failure> {
        let fail = |maybe_sent: bool, message: String| Failure {
            maybe_sent,
            message,
            endpoint: url.to_owned(),
        };
        let body = match body {
            PostBody::Bytes(b) => Body::from(b.clone()),
            // `From<File>` sends it with its length, read as it goes.
            PostBody::File(path) => Body::from(
                File::open(path).map_err(|e| fail(false, format!("cannot read the post: {e}")))?,
            ),
        };
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, self.cfg.head.content_type);
        for (name, value) in &self.cfg.head.headers {
            request = request.header(*name, value);
        }
        let response = request
            .body(body)
            .send()
            .map_err(|e| fail(!e.is_connect(), error_chain(&e)))?;
        let status = response.status();
        let mut buf = Vec::new();
        response
            .take(self.cfg.max_reply + 1)
            .read_to_end(&mut buf)
            .map_err(|e| fail(true, format!("reading the reply: {e}")))?;
        if buf.len() as u64 > self.cfg.max_reply {
            return Err(fail(
                true,
                format!("reply larger than {} bytes", self.cfg.max_reply),
            ));
        }
        if !status.is_success() {
            let text = String::from_utf8_lossy(&buf[..buf.len().min(200)]).into_owned();
            return Err(fail(true, format!("HTTP {status}: {}", text.trim())));
        }
        Ok(buf)
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
        let mut wait = self.cfg.backoff;
        let mut last = None;
        for round in 0..=self.cfg.retries {
            for (i, endpoint) in self.cfg.endpoints.iter().enumerate() {
                let url = &url(endpoint);
                match self.post_once(url, body) {
                    Ok(body) => {
                        return Ok(Reply {
                            body,
                            endpoint: url.clone(),
                        });
                    }
                    Err(f) if f.maybe_sent && !repeatable => return Err(f),
                    Err(f) => {
                        let last_try =
                            round == self.cfg.retries && i + 1 == self.cfg.endpoints.len();
                        if !last_try {
                            let next_is_new_round = i + 1 == self.cfg.endpoints.len();
                            let next =
                                self.cfg.endpoints[(i + 1) % self.cfg.endpoints.len()].clone();
                            let pause = if next_is_new_round {
                                wait
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
            wait = wait.saturating_mul(2);
        }
        Err(last.unwrap_or_else(|| Failure {
            maybe_sent: false,
            message: "no endpoint configured".into(),
            endpoint: String::new(),
        }))
    }
}

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
    fn loopback_detection() {
        assert!(is_loopback("http://127.0.0.1:8080/ivrapi.asp"));
        assert!(is_loopback("http://localhost/ivrapi.asp"));
        assert!(is_loopback("http://[::1]:9/x"));
        assert!(!is_loopback("http://example.com/ivrapi.asp"));
        assert!(!is_loopback("http://10.0.0.1/ivrapi.asp"));
    }

    #[test]
    fn credentials_over_plain_http_are_refused() {
        let cfg = |url: &str| TransportConfig {
            endpoints: vec![url.into()],
            ..TransportConfig::default()
        };
        assert!(matches!(
            Transport::new(cfg("http://example.com/ivrapi.asp"), true),
            Err(TransportError::Insecure(_))
        ));
        assert!(Transport::new(cfg("http://127.0.0.1:1/ivrapi.asp"), true).is_ok());
        assert!(Transport::new(cfg("http://example.com/ivrapi.asp"), false).is_ok());
        let mut allowed = cfg("http://example.com/ivrapi.asp");
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
        let url = format!("http://127.0.0.1:{port}/ivrapi.asp");
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
}
