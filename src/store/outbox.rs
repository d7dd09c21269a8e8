//! The outbox: every Slack call is written here in the same transaction as the change it
//! announces, and delivered by a worker in order per `ordering_key` (a channel).
//!
//! Retry times and claim leases use the wall clock, not the injected domain clock: they are
//! about the network, not about deploy rules, and must move on even when a test freezes time.

use super::{millis, Result, Store, Tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One Slack call to make. Blocks are Block Kit JSON, checked against slack-morphism's
/// types when delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    /// chat.postMessage; `key` remembers the message's ts so it can be updated later.
    Post {
        channel: String,
        text: String,
        blocks: Vec<serde_json::Value>,
        key: Option<String>,
    },
    /// chat.update of the message posted under `key`.
    Update {
        channel: String,
        key: String,
        text: String,
        blocks: Vec<serde_json::Value>,
    },
    /// chat.postEphemeral: only `user` sees it.
    Ephemeral {
        channel: String,
        user: String,
        text: String,
        blocks: Vec<serde_json::Value>,
    },
    /// Bring the channel topic in line with the standing holds (rendered at delivery time,
    /// so a burst of hold changes ends in one write of the final state). `notify` is told
    /// once if Slack refuses for good.
    Topic {
        channel: String,
        notify: Option<String>,
    },
}

impl Payload {
    pub fn ordering_key(&self) -> String {
        match self {
            Payload::Post { channel, .. } | Payload::Update { channel, .. } => channel.clone(),
            Payload::Ephemeral { user, .. } => format!("ephemeral:{user}"),
            Payload::Topic { channel, .. } => format!("topic:{channel}"),
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Post { .. } => "post",
            Payload::Update { .. } => "update",
            Payload::Ephemeral { .. } => "ephemeral",
            Payload::Topic { .. } => "topic",
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub ordering_key: String,
    pub payload: Payload,
    pub attempts: i64,
}

impl Tx {
    pub async fn enqueue(&mut self, payload: &Payload, now: DateTime<Utc>) -> Result<()> {
        self.enqueued = true;
        let json = serde_json::to_string(payload)
            .map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        let key = payload.ordering_key();
        if let Payload::Topic { .. } = payload {
            // Coalesce: one waiting, unclaimed topic sync is enough, it renders the latest state.
            sqlx::query(
                "INSERT INTO outbox (ordering_key, kind, payload, created_at, next_attempt_at) \
                 SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE ordering_key = $1 \
                 AND delivered_at IS NULL AND dead_at IS NULL AND claimed_by IS NULL)",
            )
            .bind(&key)
            .bind(payload.kind())
            .bind(&json)
            .bind(millis(now))
            .bind(millis(Utc::now()))
            .execute(&mut *self.inner)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO outbox (ordering_key, kind, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&key)
            .bind(payload.kind())
            .bind(&json)
            .bind(millis(now))
            .bind(millis(Utc::now()))
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// Claims up to `limit` deliverable rows: the oldest undelivered row of each ordering
    /// key, if it is due and nobody holds a live claim on it. A claim is a conditional
    /// UPDATE, so across replicas exactly one wins; a dead replica's claim lapses after
    /// `lease`.
    pub async fn claim_outbox(
        &self,
        worker: &str,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let now = millis(Utc::now());
        let candidates: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT o.id, o.ordering_key, o.payload, o.attempts FROM outbox o \
             WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= $1 \
             AND (o.claim_until IS NULL OR o.claim_until < $1) \
             AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ordering_key = o.ordering_key AND p.id < o.id \
                             AND p.delivered_at IS NULL AND p.dead_at IS NULL) \
             ORDER BY o.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let until = now + i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
        let write = self.write_guard().await;
        let mut claims = Vec::new();
        for (id, ordering_key, payload, attempts) in candidates {
            let r = sqlx::query(
                "UPDATE outbox SET claimed_by = $1, claim_until = $2 WHERE id = $3 \
                 AND delivered_at IS NULL AND dead_at IS NULL AND (claim_until IS NULL OR claim_until < $4)",
            )
            .bind(worker)
            .bind(until)
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
            if r.rows_affected() != 1 {
                continue;
            }
            claims.push((id, ordering_key, payload, attempts));
        }
        drop(write);
        let mut claimed = Vec::new();
        for (id, ordering_key, payload, attempts) in claims {
            match serde_json::from_str::<Payload>(&payload) {
                Ok(payload) => claimed.push(OutboxRow {
                    id,
                    ordering_key,
                    payload,
                    attempts,
                }),
                Err(e) => {
                    tracing::error!(outbox_id = id, error = %e, "undecodable outbox payload; dropping it");
                    self.outbox_dead(id, &format!("undecodable: {e}")).await?;
                }
            }
        }
        Ok(claimed)
    }

    pub async fn outbox_delivered(&self, id: i64) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("UPDATE outbox SET delivered_at = $1, claim_until = NULL WHERE id = $2")
            .bind(millis(Utc::now()))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn outbox_retry(
        &self,
        id: i64,
        after: std::time::Duration,
        error: &str,
    ) -> Result<()> {
        let _write = self.write_guard().await;
        let at = millis(Utc::now()) + i64::try_from(after.as_millis()).unwrap_or(60_000);
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = NULL, \
             claim_until = NULL, last_error = $2 WHERE id = $3",
        )
        .bind(at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn outbox_dead(&self, id: i64, error: &str) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query(
            "UPDATE outbox SET dead_at = $1, claim_until = NULL, last_error = $2 WHERE id = $3",
        )
        .bind(millis(Utc::now()))
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many rows wait for delivery (for /metrics and tests).
    pub async fn outbox_pending(&self) -> Result<i64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// When the next row becomes due, so the worker can sleep until then.
    pub async fn outbox_next_due(&self) -> Result<Option<i64>> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn remember_message(&self, key: &str, channel: &str, ts: &str) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query(
            "INSERT INTO slack_messages (msg_key, channel, ts) VALUES ($1, $2, $3) \
             ON CONFLICT (msg_key) DO UPDATE SET channel = $2, ts = $3",
        )
        .bind(key)
        .bind(channel)
        .bind(ts)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn message_ts(&self, key: &str) -> Result<Option<(String, String)>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT channel, ts FROM slack_messages WHERE msg_key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row)
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
