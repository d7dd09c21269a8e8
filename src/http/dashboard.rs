//! The dashboard's routes: `GET /dashboard` and `GET /apps/{app}` (the store reads and
//! templates are `crate::dashboard`'s); both read the status snapshot (`Core::snapshot`).

use crate::console::{self, mrkdwn::Names};
use crate::dashboard::{app_board, board, view};
use crate::http::AppState;
use crate::store::StoreError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// `GET /dashboard`.
pub async fn page(State(s): State<AppState>) -> Response {
    render(&s, None).await
}

/// The dashboard, with a note on why the console was refused when it was.
pub async fn render(s: &AppState, refused: Option<String>) -> Response {
    let channel = console::channel_of(&s.core);
    let names = console::ConsoleNames {
        policy: &s.core.policy,
        channel: &channel,
    };
    let person = |id: &str| person(s.local_mode, &names, id);
    let snapshot = match s.core.snapshot().await {
        Ok(snapshot) => snapshot,
        Err(e) => return failed(e),
    };
    match board(&s.core, &snapshot, s.local_mode, refused, &person).await {
        Ok(b) => Html(view::dashboard(&b).into_string()).into_response(),
        Err(e) => failed(e),
    }
}

/// `GET /apps/{app}`: 404 with a readable page for an app badger knows nothing about.
pub async fn app(State(s): State<AppState>, Path(app): Path<String>) -> Response {
    let channel = console::channel_of(&s.core);
    let names = console::ConsoleNames {
        policy: &s.core.policy,
        channel: &channel,
    };
    let person = |id: &str| person(s.local_mode, &names, id);
    let snapshot = match s.core.snapshot().await {
        Ok(snapshot) => snapshot,
        Err(e) => return failed(e),
    };
    match app_board(&s.core, &snapshot, &app, &person).await {
        Ok(Ok(b)) => Html(view::app_page(&b, &app).into_string()).into_response(),
        Ok(Err(known)) => {
            let core = &s.core;
            let page = view::unknown_app(&app, &known, core.now(), core.policy.calendar.tz);
            (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
        }
        Err(e) => failed(e),
    }
}

/// People by Slack id when connected; by the console's names in local mode.
fn person(local_mode: bool, names: &console::ConsoleNames, id: &str) -> String {
    if local_mode {
        names.user(id)
    } else {
        id.to_owned()
    }
}

fn failed(e: StoreError) -> Response {
    tracing::error!(error = %e, "dashboard");
    let status = if e.is_unavailable() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (
        status,
        "The dashboard could not read the database; try again shortly.",
    )
        .into_response()
}
