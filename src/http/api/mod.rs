//! The CI API and the operational endpoints; the `/api/v1` route table (`routes.rs`), its
//! OpenAPI document, the history and versions reads are beside it.

mod auth;
pub mod history;
mod query;
pub mod routes;
pub mod status;
pub mod versions;

pub use auth::ApiKeys;
pub use status::status;

use crate::domain::admission::{Refusal, Refused};
use crate::domain::promotion::PromotionCheck;
use crate::http::AppState;
use crate::service::{CiError, CiEvent, CiReport};
use auth::authorize;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono_tz::Tz;
use serde_json::json;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.core.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

pub async fn metrics(State(s): State<AppState>) -> Response {
    let gauges = match s.core.store.gauges(s.core.now()).await {
        Ok(g) => Some(g),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the gauges");
            None
        }
    };
    let pending = gauges.as_ref().map_or(-1, |g| g.outbox_pending);
    let envs = s.core.policy.env_strs();
    let body =
        s.core.metrics.render(pending) + &s.core.metrics.operator.render(gauges.as_ref(), &envs);
    ([("content-type", "text/plain; version=0.0.4")], body).into_response()
}

pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// The database is down or unreachable: nothing was changed, and the caller may retry.
pub(crate) fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "the database is unavailable");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "badger can't reach its database; nothing was changed. Try again shortly.",
    )
}

/// The machine-readable `error` of a write whose COMMIT was sent and whose answer was lost
/// with the database connection.
pub const OUTCOME_UNKNOWN: &str = "outcome_unknown";

/// The connection was lost during the COMMIT: the write may or may not have been saved, so
/// the caller must look before trying again (503, `error` [`OUTCOME_UNKNOWN`]).
pub(crate) fn outcome_unknown(e: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %e, "the database connection was lost during a commit: the API answers outcome_unknown");
    let body = json!({
        "error": OUTCOME_UNKNOWN,
        "message": "badger lost its database connection while saving this, so it may or may not have been saved. Check GET /api/v1/deployments/{id} (for a new report, GET /api/v1/deployments?app=A&environment=E) before trying again.",
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// A store error on a read: 503 if the database is out of reach, else 500.
pub(crate) fn store_error(e: crate::store::StoreError) -> Response {
    if e.is_commit_unknown() {
        outcome_unknown(e)
    } else if e.is_unavailable() {
        unavailable(e)
    } else {
        internal(e)
    }
}

pub(crate) fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "internal error in the API");
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

impl IntoResponse for CiError {
    fn into_response(self) -> Response {
        match self {
            CiError::BadRequest(m) => error(StatusCode::UNPROCESSABLE_ENTITY, m),
            CiError::NotFound(m) => error(StatusCode::NOT_FOUND, m),
            CiError::Conflict(m) => error(StatusCode::CONFLICT, m),
            CiError::OutOfScope {
                allowed,
                app,
                deployment,
            } => auth::out_of_scope(&allowed, &app, deployment),
            CiError::Denied(d) => error(StatusCode::CONFLICT, d.code()),
            // Handlers word refusals with the policy's timezone (see `ci_error`); this is
            // the fallback in UTC.
            CiError::Refused(r) => refused_response(&r, chrono_tz::UTC),
            CiError::Internal(e) if e.is_commit_unknown() => outcome_unknown(e),
            CiError::Internal(e) if e.is_unavailable() => unavailable(e),
            CiError::Internal(e) => internal(e),
        }
    }
}

/// A CI error as the API answers it, refusals worded in the configured timezone.
fn ci_error(s: &AppState, e: CiError) -> Response {
    match e {
        CiError::Refused(r) => refused_response(&r, s.core.policy.calendar.tz),
        other => other.into_response(),
    }
}

/// 423 with the rule's reasons, as deploy-check answers.
fn refused_response(r: &Refused, tz: Tz) -> Response {
    let reasons = worded(r, tz);
    let body = json!({
        "error": format!("refused: {}", reasons.join("; ")),
        "allowed": false,
        "reasons": reasons,
        "refusals": refusal_list(r, tz),
    });
    (StatusCode::LOCKED, Json(body)).into_response()
}

/// The admission rule's refusals in plain words (no Slack markup), one per reason.
pub fn worded(r: &Refused, tz: Tz) -> Vec<String> {
    r.reasons.iter().map(|x| word(x, r, tz)).collect()
}

fn word(x: &Refusal, r: &Refused, tz: Tz) -> String {
    let env = &r.env;
    match x {
        Refusal::NotPermitted { env } => format!("not permitted to deploy to {env}"),
        Refusal::Held(h) => format!(
            "hold #{} on {} by {}: {}{}",
            h.id,
            h.describe_scope(),
            h.owner,
            h.reason,
            h.until_shown(tz)
                .map(|u| format!("; it ends at {u}"))
                .unwrap_or_default()
        ),
        Refusal::WindowClosed(closed) => {
            let why = closed.why().map(|c| format!(" ({c})")).unwrap_or_default();
            let next = closed
                .next_opens(tz)
                .map(|o| format!("; it next opens {o}"))
                .unwrap_or_default();
            format!("the deploy window for {env} is closed{why}{next}")
        }
        Refusal::NotPromoted { previous, check } => {
            let git_ref = r.git_ref.as_deref().unwrap_or("");
            let why = match check {
                PromotionCheck::NeverDeployed => format!("{} has never been deployed there", r.app),
                PromotionCheck::LatestDiffers {
                    latest_ref,
                    latest_state,
                } if latest_ref == git_ref => {
                    format!("its latest deployment there {}", latest_state.as_str())
                }
                PromotionCheck::LatestDiffers {
                    latest_ref,
                    latest_state,
                } => format!(
                    "the latest finished deployment there is {latest_ref} ({})",
                    latest_state.as_str()
                ),
                PromotionCheck::Allowed => "it has".into(),
            };
            format!(
                "{} {git_ref} must succeed in {previous} before {env}: {why}",
                r.app
            )
        }
        Refusal::Busy(d) => {
            let busy = format!(
                "{env} is busy: #{} {} {} by {} is {}",
                d.id,
                d.app,
                d.git_ref,
                d.requester,
                d.state.as_str()
            );
            // A person's deployment of this very app: what its pipeline runs, as
            // deploy-check's `deployment` says; a run of it reports there, not as its own.
            if d.app == r.app && !d.from_ci() {
                format!(
                    "{busy}; if this pipeline runs that deployment, report to it: \
                     POST /api/v1/deployments/{}/events",
                    d.id
                )
            } else {
                busy
            }
        }
    }
}

/// The same refusals as typed JSON: a stable `code`, the words, and the facts.
fn refusal_list(r: &Refused, tz: Tz) -> Vec<serde_json::Value> {
    r.reasons
        .iter()
        .map(|x| {
            let mut v = json!({ "code": x.code(), "message": word(x, r, tz) });
            match x {
                Refusal::Held(h) => v["hold"] = json!(h),
                Refusal::WindowClosed(closed) => {
                    v["next_opening"] = json!(closed.next_opening);
                    if let Some(c) = &closed.closure {
                        v["closure"] = json!(c);
                    }
                    if !closed.skipping.is_empty() {
                        v["skipping"] = json!(closed.skipping);
                    }
                }
                Refusal::NotPromoted { previous, .. } => v["previous"] = json!(previous),
                Refusal::Busy(d) => v["deployment"] = json!(d),
                Refusal::NotPermitted { .. } => {}
            }
            v
        })
        .collect()
}

/// deploy-check's parameters; with `ref`, the promotion rule is answered too.
const CHECK_PARAMETERS: [&str; 3] = ["app", "environment", "ref"];

pub async fn deploy_check(State(s): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    // Anything else, a misspelt `ref` above all, would be a yes that skipped a rule.
    let params = match query::known_parameters(raw.as_deref(), &CHECK_PARAMETERS) {
        Ok(p) => p,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let param = |name| params.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
    let (Some(app), Some(env)) = (param("app"), param("environment")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "query parameters `app` and `environment` are required",
        );
    };
    let git_ref = param("ref");
    if git_ref.is_some_and(|r| r.trim().is_empty()) {
        return error(
            StatusCode::BAD_REQUEST,
            "`ref` is empty: give the ref to deploy, or leave `ref` out to skip the promotion rule",
        );
    }
    match s
        .core
        .deploy_check(app, env, git_ref.map(String::as_str))
        .await
    {
        // With a person's live deployment of this app there, its id: the pipeline runs it,
        // and reports to it.
        Ok(r) if r.allowed() => {
            let mut body = json!({ "allowed": true });
            if let Some(id) = r.deployment {
                body["deployment"] = json!(id);
            }
            (StatusCode::OK, Json(body)).into_response()
        }
        // The same body a refused `started` gets, so every 4xx carries an `error` string.
        Ok(r) => refused_response(&r.refused, s.core.policy.calendar.tz),
        Err(e) => ci_error(&s, e),
    }
}

/// 400 for a body that is not JSON at all; 422 for JSON of the wrong shape (unknown or
/// missing fields, wrong types), and `shape` for JSON that is no object at all.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8], shape: &str) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        let status = match e.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        // serde would name the internal type it expected ("struct CiReport").
        let no_object =
            serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| !v.is_object());
        let message = match no_object {
            true => shape.to_owned(),
            false => format!("invalid JSON body: {e}"),
        };
        Box::new(error(status, message))
    })
}

