//! Starting and ending transactions: in SQLite's batch or an environment's batch on
//! PostgreSQL (`batch.rs`), ahead of the queue for a hand-over, or holding a named lock.

use super::{batch, bump_generation, holds, Backend, Result, Store, Tx, TxConn};
use crate::domain::hold::Hold;
use sqlx::any::AnyRow;

impl Store {
    pub async fn begin(&self) -> Result<Tx> {
        self.begin_queued(false).await
    }

    /// A transaction taken ahead of the ones queued for SQLite's write lock, for what hands
    /// an environment over (Done, Start): a hand-over waits for the write in progress, not
    /// for a burst of new requests. On PostgreSQL the same as [`Store::begin`].
    pub async fn begin_ahead(&self) -> Result<Tx> {
        self.begin_queued(true).await
    }

    async fn begin_queued(&self, ahead: bool) -> Result<Tx> {
        let inner = match &self.batcher {
            Some(b) if ahead => TxConn::Batch(b.begin_first(true).await?),
            Some(b) => TxConn::Batch(b.begin().await?),
            None => TxConn::Own(self.pool.begin().await?),
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            holds: None,
            enqueued: false,
        })
    }

    /// A transaction that holds the named lock (`Tx::lock`) from its start. On PostgreSQL it
    /// joins that lock's batch: the requests waiting on one environment share a transaction
    /// (each in its own savepoint) and one commit, as every write does on SQLite.
    pub async fn begin_locked(&self, name: &str) -> Result<Tx> {
        Ok(self.begin_locked_with(name, None).await?.0)
    }

    /// [`Store::begin_locked`] and the holds not yet released, read in the round trip that
    /// opens the transaction's savepoint (`Batcher::begin_reading`): what a new request
    /// (`/deploy`, CI's `started`) reads first, for the admission rule.
    pub async fn begin_locked_reading_holds(&self, name: &str) -> Result<(Tx, Vec<Hold>)> {
        let (tx, rows) = self.begin_locked_with(name, Some(holds::ACTIVE)).await?;
        Ok((tx, holds::from_rows(&rows)?))
    }

    /// [`Store::begin_locked`], with `read` (if any) in the savepoint's round trip.
    async fn begin_locked_with(&self, name: &str, read: Option<&str>) -> Result<(Tx, Vec<AnyRow>)> {
        // SQLite has one batch, whose write lock already serialises everything; PostgreSQL
        // (no store-wide batcher) has one per lock, whose transaction holds the lock's row.
        let per_lock;
        let (b, holds) = match &self.batcher {
            Some(b) => (b, None),
            None => {
                per_lock = self.locked_batcher(name);
                (&per_lock, Some(name.to_owned()))
            }
        };
        let (inner, rows) = b.begin_reading(read).await?;
        let tx = Tx {
            inner: TxConn::Batch(inner),
            backend: self.backend,
            holds,
            enqueued: false,
        };
        Ok((tx, rows))
    }

    /// PostgreSQL: the batcher of the named lock's transactions (made on first use).
    fn locked_batcher(&self, name: &str) -> batch::Batcher {
        let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        locked
            .entry(name.to_owned())
            .or_insert_with(|| {
                let opening = batch::Opening::Locked(name.to_owned());
                batch::Batcher::new(self.pool.clone(), opening, None)
            })
            .clone()
    }
}

impl Tx {
    /// Serialises work on one named thing (an environment's queue, the hold list) across
    /// replicas. On SQLite the write lock already serialises everything.
    pub async fn lock(&mut self, name: &str) -> Result<()> {
        if self.backend == Backend::Postgres && self.holds.as_deref() != Some(name) {
            lock_row(&mut self.inner, name).await?;
        }
        Ok(())
    }

    /// Commits; true if the transaction queued Slack calls.
    /// On SQLite this returns once the batch holding it is on disk. A connection lost
    /// during the COMMIT is [`super::StoreError::CommitUnknown`]: it may have been saved.
    pub async fn commit(self) -> Result<bool> {
        let done = match self.inner {
            TxConn::Own(t) => t.commit().await.map_err(super::commit_failed),
            TxConn::Batch(b) => b.join(batch::Wait::Commit, self.enqueued).await,
        };
        // Even a failed commit may have landed: the snapshot is stale either way.
        bump_generation();
        done?;
        Ok(self.enqueued)
    }
}

/// PostgreSQL: takes the named lock's row until the transaction ends (made if missing).
pub(super) async fn lock_row(conn: &mut sqlx::AnyConnection, name: &str) -> Result<()> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT name FROM locks WHERE name = $1 FOR UPDATE")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?;
    if found.is_none() {
        sqlx::query("INSERT INTO locks (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(&mut *conn)
            .await?;
        sqlx::query("SELECT name FROM locks WHERE name = $1 FOR UPDATE")
            .bind(name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
