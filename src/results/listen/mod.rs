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

mod app;
mod auth;
mod body;
mod event;
mod handlers;
mod matching;
mod metrics;
mod probes;
mod recording;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use auth::{Auth, BasicAuth, MIN_TOKEN_LEN, Token, TokenError};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
pub use event::{ListenEvent, OnEvent};
pub use recording::RECORDINGS;

use self::app::{App, OTHER_ROUTE, body_refused, refused, reject};
use self::metrics::Metrics;
use super::error::StoreError;
use super::filing::Filing;
use super::pg::PgResults;
use super::store::Store;
use super::watch::Watched;
use crate::http_server;
use crate::provider::inbound::{Received, Route};
use crate::provider::inbound_routes;
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
        metrics: Metrics::new(),
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
    for &r in inbound_routes::routes() {
        router = router
            .route(
                r.path,
                post(move |State(app): State<Arc<App>>, request: Request| {
                    handle(app, r, None, request)
                }),
            )
            .route(
                &format!("{}/{{token}}", r.path),
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

async fn handle(
    app: Arc<App>,
    route: &'static Route,
    token: Option<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let path = route.path;
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
            received: Received {
                ctype: ctype.as_deref(),
                query: query.as_deref(),
                body: &held.bytes,
            },
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
                Some((answer, media)) => {
                    (StatusCode::OK, [(header::CONTENT_TYPE, media)], answer).into_response()
                }
                None => StatusCode::OK.into_response(),
            }
        }
        Err(r) => reject(&app, path, path, r),
    }
}
