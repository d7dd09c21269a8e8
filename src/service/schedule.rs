//! Time-driven work: turn timeouts, window closing, reminders (before the close, and once
//! after it to whoever is still deploying). Every replica runs it; each step is a
//! conditional update under the environment's lock, so exactly one replica acts.

use super::holds::Ender;
use super::{post, Core, Result, BADGER_ACTOR};
use crate::config::WindowKind;
use crate::domain::deployment::{Deployment, Event, State};
use crate::domain::notice::Notice;
use crate::store::env_lock;
use chrono::{DateTime, Duration, Utc};

/// How long before closing a person still deploying is reminded.
pub const CLOSING_REMINDER: i64 = 15;

impl Core {
    /// One pass over every environment and the holds. One environment's failure is
    /// logged and does not stop the others; the first error is returned at the end.
    pub async fn tick(&self) -> Result<()> {
        let mut first_error = None;
        // Lapsed holds first, so a turn they held can be called in this same pass.
        if let Err(e) = self.end_lapsed_holds().await {
            tracing::error!(error = %e, "scheduler: ending lapsed holds failed");
            first_error.get_or_insert(e);
        }
        for env in self.policy.environments.iter() {
            if let Err(e) = self.tick_env(env.name.as_str(), env.window).await {
                tracing::error!(environment = %env.name.as_str(), error = %e, "scheduler: an environment's tick failed");
                first_error.get_or_insert(e);
            }
        }
        if let Err(e) = self.follow_ups().await {
            tracing::error!(error = %e, "scheduler: after-deploy follow-ups failed");
            first_error.get_or_insert(e);
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn tick_env(&self, env: &str, window: WindowKind) -> Result<()> {
        let now = self.now();
        let live = self.store.live_deployments(Some(env)).await?;
        let cal = &self.policy.calendar;
        let open = window == WindowKind::Always || cal.is_open(now);
        let timed_out = |d: &Deployment| d.turn_lapsed(now, self.policy.turn_timeout);
        let needs_work = live.iter().any(|d| match d.state {
            State::Called => timed_out(d) || (!open && !d.is_emergency()),
            State::Queued => !open && !d.is_emergency(),
            State::Deploying => {
                (open && remindable(d, window) && d.reminded_at.is_none())
                    || self.closed_on(d, window, now).is_some()
            }
            _ => false,
        }) || live.iter().all(|d| d.state == State::Queued) && !live.is_empty();
        if !needs_work {
            return Ok(());
        }

        let mut tx = self.store.begin_locked(&env_lock(env)).await?;
        let live = tx.env_live(env).await?;
        let next_opening = cal.next_opening(now).map(|o| o.opens);
        let closure = cal.closure_ahead(now);
        let skipping = cal.skipping(now, closure.as_ref());
        for d in &live {
            let expiry = match d.state {
                State::Called if timed_out(d) => Some((
                    "turn expired",
                    Notice::TurnExpired {
                        deployment: d.clone(),
                        deploy_command: Some(self.policy.deploy_command.clone()),
                    },
                )),
                State::Queued | State::Called if !open && !d.is_emergency() => Some((
                    "the deploy window closed",
                    Notice::WindowClosedExpired {
                        deployment: d.clone(),
                        next_opening,
                        tz: cal.tz,
                        deploy_command: Some(self.policy.deploy_command.clone()),
                        closure: closure.clone(),
                        skipping: skipping.clone(),
                    },
                )),
                _ => None,
            };
            if let Some((why, notice)) = expiry {
                if self
                    .drop_out(
                        &mut tx,
                        d,
                        Event::Expire,
                        BADGER_ACTOR,
                        now,
                        why,
                        Some(notice),
                    )
                    .await?
                {
                    self.metrics.expired.inc();
                }
                continue;
            }
            let remind = open && remindable(d, window) && d.reminded_at.is_none();
            if let (true, Some(closes)) = (remind, cal.closes_after(now)) {
                if closes - now <= Duration::minutes(CLOSING_REMINDER)
                    && tx.mark_reminded(d.id, now).await?
                {
                    let say = Notice::ClosingReminder {
                        deployment: d.clone(),
                        closes,
                        tz: cal.tz,
                    };
                    post(&mut tx, now, &d.channel, say, None).await?;
                }
            }
            if let Some(closed) = self.closed_on(d, window, now) {
                if tx.mark_reminded_after_close(d.id, now).await? {
                    let say = Notice::DeployingAfterClose {
                        deployment: d.clone(),
                        closed,
                        at: now,
                        deploy_command: self.policy.deploy_command.clone(),
                        tz: cal.tz,
                    };
                    post(&mut tx, now, &d.channel, say, None).await?;
                }
            }
        }
        self.advance(&mut tx, env, now, None).await?;
        self.commit(tx).await
    }

    /// When the deploy window closed on `d`, still deploying and not yet told so: the close
    /// of the stretch of window it started in, once that has passed. None where
    /// [`remindable`] says no, or for one started while the window was closed (only an
    /// emergency may).
    fn closed_on(
        &self,
        d: &Deployment,
        window: WindowKind,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if !remindable(d, window) || d.after_close_reminded_at.is_some() {
            return None;
        }
        let closes = self.policy.calendar.closes_after(d.started_at?)?;
        (closes <= now).then_some(closes)
    }

    /// Holds whose `--until` time has come end: each is released as its owner would
    /// release it, and the channel is told. (The admission rule already stopped counting
    /// them at that instant; this brings the topic and the queues along.)
    async fn end_lapsed_holds(&self) -> Result<()> {
        let now = self.now();
        let holds = self.store.active_holds().await?;
        for h in holds.into_iter().filter(|h| h.lapsed(now)) {
            self.release_one(Ender::Until, h.id).await?;
        }
        Ok(())
    }

    /// Queued and called entries of an environment the policy no longer has (it was
    /// removed, and badger restarted) end, each person told: nobody could start them, and
    /// a called turn there would never time out. Run at start, the only time the policy
    /// changes. Whoever is deploying there may still press Done or Failed.
    pub async fn end_orphaned(&self) -> Result<usize> {
        let now = self.now();
        let live = self.store.live_deployments(None).await?;
        let mut ended = 0;
        for d in live.iter().filter(|d| {
            matches!(d.state, State::Queued | State::Called)
                && self.policy.env(&d.environment).is_none()
        }) {
            let mut tx = self.store.begin_locked(&env_lock(&d.environment)).await?;
            let why = "its environment is no longer configured";
            let say = Notice::EnvironmentGone {
                deployment: d.clone(),
            };
            if self
                .drop_out(&mut tx, d, Event::Expire, BADGER_ACTOR, now, why, Some(say))
                .await?
            {
                ended += 1;
            }
            self.commit(tx).await?;
        }
        Ok(ended)
    }
}

/// Whether `d` is reminded of the window's close (before it, and once after): a person's
/// deployment in progress in an office-hours environment. An emergency may run outside the
/// window, and a pipeline's run is ended by its pipeline (nobody in Slack can finish it).
fn remindable(d: &Deployment, window: WindowKind) -> bool {
    d.state == State::Deploying
        && window == WindowKind::OfficeHours
        && !d.is_emergency()
        && !d.from_ci()
}
