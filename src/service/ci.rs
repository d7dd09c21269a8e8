//! The CI API's use cases: pipelines report deployments they run themselves, and ask
//! "may I deploy now?". Their events on deployments are in `ci/event.rs`.

mod event;

use super::admission::{Ask, Asker, Reader};
use super::{post, Core, Denied, ServiceError};
use crate::config::Environment;
use crate::domain::admission::{Refusal, Refused};
use crate::domain::ci_scope::CiScope;
use crate::domain::deployment::{Deployment, Event, State};
use crate::domain::names::{AppName, GitRef};
use crate::domain::notice::Notice;
use crate::domain::queue::emergency_takes_turn;
use crate::store::{env_lock, AuditLine, NewDeployment, StoreError};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum CiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The caller's token may act on `allowed` only, not on `app` (403); `deployment` is
    /// the deployment of an event, `None` for a new report.
    #[error("this token may not act on {app}")]
    OutOfScope {
        allowed: Vec<AppName>,
        app: String,
        deployment: Option<i64>,
    },
    /// A use case's refusal (409, by its code: the API words nothing of Slack's).
    #[error("denied: {}", .0.code())]
    Denied(Denied),
    /// The admission rule said no (423, with the reasons).
    #[error("refused")]
    Refused(Refused),
    #[error(transparent)]
    Internal(#[from] StoreError),
}

impl From<ServiceError> for CiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Denied(d) => CiError::Denied(d),
            ServiceError::Refused(r) => CiError::Refused(r),
            ServiceError::Internal(e) => CiError::Internal(e),
        }
    }
}

/// A report taken: the deployment's id and, for one reported already finished, the
/// environment before it that it skipped (the promotion rule would not have let it start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub id: i64,
    pub not_promoted: Option<String>,
}

// Missing `Option` fields read as `None`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiReport {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub environment: String,
    pub status: String,
    pub url: Option<String>,
    pub note: Option<String>,
    /// `started` outside the window: the reason, announced as a person's emergency is.
    pub emergency: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiEvent {
    pub status: String,
    pub url: Option<String>,
    pub note: Option<String>,
    pub emergency: Option<String>,
}

/// deploy-check's answer: the rule's refusals (empty: go ahead), worded by the API edge.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckResult {
    pub refused: Refused,
    /// A person's live (called or deploying) deployment of this app in this environment:
    /// what the app's pipeline runs, and reports to (`POST /api/v1/deployments/{id}/events`).
    pub deployment: Option<i64>,
}

impl CheckResult {
    pub fn allowed(&self) -> bool {
        self.refused.reasons.is_empty()
    }
}

/// Who CI deployments are attributed to in Slack.
pub const CI_ACTOR: &str = "ci";

/// Refuses an app outside a token's scope.
fn in_scope(scope: &CiScope, app: &str, deployment: Option<i64>) -> Result<(), CiError> {
    match scope {
        CiScope::Apps(allowed) if !scope.allows(app) => Err(CiError::OutOfScope {
            allowed: allowed.clone(),
            app: app.to_owned(),
            deployment,
        }),
        _ => Ok(()),
    }
}

