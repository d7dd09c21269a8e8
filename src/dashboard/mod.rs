//! The dashboard's read side: `GET /dashboard` in both modes (and `GET /` wherever the
//! local console is not served), and a page per app, `GET /apps/{app}`, whose handlers are
//! the HTTP edge's (`src/http/dashboard.rs`). Here it reads the store, builds the pure
//! model (`model.rs`) and renders compiled, auto-escaping templates (`view.rs`). It shows
//! no settings, so no secret can reach it.

pub mod model;
pub mod smoke_cell;
pub mod style;
pub mod view;

use crate::service::Core;
use crate::store::{SmokeSummary, StoreError};
use std::collections::HashMap;
use view::Board;

/// Finished deployments on the dashboard, and on an app's page.
const HISTORY: i64 = 20;
const APP_HISTORY: i64 = 50;
/// Local mode's record of posts shown under the dashboard.
const LOCAL_LOG: i64 = 30;

/// The policy's environments in order, with whether each is always open.
fn environments(core: &Core) -> Vec<(String, bool)> {
    core.policy
        .environments
        .iter()
        .map(|e| {
            let always = e.window == crate::config::WindowKind::Always;
            (e.name.as_str().to_owned(), always)
        })
        .collect()
}

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

pub async fn board<'a>(
    core: &Core,
    local_mode: bool,
    refused: Option<String>,
    person: view::Person<'a>,
) -> Result<Board<'a>, StoreError> {
    let (live, holds, matrix, history) = tokio::try_join!(
        core.store.live_deployments(None),
        core.store.active_holds(),
        core.versions_view(None),
        core.store.history(HISTORY)
    )?;
    let smoke = smoke_of(core, &history).await?;
    let local_log = if local_mode {
        Some(core.store.local_messages(LOCAL_LOG).await?)
    } else {
        None
    };
    let now = core.now();
    let environments = environments(core);
    Ok(Board {
        now,
        tz: core.policy.calendar.tz,
        window: model::window_now(&core.policy.calendar, now),
        matrix,
        environments,
        live,
        holds,
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
    core: &Core,
    app: &str,
    person: view::Person<'a>,
) -> Result<Result<Board<'a>, Vec<String>>, StoreError> {
    let (live, holds, matrix, history) = tokio::try_join!(
        core.store.live_deployments(None),
        core.store.active_holds(),
        core.versions_view(Some(app)),
        core.store.app_history(app, APP_HISTORY)
    )?;
    let configured = configured_apps(core);
    let live: Vec<_> = live.into_iter().filter(|d| d.app == app).collect();
    let deployed = matrix
        .app(app)
        .is_some_and(|a| a.per_env.iter().any(Option::is_some));
    let known =
        configured.iter().any(|a| a == app) || deployed || !history.is_empty() || !live.is_empty();
    if !known {
        let mut apps: Vec<String> = core
            .store
            .versions(None)
            .await?
            .into_iter()
            .map(|v| v.app)
            .chain(configured)
            .collect();
        apps.sort();
        apps.dedup();
        return Ok(Err(apps));
    }
    let smoke = smoke_of(core, &history).await?;
    let now = core.now();
    let environments = environments(core);
    Ok(Ok(Board {
        now,
        tz: core.policy.calendar.tz,
        window: model::window_now(&core.policy.calendar, now),
        matrix,
        environments,
        live,
        holds: holds
            .into_iter()
            .filter(|h| h.is_all() || h.scope == app)
            .collect(),
        history,
        smoke,
        local_log: None,
        refused: None,
        person,
        app: Some(app.to_owned()),
    }))
}
