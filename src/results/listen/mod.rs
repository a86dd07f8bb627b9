//! `listen`: the HTTP server that receives what providers post back (VoiceShot Call Summaries
//! and Call Events, voip-communications callbacks) and keeps it in the results store.
//!
//! A post must show HTTP Basic credentials or the secret token as its route's last segment,
//! unless the server was started without authentication in so many words. A post is
//! answered 2xx only after its transaction committed (and its voicemail, if any, is on disk),
//! so a provider that retries on anything else loses nothing; a redelivered post is
//! recognised by its digest and changes nothing. A post that can be read but names no call of
//! a served campaign is kept as unmatched and answered 200: an error there could send a live
//! caller down a designer's error branch. Only what cannot be read at all, or is not allowed
//! in, is refused (4xx); the server goes on. SIGINT and SIGTERM stop accepting connections,
//! let the posts already accepted finish, then return.

mod auth;
mod body;
mod handlers;
mod metrics;
mod probes;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;

pub use auth::{Auth, BasicAuth, MIN_TOKEN_LEN, Token, TokenError};

use super::filing::Filing;
use super::watch::Watched;
use super::{PgResults, Store, StoreError};
use crate::http_server;
use crate::state::PgLocation;

/// Default largest body: voicemail WAVs arrive base64-encoded inside summaries.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Default bytes of all bodies in flight together: four largest bodies.
pub const DEFAULT_BODY_BUDGET: usize = 4 * DEFAULT_MAX_BODY;
/// Default longest time a client has to send a body (a short one gets less: see
/// docs/guide/listen.md).
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once, at most (fewer when the process may open fewer files).
const MAX_CONNECTIONS: usize = 4096;
/// Time a client has to send a request's head (line and headers); also how long a
/// kept-alive connection may sit idle.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// The folder beside the database that holds voicemail recordings.
pub const RECORDINGS: &str = "recordings";

/// How `listen` runs.
#[derive(Debug)]
pub struct ListenConfig {
    /// Where to listen.
    pub bind: SocketAddr,
    /// The SQLite results store; with `postgres`, only the folder of the voicemail
    /// recordings is taken from it.
    pub db: PathBuf,
    /// The PostgreSQL results store (`--state`), shared with other listeners.
    pub postgres: Option<PgLocation>,
    /// The campaigns whose posts are accepted.
    pub campaigns: Vec<Watched>,
    /// What every post must show.
    pub auth: Auth,
    /// Serve without authentication (only on a loopback address); asked for explicitly.
    pub insecure_no_auth: bool,
    /// Largest body accepted; larger gets 413.
    pub max_body: usize,
    /// Bytes of all bodies in flight together (at least `max_body`).
    pub body_budget: usize,
    /// Longest time a client has to send its body; slower gets 408.
    pub body_timeout: Duration,
}

/// Why `listen` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// No authentication configured, and none waived.
    #[error("posts to listen must be authenticated, and no credentials or token are set")]
    NoAuth,
    /// A non-loopback address without authentication.
    #[error(
        "{0} is reachable from other machines: posts there must carry credentials, and none are set"
    )]
    NeedsAuth(SocketAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The store could not be opened or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The runtime or the signal handlers could not be set up.
    #[error("cannot start the server: {0}")]
    Runtime(std::io::Error),
}

/// What `listen` did, as it happens.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum ListenEvent {
    /// Serving.
    Listening {
        /// The base URL.
        url: String,
        /// The results store.
        db: String,
        /// Campaign names accepted.
        campaigns: Vec<String>,
        /// Whether posts must authenticate (credentials or token).
        auth: bool,
        /// Whether the token routes (`/voiceshot/summary/<token>` …) are served.
        token: bool,
        /// Connections served at once.
        connections: usize,
    },
    /// A post was committed (or recognised as a redelivery).
    Stored {
        /// The route.
        route: String,
        /// The campaign.
        campaign: String,
        /// outdial's call id.
        callid: String,
        /// `false`: the same post was stored before; nothing changed.
        fresh: bool,
        /// What became of its call row (`stored`, `repeat`, `lesser`, `conflict`), if any.
        verdict: Option<&'static str>,
        /// Whether a Call Command was replied.
        command: bool,
    },
    /// A post that names no call of a served campaign was kept as unmatched (200).
    Unmatched {
        /// The route.
        route: String,
        /// The call id it named ('' for none).
        callid: String,
        /// Why it matched nothing.
        why: String,
    },
    /// A voicemail recording was saved.
    Recording {
        /// Its path, relative to the store's folder.
        path: String,
        /// What the audio inspector found wrong with it, if anything.
        problem: Option<String>,
    },
    /// A post was refused with a 4xx (or a 5xx when the store failed).
    Rejected {
        /// The route.
        route: String,
        /// The HTTP status.
        status: u16,
        /// Why.
        why: String,
    },
    /// Stopped after a signal; every accepted post is stored.
    Stopped {
        /// Posts stored (including redeliveries and unmatched posts).
        stored: u64,
        /// Posts refused.
        rejected: u64,
    },
}

