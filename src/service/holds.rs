//! `/hold`: freezes on an app (or all), announced, kept in the channel topic, released by
//! their owner or an admin.

use super::{hold_key, post, refuse, update, Actor, Answer, Core, Denied, HoldEnded, Result};
use crate::command::{HoldScope, ReleaseTarget};
use crate::domain::deployment::{Event, State};
use crate::domain::hold::{Hold, ALL_APPS};
use crate::domain::names::EnvName;
use crate::domain::notice::Notice;
use crate::store::{env_lock, NewHold, Payload, Tx, HOLDS_LOCK};
use chrono::{DateTime, Utc};

impl Core {
    fn hold_placed(&self, h: &Hold) -> Notice {
        Notice::HoldPlaced {
            hold: h.clone(),
            hold_command: self.policy.hold_command.clone(),
            tz: self.policy.calendar.tz,
        }
    }

    async fn sync_topic(
        &self,
        tx: &mut Tx,
        now: DateTime<Utc>,
        channel: &str,
        notify: Option<&str>,
    ) -> Result<()> {
        tx.enqueue(
            &Payload::Topic {
                channel: channel.to_owned(),
                notify: notify.map(str::to_owned),
            },
            now,
        )
        .await?;
        Ok(())
    }

    /// Queues a topic sync for `channel` on its own (e.g. when badger joins the channel).
    pub async fn sync_topic_now(&self, channel: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        self.sync_topic(&mut tx, now, channel, None).await?;
        self.commit(tx).await
    }

