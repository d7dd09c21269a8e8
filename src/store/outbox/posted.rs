//! Where badger's posted messages are: the channel and ts of each message posted under a
//! key, so a later `Update` or `Reply` in the outbox can find it; and forgetting those
//! no later edit or reply can need.

use crate::store::{millis, Result, Store};
use chrono::{DateTime, Utc};

/// How long after its record ended a posted message's ts is kept. Edits and thread
/// replies come within minutes of the end (the GitHub run's link, a comparison, smoke
/// reports), but wait in the outbox through a Slack outage (retried for a day) or while
/// badger is stopped, and an "All is well" press edits its reminder whenever it comes:
/// a month covers those with room to spare, and keeps the table to about a month of
/// messages plus those of records still open (a standing hold's, a live deployment's).
pub const POSTED_KEPT_DAYS: i64 = 30;

/// How many rows one pruning statement deletes at most.
pub const PRUNE_BATCH: i64 = 500;

/// The keys of messages whose record ended (`$1`: before when, by the injected clock), by
/// what they are about: a deployment's turn, start and end alerts once it is finished
/// (succeeded, failed, cancelled or expired: final states); its stay-around reminder once
/// posted; a hold's announcement once the hold was released or lapsed. Each probes
/// `slack_messages` by its primary key. Keys of any other shape are never pruned.
const ENDED: [&str; 3] = [
    "SELECT m.msg_key FROM deployments d JOIN slack_messages m ON m.msg_key IN \
     ('turn:' || CAST(d.id AS TEXT), 'start:' || CAST(d.id AS TEXT), 'end:' || CAST(d.id AS TEXT)) \
     WHERE d.state IN ('succeeded', 'failed', 'cancelled', 'expired') \
     AND COALESCE(d.finished_at, d.ended_at) < $1",
    "SELECT m.msg_key FROM stay_checks s JOIN slack_messages m \
     ON m.msg_key = 'stay:' || CAST(s.deployment_id AS TEXT) WHERE s.reminded_at < $1",
    "SELECT m.msg_key FROM holds h JOIN slack_messages m \
     ON m.msg_key = 'hold:' || CAST(h.id AS TEXT) WHERE h.released_at < $1",
];

impl Store {
    pub async fn remember_message(&self, key: &str, channel: &str, ts: &str) -> Result<()> {
        let q = sqlx::query(
            "INSERT INTO slack_messages (msg_key, channel, ts) VALUES ($1, $2, $3) \
             ON CONFLICT (msg_key) DO UPDATE SET channel = $2, ts = $3",
        )
        .bind(key)
        .bind(channel)
        .bind(ts);
        self.write_outside(q).await?;
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

    /// Forgets where the messages of records that ended before `before` (the injected
    /// clock) were posted: nothing edits or replies to them any more (see
    /// [`POSTED_KEPT_DAYS`] for how long after their end). In batches of
    /// [`PRUNE_BATCH`], each its own write, so other writes go on in between. Returns how
    /// many rows went. An edit or reply that comes later still finds nothing and degrades
    /// as for a post that failed: the edit is skipped, the reply posted in the channel.
    pub async fn prune_posted(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut gone = 0;
        for ended in ENDED {
            let sql = format!(
                "DELETE FROM slack_messages WHERE msg_key IN \
                 (SELECT msg_key FROM ({ended}) e LIMIT {PRUNE_BATCH})"
            );
            loop {
                let n = self
                    .write_outside(sqlx::query(&sql).bind(millis(before)))
                    .await?;
                gone += n;
                if n < PRUNE_BATCH as u64 {
                    break;
                }
            }
        }
        Ok(gone)
    }
}
