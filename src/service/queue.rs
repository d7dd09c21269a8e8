//! Moving an environment's queue on: who is called, started, finished, expired.
//! Everything here runs inside a transaction that holds the environment's lock.

use super::admission::{Ask, Reader};
use super::{close_turn, post, start_key, turn_key, update, Answer, Core, Result};
use crate::domain::admission::{turn, Refusal, Turn};
use crate::domain::deployment::{Deployment, Event, State};
use crate::domain::notice::{Credit, Notice};
use crate::store::Tx;
use chrono::{DateTime, Utc};

/// Why a waiting entry leaves its queue.
#[derive(Debug, Clone, Copy)]
pub(super) enum Leaving<'a> {
    /// Badger's reason ("turn expired"), stored and shown as it is.
    Because(&'a str),
    /// A person (its owner or an admin, the actor) cancelled it.
    Cancelled,
}

impl<'a> From<&'a str> for Leaving<'a> {
    fn from(why: &'a str) -> Self {
        Leaving::Because(why)
    }
}

/// How a deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    /// Called off after it started.
    Cancelled,
}

impl Core {
    /// If the environment is free, calls the next one in line (or starts `start_at_once`
    /// directly when it is the one in line: a requester who finds the environment free
    /// starts at once). Those passed over for a hold are told once.
    pub(super) async fn advance(
        &self,
        tx: &mut Tx,
        env: &str,
        now: DateTime<Utc>,
        start_at_once: Option<i64>,
    ) -> Result<Option<Deployment>> {
        let live = tx.env_live(env).await?;
        if live
            .iter()
            .any(|d| matches!(d.state, State::Called | State::Deploying))
        {
            return Ok(None);
        }
        let queued: Vec<Deployment> = live
            .into_iter()
            .filter(|d| d.state == State::Queued)
            .collect();
        if queued.is_empty() {
            return Ok(None);
        }
        let Some(env_cfg) = self.policy.env(env) else {
            return Ok(None);
        };
        let holds = tx.active_holds().await?;
        let mut call = None;
        for d in &queued {
            let ask = Ask::waiting(d, env_cfg);
            let reasons = self.ask(Reader::Tx(tx), &holds, &ask).await?;
            match turn(&reasons) {
                Turn::Call => {
                    call = Some(d);
                    break;
                }
                Turn::Wait => {}
                Turn::PassOver => {
                    self.pass_over(tx, d, &ask, reasons, now).await?;
                }
            }
        }
        let Some(d) = call else {
            return Ok(None);
        };
        if Some(d.id) == start_at_once {
            self.start(tx, d, now, &d.requester).await?;
        } else {
            if tx
                .transition(d.id, d.state, Event::Call, now, None, None)
                .await?
            {
                let mut called = d.clone();
                called.state = State::Called;
                called.called_at = Some(now);
                post(
                    tx,
                    now,
                    &d.channel,
                    Notice::YourTurn {
                        window_closes: self.window_closes_first(&called, now),
                        tz: Some(self.policy.calendar.tz),
                        deployment: called,
                        timeout_minutes: self.policy.turn_timeout.num_minutes(),
                    },
                    Some(turn_key(d.id)),
                )
                .await?;
                tx.audit(
                    now,
                    super::BADGER_ACTOR,
                    "deploy.call",
                    &format!("deployment #{}", d.id),
                    &d.requester,
                )
                .await?;
            }
        }
        Ok(tx.deployment(d.id).await?)
    }

    /// When the deploy window closes on a turn called at `now`, if before its timeout:
    /// the turn ends then (office-hours environments; an emergency ignores the window).
    fn window_closes_first(&self, d: &Deployment, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let office_hours = self
            .policy
            .env(&d.environment)
            .is_some_and(|e| e.window == crate::config::WindowKind::OfficeHours);
        if !office_hours || d.is_emergency() {
            return None;
        }
        let closes = self.policy.calendar.current(now)?.closes;
        (closes < now + self.policy.turn_timeout).then_some(closes)
    }

    /// Tells a waiting deployment, once per reason, that the turn passes it by and why; it
    /// keeps its place. Holds keep their own flag (releasing a hold resets it).
    pub(super) async fn pass_over(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        ask: &Ask<'_>,
        reasons: Vec<Refusal>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(Refusal::Held(h)) = reasons.iter().find(|r| matches!(r, Refusal::Held(_))) {
            if !d.hold_notified {
                let say = Notice::HeldTurn {
                    deployment: d.clone(),
                    hold: h.clone(),
                };
                post(tx, now, &d.channel, say, None).await?;
                tx.set_hold_notified(d.id, true).await?;
            }
            return Ok(());
        }
        let codes = reasons
            .iter()
            .map(Refusal::code)
            .collect::<Vec<_>>()
            .join(",");
        if d.passed_over.as_deref() != Some(codes.as_str()) {
            let refused = self.refused(ask, reasons);
            let wording = self.wording();
            let say = Notice::PassedOver {
                deployment: d.clone(),
                refused,
                deploy_command: wording.deploy_command.to_owned(),
                admins: wording.admins.to_vec(),
                tz: wording.tz,
                at: wording.now,
            };
            post(tx, now, &d.channel, say, None).await?;
            tx.set_passed_over(d.id, Some(&codes)).await?;
        }
        Ok(())
    }