fn bounded(field: &str, v: Option<String>, max: usize) -> Result<Option<String>, CiError> {
    match v {
        Some(s) if s.chars().count() > max => Err(CiError::BadRequest(format!(
            "`{field}` is longer than {max} characters"
        ))),
        // PostgreSQL text cannot hold NUL (it would be a 500, not a clear answer).
        Some(s) if s.contains('\0') => Err(CiError::BadRequest(format!(
            "`{field}` contains a NUL character"
        ))),
        Some(s) if s.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn valid_url(url: Option<String>) -> Result<Option<String>, CiError> {
    let url = bounded("url", url, 500)?;
    let Some(u) = url else {
        return Ok(None);
    };
    // The URL parser would quietly drop these; shown in Slack, they could dress a link up
    // as other text.
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(CiError::BadRequest(
            "`url` must be one http(s) URL, without spaces or line breaks".into(),
        ));
    }
    match url::Url::parse(&u) {
        // As the parser spells it (`HTTPS://` becomes `https://`), so links find it.
        Ok(p) if matches!(p.scheme(), "http" | "https") => Ok(Some(p.as_str().to_owned())),
        _ => Err(CiError::BadRequest("`url` must be an http(s) URL".into())),
    }
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

    pub async fn deploy_check(
        &self,
        app: &str,
        env: &str,
        git_ref: Option<&str>,
    ) -> Result<CheckResult, CiError> {
        let app = self.ci_app(app)?;
        let env_cfg = self.ci_env(env)?;
        let git_ref = git_ref
            .map(|r| GitRef::parse(r).map_err(|e| CiError::BadRequest(e.0)))
            .transpose()?;
        // Holds and what is live come from the status snapshot, as `/deploy status` shows
        // them; `started` checks again in its transaction.
        let snapshot = self.snapshot().await?;
        let holds = &snapshot.holds;
        // Busy is busy, whoever it is: `started` would be refused, so the check must not
        // say yes. But a person's `/deploy` of this very app is what its pipeline runs, so
        // it does not make the environment busy for that app; another app's deployment
        // does, and so does a CI-reported run (a second pipeline of the same app would race).
        let live = |d: &&Deployment| {
            d.environment == env && matches!(d.state, State::Called | State::Deploying)
        };
        let persons = |d: &&Deployment| d.app == app.as_str() && !d.from_ci();
        let busy = snapshot.live.iter().filter(live).find(|d| !persons(d));
        let deployment = snapshot
            .live
            .iter()
            .filter(live)
            .find(persons)
            .map(|d| d.id);
        let ask = Ask {
            app: app.as_str(),
            git_ref: git_ref.as_ref().map(|r| r.as_str()),
            env: env_cfg,
            asker: Asker::Ci,
            emergency: false,
            busy,
        };
        let reasons = self.ask(Reader::Pool(&self.store), holds, &ask).await?;
        Ok(CheckResult {
            refused: self.refused(&ask, reasons),
            deployment,
        })
    }

    /// CI reports a deployment it runs itself. `started` claims the environment (refused
    /// while it is busy or held); `succeeded` / `failed` record a finished one. `scope`:
    /// the apps the caller's token may report.
    pub async fn ci_report(&self, scope: CiScope, r: CiReport) -> Result<Reported, CiError> {
        self.on_writer(move |core| async move { core.ci_report_here(&scope, r).await })
            .await
    }

    async fn ci_report_here(&self, scope: &CiScope, r: CiReport) -> Result<Reported, CiError> {
        let app = self.ci_app(&r.app)?;
        in_scope(scope, app.as_str(), None)?;
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
        let emergency = bounded("emergency", r.emergency, 500)?;
        if emergency.is_some() && state != State::Deploying {
            return Err(CiError::BadRequest(
                "`emergency` applies only to `started`".into(),
            ));
        }
        let lock = env_lock(&env_name);
        // A start is asked of the admission rule, which needs the holds.
        let (mut tx, holds) = match state {
            State::Deploying => self.store.begin_locked_reading_holds(&lock).await?,
            _ => (self.store.begin_locked(&lock).await?, Vec::new()),
        };
        // A finished report cannot be refused (it happened), but skipping the environment
        // before is said in the channel: the rule's promotion part alone, as of now (the
        // window and holds of when it ran are not known).
        let unpromoted = if state == State::Deploying {
            None
        } else {
            let ask = Ask {
                app: app.as_str(),
                git_ref: Some(git_ref.as_str()),
                env,
                asker: Asker::Ci,
                emergency: true,
                busy: None,
            };
            let reasons = self.ask(Reader::Tx(&mut tx), &[], &ask).await?;
            reasons.into_iter().find_map(|r| match r {
                Refusal::NotPromoted { previous, check } => Some((previous, check)),
                _ => None,
            })
        };
        // A pipeline's emergency takes the turn of one called but not yet started, as a
        // person's does (the one rule in domain::queue); that one waits again, first.
        let mut given_way = None;
        if state == State::Deploying {
            let active = tx.env_active(&env_name).await?;
            given_way = active
                .as_ref()
                .filter(|a| emergency_takes_turn(a, emergency.is_some()))
                .cloned();
            let ask = Ask {
                app: app.as_str(),
                git_ref: Some(git_ref.as_str()),
                env,
                asker: Asker::Ci,
                emergency: emergency.is_some(),
                busy: active.as_ref().filter(|_| given_way.is_none()),
            };
            let reasons = self.ask(Reader::Tx(&mut tx), &holds, &ask).await?;
            if !reasons.is_empty() {
                return Err(CiError::Refused(self.refused(&ask, reasons)));
            }
        }
        let action = if emergency.is_some() {
            "ci.emergency".to_owned()
        } else {
            format!("ci.{}", r.status)
        };
        let detail = super::queue::describe_request(app.as_str(), git_ref.as_str(), &env_name);
        let mut d = tx
            .insert_deployment_audited(
                &NewDeployment {
                    app: app.as_str(),
                    git_ref: git_ref.as_str(),
                    environment: &env_name,
                    requester: CI_ACTOR,
                    channel: &channel,
                    note: note.as_deref(),
                    emergency_reason: emergency.as_deref(),
                    source: "ci",
                    // Waiting for the instant it takes the called turn: one active at a time.
                    state: if given_way.is_some() {
                        State::Queued
                    } else {
                        state
                    },
                    ci_url: url.as_deref(),
                },
                now,
                &AuditLine {
                    actor: CI_ACTOR,
                    action: &action,
                    detail: &detail,
                },
            )
            .await?;
        if let Some(called) = &given_way {
            self.give_way(&mut tx, called, &d, now).await?;
            tx.transition(d.id, State::Queued, Event::Start, now, None, None)
                .await?;
            d.state = State::Deploying;
            d.started_at = Some(now);
        }
        if state == State::Deploying {
            let key = Some(super::start_key(d.id));
            let say = Notice::StartAlert {
                deployment: d.clone(),
                by: None,
            };
            post(&mut tx, now, &channel, say, key).await?;
        } else {
            let end_key = Some(super::end_key(d.id));
            let say = Notice::EndAlert {
                deployment: d.clone(),
                by: None,
            };
            post(&mut tx, now, &channel, say, end_key).await?;
            if let Some((previous, check)) = &unpromoted {
                let say = Notice::ReportedUnpromoted {
                    deployment: d.clone(),
                    previous: previous.clone(),
                    check: check.clone(),
                };
                post(&mut tx, now, &channel, say, None).await?;
            }
            if state == State::Succeeded {
                self.on_success(&mut tx, &d, now).await?;
            }
        }
        self.commit(tx).await?;
        match state {
            State::Deploying => self.metrics.started.inc(),
            State::Succeeded => self.metrics.succeeded.inc(),
            _ => self.metrics.failed.inc(),
        }
        Ok(Reported {
            id: d.id,
            not_promoted: unpromoted.map(|(previous, _)| previous),
        })
    }
}
