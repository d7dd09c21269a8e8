//! The CI API's use cases: pipelines report deployments they run themselves, and ask
//! "may I deploy now?".

use super::queue::Outcome;
use super::{post, Core, ServiceError};
use crate::config::Environment;
use crate::domain::deployment::State;
use crate::domain::hold::blocking;
use crate::domain::names::{AppName, GitRef};
use crate::domain::window::format_local;
use crate::slack::blocks;
use crate::store::{env_lock, NewDeployment, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Internal(#[from] StoreError),
}

impl From<ServiceError> for CiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::User(m) => CiError::Conflict(m),
            ServiceError::Internal(e) => CiError::Internal(e),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiReport {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub environment: String,
    pub status: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiEvent {
    pub status: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct CheckResult {
    pub allowed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// Who CI deployments are attributed to in Slack.
pub const CI_ACTOR: &str = "ci";

fn bounded(field: &str, v: Option<String>, max: usize) -> Result<Option<String>, CiError> {
    match v {
        Some(s) if s.chars().count() > max => Err(CiError::BadRequest(format!(
            "`{field}` is longer than {max} characters"
        ))),
        Some(s) if s.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn valid_url(url: Option<String>) -> Result<Option<String>, CiError> {
    let url = bounded("url", url, 500)?;
    if let Some(u) = &url {
        match url::Url::parse(u) {
            Ok(p) if matches!(p.scheme(), "http" | "https") => {}
            _ => return Err(CiError::BadRequest("`url` must be an http(s) URL".into())),
        }
    }
    Ok(url)
}

impl Core {
    /// An application CI names: a valid slug, and one of the configured apps if any are.
    fn ci_app(&self, app: &str) -> Result<AppName, CiError> {
        let app = AppName::parse(app).map_err(|e| CiError::BadRequest(e.0))?;
        if !self.policy.apps.is_empty() && !self.policy.apps.contains(&app) {
            return Err(CiError::BadRequest(format!(
                "`{}` is not one of the configured apps",
                app.as_str()
            )));
        }
        Ok(app)
    }

    /// An environment CI names, which must be configured.
    fn ci_env(&self, env: &str) -> Result<&Environment, CiError> {
        self.policy.env(env).ok_or_else(|| {
            CiError::BadRequest(format!(
                "unknown environment `{}`; known: {}",
                crate::domain::text::truncate(env, 64),
                self.policy
                    .env_names()
                    .iter()
                    .map(|e| e.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    pub async fn deploy_check(&self, app: &str, env: &str) -> Result<CheckResult, CiError> {
        let app = self.ci_app(app)?;
        let env_cfg = self.ci_env(env)?;
        let now = self.now();
        let mut reasons = Vec::new();
        let holds = self.store.active_holds().await?;
        for h in blocking(&holds, app.as_str(), env) {
            reasons.push(format!(
                "hold #{} on {} by {}: {}",
                h.id,
                h.describe_scope(),
                h.owner,
                h.reason
            ));
        }
        if !self.policy.window_open(env_cfg, now) {
            let next = self
                .policy
                .calendar
                .next_opening(now)
                .map(|o| {
                    format!(
                        "; it next opens {}",
                        format_local(o.opens, self.policy.calendar.tz)
                    )
                })
                .unwrap_or_default();
            reasons.push(format!("the deploy window for {env} is closed{next}"));
        }
        let live = self.store.live_deployments(Some(env)).await?;
        // Busy is busy, whoever it is: `POST /api/v1/deployments` with `started` would be
        // refused, so the check must not say yes.
        if let Some(d) = live
            .iter()
            .find(|d| matches!(d.state, State::Called | State::Deploying))
        {
            // A person's `/deploy` of this very app is what its pipeline runs, so it does
            // not make the environment busy for that app; another app's deployment does,
            // and so does a CI-reported run (a second pipeline of the same app would race it).
            if d.app != app.as_str() || d.source == "ci" {
                reasons.push(format!(
                    "{env} is busy: #{} {} {} by {} is {}",
                    d.id,
                    d.app,
                    d.git_ref,
                    d.requester,
                    d.state.as_str()
                ));
            }
        }
        Ok(CheckResult {
            allowed: reasons.is_empty(),
            reasons,
        })
    }

    /// CI reports a deployment it runs itself. `started` claims the environment (refused
    /// while it is busy or held); `succeeded` / `failed` record a finished one.
    pub async fn ci_report(&self, r: CiReport) -> Result<i64, CiError> {
        let app = self.ci_app(&r.app)?;
        let git_ref = GitRef::parse(&r.git_ref).map_err(|e| CiError::BadRequest(e.0))?;
        let env = self.ci_env(&r.environment)?;
        let state = match r.status.as_str() {
            "started" => State::Deploying,
            "succeeded" => State::Succeeded,
            "failed" => State::Failed,
            other => {
                return Err(CiError::BadRequest(format!(
                    "`status` must be started, succeeded or failed, not `{other}`"
                )))
            }
        };
        let note = bounded("note", r.note, 500)?;
        let url = valid_url(r.url)?;
        let now = self.now();
        let env_name = env.name.as_str().to_owned();
        let channel = match &self.policy.channel {
            Some(c) => c.clone(),
            None => {
                return Err(CiError::Conflict(
                    "no deploy channel is configured (`channel` in the policy file)".into(),
                ))
            }
        };
        let mut tx = self.store.begin().await?;
        tx.lock(&env_lock(&env_name)).await?;
        if state == State::Deploying {
            let holds = tx.active_holds().await?;
            if let Some(h) = blocking(&holds, app.as_str(), &env_name).first() {
                return Err(CiError::Conflict(format!(
                    "held: hold #{} by {}: {}",
                    h.id, h.owner, h.reason
                )));
            }
            let live = tx.env_live(&env_name).await?;
            if let Some(d) = live
                .iter()
                .find(|d| matches!(d.state, State::Called | State::Deploying))
            {
                return Err(CiError::Conflict(format!(
                    "{env_name} is busy: #{} {} {} is {}",
                    d.id,
                    d.app,
                    d.git_ref,
                    d.state.as_str()
                )));
            }
        }
        let d = tx
            .insert_deployment(
                &NewDeployment {
                    app: app.as_str(),
                    git_ref: git_ref.as_str(),
                    environment: &env_name,
                    requester: CI_ACTOR,
                    channel: &channel,
                    note: note.as_deref(),
                    emergency_reason: None,
                    source: "ci",
                    state,
                    ci_url: url.as_deref(),
                },
                now,
            )
            .await?;
        tx.audit(
            now,
            CI_ACTOR,
            &format!("ci.{}", r.status),
            &format!("deployment #{}", d.id),
            &format!("{} {} to {}", d.app, d.git_ref, d.environment),
        )
        .await?;
        if state == State::Deploying {
            post(
                &mut tx,
                now,
                &channel,
                &blocks::start_alert(&d),
                Some(super::start_key(d.id)),
            )
            .await?;
        } else {
            post(&mut tx, now, &channel, &blocks::end_alert(&d), None).await?;
        }
        self.commit(tx).await?;
        match state {
            State::Deploying => self.metrics.started.inc(),
            State::Succeeded => self.metrics.succeeded.inc(),
            _ => self.metrics.failed.inc(),
        }
        Ok(d.id)
    }

    /// A CI event for a deployment. Repeating an event that already happened changes
    /// nothing (idempotent); contradicting a finished deployment is a conflict.
    pub async fn ci_event(&self, id: i64, e: CiEvent) -> Result<State, CiError> {
        let note = bounded("note", e.note, 500)?;
        let url = valid_url(e.url)?;
        let Some(d) = self.store.deployment(id).await? else {
            return Err(CiError::NotFound(format!("there is no deployment #{id}")));
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.lock(&env_lock(&d.environment)).await?;
        let Some(d) = tx.deployment(id).await? else {
            return Err(CiError::NotFound(format!("there is no deployment #{id}")));
        };
        if let Some(u) = &url {
            tx.set_ci_url(id, u).await?;
        }
        let result = match (e.status.as_str(), d.state) {
            ("started", State::Deploying)
            | ("succeeded", State::Succeeded)
            | ("failed", State::Failed) => d.state,
            ("started", State::Queued | State::Called) => {
                let holds = tx.active_holds().await?;
                if let Some(h) = blocking(&holds, &d.app, &d.environment).first() {
                    return Err(CiError::Conflict(format!(
                        "held: hold #{} by {}: {}",
                        h.id, h.owner, h.reason
                    )));
                }
                if d.state == State::Queued {
                    let live = tx.env_live(&d.environment).await?;
                    if live.iter().any(|x| {
                        x.id != d.id && matches!(x.state, State::Called | State::Deploying)
                    }) {
                        return Err(CiError::Conflict(format!(
                            "{} is busy with another deployment",
                            d.environment
                        )));
                    }
                }
                let mut d2 = d.clone();
                d2.ci_url = url.clone().or(d.ci_url.clone());
                self.start(&mut tx, &d2, now).await?;
                State::Deploying
            }
            ("succeeded" | "failed", State::Deploying) => {
                let outcome = if e.status == "succeeded" {
                    Outcome::Succeeded
                } else {
                    Outcome::Failed
                };
                self.finish(&mut tx, &d, outcome, note.as_deref(), CI_ACTOR, now)
                    .await?;
                if outcome == Outcome::Succeeded {
                    State::Succeeded
                } else {
                    State::Failed
                }
            }
            ("started" | "succeeded" | "failed", s) => {
                return Err(CiError::Conflict(format!(
                    "deployment #{id} is {}; `{}` does not apply",
                    s.as_str(),
                    e.status
                )))
            }
            (other, _) => {
                return Err(CiError::BadRequest(format!(
                    "`status` must be started, succeeded or failed, not `{other}`"
                )))
            }
        };
        self.commit(tx).await?;
        tracing::info!(deployment = id, status = %e.status, "CI event");
        Ok(result)
    }
}
