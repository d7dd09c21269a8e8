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
    /// chat.postMessage in the thread of the message posted under `parent_key` (posted
    /// in the channel if that message was never posted).
    Reply {
        channel: String,
        parent_key: String,
        text: String,
        blocks: Vec<serde_json::Value>,
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
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Post { .. } => "post",
            Payload::Update { .. } => "update",
            Payload::Ephemeral { .. } => "ephemeral",
            Payload::Topic { .. } => "topic",
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
}

impl Tx {
    pub async fn enqueue(&mut self, payload: &Payload, now: DateTime<Utc>) -> Result<()> {
        self.enqueued = true;
        let json = serde_json::to_string(payload)
            .map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
        let key = payload.ordering_key();
        // Always a new row, topic syncs too: coalescing into a waiting one raced with the
        // worker claiming it before this transaction committed (a stale topic won). The
        // worker skips a sync that a newer one supersedes instead.
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
        Ok(())
    }
}

impl Store {
    /// Whether a newer topic sync for the same channel is waiting (committed, undelivered).
    pub async fn newer_topic_pending(&self, id: i64, ordering_key: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE ordering_key = $1 AND id > $2 AND kind = 'topic' \
             AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(ordering_key)
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }
}

/// Which lane a row is delivered in. Answers to a person (ephemerals, direct messages)
/// have their own, so they never wait behind channel announcements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Channel,
    Person,
}

/// Rows for a person: ephemerals, and posts to a user or IM id (U…, W…, D…) rather than
/// a channel (C…, G…). SQL text, constant, so safe to splice in.
const PERSON_KEY: &str =
    "(o.ordering_key LIKE 'ephemeral:%' OR substr(o.ordering_key, 1, 1) IN ('U', 'W', 'D'))";

impl Lane {
    pub fn of_key(key: &str) -> Lane {
        if key.starts_with("ephemeral:") || key.starts_with(['U', 'W', 'D']) {
            Lane::Person
        } else {
            Lane::Channel
        }
    }

    fn condition(self) -> String {
        match self {
            Lane::Person => PERSON_KEY.to_owned(),
            Lane::Channel => format!("NOT {PERSON_KEY}"),
        }
    }
}

/// Row `o` is the oldest unfinished row of its ordering key (order per channel).
const UNFINISHED_HEAD: &str = "o.delivered_at IS NULL AND o.dead_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.ordering_key = o.ordering_key AND p.id < o.id \
                     AND p.delivered_at IS NULL AND p.dead_at IS NULL)";

/// Row `o` may be claimed at time `$1`: an unfinished head, due (a 429's Retry-After or a
/// backoff has passed) and without a live claim.
const DUE_UNCLAIMED: &str =
    "o.next_attempt_at <= $1 AND (o.claim_until IS NULL OR o.claim_until < $1)";

fn lease_millis(lease: std::time::Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2)
}

impl Store {
    /// Claims up to `limit` deliverable rows in any lane (see [`Store::claim_lane`]).
    pub async fn claim_outbox(
        &self,
        worker: &str,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        self.claim(worker, lease, limit, None).await
    }

    /// Claims up to `limit` deliverable rows of one lane, oldest first: the oldest
    /// unfinished row of each ordering key, if it is due and nobody holds a live claim.
    /// One statement checks and claims, so a row is due *when it is claimed*: across
    /// replicas exactly one wins, and a row another replica has just rescheduled (a 429's
    /// Retry-After) is not taken. On PostgreSQL rows another replica is claiming are skipped
    /// (`FOR UPDATE SKIP LOCKED`), and the outer conditions are checked again on the row's
    /// newest version. A claim lasts `lease` unless renewed ([`Store::renew_claims`]).
    pub async fn claim_lane(
        &self,
        worker: &str,
        lease: std::time::Duration,
        limit: i64,
        lane: Lane,
    ) -> Result<Vec<OutboxRow>> {
        self.claim(worker, lease, limit, Some(lane)).await
    }

