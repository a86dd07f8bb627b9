//! What a supervisor, a load balancer and Prometheus ask `listen`: `GET /healthz` (the
//! process answers), `GET /readyz` (the store answers a round trip) and `GET /metrics`
//! (behind the same credentials or token as the posts). The probes say only ok or not:
//! they need no credentials, so they give nothing away.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::app::{App, refused, reject};

/// Longest a readiness round trip may take before the store counts as not reachable.
const READY_TIMEOUT: Duration = Duration::from_secs(5);
/// The metrics' route label of `/metrics`.
const METRICS: &str = "/metrics";

/// `router` with the probes and the metrics added.
pub(super) fn routes(router: Router<Arc<App>>) -> Router<Arc<App>> {
    router
        .route("/healthz", get(|| async { (StatusCode::OK, "ok\n") }))
        .route("/readyz", get(ready))
        .route(
            METRICS,
            get(|State(app): State<Arc<App>>, request: Request| async move {
                metrics(&app, None, &request)
            }),
        )
        .route(
            "/metrics/{token}",
            get(
                |State(app): State<Arc<App>>, Path(token): Path<String>, request: Request| async move {
                    metrics(&app, Some(&token), &request)
                },
            ),
        )
}

/// 200 when the store answered a read within [`READY_TIMEOUT`], else 503.
async fn ready(State(app): State<Arc<App>>) -> Response {
    let probe = Arc::clone(&app);
    let answered = tokio::time::timeout(
        READY_TIMEOUT,
        tokio::task::spawn_blocking(move || probe.store.ping()),
    )
    .await;
    match answered {
        Ok(Ok(Ok(()))) => (StatusCode::OK, "ready\n").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response(),
    }
}

fn metrics(app: &App, token: Option<&str>, request: &Request) -> Response {
    if !app.auth.allows(request.headers(), token) {
        let why = refused(StatusCode::UNAUTHORIZED, "missing or wrong credentials");
        return reject(app, METRICS, METRICS, why);
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, super::metrics::CONTENT_TYPE)],
        app.metrics.render(),
    )
        .into_response()
}
