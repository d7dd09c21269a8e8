//! `/deploy` requests and the commands that act on your own deployment.

use super::admission::{Ask, Asker, Reader};
use super::buttons::{requeue_turn, Action, Shown};
use super::queue::{describe_request, Outcome};
use super::{post, refuse, Actor, Answer, Core, Denied, Result, ServiceError};
use crate::domain::deployment::{Deployment, State};
use crate::domain::names::{AppName, EnvName, GitRef};
use crate::domain::notice::Notice;
use crate::domain::queue::{
    asked_to_finish, emergency_takes_turn, front_place, InLine, NAMED_AHEAD,
};
use crate::store::{env_lock, AuditLine, NewDeployment, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub app: AppName,
    pub git_ref: GitRef,
    pub env: EnvName,
    pub note: Option<String>,
    pub emergency: Option<String>,
}

impl DeployRequest {
    /// A plain request: no note, no emergency.
    pub fn new(app: AppName, git_ref: GitRef, env: EnvName) -> Self {
        DeployRequest {
            app,
            git_ref,
            env,
            note: None,
            emergency: None,
        }
    }
}

fn no_such_env<T>(env: &str) -> Result<T> {
    refuse(Denied::UnknownEnvironment {
        env: env.to_owned(),
    })
}

impl Core {
    pub async fn request_deploy(&self, actor: &Actor, req: &DeployRequest) -> Result<Answer> {
        if self.policy.env(req.env.as_str()).is_none() {
            return no_such_env(req.env.as_str());
        }
        let mut attempt = 0;
        loop {
            match self.try_request(actor, req).await {
                Err(ServiceError::Internal(e)) if e.is_unique_violation() && attempt < 5 => {
                    attempt += 1
                }
                other => return other,
            }
        }
    }