/// Receives the events.
pub type OnEvent = Box<dyn Fn(ListenEvent) + Send + Sync>;

/// The routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Summary,
    Events,
    Callback,
}

impl Route {
    const ALL: [Route; 3] = [Route::Summary, Route::Events, Route::Callback];

    fn path(self) -> &'static str {
        match self {
            Route::Summary => "/voiceshot/summary",
            Route::Events => "/voiceshot/events",
            Route::Callback => "/voipcomm/callback",
        }
    }
}

struct App {
    campaigns: Vec<Watched>,
    store: Box<dyn Filing>,
    folder: PathBuf,
    auth: Auth,
    max_body: usize,
    budget: body::Budget,
    body_timeout: Duration,
    on_event: OnEvent,
    stored: AtomicU64,
    rejected: AtomicU64,
    metrics: metrics::Metrics,
}

/// A refusal: status, why (for the log and the client) and the reason's name (for the
/// metrics).
#[derive(Debug)]
struct Refused(StatusCode, String, &'static str);

fn refused(status: StatusCode, why: impl Into<String>) -> Refused {
    let reason = match status {
        StatusCode::BAD_REQUEST => "malformed",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::NOT_FOUND => "no-route",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "media-type",
        StatusCode::SERVICE_UNAVAILABLE => "store-unavailable",
        _ => "internal",
    };
    Refused(status, why.into(), reason)
}

/// Serves until SIGINT or SIGTERM; blocks. The first event is [`ListenEvent::Listening`].
/// Before it binds, the store is opened and written once, so a store that is another
/// program's, of another version, or read-only is an error here, not a 503 per post.
pub fn listen(config: ListenConfig, on_event: OnEvent) -> Result<(), ListenError> {
    if !config.auth.any() {
        if !config.bind.ip().is_loopback() {
            return Err(ListenError::NeedsAuth(config.bind));
        }
        if !config.insecure_no_auth {
            return Err(ListenError::NoAuth);
        }
    }
    let store: Box<dyn Filing> = match &config.postgres {
        Some(at) => {
            let store = PgResults::open(at)?;
            store.ping()?;
            Box::new(store)
        }
        None => {
            let mut store = Store::open(&config.db)?;
            store.check_writable()?;
            Box::new(Mutex::new(store))
        }
    };
    let folder = config
        .db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ListenError::Runtime)?;
    let app = Arc::new(App {
        campaigns: config.campaigns,
        store,
        folder,
        auth: config.auth,
        max_body: config.max_body,
        budget: body::Budget::new(config.body_budget.max(config.max_body)),
        body_timeout: config.body_timeout,
        on_event,
        stored: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
        metrics: metrics::Metrics::new(),
    });
    // The last handle on the store is dropped here, after the runtime: a blocking client
    // must not be closed on one of its threads.
    let kept = Arc::clone(&app);
    let served = runtime.block_on(serve(app, config.bind));
    drop(runtime);
    drop(kept);
    served
}

/// Connections served at once: [`MAX_CONNECTIONS`], or fewer when the process may not open
/// that many files (each connection is one; some are kept for the store and the journals).
fn connection_cap() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse::<usize>().ok()
        })
        .unwrap_or(1024);
    soft.saturating_sub(64).clamp(16, MAX_CONNECTIONS)
}

