//! `listen`: the HTTP server that receives what providers post back (VoiceShot Call Summaries
//! and Call Events, voip-communications callbacks) and keeps it in the results store.
//!
//! A post is answered 2xx only after its transaction committed (and its voicemail, if any, is
//! on disk), so a provider that retries on anything else loses nothing; a redelivered post is
//! recognised by its digest and changes nothing. Every rejection is a 4xx and a
//! [`ListenEvent::Rejected`]; the server goes on. SIGINT and SIGTERM stop accepting
//! connections, let the posts already accepted finish, then return.

use std::io::{Cursor, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use serde::Serialize;

use super::watch::Watched;
use super::{CallRecord, Keypress, Source, Store, StoreError};
use crate::audio;
use crate::http_server::{self, BodyError};
use crate::provider::ProviderName;
use crate::provider::voiceshot::events::{self, CallEvent};
use crate::provider::voiceshot::summary;
use crate::provider::voipcomm::callback;

/// Default largest body: voicemail WAVs arrive base64-encoded inside summaries.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Default time a client has to send its whole body.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once.
const MAX_CONNECTIONS: usize = 128;
/// Time a client has to send a request's head (line and headers).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// The folder beside the database that holds voicemail recordings.
pub const RECORDINGS: &str = "recordings";

/// HTTP Basic credentials a post must carry.
#[derive(Clone)]
pub struct BasicAuth {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values: a Debug print ends up in logs.
        f.write_str("BasicAuth(<redacted>)")
    }
}

/// How `listen` runs.
#[derive(Debug)]
pub struct ListenConfig {
    /// Where to listen.
    pub bind: SocketAddr,
    /// The results store.
    pub db: PathBuf,
    /// The campaigns whose posts are accepted.
    pub campaigns: Vec<Watched>,
    /// Credentials every post must carry; required on a non-loopback address.
    pub auth: Option<BasicAuth>,
    /// Largest body accepted; larger gets 413.
    pub max_body: usize,
    /// Time a client has to send its body; slower gets 408.
    pub body_timeout: Duration,
}

/// Why `listen` could not run.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// A non-loopback address without credentials.
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
    /// The store could not be opened.
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
        /// Whether posts must carry credentials.
        auth: bool,
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
        /// Whether a Call Command was replied.
        command: bool,
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
        /// Posts stored (including redeliveries).
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
    store: Mutex<Store>,
    folder: PathBuf,
    auth: Option<BasicAuth>,
    max_body: usize,
    body_timeout: Duration,
    on_event: OnEvent,
    stored: AtomicU64,
    rejected: AtomicU64,
}

/// A refusal: status and reason.
#[derive(Debug)]
struct Refused(StatusCode, String);

fn refused(status: StatusCode, why: impl Into<String>) -> Refused {
    Refused(status, why.into())
}

fn wrong_type(ctype: Option<&str>, what: &str) -> Refused {
    refused(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        format!("content type {}: {what}", ctype.unwrap_or_default()),
    )
}

/// What an accepted post is answered with.
struct Accepted {
    campaign: String,
    callid: String,
    fresh: bool,
    /// A Call Command document, or nothing.
    command: Option<String>,
}

/// Serves until SIGINT or SIGTERM; blocks. The first event is [`ListenEvent::Listening`].
pub fn listen(config: ListenConfig, on_event: OnEvent) -> Result<(), ListenError> {
    if !config.bind.ip().is_loopback() && config.auth.is_none() {
        return Err(ListenError::NeedsAuth(config.bind));
    }
    let store = Store::open(&config.db)?;
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
        store: Mutex::new(store),
        folder,
        auth: config.auth,
        max_body: config.max_body,
        body_timeout: config.body_timeout,
        on_event,
        stored: AtomicU64::new(0),
        rejected: AtomicU64::new(0),
    });
    runtime.block_on(serve(app, config.bind, config.db))
}

