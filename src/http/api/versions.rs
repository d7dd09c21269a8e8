//! `GET /api/v1/versions[?app=APP]`: the versions and drift read model as JSON (the
//! [`crate::domain::versions::VersionsView`] shape, serialised as is).

use crate::domain::names::AppName;
use crate::http::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{error, store_error};

/// 200 with the view; 400 for an unknown parameter or an invalid app name; 404 for an app
/// badger knows nothing of (never deployed, and not in the policy's `apps`), so a typo in a
/// pipeline is not mistaken for "nothing to report".
pub async fn versions(State(s): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let mut app: Option<String> = None;
    for (k, v) in form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "app" if app.is_none() => app = Some(v.into_owned()),
            "app" => return error(StatusCode::BAD_REQUEST, "give `app` at most once"),
            other => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "unknown query parameter `{}`; the only one is `app`",
                        other.chars().take(64).collect::<String>()
                    ),
                )
            }
        }
    }
    let app = match app.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => match AppName::parse(a) {
            Ok(a) => Some(a),
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("`app`: {}", e.0)),
        },
    };
    let view = match s
        .core
        .versions_view(app.as_ref().map(AppName::as_str))
        .await
    {
        Ok(v) => v,
        Err(e) => return store_error(e),
    };
    if let Some(a) = &app {
        if view.apps.is_empty() {
            return error(
                StatusCode::NOT_FOUND,
                format!(
                    "no app `{a}`: nothing of it has been deployed and the policy does not list it"
                ),
            );
        }
    }
    Json(view).into_response()
}