    /// Queued or called -> deploying, with the start alert. `actor` started it: unless it
    /// is CI reporting its run, a person did, so GitHub work is queued for it.
    pub(super) async fn start(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<bool> {
        let by_person = actor != super::ci::CI_ACTOR;
        let by = credit(actor, &d.requester);
        if !tx
            .transition(d.id, d.state, Event::Start, now, None, by.as_ref())
            .await?
        {
            return Ok(false);
        }
        let mut started = d.clone();
        started.state = State::Deploying;
        started.started_at = Some(now);
        started.started_by = by.clone();
        let say = Notice::StartAlert {
            deployment: started.clone(),
            by,
        };
        post(tx, now, &d.channel, say, Some(start_key(d.id))).await?;
        if d.state == State::Called {
            close_turn(tx, now, &started, "started", None).await?;
        }
        tx.audit(
            now,
            actor,
            "deploy.start",
            &format!("deployment #{}", d.id),
            &describe(d),
        )
        .await?;
        if by_person {
            self.github_on_start(tx, &started, now).await?;
        }
        self.metrics.started.inc();
        Ok(true)
    }

    /// Deploying -> succeeded | failed | cancelled, with the end alert; then the next one
    /// is called.
    pub(super) async fn finish(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        outcome: Outcome,
        note: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let event = match outcome {
            Outcome::Succeeded => Event::Succeed,
            Outcome::Failed => Event::Fail,
            Outcome::Cancelled => Event::Cancel,
        };
        if d.state != State::Deploying {
            return Ok(false);
        }
        let by = credit(actor, &d.requester);
        if !tx
            .transition(d.id, State::Deploying, event, now, note, by.as_ref())
            .await?
        {
            return Ok(false);
        }
        let Some(done) = tx.deployment(d.id).await? else {
            return Ok(false);
        };
        // Keyed, so the smoke report can go in its thread.
        let end_key = Some(super::end_key(d.id));
        let say = Notice::EndAlert {
            deployment: done.clone(),
            by,
        };
        post(tx, now, &d.channel, say, end_key).await?;
        let say = Notice::StartAlertClosed {
            deployment: done.clone(),
        };
        update(tx, now, &d.channel, start_key(d.id), say).await?;
        tx.audit(
            now,
            actor,
            &format!("deploy.{}", done.state.as_str()),
            &format!("deployment #{}", d.id),
            note.unwrap_or(""),
        )
        .await?;
        match outcome {
            Outcome::Succeeded => self.metrics.succeeded.inc(),
            Outcome::Failed => self.metrics.failed.inc(),
            Outcome::Cancelled => {}
        }
        if outcome == Outcome::Succeeded {
            self.on_success(tx, &done, now).await?;
        }
        self.advance(tx, &d.environment, now, None).await?;
        Ok(true)
    }

    /// Queued or called -> cancelled or expired; if it held the turn, the next is called.
    /// With `say`, posted in `d`'s channel when it leaves: before the next person is
    /// called, so the channel reads in the order things happened.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn drop_out<'a>(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        event: Event,
        actor: &str,
        now: DateTime<Utc>,
        why: impl Into<Leaving<'a>>,
        say: Option<Notice>,
    ) -> Result<bool> {
        let Ok(to) = crate::domain::deployment::transition(d.state, event) else {
            return Ok(false);
        };
        // The note stored (badger's reason; a person's cancel has none: who did it is
        // stored as `ended_by`), what is audited, what the closed turn says, and who it names.
        let (note, why, outcome, by) = match why.into() {
            Leaving::Because(why) => (Some(why), why.to_owned(), why, None),
            Leaving::Cancelled => (
                None,
                format!("cancelled by {actor}"),
                "cancelled",
                Some(actor),
            ),
        };
        let ended_by = by.and_then(|by| credit(by, &d.requester));
        if !tx
            .transition(d.id, d.state, event, now, note, ended_by.as_ref())
            .await?
        {
            return Ok(false);
        }
        if d.state == State::Called {
            close_turn(tx, now, d, outcome, by).await?;
        }
        tx.audit(
            now,
            actor,
            &format!("deploy.{}", to.as_str()),
            &format!("deployment #{}", d.id),
            &why,
        )
        .await?;
        if let Some(say) = say {
            post(tx, now, &d.channel, say, None).await?;
        }
        if d.state == State::Called {
            self.advance(tx, &d.environment, now, None).await?;
        }
        Ok(true)
    }
}

impl Core {
    /// `actor` takes waiting `d` out of its queue: its owner leaving, or an admin taking
    /// someone's out (the owner is then told in the channel who did). `None`: it had moved
    /// on meanwhile.
    pub(super) async fn cancel_waiting(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Answer>> {
        let by_other = actor != d.requester;
        let say = by_other.then(|| Notice::TakenOutOfQueue {
            deployment: d.clone(),
            by: actor.to_owned(),
        });
        let left = self
            .drop_out(tx, d, Event::Cancel, actor, now, Leaving::Cancelled, say)
            .await?;
        Ok(left.then(|| match by_other {
            true => Answer::TookOutOfQueue(d.clone()),
            false => Answer::LeftQueue(d.clone()),
        }))
    }
}

/// How `actor` is credited beside `requester` in a start or end alert: not at all when
/// they are the requester.
fn credit(actor: &str, requester: &str) -> Option<Credit> {
    match actor {
        _ if actor == requester => None,
        super::ci::CI_ACTOR => Some(Credit::Ci),
        super::GITHUB_ACTOR | super::BADGER_ACTOR => Some(Credit::Badger),
        person => Some(Credit::Person(person.to_owned())),
    }
}

pub fn describe(d: &Deployment) -> String {
    describe_request(&d.app, &d.git_ref, &d.environment)
}

/// [`describe`] for a request not yet written (the audit line is written with it).
pub fn describe_request(app: &str, git_ref: &str, env: &str) -> String {
    format!("{app} {git_ref} to {env}")
}
