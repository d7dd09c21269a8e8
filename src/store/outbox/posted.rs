//! Where badger's posted messages are: the channel and ts of each message posted under a
//! key, so a later `Update` or `Reply` in the outbox can find it; and forgetting those
//! no later edit or reply can need.

use crate::store::{millis, Result, Store};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashSet};

/// How long after its record ended a posted message's ts is kept. Edits and thread
/// replies come within minutes of the end (the GitHub run's link, a comparison, smoke
/// reports), but wait in the outbox through a Slack outage (retried for a day) or while
/// badger is stopped, and an "All is well" press edits its reminder whenever it comes:
/// a month covers those with room to spare, and keeps the table to about a month of
/// messages plus those of records still open (a standing hold's, a live deployment's).
pub const POSTED_KEPT_DAYS: i64 = 30;

/// How many posted messages one pruning step looks at (and so deletes at most).
pub const PRUNE_BATCH: i64 = 500;

/// One pruning step's keys: the next [`PRUNE_BATCH`] (`$2`) after the cursor `$1`, in key
/// order, along the primary key. A prune so reads `slack_messages` once, whatever the
/// length of the history: a month of messages plus those of records still open.
pub const POSTED_KEYS: &str =
    "SELECT msg_key FROM slack_messages WHERE msg_key > $1 ORDER BY msg_key LIMIT $2";

/// What a posted message is about, by its key's prefix: a deployment's turn, start or end
/// alert (`turn:`, `start:`, `end:` and its id), its stay-around reminder (`stay:`), a
/// hold's announcement (`hold:`). Keys of any other shape are never pruned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Deployment,
    Stay,
    Hold,
}

impl Record {
    const ALL: [Record; 3] = [Record::Deployment, Record::Stay, Record::Hold];

    /// The record `key` is about and its id; `None` for a key of no known shape (and for
    /// an id written as badger never writes one, such as `start:007`).
    pub fn of_key(key: &str) -> Option<(Record, i64)> {
        let (prefix, id) = key.split_once(':')?;
        let record = match prefix {
            "turn" | "start" | "end" => Record::Deployment,
            "stay" => Record::Stay,
            "hold" => Record::Hold,
            _ => return None,
        };
        let n: i64 = id.parse().ok()?;
        (n.to_string() == id).then_some((record, n))
    }
}

/// Which of `n` records (ids `$2` to `$n+1`, each looked up by its primary key) ended
/// before `$1`: a deployment once finished (succeeded, failed, cancelled or expired: final
/// states); a stay-around reminder once posted; a hold once released or lapsed.
pub fn ended_sql(record: Record, n: usize) -> String {
    let ids: Vec<String> = (2..n + 2).map(|i| format!("${i}")).collect();
    let ids = ids.join(", ");
    match record {
        Record::Deployment => format!(
            "SELECT id FROM deployments WHERE id IN ({ids}) \
             AND state IN ('succeeded', 'failed', 'cancelled', 'expired') \
             AND COALESCE(finished_at, ended_at) < $1"
        ),
        Record::Stay => format!(
            "SELECT deployment_id FROM stay_checks WHERE deployment_id IN ({ids}) \
             AND reminded_at < $1"
        ),
        Record::Hold => {
            format!("SELECT id FROM holds WHERE id IN ({ids}) AND released_at < $1")
        }
    }
}

/// What one pruning step did: how many rows went, and the cursor the next step starts
/// after (`None`: the table has been read to its end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PruneStep {
    pub gone: u64,
    pub next: Option<String>,
}

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
    /// [`POSTED_KEPT_DAYS`] for how long after their end). Step by step
    /// ([`Store::prune_posted_step`]), each delete its own write, so other writes go on in
    /// between. Returns how many rows went. An edit or reply that comes later still finds
    /// nothing and degrades as for a post that failed: the edit is skipped, the reply
    /// posted in the channel.
    pub async fn prune_posted(&self, before: DateTime<Utc>) -> Result<u64> {
        let mut gone = 0;
        let mut after = String::new();
        loop {
            let step = self.prune_posted_step(before, &after).await?;
            gone += step.gone;
            match step.next {
                Some(next) => after = next,
                None => return Ok(gone),
            }
        }
    }

    /// One step of [`Store::prune_posted`]: the next [`PRUNE_BATCH`] posted messages after
    /// the key `after` (`""` to start), those whose record ended forgotten. Each statement
    /// follows a primary key: the step's work is bounded however long the history.
    pub async fn prune_posted_step(&self, before: DateTime<Utc>, after: &str) -> Result<PruneStep> {
        let keys: Vec<String> = sqlx::query_scalar(POSTED_KEYS)
            .bind(after)
            .bind(PRUNE_BATCH)
            .fetch_all(&self.pool)
            .await?;
        let next = if keys.len() as i64 == PRUNE_BATCH {
            keys.last().cloned()
        } else {
            None
        };
        let about: Vec<(&str, Record, i64)> = keys
            .iter()
            .filter_map(|k| Record::of_key(k).map(|(r, id)| (k.as_str(), r, id)))
            .collect();
        let mut ended_keys: Vec<&str> = Vec::new();
        for record in Record::ALL {
            let ids: BTreeSet<i64> = about
                .iter()
                .filter(|(_, r, _)| *r == record)
                .map(|(_, _, id)| *id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let sql = ended_sql(record, ids.len());
            let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(millis(before));
            for id in &ids {
                q = q.bind(*id);
            }
            let ended: HashSet<i64> = q.fetch_all(&self.pool).await?.into_iter().collect();
            ended_keys.extend(
                about
                    .iter()
                    .filter(|(_, r, id)| *r == record && ended.contains(id))
                    .map(|(k, _, _)| *k),
            );
        }
        if ended_keys.is_empty() {
            return Ok(PruneStep { gone: 0, next });
        }
        let marks: Vec<String> = (1..=ended_keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "DELETE FROM slack_messages WHERE msg_key IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for key in &ended_keys {
            q = q.bind(*key);
        }
        let gone = self.write_outside(q).await?;
        Ok(PruneStep { gone, next })
    }
}