async fn serve(app: Arc<App>, bind: SocketAddr) -> Result<(), ListenError> {
    use tokio::signal::unix::{SignalKind, signal};
    // Signal handlers first: a SIGTERM right after the URL is printed must not kill us.
    let mut term = signal(SignalKind::terminate()).map_err(ListenError::Runtime)?;
    let mut int = signal(SignalKind::interrupt()).map_err(ListenError::Runtime)?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| ListenError::Bind { addr: bind, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ListenError::Bind { addr: bind, source })?;
    let connections = connection_cap();
    (app.on_event)(ListenEvent::Listening {
        url: format!("http://{addr}"),
        db: app.store.describe(),
        campaigns: app.campaigns.iter().map(|c| c.name.clone()).collect(),
        auth: app.auth.any(),
        token: app.auth.token.is_some(),
        connections,
    });
    let mut router = Router::new();
    for r in Route::ALL {
        router = router
            .route(
                r.path(),
                post(move |State(app): State<Arc<App>>, request: Request| {
                    handle(app, r, None, request)
                }),
            )
            .route(
                &format!("{}/{{token}}", r.path()),
                post(
                    move |State(app): State<Arc<App>>,
                          axum::extract::Path(token): axum::extract::Path<String>,
                          request: Request| {
                        handle(app, r, Some(token), request)
                    },
                ),
            );
    }
    let router = probes::routes(router)
        .fallback(|State(app): State<Arc<App>>, request: Request| async move {
            // Never the whole path: a mistyped route could end in the token.
            let path = request.uri().path();
            let shown: String = path.split('/').take(3).collect::<Vec<_>>().join("/");
            let why = format!("no route {} {shown}…", request.method());
            reject(
                &app,
                OTHER_ROUTE,
                &shown,
                refused(StatusCode::NOT_FOUND, why),
            )
        })
        .with_state(Arc::clone(&app));
    let stop = async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    };
    serve_connections(listener, router, connections, stop).await;
    (app.on_event)(ListenEvent::Stopped {
        stored: app.stored.load(Ordering::SeqCst),
        rejected: app.rejected.load(Ordering::SeqCst),
    });
    Ok(())
}

/// Accepts connections until `stop`, then waits for the open ones to finish their request
/// (each commits before it replies, so none is cut short).
async fn serve_connections(
    listener: tokio::net::TcpListener,
    router: Router,
    connections: usize,
    stop: impl std::future::Future<Output = ()>,
) {
    use hyper_util::service::TowerToHyperService;
    let limits = http_server::Limits {
        connections,
        header_timeout: HEADER_TIMEOUT,
        keep_alive: true,
        title_case: false,
        drain: None,
        evict_idle: true,
    };
    let service = |_: &tokio::net::TcpStream| TowerToHyperService::new(router.clone());
    http_server::serve_connections(listener, limits, service, stop).await;
}

/// The metrics' name for a request to no route of ours.
const OTHER_ROUTE: &str = "other";

/// Refuses a request to `label` (a route's path, or [`OTHER_ROUTE`]), shown as `shown`.
fn reject(app: &App, label: &'static str, shown: &str, r: Refused) -> Response {
    let Refused(status, why, reason) = r;
    app.rejected.fetch_add(1, Ordering::SeqCst);
    app.metrics.refused(label, reason);
    (app.on_event)(ListenEvent::Rejected {
        route: shown.to_owned(),
        status: status.as_u16(),
        why: why.clone(),
    });
    let mut response = (status, why).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"outdial listen\""),
        );
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    }
    response
}

async fn handle(app: Arc<App>, route: Route, token: Option<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = route.path();
    app.metrics.received(path);
    if !app.auth.allows(&parts.headers, token.as_deref()) {
        let why = "missing or wrong credentials";
        return reject(&app, path, path, refused(StatusCode::UNAUTHORIZED, why));
    }
    let held = match body::read(
        &parts.headers,
        body,
        app.max_body,
        app.body_timeout,
        &app.budget,
    )
    .await
    {
        Ok(held) => held,
        Err(e) => return reject(&app, path, path, body_refused(&app, e)),
    };
    let ctype = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // The store's client and the file system block: off the async workers.
    let worker = Arc::clone(&app);
    let query = parts.uri.query().map(str::to_owned);
    let done = tokio::task::spawn_blocking(move || {
        let post = handlers::Incoming {
            route,
            ctype: ctype.as_deref(),
            query: query.as_deref(),
            body: &held.bytes,
        };
        worker.accept(&post)
    })
    .await
    .unwrap_or_else(|_| {
        Err(refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the handler failed",
        ))
    });
    match done {
        Ok(accepted) => {
            app.stored.fetch_add(1, Ordering::SeqCst);
            let (fresh, unmatched) = accepted.counts();
            app.metrics.stored(path, fresh, unmatched);
            let (event, command) = accepted.event(route);
            (app.on_event)(event);
            match command {
                Some(xml) => {
                    (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], xml).into_response()
                }
                None => StatusCode::OK.into_response(),
            }
        }
        Err(r) => reject(&app, path, path, r),
    }
}

fn body_refused(app: &App, failed: body::Failed) -> Refused {
    match failed {
        body::Failed::TooLarge => refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {} bytes", app.max_body),
        ),
        body::Failed::TimedOut => refused(
            StatusCode::REQUEST_TIMEOUT,
            "the body did not arrive in time",
        ),
        body::Failed::Busy => Refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many large posts at once; try again shortly".to_owned(),
            "busy",
        ),
        body::Failed::Broken(e) => refused(
            StatusCode::BAD_REQUEST,
            format!("the body could not be read: {e}"),
        ),
    }
}
