//! GitHub and the after-deploy follow-ups as use cases: what a start queues for the
//! GitHub worker (in the start's transaction), what the worker's results change, `/deploy
//! diff`, the checklist and "stay around" reminder after a success, the run that never
//! reports back, and the "All is well" button.

use super::queue::Outcome;
use super::{
    end_key, ephemeral, post, refuse, start_key, update, Action, Actor, Answer, Core, Denied,
    Result,
};
use crate::domain::deployment::{Deployment, State};
use crate::domain::names::{AppName, EnvName, GitRef};
use crate::domain::text::{escape, mention};
use crate::slack::blocks::{self, button, Message};
use crate::store::{CompareReply, GithubJob, Payload, Tx};
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

    /// Queues one job on its own (the worker's follow-ups).
    pub async fn enqueue_github(&self, job: GithubJob) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.enqueue_github(&job, now).await?;
        self.commit(tx).await
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
        let text = format!(
            ":x: {} I couldn't start the deploy workflow for {}: {}. I've marked it failed, so the environment is free; fix that and ask again.",
            mention(&d.requester),
            blocks::what(&d),
            escape(why)
        );
        ephemeral(
            &mut tx,
            now,
            &d.channel,
            &d.requester,
            &Message::plain(text),
        )
        .await?;
        self.commit(tx).await
    }

    /// The dispatched run is known: the start alert links it.
    pub async fn github_run_linked(&self, id: i64, url: &str) -> Result<()> {
        let now = self.now();
        let Some((mut tx, mut d)) = self.lock_deployment(id).await? else {
            return Ok(());
        };
        tx.set_ci_url(id, url).await?;
        d.ci_url = Some(url.to_owned());
        let alert = if d.state.is_finished() {
            blocks::start_alert_closed(&d)
        } else {
            blocks::start_alert(&d)
        };
        update(&mut tx, now, &d.channel, start_key(id), &alert).await?;
        self.commit(tx).await
    }

    /// Delivers a comparison where it was asked for.
    pub async fn github_reply(&self, reply: &CompareReply, m: &Message) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        match reply {
            CompareReply::Ephemeral { channel, user } => {
                ephemeral(&mut tx, now, channel, user, m).await?
            }
            CompareReply::Thread {
                channel,
                parent_key,
            } => {
                tx.enqueue(
                    &Payload::Reply {
                        channel: channel.clone(),
                        thread_key: parent_key.clone(),
                        text: m.text.clone(),
                        blocks: m.blocks.clone(),
                    },
                    now,
                )
                .await?
            }
        }
        self.commit(tx).await
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

    /// After a success (in `tx`): the environment's checklist in the end alert's thread,
    /// and the "stay around" reminder scheduled.
    pub(super) async fn after_success(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(env) = self.policy.env(&d.environment) else {
            return Ok(());
        };
        if !env.checklist.is_empty() {
            let mut lines = vec![format!(
                ":clipboard: {} now check that {} is healthy:",
                mention(&d.requester),
                blocks::what(d)
            )];
            lines.extend(
                env.checklist
                    .iter()
                    .map(|c| format!("• <{}|{}>", escape(&c.url), escape(&c.title))),
            );
            let m = Message::lines(&lines);
            tx.enqueue(
                &Payload::Reply {
                    channel: d.channel.clone(),
                    thread_key: end_key(d.id),
                    text: m.text,
                    blocks: m.blocks,
                },
                now,
            )
            .await?;
        }
        if env.stay_minutes > 0 {
            let due = now + chrono::Duration::minutes(env.stay_minutes);
            tx.insert_stay_check(d.id, &d.channel, &d.requester, due)
                .await?;
        }
        Ok(())
    }

    /// The scheduler's follow-ups: "stay around" reminders that are due, and triggered
    /// runs that have not reported back in time.
    pub(super) async fn follow_ups(&self) -> Result<()> {
        let now = self.now();
        for s in self.store.due_stay_checks(now).await? {
            let mut tx = self.store.begin().await?;
            if tx.mark_stay_reminded(s.deployment_id, now).await? {
                let d = self.store.deployment(s.deployment_id).await?;
                let what = d.as_ref().map(blocks::what).unwrap_or_default();
                let m = Message::plain(format!(
                    ":eyes: {} it's been a while since {what} went out. Are errors, alerts and smoke tests quiet? Press *All is well* once you've checked.",
                    mention(&s.requester)
                ))
                .with_buttons(vec![button(
                    Action::AllWell,
                    "All is well",
                    s.deployment_id,
                    Some("primary"),
                )]);
                post(
                    &mut tx,
                    now,
                    &s.channel,
                    &m,
                    Some(stay_key(s.deployment_id)),
                )
                .await?;
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
                let link = match run.and_then(|r| r.run_url) {
                    Some(u) => format!("<{}|the workflow run>", escape(&u)),
                    None => "the workflow run (GitHub never listed it)".to_owned(),
                };
                let m = Message::plain(format!(
                    ":hourglass: {} {} has not reported back after {} minutes. Check {link}, then tell me how it went.",
                    mention(&d.requester),
                    blocks::what(&d),
                    self.policy.github.report_minutes
                ))
                .with_buttons(vec![
                    button(Action::Done, "Done", id, Some("primary")),
                    button(Action::Failed, "Failed", id, Some("danger")),
                ]);
                post(&mut tx, now, &d.channel, &m, None).await?;
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
        let m = Message::plain(format!(
            ":white_check_mark: {} {}: all is well, confirmed by {}.",
            blocks::what(d),
            "after the deploy",
            mention(&actor.user)
        ));
        update(&mut tx, now, &check.channel, stay_key(d.id), &m).await?;
        self.commit(tx).await?;
        Ok(None)
    }
}
