//! The CI API's events: a pipeline reports what became of a deployment (a person's, or
//! one it reported), within the apps its token may act on.

use super::{bounded, in_scope, valid_url, CiError, CiEvent, CI_ACTOR};
use crate::domain::ci_scope::CiScope;
use crate::domain::deployment::State;
use crate::domain::queue::emergency_takes_turn;
use crate::service::admission::{Ask, Asker, Reader};
use crate::service::queue::Outcome;
use crate::service::Core;
use crate::store::env_lock;

impl Core {
    /// A CI event for a deployment. Repeating an event that already happened changes
    /// nothing (idempotent); contradicting a finished deployment is a conflict, except
    /// the outcome of one called off while deploying, which is recorded.
    /// `scope`: the apps the caller's token may act on; another app's deployment is
    /// refused before anything is changed.
    pub async fn ci_event(&self, id: i64, scope: CiScope, e: CiEvent) -> Result<State, CiError> {
        self.on_writer(move |core| async move { core.ci_event_here(id, &scope, e).await })
            .await
    }

    async fn ci_event_here(&self, id: i64, scope: &CiScope, e: CiEvent) -> Result<State, CiError> {
        let note = bounded("note", e.note, 500)?;
        let emergency = bounded("emergency", e.emergency, 500)?;
        if emergency.is_some() && e.status != "started" {
            return Err(CiError::BadRequest(
                "`emergency` applies only to `started`".into(),
            ));
        }
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
        // Read in the transaction, before anything is written: the app is the deployment's.
        in_scope(scope, &d.app, Some(id))?;
        // A repeat on a finished deployment changes nothing, its link included.
        if let (Some(u), false) = (&url, d.state.is_finished()) {
            tx.set_ci_url(id, u).await?;
        }
        let result = match (e.status.as_str(), d.state) {
            ("started", State::Deploying)
            | ("succeeded", State::Succeeded)
            | ("failed", State::Failed) => d.state,
            ("started", State::Called) if d.turn_lapsed(now, self.policy.turn_timeout) => {
                return Err(CiError::Conflict(format!(
                    "#{id}'s turn ran out before it started; it is being passed to the next in line"
                )));
            }
            ("started", State::Queued | State::Called) => {
                let Some(env) = self.policy.env(&d.environment) else {
                    return Err(CiError::Conflict(format!(
                        "{} is no longer configured",
                        d.environment
                    )));
                };
                let holds = tx.active_holds().await?;
                let active = tx.env_active(&d.environment).await?;
                let urgent = d.is_emergency() || emergency.is_some();
                // An emergency takes another's called turn, as on every path.
                let given_way = active
                    .as_ref()
                    .filter(|a| a.id != d.id && emergency_takes_turn(a, urgent))
                    .cloned();
                let ask = Ask {
                    app: &d.app,
                    git_ref: Some(&d.git_ref),
                    env,
                    asker: Asker::Ci,
                    emergency: urgent,
                    busy: active
                        .as_ref()
                        .filter(|a| a.id != d.id && given_way.is_none()),
                };
                let reasons = self.ask(Reader::Tx(&mut tx), &holds, &ask).await?;
                if !reasons.is_empty() {
                    return Err(CiError::Refused(self.refused(&ask, reasons)));
                }
                let mut d2 = d.clone();
                d2.ci_url = url.clone().or(d.ci_url.clone());
                if let (None, Some(reason)) = (&d.emergency_reason, &emergency) {
                    tx.set_emergency(d.id, reason).await?;
                    d2.emergency_reason = Some(reason.clone());
                }
                if let Some(called) = &given_way {
                    self.give_way(&mut tx, called, &d2, now).await?;
                }
                self.start(&mut tx, &d2, now, CI_ACTOR).await?;
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
            // Calling it off did not stop the pipeline: record what it did.
            ("succeeded" | "failed", State::Cancelled) if d.called_off_while_deploying() => {
                let (note, url) = (note.as_deref(), url.as_deref());
                let succeeded = e.status == "succeeded";
                self.report_after_call_off(&mut tx, &d, succeeded, note, url, now)
                    .await?
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
