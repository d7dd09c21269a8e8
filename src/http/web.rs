//! `GET /`: in local mode, for a client on this machine, the console (with its side panel,
//! `crate::console::panel`); everywhere else the dashboard (`super::dashboard`).

use super::console::{refusal, Peer};
use crate::console;
use crate::http::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;

/// `/`: in local mode, for a client on this machine, the console with the dashboard beside
/// it; otherwise the dashboard alone (`crate::dashboard`, also at `/dashboard`).
pub async fn dashboard(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let core = &s.core;
    let refused = if s.local_mode {
        refusal(&peer, &headers)
    } else {
        None
    };
    if s.local_mode && refused.is_none() {
        let who = q.get("as").map_or(console::DEFAULT_PERSON, String::as_str);
        return match console::page::render(core, who).await {
            Ok(page) => Html(page).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "console page");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        };
    }
    // Here in local mode the console was refused: so is its log.
    super::dashboard::render(&s, refused, false).await
}

/// Any path no route has (outside `/api/v1/`, whose 404s are JSON): a short page in the
/// dashboard's style, with the way back to it.
pub async fn not_found(uri: Uri) -> Response {
    let page = crate::dashboard::view::not_found(uri.path());
    (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
}
