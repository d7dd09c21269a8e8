//! Every `/api/v1` route in one table: the router is built from it, and the OpenAPI test
//! checks `src/openapi.json` against it, so a route added here without documentation
//! fails that test.

use crate::http::api::{self, history as api_history, versions as api_versions};
use crate::http::AppState;
use axum::extract::MatchedPath;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
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

const fn route(
    method: &'static str,
    path: &'static str,
    handler: fn() -> MethodRouter<AppState>,
) -> ApiRoute {
    ApiRoute {
        method,
        path,
        handler,
    }
}

pub const API_ROUTES: &[ApiRoute] = &[
    route("GET", "/api/v1/status", || get(api::status)),
    route("GET", "/api/v1/deploy-check", || get(api::deploy_check)),
    route("GET", "/api/v1/versions", || get(api_versions::versions)),
    route("POST", "/api/v1/deployments", || post(api::report)),
    route("GET", "/api/v1/deployments", || get(api_history::list)),
    route("GET", "/api/v1/deployments/{id}", || get(api_history::one)),
    route("POST", "/api/v1/deployments/{id}/events", || {
        post(api::event)
    }),
    route("GET", "/api/v1/openapi.json", || get(openapi)),
];

/// The OpenAPI 3.1 document of every route above.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The `/api/v1` routes (axum merges two methods on one path). Any other path under
/// `/api/v1/` gets a JSON 404, as the API's own errors are (`/api/v1/deployments/`, an
/// empty id); the router's own errors (a method a path does not have, a body over the
/// limit) are made JSON too by [`json_errors`].
pub fn router() -> Router<AppState> {
    API_ROUTES
        .iter()
        .fold(Router::new(), |r, route| {
            r.route(route.path, (route.handler)())
        })
        .route("/api/v1/{*rest}", any(no_route))
        .layer(axum::middleware::map_response(json_errors))
}

/// Every API error is `{"error": "..."}`. The handlers answer so; what axum answers itself
/// (405 with an empty body, 413 "Failed to buffer the request body" as text) is given that
/// body here, its status and headers kept (axum adds a 405's `Allow` after this layer).
async fn json_errors(
    method: Method,
    uri: Uri,
    matched: Option<MatchedPath>,
    response: Response,
) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            // The methods from the table, as `Allow` is not set yet.
            let path = matched.as_ref().map_or("", MatchedPath::as_str);
            let methods: Vec<&str> = API_ROUTES
                .iter()
                .filter(|r| r.path == path)
                .map(|r| r.method)
                .collect();
            format!(
                "method {method} is not allowed on {}; it takes {}",
                uri.path(),
                methods.join(", ")
            )
        }
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the request body is over {} KiB",
            crate::http::slack::BODY_LIMIT / 1024
        ),
        other => other.canonical_reason().unwrap_or("error").to_owned(),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    let json = api::error(status, message);
    parts
        .headers
        .insert(CONTENT_TYPE, json.headers()[CONTENT_TYPE].clone());
    Response::from_parts(parts, json.into_body())
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
