//! The history API: `GET /api/v1/deployments` (newest first, filtered, paged with an id
//! cursor) and `GET /api/v1/deployments/{id}`, each deployment with its transitions.
//! Reads, like `/api/v1/status`, need no token.

use super::query::{known_parameters, shown};
use super::{error, store_error};
use crate::domain::deployment::{Deployment, State as DeployState};
use crate::domain::names::AppName;
use crate::domain::transitions::{duration_seconds, transitions, Transition};
use crate::http::AppState;
use crate::store::{HistoryQuery, SmokeSummary};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Rows on a page unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

const PARAMETERS: [&str; 6] = [
    "app",
    "environment",
    "state",
    "requester",
    "before",
    "limit",
];

/// A deployment as the history API shows it (the status API's names, without the queue's
/// internals).
#[derive(Debug, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub app: String,
    pub git_ref: String,
    pub environment: String,
    pub requester: String,
    pub state: DeployState,
    pub note: Option<String>,
    pub emergency_reason: Option<String>,
    pub source: String,
    pub ci_url: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_seconds: Option<i64>,
    pub outcome_note: Option<String>,
    /// Who started it when not its requester (a Slack user id, `ci` or `badger`); `None`:
    /// its requester did, it never started, or it started before this was recorded.
    pub started_by: Option<String>,
    /// Who ended it when not its requester, the same way; `None` likewise (and for badger's
    /// own endings: a turn that expired, the window closing).
    pub ended_by: Option<String>,
    pub transitions: Vec<Transition>,
    /// Its smoke check; `None` when it had none (not a success, or no smoke URLs there).
    pub smoke: Option<SmokeSummary>,
    /// The deployer's "all is well" after staying around; `None`: not confirmed.
    pub all_well: Option<AllWell>,
}

/// Who confirmed that all was well after a deployment, and when.
#[derive(Debug, Serialize)]
pub struct AllWell {
    pub at: DateTime<Utc>,
    pub by: String,
}

impl From<Deployment> for HistoryEntry {
    fn from(d: Deployment) -> Self {
        HistoryEntry {
            transitions: transitions(&d),
            duration_seconds: duration_seconds(&d),
            id: d.id,
            app: d.app,
            git_ref: d.git_ref,
            environment: d.environment,
            requester: d.requester,
            source: d.source,
            state: d.state,
            note: d.note,
            emergency_reason: d.emergency_reason,
            ci_url: d.ci_url,
            outcome_note: d.outcome_note,
            started_by: d.started_by.map(|c| c.as_str().to_owned()),
            ended_by: d.ended_by.map(|c| c.as_str().to_owned()),
            requested_at: d.requested_at,
            called_at: d.called_at,
            started_at: d.started_at,
            finished_at: d.finished_at,
            ended_at: d.ended_at,
            smoke: None,
            all_well: None,
        }
    }
}

fn all_well(
    found: &mut std::collections::HashMap<i64, (DateTime<Utc>, String)>,
    id: i64,
) -> Option<AllWell> {
    found.remove(&id).map(|(at, by)| AllWell { at, by })
}

fn bad(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

/// The query string as a history query, or what is wrong with it (a 400). An empty value
/// is no filter (`?app=&state=` lists everything).
pub fn parse_query(s: &AppState, raw: Option<&str>) -> Result<HistoryQuery, String> {
    let mut q = HistoryQuery {
        limit: DEFAULT_LIMIT,
        ..HistoryQuery::default()
    };
    for (name, value) in known_parameters(raw, &PARAMETERS)? {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match name {
            "app" => {
                AppName::parse(value).map_err(|e| e.0)?;
                q.app = Some(value.to_owned());
            }
            "environment" => {
                if s.core.policy.env(value).is_none() {
                    return Err(format!(
                        "unknown environment `{}`; known: {}",
                        shown(value),
                        s.core.policy.env_strs().join(", ")
                    ));
                }
                q.environment = Some(value.to_owned());
            }
            "state" => {
                q.state = Some(DeployState::parse(value).ok_or_else(|| {
                    format!(
                        "unknown state `{}`; one of queued, called, deploying, succeeded, failed, cancelled, expired",
                        shown(value)
                    )
                })?);
            }
            "requester" => {
                // PostgreSQL text cannot hold NUL; no user id has control characters.
                if value.chars().count() > 100 || value.chars().any(char::is_control) {
                    return Err(
                        "`requester` is a Slack user id or `ci`: at most 100 characters, no control characters"
                            .into(),
                    );
                }
                q.requester = Some(value.to_owned());
            }
            "before" => {
                q.before = Some(value.parse::<i64>().ok().filter(|b| *b > 0).ok_or_else(|| {
                    format!(
                        "`before` = `{}` is not a cursor: pass `next_before` from the previous page",
                        shown(value)
                    )
                })?);
            }
            // "limit", the last of PARAMETERS.
            _ => {
                q.limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|l| (1..=MAX_LIMIT).contains(l))
                    .ok_or_else(|| {
                        format!(
                            "`limit` = `{}`: give a whole number from 1 to {MAX_LIMIT}",
                            shown(value)
                        )
                    })?;
            }
        }
    }
    Ok(q)
}

pub async fn list(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_query(&s, raw.as_deref()) {
        Ok(q) => q,
        Err(message) => return bad(message),
    };
    let page = match s.core.store.history_page(&q).await {
        Ok(page) => page,
        Err(e) => return store_error(e),
    };
    // One query each for the whole page's smoke checks and confirmations, not one per row.
    let ids: Vec<i64> = page.deployments.iter().map(|d| d.id).collect();
    match tokio::try_join!(
        s.core.store.smoke_summaries(&ids),
        s.core.store.all_well_for(&ids)
    ) {
        Ok((mut smoke, mut well)) => {
            let deployments: Vec<HistoryEntry> = page
                .deployments
                .into_iter()
                .map(|d| {
                    let id = d.id;
                    HistoryEntry {
                        smoke: smoke.remove(&id),
                        all_well: all_well(&mut well, id),
                        ..d.into()
                    }
                })
                .collect();
            Json(serde_json::json!({
                "deployments": deployments,
                // A string: clients pass it back as is and must not do arithmetic on it.
                "next_before": page.next_before.map(|b| b.to_string()),
            }))
            .into_response()
        }
        Err(e) => store_error(e),
    }
}

pub async fn one(State(s): State<AppState>, id: Result<Path<String>, PathRejection>) -> Response {
    let Some(id) = id.ok().and_then(|Path(id)| id.parse::<i64>().ok()) else {
        return error(StatusCode::NOT_FOUND, "deployment ids are numbers");
    };
    let ids = [id];
    let (d, mut smoke, mut well) = match tokio::try_join!(
        s.core.store.deployment(id),
        s.core.store.smoke_summaries(&ids),
        s.core.store.all_well_for(&ids)
    ) {
        Ok(x) => x,
        Err(e) => return store_error(e),
    };
    match d {
        Some(d) => Json(HistoryEntry {
            smoke: smoke.remove(&id),
            all_well: all_well(&mut well, id),
            ..d.into()
        })
        .into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no deployment #{id}")),
    }
}
