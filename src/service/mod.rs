//! One function per use case: load -> decide (domain) -> store + outbox in one
//! transaction -> typed answer ([`Answer`]). Errors are split as triagebot does: `Denied`
//! and `Refused` are told to the person, `Internal` is logged and the person gets a short
//! apology (nothing was changed). The edges word all of them (`crate::slack::answers`).

mod admission;
mod after_success;
mod answer;
mod board_cache;
mod buttons;
mod called_off;
mod ci;
mod denied;
mod deploy;
mod dispatch;
mod github;
mod history;
mod holds;
mod queue;
mod schedule;
mod status;
mod versions;

pub use answer::{Answer, Note, Reply, Unknown};
pub use board_cache::{board_of, BoardCache, Snapshot};
pub use buttons::{Action, Press, Shown};
pub use ci::{CheckResult, CiError, CiEvent, CiReport};
pub use denied::{Denied, HoldEnded};
pub use deploy::DeployRequest;
pub use github::{stay_key, GITHUB_ACTOR};
pub use queue::Outcome;

use crate::clock::SharedClock;
use crate::config::Policy;
use crate::domain::deployment::Deployment;
use crate::domain::notice::Notice;
use crate::metrics::Metrics;
use crate::store::{Body, Payload, Store, StoreError, Tx};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio::sync::Notify;

/// Who badger itself is in the audit log and as a releaser, when time (not a person)
/// acts: a turn called, a place expired, a hold ended.
pub const BADGER_ACTOR: &str = "badger";

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Something the person did or asked that badger refuses, and why.
    #[error("denied: {}", .0.code())]
    Denied(Denied),
    /// The admission rule said no; each edge words it.
    #[error("refused: {}", .0.reasons.iter().map(|r| r.code()).collect::<Vec<_>>().join(", "))]
    Refused(crate::domain::admission::Refused),
    #[error(transparent)]
    Internal(#[from] StoreError),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

pub fn refuse<T>(why: Denied) -> Result<T> {
    Err(ServiceError::Denied(why))
}

/// Who did something, and where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: String,
    pub channel: String,
}

#[derive(Clone)]
pub struct Core {
    pub store: Store,
    pub policy: Arc<Policy>,
    pub clock: SharedClock,
    pub outbox_wake: Arc<Notify>,
    pub metrics: Arc<Metrics>,
    /// `BADGER_PUBLIC_URL`: the dashboard's address, linked from summarised answers.
    pub public_url: Option<Arc<str>>,
    /// The status snapshot every status-like read is served from.
    pub board_cache: Arc<BoardCache>,
}

impl Core {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Where announcements go: the configured deploy channel, else where the person typed.
    pub fn announce_channel(&self, typed_in: &str) -> String {
        self.policy
            .channel
            .clone()
            .unwrap_or_else(|| typed_in.to_owned())
    }

    /// Deployment `id` read again under its environment's lock, in a new transaction (the
    /// first read finds which lock to take); `None` if it is gone.
    pub(crate) async fn lock_deployment(&self, id: i64) -> Result<Option<(Tx, Deployment)>> {
        let Some(d) = self.store.deployment(id).await? else {
            return Ok(None);
        };
        let mut tx = self.store.begin().await?;
        tx.lock(&crate::store::env_lock(&d.environment)).await?;
        Ok(tx.deployment(id).await?.map(|d| (tx, d)))
    }

    /// Runs a use case that writes on the write thread, beside SQLite's batch connection
    /// (`crate::store::Writer` says why); `work` gets a handle of its own to this core.
    pub(crate) async fn on_writer<T, F, Fut>(&self, work: F) -> T
    where
        F: FnOnce(Core) -> Fut,
        Fut: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.store.serially(work(self.clone())).await
    }

    /// Commits, and wakes the outbox worker if there is something to deliver.
    pub async fn commit(&self, tx: Tx) -> Result<()> {
        if tx.commit().await? {
            self.outbox_wake.notify_one();
        }
        Ok(())
    }
}

/// Where [`send`] puts a message in its channel.
pub(super) enum Place {
    /// A new message, remembered under `key` (if any) for later updates.
    New { key: Option<String> },
    /// Over the message posted under `key`.
    Over { key: String },
    /// In the thread of the message posted under `key`.
    Thread { key: String },
}

/// Queues `body` for `channel` at `place`, delivered once `tx` commits.
pub(super) async fn send(
    tx: &mut Tx,
    now: DateTime<Utc>,
    channel: &str,
    body: Body,
    place: Place,
) -> Result<()> {
    let channel = channel.to_owned();
    let payload = match place {
        Place::New { key } => Payload::Post { channel, body, key },
        Place::Over { key } => Payload::Update { channel, key, body },
        Place::Thread { key: thread_key } => Payload::Reply {
            channel,
            thread_key,
            body,
        },
    };
    tx.enqueue(&payload, now).await?;
    Ok(())
}

/// Posts `say` in `channel`, rendered when delivered; `key` remembers the message for
/// later updates.
pub async fn post(
    tx: &mut Tx,
    now: DateTime<Utc>,
    channel: &str,
    say: Notice,
    key: Option<String>,
) -> Result<()> {
    send(tx, now, channel, Body::say(say), Place::New { key }).await
}

/// Rewrites `d`'s your-turn message (its buttons go) to say what came of the turn, and
/// who did it when a person other than its owner did (`by`).
pub async fn close_turn(
    tx: &mut Tx,
    now: DateTime<Utc>,
    d: &Deployment,
    outcome: impl Into<String>,
    by: Option<&str>,
) -> Result<()> {
    let say = Notice::YourTurnClosed {
        deployment: d.clone(),
        outcome: outcome.into(),
        by: by.map(str::to_owned),
    };
    update(tx, now, &d.channel, turn_key(d.id), say).await
}

/// Says `body` to `user` only.
pub async fn ephemeral(
    tx: &mut Tx,
    now: DateTime<Utc>,
    channel: &str,
    user: &str,
    body: Body,
) -> Result<()> {
    let (channel, user) = (channel.to_owned(), user.to_owned());
    tx.enqueue(
        &Payload::Ephemeral {
            channel,
            user,
            body,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Rewrites the message posted under `key` to say `say`.
pub async fn update(
    tx: &mut Tx,
    now: DateTime<Utc>,
    channel: &str,
    key: String,
    say: Notice,
) -> Result<()> {
    send(tx, now, channel, Body::say(say), Place::Over { key }).await
}

/// Message keys: which stored Slack message a later update goes to.
pub fn start_key(id: i64) -> String {
    format!("start:{id}")
}
pub fn turn_key(id: i64) -> String {
    format!("turn:{id}")
}
/// A deployment's end alert: smoke reports and checklists go in its thread.
pub fn end_key(id: i64) -> String {
    format!("end:{id}")
}
pub fn hold_key(id: i64) -> String {
    format!("hold:{id}")
}

impl Core {
    /// An ephemeral note to one person (e.g. why their button press changed nothing).
    pub async fn tell(&self, actor: &Actor, body: Body) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        ephemeral(&mut tx, now, &actor.channel, &actor.user, body).await?;
        self.commit(tx).await
    }
}
