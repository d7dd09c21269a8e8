//! Every `/api/v1` route in one table: the router is built from it, and the OpenAPI test
//! checks `src/openapi.json` against it, so a route added here without documentation
//! fails that test.

use crate::http::api::{self, history as api_history, versions as api_versions};
use crate::http::AppState;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;

/// One route: its method (upper case, as OpenAPI's operations are named in lower case),
/// its path in axum's syntax (`{id}`, as OpenAPI writes it), and its handler.
pub struct ApiRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: fn() -> MethodRouter<AppState>,
}

pub const API_ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "GET",
        path: "/api/v1/status",
        handler: || get(api::status),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/deploy-check",
        handler: || get(api::deploy_check),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/versions",
        handler: || get(api_versions::versions),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/deployments",
        handler: || post(api::report),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/deployments",
        handler: || get(api_history::list),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/deployments/{id}",
        handler: || get(api_history::one),
    },
    ApiRoute {
        method: "POST",
        path: "/api/v1/deployments/{id}/events",
        handler: || post(api::event),
    },
    ApiRoute {
        method: "GET",
        path: "/api/v1/openapi.json",
        handler: || get(openapi),
    },
];

/// The OpenAPI 3.1 document of every route above.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The `/api/v1` routes (axum merges two methods on one path). Any other path under
/// `/api/v1/` gets a JSON 404, as the API's own errors are (`/api/v1/deployments/`, an
/// empty id).
pub fn router() -> Router<AppState> {
    API_ROUTES
        .iter()
        .fold(Router::new(), |r, route| {
            r.route(route.path, (route.handler)())
        })
        .route("/api/v1/{*rest}", any(no_route))
}

async fn no_route(method: Method, uri: Uri) -> Response {
    api::error(
        StatusCode::NOT_FOUND,
        format!("no such API route: {method} {}", uri.path()),
    )
}

async fn openapi() -> Response {
    ([("content-type", "application/json")], OPENAPI).into_response()
}
