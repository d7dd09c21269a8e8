//! Button presses (action_ids are contract: old messages must keep working).
//! A press by someone who may not act, a second press, or a press after the record moved
//! on changes nothing and says why, to the presser only.

use super::deploy::past;
use super::queue::Outcome;
use super::{refuse, turn_key, update, Actor, Core, Result};
use crate::domain::deployment::{Deployment, Event, State};
use crate::domain::queue::key_behind;
use crate::domain::text::mention;
use crate::slack::blocks::{self, Message};
use crate::store::env_lock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Skip,
    Done,
    Failed,
    Cancel,
    HoldRelease,
}

impl Action {
    /// Every button badger handles (docs/user-guide.md describes each).
    pub const ALL: [Action; 6] = [
        Action::Start,
        Action::Skip,
        Action::Done,
        Action::Failed,
        Action::Cancel,
        Action::HoldRelease,
    ];

    /// The contract's `action_id`.
    pub fn action_id(self) -> &'static str {
        match self {
            Action::Start => "deploy_start",
            Action::Skip => "deploy_skip",
            Action::Done => "deploy_done",
            Action::Failed => "deploy_failed",
            Action::Cancel => "deploy_cancel",
            Action::HoldRelease => "hold_release",
        }
    }

    pub fn parse(action_id: &str) -> Option<Action> {
        Some(match action_id {
            "deploy_start" => Action::Start,
            "deploy_skip" => Action::Skip,
            "deploy_done" => Action::Done,
            "deploy_failed" => Action::Failed,
            "deploy_cancel" => Action::Cancel,
            "hold_release" => Action::HoldRelease,
            _ => return None,
        })
    }
}

impl Core {
    /// Handles one press. `Ok(Some(m))` is an ephemeral answer for the presser.
    pub async fn press(
        &self,
        actor: &Actor,
        action: Action,
        value: &str,
    ) -> Result<Option<Message>> {
        let Ok(id) = value.trim().parse::<i64>() else {
            return refuse(
                "That button is not one badger understands (its value is not a record id).",
            );
        };
        if action == Action::HoldRelease {
            return self.release_hold_by_id(actor, id).await.map(Some);
        }
        let now = self.now();
        let Some(d) = self.store.deployment(id).await? else {
            return refuse(format!("Deployment #{id} no longer exists."));
        };
        if d.requester != actor.user && !self.policy.is_admin(&actor.user) {
            self.metrics.refused_presses.inc();
            return refuse(format!(
                "Only {} (who asked for this deployment) or an admin can press that. Nothing was changed.",
                mention(&d.requester)
            ));
        }
        let mut tx = self.store.begin().await?;
        tx.lock(&env_lock(&d.environment)).await?;
        // Re-read under the lock: the press may race a timeout, a CI event or another replica.
        let Some(d) = tx.deployment(id).await? else {
            return refuse(format!("Deployment #{id} no longer exists."));
        };
        let moved_on = |d: &Deployment| {
            format!(
                "#{} has already {}; nothing was changed.",
                d.id,
                past(d.state)
            )
        };
        let reply = match action {
            Action::Start => {
                if d.state != State::Called {
                    return refuse(moved_on(&d));
                }
                let env = self.policy.env(&d.environment);
                if !d.is_emergency() && env.is_some_and(|e| !self.policy.window_open(e, now)) {
                    return refuse("The deploy window is closed now, so this turn can't start.");
                }
                let holds = tx.active_holds().await?;
                if let Some(h) = holds.iter().find(|h| h.covers(&d.app, &d.environment)) {
                    return refuse(format!(
                        "{} is holding {}: {}. Your turn waits until the hold is released.",
                        mention(&h.owner),
                        h.describe_scope(),
                        crate::domain::text::escape(&h.reason)
                    ));
                }
                self.start(&mut tx, &d, now).await?;
                None
            }
            Action::Skip => {
                if d.state != State::Called {
                    return refuse(moved_on(&d));
                }
                let live = tx.env_live(&d.environment).await?;
                let waiting: Vec<&Deployment> =
                    live.iter().filter(|x| x.state == State::Queued).collect();
                match waiting.first() {
                    Some(next) => {
                        tx.transition(d.id, State::Called, State::Queued, now, None)
                            .await?;
                        tx.set_queue_key(d.id, key_behind(next, waiting.get(1).copied()))
                            .await?;
                        update(
                            &mut tx,
                            now,
                            &d.channel,
                            turn_key(d.id),
                            &blocks::your_turn_closed(&d, "let the next one go first"),
                        )
                        .await?;
                        tx.audit(
                            now,
                            &actor.user,
                            "deploy.skip",
                            &format!("deployment #{}", d.id),
                            "",
                        )
                        .await?;
                        self.advance(&mut tx, &d.environment, now, None).await?;
                        Some(Message::plain(format!(
                            "You let {} go first; you are next after them.",
                            mention(&next.requester)
                        )))
                    }
                    None => {
                        self.drop_out(
                            &mut tx,
                            &d,
                            Event::Cancel,
                            &actor.user,
                            now,
                            "skipped with nobody else waiting",
                        )
                        .await?;
                        Some(Message::plain("Nobody else was waiting, so you left the queue. Ask again when you're ready."))
                    }
                }
            }
            Action::Done | Action::Failed => {
                if d.state != State::Deploying {
                    return refuse(moved_on(&d));
                }
                let outcome = if action == Action::Done {
                    Outcome::Succeeded
                } else {
                    Outcome::Failed
                };
                if !self
                    .finish(&mut tx, &d, outcome, None, &actor.user, now)
                    .await?
                {
                    return refuse(moved_on(&d));
                }
                None
            }
            Action::Cancel if d.state == State::Deploying => {
                // The start alert's Cancel: called off, announced, the next one called.
                if !self
                    .finish(&mut tx, &d, Outcome::Cancelled, None, &actor.user, now)
                    .await?
                {
                    return refuse(moved_on(&d));
                }
                None
            }
            Action::Cancel => {
                if !d.state.is_waiting() {
                    return refuse(moved_on(&d));
                }
                let why = format!("cancelled by {}", actor.user);
                self.drop_out(&mut tx, &d, Event::Cancel, &actor.user, now, &why)
                    .await?;
                Some(Message::plain(format!(
                    "You left the queue for {} (#{}).",
                    blocks::what(&d),
                    d.id
                )))
            }
            Action::HoldRelease => None,
        };
        self.commit(tx).await?;
        Ok(reply)
    }
}
