//! The outbox: every Slack call is written here in the same transaction as the change it
//! announces, and delivered by a worker in order per `ordering_key` (a channel).
//!
//! This file holds what is queued (the payloads) and how it is queued and read back;
//! `delivery.rs` how the worker claims and settles rows, `posted.rs` the ts of posted
//! messages. Retry times and claim leases use the wall clock (see `store::lease`).

mod delivery;
pub mod posted;

pub use delivery::Lane;
pub use posted::{PruneStep, POSTED_KEPT_DAYS, PRUNE_BATCH};

use super::{millis, Result, Store, Tx};
use crate::domain::notice::Notice;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One Slack call to make. What a message says is a [`Body`]: a notice rendered when
/// delivered, or text and Block Kit JSON (checked against slack-morphism's types when
/// delivered) rendered when queued.
/// What a message says. Stored flattened into its payload, untagged: a row holds either
/// `say` or `text` + `blocks`, so rows an older badger queued (always `text` + `blocks`)
/// still read and deliver as they were.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Body {
    /// Rendered by the Slack edge when delivered.
    Say { say: Box<Notice> },
    /// Worded when queued: replies worded elsewhere (a command's late answer, GitHub's
    /// comparison, a smoke report), and everything queued before notices.
    Rendered {
        /// Absent from a Home tab's row (a view has blocks only).
        #[serde(default)]
        text: String,
        blocks: Vec<serde_json::Value>,
    },
}

impl Body {
    pub fn say(notice: Notice) -> Self {
        Body::Say {
            say: Box::new(notice),
        }
    }
    pub fn text(text: impl Into<String>, blocks: Vec<serde_json::Value>) -> Self {
        Body::Rendered {
            text: text.into(),
            blocks,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    /// chat.postMessage; `key` remembers the message's ts so it can be updated later.
    Post {
        channel: String,
        #[serde(flatten)]
        body: Body,
        key: Option<String>,
    },
    /// chat.update of the message posted under `key`.
    Update {
        channel: String,
        key: String,
        #[serde(flatten)]
        body: Body,
    },
    /// chat.postEphemeral: only `user` sees it.
    Ephemeral {
        channel: String,
        user: String,
        #[serde(flatten)]
        body: Body,
    },
    /// Bring the channel topic in line with the standing holds (rendered at delivery time,
    /// so a burst of hold changes ends in one write of the final state). `notify` is told
    /// once if Slack refuses for good.
    Topic {
        channel: String,
        notify: Option<String>,
    },
    /// views.publish of `user`'s App Home tab (a `home` view of the body's blocks).
    Home {
        user: String,
        #[serde(flatten)]
        body: Body,
    },
    /// chat.postMessage in the thread of the message posted under `thread_key` (read at
    /// delivery time, so it goes after that message in the channel's order); a plain post
    /// if that message's ts is unknown (its post failed), rather than nothing.
    Reply {
        channel: String,
        thread_key: String,
        #[serde(flatten)]
        body: Body,
    },
}

impl Payload {
    pub fn ordering_key(&self) -> String {
        match self {
            Payload::Post { channel, .. }
            | Payload::Update { channel, .. }
            | Payload::Reply { channel, .. } => channel.clone(),
            Payload::Ephemeral { user, .. } => format!("ephemeral:{user}"),
            Payload::Topic { channel, .. } => format!("topic:{channel}"),
            Payload::Home { user, .. } => format!("home:{user}"),
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Post { .. } => "post",
            Payload::Update { .. } => "update",
            Payload::Ephemeral { .. } => "ephemeral",
            Payload::Topic { .. } => "topic",
            Payload::Home { .. } => "home",
            Payload::Reply { .. } => "reply",
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub ordering_key: String,
    pub payload: Payload,
    pub attempts: i64,
    /// When it was queued, by the injected clock (the transaction's `now`).
    pub queued_at: DateTime<Utc>,
}

impl Tx {
    pub async fn enqueue(&mut self, payload: &Payload, now: DateTime<Utc>) -> Result<()> {
        self.enqueued = true;
        // Always a new row, topic syncs too: coalescing into a waiting one raced with the
        // worker claiming it before this transaction committed (a stale topic won). The
        // worker skips a sync that a newer one supersedes instead.
        let key = ("ordering_key", payload.ordering_key());
        self.enqueue_leased(&delivery::OUTBOX, key, payload.kind(), payload, now)
            .await
    }
}

impl Store {
    /// Whether a newer publish of the same person's Home tab is waiting (committed,
    /// undelivered): it shows newer facts, so this one can be skipped.
    pub async fn newer_home_pending(&self, id: i64, ordering_key: &str) -> Result<bool> {
        self.newer_pending(id, ordering_key, "home").await
    }

    /// Whether a newer topic sync for the same channel is waiting (committed, undelivered).
    pub async fn newer_topic_pending(&self, id: i64, ordering_key: &str) -> Result<bool> {
        self.newer_pending(id, ordering_key, "topic").await
    }

    async fn newer_pending(&self, id: i64, ordering_key: &str, kind: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE ordering_key = $1 AND id > $2 AND kind = $3 \
             AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(ordering_key)
        .bind(id)
        .bind(kind)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    /// How many rows wait for delivery (for /metrics and tests).
    pub async fn outbox_pending(&self) -> Result<i64> {
        self.open_leased(&delivery::OUTBOX).await
    }

    /// How many rows wait, and when the oldest was queued (millis), for the gauges.
    pub(in crate::store) async fn outbox_backlog(&self) -> Result<(i64, Option<i64>)> {
        Ok(sqlx::query_as(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    /// Forgets delivered or abandoned rows older than `before` (wall clock); how many
    /// went. The caller holds the write guard (`Store::prune`).
    pub(in crate::store) async fn prune_outbox(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM outbox WHERE (delivered_at IS NOT NULL AND delivered_at < $1) OR (dead_at IS NOT NULL AND dead_at < $1)",
        )
        .bind(millis(before))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

/// One outbox row as tests and operators see it.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: i64,
    pub ordering_key: String,
    pub payload: Payload,
    pub attempts: i64,
    pub delivered: bool,
    pub dead: bool,
}

impl Store {
    /// The whole outbox, oldest first (for tests and diagnosis).
    pub async fn outbox_log(&self) -> Result<Vec<OutboxEntry>> {
        type Raw = (i64, String, String, i64, Option<i64>, Option<i64>);
        let rows: Vec<Raw> = sqlx::query_as(
            "SELECT id, ordering_key, payload, attempts, delivered_at, dead_at FROM outbox ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, ordering_key, payload, attempts, delivered, dead)| {
                Ok(OutboxEntry {
                    id,
                    ordering_key,
                    payload: serde_json::from_str(&payload)
                        .map_err(|e| super::StoreError::Corrupt(e.to_string()))?,
                    attempts,
                    delivered: delivered.is_some(),
                    dead: dead.is_some(),
                })
            })
            .collect()
    }
}
