//! `GET /api/v1/status`: the status board as JSON, in the contract's shape (`openapi.json`).
//! What changes only when the snapshot does (every queue, the holds, every app's versions:
//! thousands of rows on a busy day) is serialised once per snapshot and reused until the
//! next commit; the window, the clock and the smoke checks are read per request.

use super::{internal, store_error};
use crate::domain::board::Board;
use crate::domain::window::Opening;
use crate::http::AppState;
use crate::service::Snapshot;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::value::{to_raw_value, RawValue};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// How many finished smoke checks status lists, newest first.
const RECENT_SMOKE_CHECKS: i64 = 10;

/// The serialised parts of the last snapshot answered.
#[derive(Default)]
pub struct StatusCache(Mutex<Option<Arc<Parts>>>);

pub struct Parts {
    snapshot: Arc<Snapshot>,
    /// Per environment, in the policy's order: its active deployment and its queue.
    environments: Vec<(Box<RawValue>, Box<RawValue>)>,
    deploying: Box<RawValue>,
    holds: Box<RawValue>,
    versions: Box<RawValue>,
}

impl StatusCache {
    fn parts(&self, snapshot: &Arc<Snapshot>, board: &Board) -> serde_json::Result<Arc<Parts>> {
        let current = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(p) = current.filter(|p| Arc::ptr_eq(&p.snapshot, snapshot)) {
            return Ok(p);
        }
        // Serialised outside the lock; two requests racing on a new snapshot both do it.
        let environments = board
            .environments
            .iter()
            .map(|e| Ok((to_raw_value(&e.active)?, to_raw_value(&e.queue)?)))
            .collect::<serde_json::Result<_>>()?;
        let parts = Arc::new(Parts {
            snapshot: snapshot.clone(),
            environments,
            deploying: to_raw_value(&board.deploying)?,
            holds: to_raw_value(&board.holds)?,
            versions: to_raw_value(&listed_versions(snapshot, board))?,
        });
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(parts.clone());
        Ok(parts)
    }
}

/// The snapshot's versions in the environments the policy lists (the board's), as
/// `environments` shows them: one removed from the policy keeps its rows in the store but
/// is no longer reported.
fn listed_versions<'a>(snapshot: &'a Snapshot, board: &Board) -> Vec<&'a crate::store::Version> {
    snapshot
        .versions
        .iter()
        .filter(|v| board.environments.iter().any(|e| e.name == v.environment))
        .collect()
}

// Fields in alphabetical order: the order `json!` gave the same answer before.
#[derive(Serialize)]
struct Status<'a> {
    deploying: &'a RawValue,
    environments: Vec<Env<'a>>,
    holds: &'a RawValue,
    now: DateTime<Utc>,
    queues: BTreeMap<&'a str, &'a RawValue>,
    smoke_checks: &'a [crate::store::SmokeCheck],
    timezone: &'a str,
    versions: &'a RawValue,
    window: Value,
    windows: Vec<Value>,
}

#[derive(Serialize)]
struct Env<'a> {
    active: &'a RawValue,
    name: &'a str,
    queue: &'a RawValue,
    requires_previous: bool,
    window: &'a crate::config::WindowKind,
    window_open: bool,
}

fn opening(o: Opening) -> Value {
    json!({"opens": o.opens, "closes": o.closes})
}

pub async fn status(State(s): State<AppState>) -> Response {
    let core = &s.core;
    let cal = &core.policy.calendar;
    let (snapshot, smoke_checks) = match tokio::try_join!(
        core.snapshot(),
        core.store.recent_smoke_checks(RECENT_SMOKE_CHECKS)
    ) {
        Ok(x) => x,
        Err(e) => return store_error(e),
    };
    let board = core.board(&snapshot);
    let parts = match s.status_cache.parts(&snapshot, &board) {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    let now = board.now;
    // The board keeps the policy's environments in its order, one for one.
    let environments = core
        .policy
        .environments
        .iter()
        .zip(&board.environments)
        .zip(&parts.environments)
        .map(|((e, b), (active, queue))| Env {
            active,
            name: b.name,
            queue,
            requires_previous: e.requires_previous,
            window: &e.window,
            window_open: b.window_open,
        })
        .collect();
    // The same queues, under the names the contract uses.
    let queues = board
        .environments
        .iter()
        .zip(&parts.environments)
        .map(|(e, (_, queue))| (e.name, &**queue))
        .collect();
    let answer = Status {
        deploying: &parts.deploying,
        environments,
        holds: &parts.holds,
        now,
        queues,
        smoke_checks: &smoke_checks,
        timezone: cal.tz.name(),
        versions: &parts.versions,
        window: json!({
            "open": board.window.is_open(),
            "current": board.window.current.map(opening),
            "next": board.window.next.map(opening),
        }),
        windows: cal.openings(now, 5).into_iter().map(opening).collect(),
    };
    match serde_json::to_vec(&answer) {
        Ok(body) => ([(CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => internal(e),
    }
}
