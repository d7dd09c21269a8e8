//! The dashboard's routes: `GET /dashboard` and `GET /apps/{app}` (the store reads and
//! templates are `crate::dashboard`'s); both read the status snapshot (`Core::snapshot`).

use super::console::{refusal, Peer};
use crate::console::{self, mrkdwn::Names};
use crate::dashboard::{app_board, board, view};
use crate::http::AppState;
use crate::store::StoreError;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// `GET /dashboard`.
pub async fn page(State(s): State<AppState>, peer: Peer, headers: HeaderMap) -> Response {
    let console = s.local_mode && refusal(&peer, &headers).is_none();
    render(&s, None, console).await
}

/// The dashboard, with a note on why the console was refused when it was. Local mode's
/// log of what badger would post (other people's private answers among it) is shown only
/// to those the console itself serves (`console`).
pub async fn render(s: &AppState, refused: Option<String>, console: bool) -> Response {
    let people = People::of(s);
    let person = |id: &str| people.name(id);
    let page = async {
        let snapshot = s.core.snapshot().await?;
        let b = board(&s.core, &snapshot, console, refused, &person).await?;
        Ok(Html(view::dashboard(&b).into_string()).into_response())
    };
    page.await.unwrap_or_else(failed)
}

/// `GET /apps/{app}`: 404 with a readable page for an app badger knows nothing about.
pub async fn app(State(s): State<AppState>, Path(app): Path<String>) -> Response {
    let people = People::of(&s);
    let person = |id: &str| people.name(id);
    let page = async {
        let snapshot = s.core.snapshot().await?;
        Ok(match app_board(&s.core, &snapshot, &app, &person).await? {
            Ok(b) => Html(view::app_page(&b, &app).into_string()).into_response(),
            Err(known) => {
                let core = &s.core;
                let page = view::unknown_app(&app, &known, core.now(), core.policy.calendar.tz);
                (StatusCode::NOT_FOUND, Html(page.into_string())).into_response()
            }
        })
    };
    page.await.unwrap_or_else(failed)
}

/// People by Slack id when connected; by the console's names in local mode.
struct People<'a> {
    local_mode: bool,
    policy: &'a crate::config::Policy,
    channel: String,
}

impl<'a> People<'a> {
    fn of(s: &'a AppState) -> Self {
        People {
            local_mode: s.local_mode,
            policy: &s.core.policy,
            channel: console::channel_of(&s.core),
        }
    }

    fn name(&self, id: &str) -> String {
        if !self.local_mode {
            return id.to_owned();
        }
        let names = console::ConsoleNames {
            policy: self.policy,
            channel: &self.channel,
        };
        names.user(id)
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