    pub async fn create_hold(
        &self,
        actor: &Actor,
        scope: &HoldScope,
        env: Option<&EnvName>,
        reason: &str,
        until: Option<DateTime<Utc>>,
    ) -> Result<Answer> {
        let now = self.now();
        let scope_str = match scope {
            HoldScope::All => ALL_APPS.to_owned(),
            HoldScope::App(a) => a.as_str().to_owned(),
        };
        let env_str = env.map(|e| e.as_str().to_owned());
        let channel = self.announce_channel(&actor.channel);
        let mut tx = self.store.begin().await?;
        tx.lock(HOLDS_LOCK).await?;
        let holds = tx.active_holds().await?;
        // Their own standing hold on the same scope is updated; one whose `--until` has come
        // no longer counts, so holding again places a new hold (turns paused afresh) and
        // the scheduler ends the old one.
        if let Some(mine) = holds.iter().find(|h| {
            h.owner == actor.user
                && h.scope == scope_str
                && h.environment == env_str
                && h.stands_at(now)
        }) {
            // Without a new `--until` the hold keeps its end: saying more about a hold
            // must not quietly make it open-ended.
            let until = until.or(mine.until);
            tx.update_hold(mine.id, reason, until, &actor.user, now)
                .await?;
            tx.audit(
                now,
                &actor.user,
                "hold.update",
                &format!("hold #{}", mine.id),
                reason,
            )
            .await?;
            let updated = tx.hold(mine.id).await?.unwrap_or_else(|| mine.clone());
            let say = self.hold_placed(&updated);
            update(&mut tx, now, &updated.channel, hold_key(updated.id), say).await?;
            self.sync_topic(&mut tx, now, &updated.channel, Some(&actor.user))
                .await?;
            self.commit(tx).await?;
            return Ok(Answer::HoldUpdated(updated));
        }
        let id = tx
            .insert_hold(
                &NewHold {
                    scope: &scope_str,
                    environment: env_str.as_deref(),
                    reason,
                    owner: &actor.user,
                    channel: &channel,
                    until,
                },
                now,
            )
            .await?;
        let Some(h) = tx.hold(id).await? else {
            return refuse(Denied::HoldNotSaved);
        };
        tx.audit(
            now,
            &actor.user,
            "hold.create",
            &format!("hold #{id}"),
            &format!("{}: {reason}", h.describe_scope()),
        )
        .await?;
        let say = self.hold_placed(&h);
        post(&mut tx, now, &channel, say, Some(hold_key(id))).await?;
        self.sync_topic(&mut tx, now, &channel, Some(&actor.user))
            .await?;
        // Whoever holds the turn for a now-held app gives it back and keeps their place.
        for e in self
            .policy
            .environments
            .iter()
            .filter(|e| env_str.as_deref().is_none_or(|x| x == e.name.as_str()))
        {
            tx.lock(&env_lock(e.name.as_str())).await?;
            for d in tx.env_live(e.name.as_str()).await? {
                if d.state == State::Called && h.covers(&d.app, &d.environment) {
                    tx.transition(d.id, State::Called, Event::Requeue, now, None, None)
                        .await?;
                    let say = Notice::YourTurnClosed {
                        deployment: d.clone(),
                        outcome: "paused by a hold; you keep your place".into(),
                        by: None,
                    };
                    update(&mut tx, now, &d.channel, super::turn_key(d.id), say).await?;
                    let say = Notice::HeldTurn {
                        deployment: d.clone(),
                        hold: h.clone(),
                    };
                    post(&mut tx, now, &d.channel, say, None).await?;
                    tx.set_hold_notified(d.id, true).await?;
                    self.advance(&mut tx, e.name.as_str(), now, None).await?;
                }
            }
        }
        self.metrics.holds.inc();
        self.commit(tx).await?;
        // A hold on an app badger never saw may be a typo that holds nothing: said so.
        // Best effort: the hold is saved; a failed read must not answer as if it were not.
        let unknown = match scope {
            HoldScope::App(a) => self
                .unknown_app_named(a.as_str())
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "could not tell whether a held app is known");
                    None
                }),
            HoldScope::All => None,
        };
        Ok(Answer::HoldPlaced(h, unknown))
    }

    pub async fn list_holds(&self) -> Result<Answer> {
        let now = self.now();
        let mut holds = self.store.active_holds().await?;
        // As the board: a hold whose `--until` has come is not listed, though its release
        // by the scheduler may be a moment away.
        holds.retain(|h| h.stands_at(now));
        Ok(Answer::Holds(holds))
    }

    pub async fn release_holds(&self, actor: &Actor, target: &ReleaseTarget) -> Result<Answer> {
        let holds = self.store.active_holds().await?;
        let matching: Vec<&Hold> = match target {
            ReleaseTarget::Id(id) => {
                return self.release_hold_by_id(actor, *id).await;
            }
            ReleaseTarget::All => holds.iter().filter(|h| h.is_all()).collect(),
            ReleaseTarget::App(a) => holds.iter().filter(|h| h.scope == a.as_str()).collect(),
        };
        if matching.is_empty() {
            return refuse(Denied::NoHoldOn {
                app: match target {
                    ReleaseTarget::App(a) => Some(a.as_str().to_owned()),
                    _ => None,
                },
            });
        }
        let admin = self.policy.is_admin(&actor.user);
        let mine: Vec<&Hold> = matching
            .iter()
            .copied()
            .filter(|h| h.owner == actor.user)
            .collect();
        let to_release: Vec<&Hold> = if !mine.is_empty() {
            mine
        } else if admin {
            matching.clone()
        } else {
            return refuse(Denied::NotHoldOwner {
                owners: matching.iter().map(|h| (h.owner.clone(), h.id)).collect(),
            });
        };
        let mut released = Vec::new();
        for h in &to_release {
            if self.release_one(Ender::Person(&actor.user), h.id).await? {
                released.push(h.id);
            }
        }
        if released.is_empty() {
            return refuse(Denied::HoldsAlreadyReleased);
        }
        // Yours first: an admin owning some of them releases only theirs, and hears which
        // still stand (releasing another's hold is done by its id, on purpose).
        let standing = matching
            .into_iter()
            .filter(|h| !to_release.iter().any(|r| r.id == h.id))
            .cloned()
            .collect();
        Ok(Answer::HoldsReleased { released, standing })
    }

    pub async fn release_hold_by_id(&self, actor: &Actor, id: i64) -> Result<Answer> {
        let holds = self.store.active_holds().await?;
        let Some(h) = holds.into_iter().find(|h| h.id == id) else {
            return refuse(self.hold_gone(id).await?);
        };
        self.may_press(actor, &h.owner, || Denied::NotYourHold {
            id,
            owner: h.owner.clone(),
        })?;
        if !self.release_one(Ender::Person(&actor.user), id).await? {
            return refuse(self.hold_gone(id).await?);
        }
        Ok(Answer::HoldReleased(h))
    }

    /// Why hold `id` can't be released: it ended already (by whom and when, or at its
    /// `--until` time), or there never was such a hold.
    async fn hold_gone(&self, id: i64) -> Result<Denied> {
        let Some(h) = self.store.hold(id).await? else {
            return Ok(Denied::HoldNotStanding { id });
        };
        let ended = match (h.released_at, h.released_by) {
            (Some(_), Some(by)) if by == super::BADGER_ACTOR => h
                .until
                .or(h.released_at)
                .map(|until| HoldEnded::AtItsTime { until }),
            (Some(at), Some(by)) => Some(HoldEnded::Released { by, at }),
            _ => None,
        };
        Ok(Denied::HoldAlreadyReleased { id, ended })
    }

    /// Releases one hold: updates its announcement, says so in the channel, fixes the
    /// topic and lets the queues move. False if someone released it first.
    pub(super) async fn release_one(&self, by: Ender<'_>, id: i64) -> Result<bool> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        tx.lock(HOLDS_LOCK).await?;
        if let Ender::Until = by {
            // Read again under the lock: its owner may have just moved `--until` on.
            if !tx
                .hold(id)
                .await?
                .is_some_and(|h| h.is_active() && h.lapsed(now))
            {
                return Ok(false);
            }
        }
        if !tx.release_hold(id, by.user(), now).await? {
            return Ok(false);
        }
        let Some(h) = tx.hold(id).await? else {
            return Ok(false);
        };
        let action = match by {
            Ender::Person(_) => "hold.release",
            Ender::Until => "hold.lapse",
        };
        let (tz, hold_command) = (self.policy.calendar.tz, self.policy.hold_command.clone());
        tx.audit(
            now,
            by.user(),
            action,
            &format!("hold #{id}"),
            &h.describe_scope(),
        )
        .await?;
        let (say, note) = match by {
            Ender::Person(user) => (
                Notice::HoldReleased {
                    hold: h.clone(),
                    by: user.to_owned(),
                    at: now,
                    hold_command,
                    tz,
                },
                Notice::HoldReleasedNote {
                    hold: h.clone(),
                    by: user.to_owned(),
                },
            ),
            Ender::Until => (
                Notice::HoldLapsed {
                    hold: h.clone(),
                    hold_command,
                    tz,
                },
                Notice::HoldLapsedNote {
                    hold: h.clone(),
                    tz,
                },
            ),
        };
        update(&mut tx, now, &h.channel, hold_key(id), say).await?;
        post(&mut tx, now, &h.channel, note, None).await?;
        // Told if the topic can't be brought up to date: whoever released it, or the owner.
        let notify = match by {
            Ender::Person(user) => user,
            Ender::Until => h.owner.as_str(),
        };
        self.sync_topic(&mut tx, now, &h.channel, Some(notify))
            .await?;
        let standing = tx.active_holds().await?;
        for e in &self.policy.environments {
            if h.environment
                .as_deref()
                .is_none_or(|x| x == e.name.as_str())
            {
                tx.lock(&env_lock(e.name.as_str())).await?;
                // Whoever this hold passed over and no other hold covers is free again: a
                // later hold must tell them afresh that their turn is skipped.
                for d in tx.env_live(e.name.as_str()).await? {
                    let held = |s: &Hold| s.stands_at(now) && s.covers(&d.app, &d.environment);
                    if d.hold_notified && !standing.iter().any(held) {
                        tx.set_hold_notified(d.id, false).await?;
                    }
                }
                self.advance(&mut tx, e.name.as_str(), now, None).await?;
            }
        }
        self.commit(tx).await?;
        Ok(true)
    }
}

/// Who ends a hold: a person (its owner or an admin), or its own `--until` time.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ender<'a> {
    Person(&'a str),
    Until,
}

impl Ender<'_> {
    /// Recorded as the releaser and in the audit log.
    fn user(&self) -> &str {
        match self {
            Ender::Person(user) => user,
            Ender::Until => super::BADGER_ACTOR,
        }
    }
}
