//! Button presses (action_ids are contract: old messages must keep working).
//! A press by someone who may not act, a second press, or a press after the record moved
//! on changes nothing and says why, to the presser only.

use super::admission::{Ask, Reader};
use super::queue::Outcome;
use super::{
    close_turn, refuse, turn_key, update, Actor, Answer, Core, Denied, Result, ServiceError,
};
use crate::domain::admission::{turn, Refusal, Turn};
use crate::domain::deployment::{Deployment, Event, State};
use crate::domain::notice::Notice;
use crate::domain::queue::key_behind;
use crate::store::env_lock;
use crate::store::Tx;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Skip,
    Done,
    Failed,
    Cancel,
    HoldRelease,
    /// "All is well" on the stay-around reminder after a success.
    AllWell,
}

impl Action {
    /// Every button badger handles (docs/user-guide.md describes each).
    pub const ALL: [Action; 7] = [
        Action::Start,
        Action::Skip,
        Action::Done,
        Action::Failed,
        Action::Cancel,
        Action::HoldRelease,
        Action::AllWell,
    ];

    /// The contract's `action_id`: the one place each is spelled (every button is built
    /// from an `Action`, `crate::slack::blocks::button`).
    pub fn action_id(self) -> &'static str {
        match self {
            Action::Start => "deploy_start",
            Action::Skip => "deploy_skip",
            Action::Done => "deploy_done",
            Action::Failed => "deploy_failed",
            Action::Cancel => "deploy_cancel",
            Action::HoldRelease => "hold_release",
            Action::AllWell => "deploy_all_well",
        }
    }

    /// The button an `action_id` names; the strings live only in [`Action::action_id`].
    pub fn parse(action_id: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.action_id() == action_id)
    }
}

/// Where the pressed button was shown. The same `action_id` can sit on both: Cancel on the
/// start alert (a channel post) and "Leave the queue" on the queued answer (an ephemeral),
/// so where it was pressed tells which one the person meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// A message in a channel (or DM) that everyone there sees.
    InChannel,
    /// An answer only the presser sees (Slack's `container.is_ephemeral`).
    Ephemeral,
}

/// One press of a button, as Slack reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Press {
    pub action: Action,
    /// The button's value: the ID of the deployment or hold it acts on.
    pub value: String,
    pub shown: Shown,
}

impl Core {
    /// Handles one press. `Ok(Some(a))` is an ephemeral answer for the presser.
    pub async fn press(&self, actor: &Actor, press: Press) -> Result<Option<Answer>> {
        let actor = actor.clone();
        self.on_writer(move |core| async move { core.press_here(&actor, &press).await })
            .await
    }

    async fn press_here(&self, actor: &Actor, press: &Press) -> Result<Option<Answer>> {
        let Ok(id) = press.value.trim().parse::<i64>() else {
            return refuse(Denied::BadButtonValue);
        };
        if press.action == Action::HoldRelease {
            return self.release_hold_by_id(actor, id).await.map(Some);
        }
        Ok(self.press_on(actor, press.action, id, press.shown).await?.0)
    }