const REPORT_SHAPE: &str = "the body must be a JSON object with app, ref, environment and status";
const EVENT_SHAPE: &str = "the body must be a JSON object with status";

pub async fn report(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let scope = match authorize(&s, &headers) {
        Ok(scope) => scope,
        Err(r) => return *r,
    };
    let r: CiReport = match json_body(&body, REPORT_SHAPE) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    crate::telemetry::record("command", "ci_report");
    match s.core.ci_report(scope, r).await {
        Ok(r) => {
            crate::telemetry::record_deployment(r.id);
            let mut body = json!({ "id": r.id });
            if let Some(previous) = r.not_promoted {
                body["not_promoted"] = json!(previous);
            }
            (StatusCode::CREATED, Json(body)).into_response()
        }
        Err(e) => ci_error(&s, e),
    }
}

pub async fn event(
    State(s): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let scope = match authorize(&s, &headers) {
        Ok(scope) => scope,
        Err(r) => return *r,
    };
    let Some(Ok(id)) = id.ok().map(|Path(id)| id.parse::<i64>()) else {
        return error(StatusCode::NOT_FOUND, "deployment ids are numbers");
    };
    crate::telemetry::record("command", "ci_event");
    crate::telemetry::record_deployment(id);
    let e: CiEvent = match json_body(&body, EVENT_SHAPE) {
        Ok(e) => e,
        Err(resp) => return *resp,
    };
    match s.core.ci_event(id, scope, e).await {
        Ok(state) => Json(json!({ "id": id, "state": state })).into_response(),
        Err(e) => ci_error(&s, e),
    }
}
