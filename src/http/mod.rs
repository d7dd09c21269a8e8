//! The HTTP edge: the axum router and every handler (Slack's signed routes, the CI API,
//! the dashboard, the local console). Handlers authenticate, parse and hand over to the
//! layers below (`service`, `slack::handlers`, `dashboard`, `console`); nothing below
//! imports this module (`tests/suite/layers.rs` checks).

pub mod api;
pub mod console;
pub mod dashboard;
pub mod slack;
pub mod state;
pub mod web;

pub use state::AppState;

use crate::metrics::Metrics;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(crate::slack::needs::COMMANDS_ROUTE, post(slack::commands))
        .route(
            crate::slack::needs::INTERACTIONS_ROUTE,
            post(slack::interactions),
        )
        .route(crate::slack::needs::EVENTS_ROUTE, post(slack::events))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        // Every /api/v1 route, from the table the OpenAPI test checks.
        .merge(api::routes::router())
        .route("/", get(web::dashboard))
        .route("/dashboard", get(dashboard::page))
        .route("/apps/{app}", get(dashboard::app))
        .merge(console::routes(state.local_mode))
        .fallback(web::not_found)
        .layer(DefaultBodyLimit::max(slack::BODY_LIMIT))
        .layer(axum::middleware::map_response(never_framed))
        .layer(axum::middleware::from_fn(crate::telemetry::trace_request))
        .layer(axum::middleware::from_fn_with_state(
            state.core.metrics.clone(),
            count_requests,
        ))
        .with_state(state)
}

/// Listens at `bind` (`BADGER_BIND`). A failure names the address and the variable; a port
/// another program holds suggests the next one.
pub async fn listen(bind: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(bind).await.map_err(|e| {
        let prefix = format!("cannot listen on {bind} (BADGER_BIND)");
        let next = bind
            .parse::<std::net::SocketAddr>()
            .ok()
            .and_then(|a| Some(std::net::SocketAddr::new(a.ip(), a.port().checked_add(1)?)));
        match (e.kind(), next) {
            (std::io::ErrorKind::AddrInUse, Some(next)) => anyhow::anyhow!(
                "{prefix}: address already in use; stop the other program or set BADGER_BIND={next}"
            ),
            (std::io::ErrorKind::AddrInUse, None) => anyhow::anyhow!(
                "{prefix}: address already in use; stop the other program or set BADGER_BIND to another port"
            ),
            _ => anyhow::anyhow!("{prefix}: {e}"),
        }
    })
}

/// No page of badger's may be shown inside another site's frame, where clicks on the
/// console's buttons could be stolen (clickjacking); nor may a browser guess content types.
async fn never_framed(mut response: Response) -> Response {
    use axum::http::{header, HeaderValue};
    let h = response.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Counts every HTTP request by its route pattern (`/api/v1/deployments/{id}/events`, not
/// the id) and status; a path no route matches counts as `unmatched`.
async fn count_requests(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    metrics
        .operator
        .http_requests
        .inc(&[&route, response.status().as_str()]);
    response
}
