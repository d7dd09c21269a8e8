//! Slack Events API deliveries already handled, so a retried delivery has no second effect.

use super::{millis, Result, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Records an event id; false if it was seen before.
    pub async fn first_sighting(&self, event_id: &str, now: DateTime<Utc>) -> Result<bool> {
        let q = sqlx::query(
            "INSERT INTO processed_events (event_id, received_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event_id)
        .bind(millis(now));
        Ok(self.write_outside(q).await? == 1)
    }

    /// Forgets an event id recorded by [`Store::first_sighting`] whose work failed, so
    /// Slack's retry of it is handled.
    pub async fn forget_sighting(&self, event_id: &str) -> Result<()> {
        let q = sqlx::query("DELETE FROM processed_events WHERE event_id = $1").bind(event_id);
        self.write_outside(q).await?;
        Ok(())
    }
}

impl Store {
    /// Forgets what no longer matters: delivered or abandoned outbox rows older than
    /// `outbox_before` (wall clock) and event ids older than `events_before` (Slack retries
    /// within minutes). Returns how many rows went.
    pub async fn prune(
        &self,
        outbox_before: DateTime<Utc>,
        events_before: DateTime<Utc>,
    ) -> Result<u64> {
        let _write = self.write_guard().await;
        let a = self.prune_outbox(outbox_before).await?;
        let b = sqlx::query("DELETE FROM processed_events WHERE received_at < $1")
            .bind(millis(events_before))
            .execute(&self.pool)
            .await?;
        Ok(a + b.rows_affected())
    }
}
