//! The state every request of `listen` shares, and how a request is refused (the status,
//! the reason's name for the metrics, the event and the headers).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::auth::Auth;
use super::body;
use super::event::{ListenEvent, OnEvent};
use super::metrics::Metrics;
use crate::results::filing::Filing;
use crate::results::watch::Watched;

/// What the handlers share.
pub(super) struct App {
    pub(super) campaigns: Vec<Watched>,
    pub(super) store: Box<dyn Filing>,
    pub(super) folder: PathBuf,
    pub(super) auth: Auth,
    pub(super) max_body: usize,
    pub(super) budget: body::Budget,
    pub(super) body_timeout: Duration,
    pub(super) on_event: OnEvent,
    pub(super) stored: AtomicU64,
    pub(super) rejected: AtomicU64,
    pub(super) metrics: Metrics,
}

/// A refusal: status, why (for the log and the client) and the reason's name (for the
/// metrics).
#[derive(Debug)]
pub(super) struct Refused(
    pub(super) StatusCode,
    pub(super) String,
    pub(super) &'static str,
);

/// A refusal with `status`, its reason named after the status.
pub(super) fn refused(status: StatusCode, why: impl Into<String>) -> Refused {
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

/// The metrics' name for a request to no route of ours.
pub(super) const OTHER_ROUTE: &str = "other";

/// Refuses a request to `label` (a route's path, or [`OTHER_ROUTE`]), shown as `shown`.
pub(super) fn reject(app: &App, label: &'static str, shown: &str, r: Refused) -> Response {
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

/// The refusal of a body that could not be read whole.
pub(super) fn body_refused(app: &App, failed: body::Failed) -> Refused {
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