    /// A press of a deployment's button (`/deploy done ID` and `failed ID` come here too, so
    /// the rules are the button's): the ephemeral answer, if any, and the deployment as it
    /// was read before the press changed it. `shown`: where the button was.
    pub(super) async fn press_on(
        &self,
        actor: &Actor,
        action: Action,
        id: i64,
        shown: Shown,
    ) -> Result<(Option<Answer>, Deployment)> {
        let now = self.now();
        let Some(d) = self.store.deployment(id).await? else {
            return refuse(Denied::DeploymentGone { id });
        };
        self.may_press(actor, &d.requester, || Denied::NotYours {
            requester: d.requester.clone(),
        })?;
        if action == Action::AllWell {
            return Ok((self.all_well(actor, &d).await?, d));
        }
        let mut tx = self.store.begin_ahead().await?;
        tx.lock(&env_lock(&d.environment)).await?;
        // Re-read under the lock: the press may race a timeout, a CI event or another replica.
        let Some(d) = tx.deployment(id).await? else {
            return refuse(Denied::DeploymentGone { id });
        };
        let moved_on = |d: &Deployment| Denied::PressedTooLate {
            id: d.id,
            state: d.state,
        };
        let reply = match action {
            Action::Start => {
                if d.state == State::Queued {
                    // A hold gave the turn back: say so, not that it "has been queued".
                    let holds = tx.active_holds().await?;
                    if let Some(h) = holds
                        .iter()
                        .find(|h| h.stands_at(now) && h.covers(&d.app, &d.environment))
                    {
                        return refuse(Denied::TurnHeld {
                            id: d.id,
                            hold: h.id,
                            owner: h.owner.clone(),
                        });
                    }
                }
                if d.state != State::Called {
                    return refuse(moved_on(&d));
                }
                // Its time ran out, though the scheduler has not yet passed the turn on.
                if d.turn_lapsed(now, self.policy.turn_timeout) {
                    return refuse(Denied::PressedTooLate {
                        id: d.id,
                        state: State::Expired,
                    });
                }
                let Some(env) = self.policy.env(&d.environment) else {
                    return refuse(Denied::EnvironmentGone {
                        env: d.environment.clone(),
                    });
                };
                // The rule again, at the moment the turn starts: a hold may have come, the
                // window may have closed, or the previous environment may have failed since.
                let holds = tx.active_holds().await?;
                let ask = Ask::waiting(&d, env);
                let reasons = self.ask(Reader::Tx(&mut tx), &holds, &ask).await?;
                match turn(&reasons) {
                    Turn::Call => {
                        self.start(&mut tx, &d, now, &actor.user).await?;
                        None
                    }
                    // The window or a hold: the turn waits (a hold already paused it when
                    // it was placed; the window closing expires it).
                    _ if reasons
                        .iter()
                        .all(|r| matches!(r, Refusal::WindowClosed(_) | Refusal::Held(_))) =>
                    {
                        return Err(ServiceError::Refused(self.refused(&ask, reasons)));
                    }
                    _ => {
                        // The promotion rule (or a permission) no longer holds: the turn
                        // passes to the next, and this entry keeps its place, told why.
                        tx.transition(d.id, State::Called, Event::Requeue, now, None, None)
                            .await?;
                        close_turn(&mut tx, now, &d, "passed on: it can't start now", None).await?;
                        let mut requeued = d.clone();
                        requeued.state = State::Queued;
                        requeued.passed_over = None;
                        // Never told before (`passed_over` cleared), so the notice is posted;
                        // the presser is told the same reasons.
                        self.pass_over(&mut tx, &requeued, &ask, reasons.clone(), now)
                            .await?;
                        self.advance(&mut tx, &d.environment, now, None).await?;
                        self.commit(tx).await?;
                        let reply = Answer::TurnPassedOn(self.refused(&ask, reasons));
                        return Ok((Some(reply), d));
                    }
                }
            }
            Action::Skip => {
                if d.state != State::Called {
                    return refuse(moved_on(&d));
                }
                Some(self.skip(&mut tx, &d, &actor.user, now).await?)
            }
            Action::Done | Action::Failed => {
                // Only `/deploy done ID` reaches a waiting one (Done sits on start alerts).
                if d.state.is_waiting() {
                    return refuse(Denied::NotStartedYet { id: d.id });
                }
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
            // "Leave the queue" on the queued answer, pressed once the deployment started:
            // leaving is no longer possible, and calling a running deployment off from a
            // stale answer would surprise (the start alert's Cancel does that).
            Action::Cancel if d.state == State::Deploying && shown == Shown::Ephemeral => {
                return refuse(Denied::StartedSinceQueued { id: d.id });
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
                match self.cancel_waiting(&mut tx, &d, &actor.user, now).await? {
                    Some(answer) => Some(answer),
                    None => return refuse(moved_on(&d)),
                }
            }
            Action::HoldRelease | Action::AllWell => None,
        };
        self.commit(tx).await?;
        Ok((reply, d))
    }
}

impl Core {
    /// "Let the next go first": the turn goes to the first other waiting deployment that
    /// may start now, and the skipper goes right behind it (an emergency that skips takes
    /// that one's priority: it lets them go first, for real). With nobody waiting the
    /// skipper leaves the queue; with others waiting but none able to go, the turn stays
    /// and the press is refused.
    async fn skip(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Answer> {
        let Some(env) = self.policy.env(&d.environment) else {
            return refuse(Denied::TurnStays);
        };
        let live = tx.env_live(&d.environment).await?;
        let waiting: Vec<&Deployment> = live
            .iter()
            .filter(|x| x.state == State::Queued && x.id != d.id)
            .collect();
        if waiting.is_empty() {
            self.drop_out(
                tx,
                d,
                Event::Cancel,
                actor,
                now,
                "skipped with nobody else waiting",
                None,
            )
            .await?;
            return Ok(Answer::SkippedAlone);
        }
        let holds = tx.active_holds().await?;
        let mut next = None;
        for (i, w) in waiting.iter().enumerate() {
            let ask = Ask::waiting(w, env);
            if turn(&self.ask(Reader::Tx(tx), &holds, &ask).await?) == Turn::Call {
                next = Some(i);
                break;
            }
        }
        let Some(i) = next else {
            return refuse(Denied::TurnStays);
        };
        let chosen = waiting[i];
        // Right behind the chosen one, before whoever follows it at the same priority.
        let after = waiting[i + 1..]
            .iter()
            .find(|x| x.priority == chosen.priority)
            .copied();
        let closed = Notice::YourTurnClosed {
            deployment: d.clone(),
            outcome: "let the next one go first".into(),
            by: None,
        };
        let place = (chosen.priority, key_behind(chosen, after));
        requeue_turn(tx, d, place, closed, actor, ("deploy.skip", ""), now).await?;
        self.advance(tx, &d.environment, now, None).await?;
        Ok(Answer::LetGoFirst {
            requester: chosen.requester.clone(),
        })
    }
}

/// A called turn goes back to waiting at `place` (priority, queue key), its your-turn
/// message closed with `closed`, audited as `audit` (action, detail) by `actor`. The one
/// way a called turn moves in its queue: "let the next go first", and an emergency taking
/// the turn. The caller then moves the queue on. False: it was no longer called.
pub(super) async fn requeue_turn(
    tx: &mut Tx,
    d: &Deployment,
    place: (i64, i64),
    closed: Notice,
    actor: &str,
    audit: (&str, &str),
    now: DateTime<Utc>,
) -> Result<bool> {
    if !tx
        .transition(d.id, State::Called, Event::Requeue, now, None, None)
        .await?
    {
        return Ok(false);
    }
    tx.set_queue_position(d.id, place.0, place.1).await?;
    update(tx, now, &d.channel, turn_key(d.id), closed).await?;
    let (action, detail) = audit;
    tx.audit(now, actor, action, &format!("deployment #{}", d.id), detail)
        .await?;
    Ok(true)
}

impl Core {
    /// Only whoever owns the record (or an admin) may act on it; anyone else's press is
    /// counted and refused with `denied`.
    pub(super) fn may_press(
        &self,
        actor: &Actor,
        owner: &str,
        denied: impl FnOnce() -> Denied,
    ) -> Result<()> {
        if owner != actor.user && !self.policy.is_admin(&actor.user) {
            self.metrics.refused_presses.inc();
            return refuse(denied());
        }
        Ok(())
    }
}
