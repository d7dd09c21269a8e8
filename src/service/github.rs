//! GitHub and the after-deploy follow-ups as use cases: what a start queues for the
//! GitHub worker (in the start's transaction), what the worker's results change, `/deploy
//! diff`, the "stay around" reminders when due, the run that never reports back, and the
//! "All is well" button (what follows a success is queued by `after_success.rs`).

use super::queue::Outcome;
use super::{
    ephemeral, post, refuse, send, start_key, update, Actor, Answer, Core, Denied, Place, Result,
};
use crate::domain::deployment::{Deployment, State};
use crate::domain::names::{AppName, EnvName, GitRef};
use crate::domain::notice::Notice;
use crate::store::{Body, CompareReply, GithubJob, Tx};
use chrono::{DateTime, Utc};

/// Who GitHub-driven changes are attributed to in the history.
pub const GITHUB_ACTOR: &str = "github";

pub fn stay_key(id: i64) -> String {
    format!("stay:{id}")
}

impl Core {
    /// A person's deployment has started (in `tx`): queue the workflow dispatch when the
    /// app is set to trigger, and the comparison with what runs there now. Deployments CI
    /// reports itself are its own runs and trigger nothing.
    pub(super) async fn github_on_start(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(cfg) = self.policy.github.repo(&d.app) else {
            return Ok(());
        };
        if cfg.trigger {
            tx.enqueue_github(
                &GithubJob::Dispatch {
                    deployment_id: d.id,
                },
                now,
            )
            .await?;
        }
        // Nothing deployed there yet, or the same ref again: nothing to tell the thread.
        let from = tx.current_ref(&d.app, &d.environment).await?;
        if from.as_deref().is_none_or(|f| f == d.git_ref) {
            return Ok(());
        }
        tx.enqueue_github(
            &GithubJob::Compare {
                app: d.app.clone(),
                environment: d.environment.clone(),
                from,
                to: d.git_ref.clone(),
                reply: CompareReply::Thread {
                    channel: d.channel.clone(),
                    parent_key: start_key(d.id),
                },
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// GitHub was asked to run deployment `id`'s workflow at `at` (`wall`, by the wall
    /// clock): the run is recorded and looked for, and the dispatch job (`job`, held by
    /// `worker`) finished, in one transaction. A dispatch recorded apart from its job's end
    /// could be sent again by a retry of the job, and the app deployed twice. False if
    /// `worker` no longer holds the job (it lapsed: the replica that took it over finds
    /// this record, unless it dispatched first).
    pub async fn github_dispatched(
        &self,
        id: i64,
        repo: &str,
        workflow: &str,
        (at, wall): (DateTime<Utc>, DateTime<Utc>),
        job: i64,
        worker: &str,
    ) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let recorded = tx.record_github_run(id, repo, workflow, at, wall).await?;
        let finished = tx.finish_github(job, worker).await?;
        // Looked for once: by whoever recorded the run, or finishes the job a recorded
        // run belongs to (an older badger recorded runs apart from their search).
        if recorded || finished {
            let find = GithubJob::FindRun { deployment_id: id };
            tx.enqueue_github(&find, self.now()).await?;
        }
        self.commit(tx).await?;
        Ok(finished)
    }

    /// GitHub would not start the workflow: the deployment fails with the reason, the
    /// deployer is told, and the next in line is called.
    pub async fn github_dispatch_failed(&self, id: i64, why: &str) -> Result<()> {
        let now = self.now();
        let Some((mut tx, d)) = self.lock_deployment(id).await? else {
            return Ok(());
        };
        if d.state != State::Deploying {
            return Ok(());
        }
        let note = format!("the deploy workflow did not start: {why}");
        self.finish(&mut tx, &d, Outcome::Failed, Some(&note), GITHUB_ACTOR, now)
            .await?;
        let (channel, user) = (d.channel.clone(), d.requester.clone());
        let say = Notice::DispatchFailed {
            deployment: d,
            why: why.to_owned(),
        };
        ephemeral(&mut tx, now, &channel, &user, Body::say(say)).await?;
        self.commit(tx).await
    }

    /// The dispatched run is known: the start alert links it.
    pub async fn github_run_linked(&self, id: i64, run_id: i64, url: &str) -> Result<()> {
        let now = self.now();
        let Some((mut tx, mut d)) = self.lock_deployment(id).await? else {
            return Ok(());
        };
        // The run recorded and linked in one transaction: recorded alone, a failed link
        // would never be retried (a run found is a job done).
        tx.set_github_run(id, run_id, url).await?;
        tx.set_ci_url(id, url).await?;
        d.ci_url = Some(url.to_owned());
        let channel = d.channel.clone();
        let alert = if d.state.is_finished() {
            Notice::StartAlertClosed { deployment: d }
        } else {
            Notice::StartAlert {
                by: d.started_by.clone(),
                deployment: d,
            }
        };
        update(&mut tx, now, &channel, start_key(id), alert).await?;
        self.commit(tx).await
    }

    /// Delivers a comparison, worded by the GitHub worker, where it was asked for, and
    /// finishes its job (`job`, held by `worker`) in the same transaction, so a failure to
    /// finish it cannot have it posted again. False, and nothing posted, if `worker` no
    /// longer holds the job (another replica took it over and posts it).
    pub async fn github_reply(
        &self,
        reply: &CompareReply,
        body: Body,
        job: i64,
        worker: &str,
    ) -> Result<bool> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.finish_github(job, worker).await? {
            return Ok(false);
        }
        match reply {
            CompareReply::Ephemeral { channel, user } => {
                ephemeral(&mut tx, now, channel, user, body).await?
            }
            CompareReply::Thread {
                channel,
                parent_key,
            } => {
                let thread = Place::Thread {
                    key: parent_key.clone(),
                };
                send(&mut tx, now, channel, body, thread).await?
            }
        }
        self.commit(tx).await?;
        Ok(true)
    }

    /// `/deploy diff APP REF [to] ENV`: what REF adds over what ENV runs now. The answer
    /// comes from the GitHub worker, so this replies at once.
    pub async fn diff(
        &self,
        actor: &Actor,
        app: &AppName,
        git_ref: &GitRef,
        env: &EnvName,
    ) -> Result<Answer> {
        let (app, to, env) = (app.as_str(), git_ref.as_str(), env.as_str());
        let Some(cfg) = self.policy.github.repo(app) else {
            return refuse(Denied::UnknownRepository {
                app: app.to_owned(),
            });
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let from = tx.current_ref(app, env).await?;
        let Some(from_ref) = from.clone().filter(|f| f != to) else {
            return Ok(Answer::NothingToCompare {
                app: app.to_owned(),
                env: env.to_owned(),
                to: to.to_owned(),
                from,
            });
        };
        tx.enqueue_github(
            &GithubJob::Compare {
                app: app.to_owned(),
                environment: env.to_owned(),
                from,
                to: to.to_owned(),
                reply: CompareReply::Ephemeral {
                    channel: actor.channel.clone(),
                    user: actor.user.clone(),
                },
            },
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(Answer::DiffAsked {
            repo: cfg.repo.clone(),
            to: to.to_owned(),
            from: from_ref,
            env: env.to_owned(),
        })
    }

    /// The scheduler's follow-ups: "stay around" reminders that are due, and triggered
    /// runs that have not reported back in time.
    pub(super) async fn follow_ups(&self) -> Result<()> {
        let now = self.now();
        for s in self.store.due_stay_checks(now).await? {
            let mut tx = self.store.begin().await?;
            if tx.mark_stay_reminded(s.deployment_id, now).await? {
                let say = Notice::StayReminder {
                    deployment_id: s.deployment_id,
                    requester: s.requester.clone(),
                    deployment: self.store.deployment(s.deployment_id).await?,
                };
                let key = Some(stay_key(s.deployment_id));
                post(&mut tx, now, &s.channel, say, key).await?;
            }
            self.commit(tx).await?;
        }
        let before = now - chrono::Duration::minutes(self.policy.github.report_minutes);
        for id in self.store.overdue_runs(before).await? {
            let Some(d) = self.store.deployment(id).await? else {
                continue;
            };
            let run = self.store.github_run(id).await?;
            let mut tx = self.store.begin().await?;
            if tx.flag_run(id, now).await? {
                let channel = d.channel.clone();
                let say = Notice::RunOverdue {
                    deployment: d,
                    run_url: run.and_then(|r| r.run_url),
                    minutes: self.policy.github.report_minutes,
                };
                post(&mut tx, now, &channel, say, None).await?;
            }
            self.commit(tx).await?;
        }
        Ok(())
    }

    /// The "All is well" button: recorded in the history, the reminder closed.
    pub(super) async fn all_well(&self, actor: &Actor, d: &Deployment) -> Result<Option<Answer>> {
        let now = self.now();
        let Some(check) = self.store.stay_check(d.id).await? else {
            return refuse(Denied::NoCheck { id: d.id });
        };
        let mut tx = self.store.begin().await?;
        if !tx.confirm_all_well(d.id, &actor.user, now).await? {
            return refuse(Denied::AlreadyConfirmed {
                id: d.id,
                by: check.all_well_by,
            });
        }
        tx.audit(
            now,
            &actor.user,
            "deploy.all_well",
            &format!("deployment #{}", d.id),
            "",
        )
        .await?;
        let say = Notice::AllWell {
            deployment: d.clone(),
            by: actor.user.clone(),
        };
        update(&mut tx, now, &check.channel, stay_key(d.id), say).await?;
        self.commit(tx).await?;
        Ok(None)
    }
}
