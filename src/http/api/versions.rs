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
/// badger knows nothing of (by the dashboard's app page's rule, [`Core::knows_app`]: no
/// deployments, none live, not in the policy's `apps`), so a typo in a pipeline is not
/// mistaken for "nothing to report". An app known but not running anywhere has empty cells.
///
/// [`Core::knows_app`]: crate::service::Core::knows_app
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
    let view = match &app {
        None => s.core.versions_view(None).await.map(Some),
        Some(a) => s.core.app_versions(a.as_str()).await,
    };
    match view {
        Ok(Some(v)) => Json(v).into_response(),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!(
                "no app `{}`: it has no deployments, none is live and the policy does not list it",
                app.as_ref().map_or("", AppName::as_str)
            ),
        ),
        Err(e) => store_error(e),
    }
}
