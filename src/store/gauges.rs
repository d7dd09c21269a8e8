//! What `/metrics` reads from the database at scrape time: small indexed counts only.

use super::{millis, Result, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The database-backed gauges of one scrape.
#[derive(Debug, Clone, Default)]
pub struct Gauges {
    pub outbox_pending: i64,
    /// Age of the oldest undelivered outbox row, in seconds (0 when none waits).
    pub outbox_oldest_age_secs: f64,
    /// People waiting (queued or called) per environment.
    pub queue_length: HashMap<String, i64>,
    pub active_holds: i64,
    pub smoke_pending: i64,
}

impl Store {
    /// Reads the gauges; `now` is the clock rows were stamped with (the injected one).
    pub async fn gauges(&self, now: DateTime<Utc>) -> Result<Gauges> {
        let (outbox_pending, oldest) = self.outbox_backlog().await?;
        let queues: Vec<(String, i64)> = sqlx::query_as(
            "SELECT environment, COUNT(*) FROM deployments WHERE state IN ('queued', 'called') \
             GROUP BY environment",
        )
        .fetch_all(&self.pool)
        .await?;
        let active_holds: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM holds WHERE released_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        let age_ms = oldest.map_or(0, |t| (millis(now) - t).max(0));
        Ok(Gauges {
            outbox_pending,
            outbox_oldest_age_secs: age_ms as f64 / 1000.0,
            queue_length: queues.into_iter().collect(),
            active_holds,
            smoke_pending: self.smoke_pending().await?,
        })
    }
}