    async fn try_request(&self, actor: &Actor, req: &DeployRequest) -> Result<Answer> {
        let now = self.now();
        let (app, git_ref, env) = (req.app.as_str(), req.git_ref.as_str(), req.env.as_str());
        let Some(env_cfg) = self.policy.env(env) else {
            return no_such_env(env);
        };
        let (mut tx, holds) = self
            .store
            .begin_locked_reading_holds(&env_lock(env))
            .await?;
        let (active, duplicate) = tx
            .env_active_and_duplicate(env, &actor.user, app, git_ref)
            .await?;
        let ask = Ask {
            app,
            git_ref: Some(git_ref),
            env: env_cfg,
            asker: Asker::Person(&actor.user),
            emergency: req.emergency.is_some(),
            busy: active.as_ref(),
        };
        let reasons = self.ask(Reader::Tx(&mut tx), &holds, &ask).await?;
        // A busy environment is what the queue is for; anything else is a refusal.
        if reasons.iter().any(|r| !r.is_busy()) {
            let reasons = reasons.into_iter().filter(|r| !r.is_busy()).collect();
            return Err(ServiceError::Refused(self.refused(&ask, reasons)));
        }
        if let Some(mine) = duplicate {
            return refuse(Denied::AlreadyQueued {
                mine: Box::new(mine),
            });
        }
        let channel = self.announce_channel(&actor.channel);
        let what = describe_request(app, git_ref, env);
        let (action, detail) = match &req.emergency {
            Some(r) => ("deploy.emergency", format!("{what}; reason: {r}")),
            None => ("deploy.request", what),
        };
        let new = NewDeployment {
            app,
            git_ref,
            environment: env,
            requester: &actor.user,
            channel: &channel,
            note: req.note.as_deref(),
            emergency_reason: req.emergency.as_deref(),
            source: "slack",
            state: State::Queued,
            ci_url: None,
        };
        let line = AuditLine {
            actor: &actor.user,
            action,
            detail: &detail,
        };
        // How many are named ahead of a newcomer in the reply (the active one among them).
        const SHOWN: i64 = NAMED_AHEAD as i64;
        // With someone already active the newcomer simply queues, and its place comes with
        // the insert; only a free environment needs the queue moved on (which may start
        // them at once).
        // An emergency takes the turn from one called but not yet started, as if the
        // environment were free; that one waits again, next after it.
        let given_way = active
            .as_ref()
            .filter(|a| emergency_takes_turn(a, req.emergency.is_some()))
            .cloned();
        let (me, place) = match (&active, &given_way) {
            (Some(_), None) => {
                let (d, place) = tx.queue_audited(&new, now, &line, SHOWN - 1).await?;
                (d, Some(place))
            }
            _ => {
                let d = tx.insert_deployment_audited(&new, now, &line).await?;
                if let Some(called) = &given_way {
                    self.give_way(&mut tx, called, &d, now).await?;
                }
                self.advance(&mut tx, env, now, Some(d.id)).await?;
                (tx.deployment(d.id).await?.unwrap_or(d), None)
            }
        };
        let active = active.filter(|_| given_way.is_none());
        crate::telemetry::record_deployment(me.id);

        let reply = if me.state == State::Deploying {
            Answer::Started(me)
        } else {
            let (count, queued) = match place {
                Some(place) => place,
                None => tx.ahead_of_newest(&me, SHOWN).await?,
            };
            let active = match active {
                Some(a) => Some(a),
                None => tx.env_active(env).await?,
            };
            let ahead: Vec<InLine> = active.iter().map(InLine::from).chain(queued).collect();
            let position = usize::try_from(count).unwrap_or(0) + 1;
            if me.is_emergency() {
                // Whoever is deploying should know an emergency is waiting behind them, in
                // their own deployment's channel (with no deploy channel configured it may
                // not be the one the emergency was asked in, which hears of it too).
                let say = |active: Option<&Deployment>| Notice::EmergencyQueued {
                    deployment: me.clone(),
                    position,
                    active: active.map(|a| a.requester.clone()),
                };
                // Only someone deploying is asked to finish (a called emergency is not).
                match active.as_ref().filter(|a| asked_to_finish(a)) {
                    Some(a) if a.channel != me.channel => {
                        post(&mut tx, now, &me.channel, say(None), None).await?;
                        post(&mut tx, now, &a.channel, say(Some(a)), None).await?;
                    }
                    a => post(&mut tx, now, &me.channel, say(a), None).await?,
                }
            }
            let total_ahead =
                position - 1 + usize::from(ahead.first().is_some_and(|a| a.state != State::Queued));
            Answer::Queued {
                deployment: me,
                position,
                ahead,
                total_ahead,
            }
        };
        self.commit(tx).await?;
        // Counted once committed: an attempt retried after a lost race is one request.
        self.metrics.requests.inc();
        Ok(reply)
    }

    /// `called` gives its turn to `emergency`, just asked for: it waits again at the front
    /// of its own priority, so it is called again as soon as the emergency is over, and its
    /// your-turn message says so. The caller then moves the queue on (or starts the
    /// emergency itself: a pipeline's emergency start, service/ci.rs).
    pub(super) async fn give_way(
        &self,
        tx: &mut Tx,
        called: &Deployment,
        emergency: &Deployment,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let live = tx.env_live(&called.environment).await?;
        let waiting: Vec<&Deployment> = live.iter().filter(|d| d.state == State::Queued).collect();
        let closed = Notice::TurnGivenToEmergency {
            deployment: called.clone(),
            emergency: emergency.clone(),
        };
        let why = format!("an emergency (#{}) goes first", emergency.id);
        let audit = ("deploy.give_way", why.as_str());
        let place = front_place(called, &waiting);
        requeue_turn(tx, called, place, closed, &emergency.requester, audit, now).await
    }