    async fn claim(
        &self,
        worker: &str,
        lease: std::time::Duration,
        limit: i64,
        lane: Option<Lane>,
    ) -> Result<Vec<OutboxRow>> {
        let now = millis(Utc::now());
        let until = now.saturating_add(lease_millis(lease));
        let lane = lane
            .map(|l| format!(" AND {}", l.condition()))
            .unwrap_or_default();
        let lock = match self.backend {
            super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET claimed_by = $3, claim_until = $4 WHERE id IN \
             (SELECT o.id FROM outbox o WHERE {UNFINISHED_HEAD} AND {DUE_UNCLAIMED}{lane} \
              ORDER BY o.id LIMIT $2{lock}) \
             AND delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $1 \
             AND (claim_until IS NULL OR claim_until < $1) \
             RETURNING id, ordering_key, payload, attempts"
        );
        let write = self.write_guard().await;
        let mut rows: Vec<(i64, String, String, i64)> = sqlx::query_as(&sql)
            .bind(now)
            .bind(limit)
            .bind(worker)
            .bind(until)
            .fetch_all(&self.pool)
            .await?;
        drop(write);
        rows.sort_by_key(|r| r.0);
        let mut claimed = Vec::new();
        for (id, ordering_key, payload, attempts) in rows {
            match serde_json::from_str::<Payload>(&payload) {
                Ok(payload) => claimed.push(OutboxRow {
                    id,
                    ordering_key,
                    payload,
                    attempts,
                }),
                Err(e) => {
                    tracing::error!(outbox_id = id, error = %e, "undecodable outbox payload; dropping it");
                    self.outbox_dead(id, worker, &format!("undecodable: {e}"))
                        .await?;
                }
            }
        }
        Ok(claimed)
    }

    /// Extends `worker`'s live claims by `lease` from now (the heartbeat while calls are in
    /// flight). A claim another replica has taken over is not touched. Returns how many.
    pub async fn renew_claims(&self, worker: &str, lease: std::time::Duration) -> Result<u64> {
        let _write = self.write_guard().await;
        let until = millis(Utc::now()).saturating_add(lease_millis(lease));
        let r = sqlx::query(
            "UPDATE outbox SET claim_until = $1 WHERE claimed_by = $2 AND claim_until IS NOT NULL \
             AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(until)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Gives up `worker`'s unfinished claims at once (shutting down), so the rows go out
    /// from another replica or the next start without waiting for the lease.
    pub async fn release_claims(&self, worker: &str) -> Result<u64> {
        let _write = self.write_guard().await;
        let r = sqlx::query(
            "UPDATE outbox SET claimed_by = NULL, claim_until = NULL WHERE claimed_by = $1 \
             AND claim_until IS NOT NULL AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// Records a delivery, if `worker` still holds the claim. False if it does not (the
    /// lease lapsed and another replica took the row over): the result is not saved.
    pub async fn outbox_delivered(&self, id: i64, worker: &str) -> Result<bool> {
        let _write = self.write_guard().await;
        let r = sqlx::query(
            "UPDATE outbox SET delivered_at = $1, claim_until = NULL WHERE id = $2 \
             AND claimed_by = $3 AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(millis(Utc::now()))
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Schedules another attempt after `after` and releases the claim, if `worker` holds it.
    pub async fn outbox_retry(
        &self,
        id: i64,
        worker: &str,
        after: std::time::Duration,
        error: &str,
    ) -> Result<bool> {
        let _write = self.write_guard().await;
        let at = millis(Utc::now()) + i64::try_from(after.as_millis()).unwrap_or(60_000);
        let r = sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = NULL, \
             claim_until = NULL, last_error = $2 WHERE id = $3 AND claimed_by = $4 \
             AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(at)
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Gives up on a row for good, if `worker` holds the claim.
    pub async fn outbox_dead(&self, id: i64, worker: &str, error: &str) -> Result<bool> {
        let _write = self.write_guard().await;
        let r = sqlx::query(
            "UPDATE outbox SET dead_at = $1, claim_until = NULL, last_error = $2 WHERE id = $3 \
             AND claimed_by = $4 AND delivered_at IS NULL AND dead_at IS NULL",
        )
        .bind(millis(Utc::now()))
        .bind(error)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
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

    /// When a row of `lane` can next be claimed (its retry time, or when a live claim on it
    /// lapses), so the worker can sleep until then. Only heads count: a row behind an
    /// unfinished one waits for it.
    pub async fn outbox_next_due(&self, lane: Lane) -> Result<Option<i64>> {
        let n: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT MIN(CASE WHEN o.claim_until IS NOT NULL AND o.claim_until > o.next_attempt_at \
             THEN o.claim_until ELSE o.next_attempt_at END) FROM outbox o \
             WHERE {UNFINISHED_HEAD} AND {}",
            lane.condition()
        ))
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
