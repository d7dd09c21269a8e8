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

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

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
        .layer(DefaultBodyLimit::max(slack::BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::telemetry::trace_request))
        .layer(axum::middleware::from_fn_with_state(
            state.core.metrics.clone(),
            crate::operator_metrics::count_requests,
        ))
        .with_state(state)
}