async fn serve(app: Arc<App>, bind: SocketAddr, db: PathBuf) -> Result<(), ListenError> {
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
    (app.on_event)(ListenEvent::Listening {
        url: format!("http://{addr}"),
        db: db.display().to_string(),
        campaigns: app.campaigns.iter().map(|c| c.name.clone()).collect(),
        auth: app.auth.is_some(),
    });
    let route = |r: Route| {
        post(move |State(app): State<Arc<App>>, request: Request| handle(app, r, request))
    };
    let router = Router::new()
        .route(Route::Summary.path(), route(Route::Summary))
        .route(Route::Events.path(), route(Route::Events))
        .route(Route::Callback.path(), route(Route::Callback))
        .fallback(|State(app): State<Arc<App>>, request: Request| async move {
            let why = format!("no route {} {}", request.method(), request.uri().path());
            reject(
                &app,
                request.uri().path(),
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
    serve_connections(listener, router, stop).await;
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
    stop: impl std::future::Future<Output = ()>,
) {
    use hyper_util::service::TowerToHyperService;
    let limits = http_server::Limits {
        connections: MAX_CONNECTIONS,
        header_timeout: HEADER_TIMEOUT,
        keep_alive: true,
        title_case: false,
        drain: None,
    };
    let service = |_: &tokio::net::TcpStream| TowerToHyperService::new(router.clone());
    http_server::serve_connections(listener, limits, service, stop).await;
}

fn reject(app: &App, route: &str, Refused(status, why): Refused) -> Response {
    app.rejected.fetch_add(1, Ordering::SeqCst);
    (app.on_event)(ListenEvent::Rejected {
        route: route.to_owned(),
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
    response
}

async fn handle(app: Arc<App>, route: Route, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match read(&app, &parts.headers, body).await {
        Ok(body) => body,
        Err(r) => return reject(&app, route.path(), r),
    };
    let ctype = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    // SQLite and the file system block: off the async workers.
    let worker = Arc::clone(&app);
    let query = parts.uri.query().map(str::to_owned);
    let done = tokio::task::spawn_blocking(move || {
        worker.accept(route, ctype.as_deref(), query.as_deref(), &body)
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
            (app.on_event)(ListenEvent::Stored {
                route: route.path().to_owned(),
                campaign: accepted.campaign,
                callid: accepted.callid,
                fresh: accepted.fresh,
                command: accepted.command.is_some(),
            });
            match accepted.command {
                Some(xml) => {
                    (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], xml).into_response()
                }
                None => StatusCode::OK.into_response(),
            }
        }
        Err(r) => reject(&app, route.path(), r),
    }
}

/// Checks the credentials and reads the body within the size and time limits.
async fn read(app: &App, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Refused> {
    if let Some(auth) = &app.auth {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            });
        let expected = format!("{}:{}", auth.user, auth.password);
        if !given.is_some_and(|g| same(&g, expected.as_bytes())) {
            return Err(refused(
                StatusCode::UNAUTHORIZED,
                "missing or wrong credentials",
            ));
        }
    }
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {} bytes", app.max_body),
        )
    };
    match http_server::read_body(headers, body, app.max_body, app.body_timeout).await {
        Ok(body) => Ok(body.to_vec()),
        Err(BodyError::TooLarge) => Err(too_large()),
        Err(BodyError::TimedOut) => Err(refused(
            StatusCode::REQUEST_TIMEOUT,
            "the body did not arrive in time",
        )),
        Err(BodyError::Broken(e)) => Err(refused(
            StatusCode::BAD_REQUEST,
            format!("the body could not be read: {e}"),
        )),
    }
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl App {
    fn accept(
        &self,
        route: Route,
        ctype: Option<&str>,
        query: Option<&str>,
        body: &[u8],
    ) -> Result<Accepted, Refused> {
        match route {
            Route::Summary | Route::Events => {
                if !summary::takes_content_type(ctype) {
                    return Err(wrong_type(ctype, "post XML"));
                }
                match route {
                    Route::Summary => self.summary(body),
                    _ => self.event(body),
                }
            }
            Route::Callback => match callback::is_json(ctype) {
                Some(json) => self.callback(body, json, query),
                None => Err(wrong_type(ctype, "post a form or JSON")),
            },
        }
    }

    /// The VoiceShot campaign with `menuid` whose journal has `callid`, and the recipient's
    /// number. Several campaign files may share one VoiceShot campaign (one send after
    /// another); their call ids differ, so the call id picks the campaign.
    fn voiceshot(
        &self,
        menuid: &str,
        callid: &str,
        reported: &str,
    ) -> Result<(&Watched, String), Refused> {
        let mut with_menuid = self
            .campaigns
            .iter()
            .filter(|c| c.provider == ProviderName::Voiceshot && c.key.as_deref() == Some(menuid))
            .peekable();
        if with_menuid.peek().is_none() {
            return Err(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("menuid {menuid:?} is not a campaign given to listen"),
            ));
        }
        with_menuid
            .find_map(|c| c.number(callid, reported).map(|n| (c, n)))
            .ok_or_else(|| {
                refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "call id {callid:?} is in the journal of no campaign with menuid {menuid:?}"
                    ),
                )
            })
    }

    fn commit(
        &self,
        route: Route,
        body: &[u8],
        calls: &[CallRecord],
        keys: &[Keypress],
    ) -> Result<bool, Refused> {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        store
            .record(Some((route.path(), body)), calls, keys)
            .map_err(|e| refused(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
    }

    fn summary(&self, body: &[u8]) -> Result<Accepted, Refused> {
        let s = summary::parse_summary(body)
            .map_err(|e| refused(StatusCode::BAD_REQUEST, e.to_string()))?;
        let (campaign, number) = self.voiceshot(&s.menuid, &s.callid, &s.number)?;
        let mut recording = None;
        for r in &s.recordings {
            let saved = self.save_recording(&campaign.name, &s.callid, &number, r)?;
            recording.get_or_insert(saved);
        }
        let (outcome, reason, answered_by) = summary::outcome(&s.status, &s.comment);
        let call = CallRecord {
            provider: ProviderName::Voiceshot.key().to_owned(),
            campaign: campaign.name.clone(),
            callid: s.callid.clone(),
            number: number.clone(),
            status: s.status.clone(),
            outcome,
            reason,
            duration: s.duration,
            answered_by: answered_by.map(str::to_owned),
            attempts: None,
            called_at: s.dateandtime.clone(),
            source: Source::Summary,
            recording,
        };
        let keys: Vec<Keypress> = s
            .keypresses
            .iter()
            .map(|(prompt, keys)| Keypress {
                provider: call.provider.clone(),
                campaign: call.campaign.clone(),
                callid: call.callid.clone(),
                number: number.clone(),
                prompt: *prompt,
                keys: keys.clone(),
                source: Source::Summary,
            })
            .collect();
        let fresh = self.commit(Route::Summary, body, std::slice::from_ref(&call), &keys)?;
        Ok(Accepted {
            campaign: call.campaign,
            callid: call.callid,
            fresh,
            command: None,
        })
    }

    fn event(&self, body: &[u8]) -> Result<Accepted, Refused> {
        let event = events::parse_event(body)
            .map_err(|e| refused(StatusCode::BAD_REQUEST, e.to_string()))?;
        let (campaign, number) = self.voiceshot(event.menuid(), event.callid(), "")?;
        let (keys, command) = match &event {
            CallEvent::Keypress {
                callid,
                prompt,
                keys,
                ..
            } => (
                vec![Keypress {
                    provider: ProviderName::Voiceshot.key().to_owned(),
                    campaign: campaign.name.clone(),
                    callid: callid.clone(),
                    number,
                    prompt: *prompt,
                    keys: keys.clone(),
                    source: Source::Event,
                }],
                campaign.rule(*prompt, keys).map(events::render_command),
            ),
            // Answer and hang-up (inbound campaigns) carry nothing the store keeps.
            CallEvent::Call { .. } => (Vec::new(), None),
        };
        let fresh = self.commit(Route::Events, body, &[], &keys)?;
        Ok(Accepted {
            campaign: campaign.name.clone(),
            callid: event.callid().to_owned(),
            fresh,
            command,
        })
    }

    fn callback(&self, body: &[u8], json: bool, query: Option<&str>) -> Result<Accepted, Refused> {
        let mut cb = callback::parse_callback(body, json)
            .map_err(|e| refused(StatusCode::BAD_REQUEST, e.to_string()))?;
        // `send` puts outdial's call id in each call's callback URL.
        if cb.outdial_callid.is_none() {
            cb.outdial_callid = query.and_then(callback::our_callid_in);
        }
        let voipcomm = || {
            self.campaigns
                .iter()
                .filter(|c| c.provider == ProviderName::Voipcomm)
        };
        let found = voipcomm()
            .find_map(|c| c.by_provider_id(&cb.callid).map(|ids| (c, ids)))
            .or_else(|| {
                let ours = cb.outdial_callid.as_deref()?;
                voipcomm().find_map(|c| {
                    c.number(ours, &cb.to)
                        .map(|number| (c, (ours.to_owned(), number)))
                })
            });
        let Some((campaign, (callid, number))) = found else {
            return Err(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "callid {:?} is in the journal of no voip-communications campaign given to listen",
                    cb.callid
                ),
            ));
        };
        let (outcome, reason, answered_by) = callback::outcome(&cb.status);
        let call = CallRecord {
            provider: ProviderName::Voipcomm.key().to_owned(),
            campaign: campaign.name.clone(),
            callid,
            number,
            status: cb.status.clone(),
            outcome,
            reason,
            duration: cb.billed_seconds,
            answered_by: answered_by.map(str::to_owned),
            attempts: None,
            called_at: None,
            source: Source::Callback,
            recording: None,
        };
        let fresh = self.commit(Route::Callback, body, std::slice::from_ref(&call), &[])?;
        Ok(Accepted {
            campaign: call.campaign,
            callid: call.callid,
            fresh,
            command: None,
        })
    }

    /// Saves a recording under `recordings/` beside the store, named from outdial's own ids
    /// and a sanitized form of the provider's name, synced before the row that names it is
    /// committed. Returns its path relative to the store's folder.
    fn save_recording(
        &self,
        campaign: &str,
        callid: &str,
        number: &str,
        r: &summary::Recording,
    ) -> Result<String, Refused> {
        let stem = r
            .filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim_end_matches(".wav")
            .trim_end_matches(".WAV");
        let name = format!(
            "{}-{}-{}-p{}-{}.wav",
            safe(campaign),
            safe(callid),
            safe(number),
            r.prompt,
            safe(stem)
        );
        let relative = format!("{RECORDINGS}/{name}");
        let folder = self.folder.join(RECORDINGS);
        let failed = |e: std::io::Error| {
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("recording {relative} could not be saved: {e}"),
            )
        };
        std::fs::create_dir_all(&folder).map_err(failed)?;
        let tmp = folder.join(format!(".{name}.tmp"));
        let mut file = std::fs::File::create(&tmp).map_err(failed)?;
        file.write_all(&r.wav).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        drop(file);
        std::fs::rename(&tmp, folder.join(&name)).map_err(failed)?;
        let problem = audio::inspect(Cursor::new(&r.wav), r.wav.len() as u64)
            .err()
            .map(|p| p.to_string());
        (self.on_event)(ListenEvent::Recording {
            path: relative.clone(),
            problem,
        });
        Ok(relative)
    }
}

/// A provider-supplied piece of a file name, made harmless: letters, digits, `-` and `_`
/// only (so no separators, no dots, no `..`), at most 48 characters, never empty.
fn safe(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_never_leave_the_folder() {
        for evil in ["../../etc/passwd", "..", "", "a/b\\c.wav", "vm 1.wav\0"] {
            let s = safe(evil);
            assert!(!s.is_empty());
            assert!(!s.contains(['/', '\\', '.', '\0']), "{s}");
        }
        assert_eq!(safe("vm123"), "vm123");
        assert_eq!(safe(&"x".repeat(100)).len(), 48);
    }

    #[test]
    fn credentials_compare_whole() {
        assert!(same(b"u:p", b"u:p"));
        assert!(!same(b"u:p", b"u:q"));
        assert!(!same(b"u:p", b"u:pp"));
        assert_eq!(
            format!(
                "{:?}",
                BasicAuth {
                    user: "u".into(),
                    password: "hunter2".into()
                }
            ),
            "BasicAuth(<redacted>)"
        );
    }
}
