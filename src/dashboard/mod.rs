//! The dashboard's read side: `GET /dashboard` in both modes (and `GET /` wherever the
//! local console is not served), and a page per app, `GET /apps/{app}`, whose handlers are
//! the HTTP edge's (`src/http/dashboard.rs`). Here it takes the status snapshot and board
//! (`domain::board`, shared with `/deploy status`, the API and App Home), reads the history,
//! builds the pure model (`model.rs`) and renders compiled, auto-escaping templates (`view.rs`). It shows
//! no settings, so no secret can reach it.

pub mod matrix;
pub mod model;
pub mod smoke_cell;
pub mod style;
pub mod view;

use crate::domain::names::AppName;
use crate::service::{Core, Snapshot};
use crate::store::{SmokeSummary, StoreError};
use std::collections::HashMap;
use view::Board;

/// Finished deployments on the dashboard, and on an app's page.
const HISTORY: i64 = 20;
const APP_HISTORY: i64 = 50;
/// Local mode's record of posts shown under the dashboard.
const LOCAL_LOG: i64 = 30;

/// The smoke checks of the history shown, in one query.
async fn smoke_of(
    core: &Core,
    history: &[crate::domain::deployment::Deployment],
) -> Result<HashMap<i64, SmokeSummary>, StoreError> {
    let ids: Vec<i64> = history.iter().map(|d| d.id).collect();
    core.store.smoke_summaries(&ids).await
}

fn configured_apps(core: &Core) -> Vec<String> {
    core.policy
        .apps
        .iter()
        .map(|a| a.as_str().to_owned())
        .collect()
}

/// Every app deployed somewhere or listed in the policy, sorted.
fn known_apps(core: &Core, snapshot: &Snapshot) -> Vec<String> {
    let mut apps: Vec<String> = snapshot
        .versions
        .iter()
        .map(|v| v.app.clone())
        .chain(configured_apps(core))
        .collect();
    apps.sort();
    apps.dedup();
    apps
}

/// The dashboard from `snapshot` (the status snapshot, `Core::snapshot`) and the history;
/// with local mode's log of what badger would post when `local_log` (a console client).
pub async fn board<'a>(
    core: &'a Core,
    snapshot: &'a Snapshot,
    local_log: bool,
    refused: Option<String>,
    person: view::Person<'a>,
) -> Result<Board<'a>, StoreError> {
    let history = core.store.history(HISTORY).await?;
    let smoke = smoke_of(core, &history).await?;
    let local_log = if local_log {
        Some(core.store.local_messages(LOCAL_LOG).await?)
    } else {
        None
    };
    let status = core.board(snapshot);
    Ok(Board {
        now: status.now,
        tz: core.policy.calendar.tz,
        matrix: core.versions_view_of(snapshot, None),
        status,
        history,
        smoke,
        local_log,
        refused,
        person,
        app: None,
    })
}

/// One app's board, or (`Err`) the apps badger does know when it knows nothing of this one.
pub async fn app_board<'a>(
    core: &'a Core,
    snapshot: &'a Snapshot,
    app: &str,
    person: view::Person<'a>,
) -> Result<Result<Board<'a>, Vec<String>>, StoreError> {
    // `app` is a raw path segment: what is not an app name names no app, and must not reach
    // the store (PostgreSQL refuses a NUL in text, which would be a 500).
    if AppName::parse(app).is_err() {
        return Ok(Err(known_apps(core, snapshot)));
    }
    let history = core.store.app_history(app, APP_HISTORY).await?;
    let matrix = core.versions_view_of(snapshot, Some(app));
    let status = core.board(snapshot).only_app(app);
    if !core.knows_app(snapshot, &matrix, app, !history.is_empty()) {
        return Ok(Err(known_apps(core, snapshot)));
    }
    let smoke = smoke_of(core, &history).await?;
    Ok(Ok(Board {
        now: status.now,
        tz: core.policy.calendar.tz,
        matrix,
        status,
        history,
        smoke,
        local_log: None,
        refused: None,
        person,
        app: Some(app.to_owned()),
    }))
}