    /// `/deploy done` and `/deploy failed`: the caller's own deploying deployment.
    pub async fn finish_mine(
        &self,
        actor: &Actor,
        outcome: Outcome,
        note: Option<&str>,
    ) -> Result<Answer> {
        let now = self.now();
        let mut tx = self.store.begin_ahead().await?;
        let mine = tx
            .user_deployments(&actor.user, &[State::Deploying])
            .await?;
        let d = match mine.as_slice() {
            [] => return refuse(Denied::NothingInProgress),
            [d] => d,
            // Finishing the newest would as likely be the wrong one.
            _ => return refuse(Denied::SeveralInProgress { mine }),
        };
        tx.lock(&env_lock(&d.environment)).await?;
        if !self
            .finish(&mut tx, d, outcome, note, &actor.user, now)
            .await?
        {
            return refuse(Denied::AlreadyFinished);
        }
        self.commit(tx).await?;
        Ok(Answer::Finished {
            deployment: d.clone(),
            outcome,
        })
    }

    /// `/deploy done ID` and `/deploy failed ID`: the start alert's Done or Failed of
    /// deployment ID, typed. It goes the buttons' way (`Core::press_on`), so who may finish
    /// it and what is said when it has moved on are the buttons' rules; only a number that
    /// names no deployment is worded for typing.
    pub async fn finish_by_id(&self, actor: &Actor, id: i64, outcome: Outcome) -> Result<Answer> {
        let action = match outcome {
            Outcome::Succeeded => Action::Done,
            Outcome::Failed => Action::Failed,
            Outcome::Cancelled => Action::Cancel,
        };
        // Typed, not pressed: as a channel message's button (only Done and Failed come here).
        match self.press_on(actor, action, id, Shown::InChannel).await {
            Ok((_, deployment)) => Ok(Answer::Finished {
                deployment,
                outcome,
            }),
            Err(ServiceError::Denied(Denied::DeploymentGone { id })) => {
                refuse(Denied::UnknownDeployment { id })
            }
            Err(e) => Err(e),
        }
    }

    /// `/deploy cancel [ID]`: leave a queue (the latest waiting entry by default).
    pub async fn cancel_mine(&self, actor: &Actor, id: Option<i64>) -> Result<Answer> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let d = match id {
            Some(id) => match tx.deployment(id).await? {
                Some(d) if d.requester == actor.user || self.policy.is_admin(&actor.user) => d,
                Some(d) => {
                    return refuse(Denied::NotYoursToCancel {
                        id,
                        requester: d.requester,
                    })
                }
                None => return refuse(Denied::UnknownDeployment { id }),
            },
            None => {
                let waiting = tx
                    .user_deployments(&actor.user, &[State::Queued, State::Called])
                    .await?;
                match waiting.into_iter().next() {
                    Some(d) => d,
                    None => return refuse(Denied::NotWaiting),
                }
            }
        };
        // Under the environment's lock, the entry read again: a call, a start or a timeout
        // on another replica may have moved it on while this waited for the lock.
        let was_waiting = d.state.is_waiting();
        tx.lock(&env_lock(&d.environment)).await?;
        let Some(d) = tx.deployment(d.id).await? else {
            return refuse(Denied::UnknownDeployment { id: d.id });
        };
        // Leaving a queue is not calling off what started meanwhile.
        if was_waiting && d.state == State::Deploying {
            return refuse(Denied::AlreadyMovedOn { id: d.id });
        }
        if d.state == State::Deploying {
            // Calling off a started deployment: announced like any other end.
            if !self
                .finish(&mut tx, &d, Outcome::Cancelled, None, &actor.user, now)
                .await?
            {
                return refuse(Denied::AlreadyMovedOn { id: d.id });
            }
            self.commit(tx).await?;
            return Ok(Answer::CalledOff(d));
        }
        if !d.state.is_waiting() {
            return refuse(Denied::AlreadyEnded {
                id: d.id,
                state: d.state,
            });
        }
        let Some(answer) = self.cancel_waiting(&mut tx, &d, &actor.user, now).await? else {
            return refuse(Denied::AlreadyMovedOn { id: d.id });
        };
        self.commit(tx).await?;
        Ok(answer)
    }
}
