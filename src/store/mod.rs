//! Storage: one implementation over sqlx's `Any` driver, for SQLite (the embedded default)
//! and PostgreSQL (several replicas). SQL is written to run on both; the few places that
//! differ (row locks) branch on `Backend`. Every test of this module runs on both.

mod audit;
mod batch;
mod batch_conn;
mod batch_outcome;
pub mod changes;
mod checkpoint;
mod deployment_reads;
mod deployment_rows;
mod deployments;
mod events;
mod gauges;
mod github;
mod history;
mod holds;
mod lease;
mod local;
mod open;
mod outbox;
mod questions;
pub mod read_sql;
mod smoke;
mod smoke_shown;
mod stamp;
mod stay_checks;
mod transaction;
mod writer;

pub use batch::GroupCommits;
pub use checkpoint::FINISH_EVERY as CHECKPOINT_FINISH_EVERY;
pub use deployment_reads::Version;
pub use deployments::{AuditLine, NewDeployment, Place};
pub use gauges::Gauges;
pub use github::{CompareReply, GithubJob, GithubJobEntry, GithubJobRow, GithubRun};
pub use history::{HistoryPage, HistoryQuery};
pub use holds::NewHold;
pub use local::{LocalMessage, NewLocalMessage, COMMAND_RESPONSE};
pub use outbox::posted;
pub use outbox::{
    Body, Lane, OutboxEntry, OutboxRow, Payload, PruneStep, POSTED_KEPT_DAYS, PRUNE_BATCH,
};
pub use smoke::{SmokeCheck, SmokeJob, SmokeResult};
pub use smoke_shown::{SmokeOutcome, SmokeSummary};
pub use stay_checks::StayCheck;
pub use writer::Writer;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// At start-up: the database named by `DATABASE_URL` (password hidden) would not open.
    #[error("cannot open the database {url} (DATABASE_URL): {reason}")]
    Open { url: String, reason: String },
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database schema (version {db}) is newer than this badger (knows up to {known}); upgrade badger")]
    SchemaTooNew { db: i64, known: i64 },
    #[error("impossible state change: {0}")]
    Transition(#[from] crate::domain::deployment::TransitionError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The COMMIT was sent and the connection was lost before its answer came back
    /// ([`commit_failed`]): the write may or may not have been saved.
    #[error("the database connection was lost during COMMIT, so the write may or may not have been saved: {0}")]
    CommitUnknown(sqlx::Error),
}

impl StoreError {
    /// The database could not be reached (refused, timed out, connection lost) before
    /// anything was committed: nothing was, and trying again later may work. A connection
    /// lost during the COMMIT itself is [`StoreError::CommitUnknown`] instead.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Db(e) if connection_lost(e))
    }

    /// The COMMIT was sent and its answer lost with the connection: the write may or may
    /// not have been saved, so whoever asked must look before trying again.
    pub fn is_commit_unknown(&self) -> bool {
        matches!(self, StoreError::CommitUnknown(_))
    }

    /// A unique index refused the write: someone else got there first.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// The error of a COMMIT statement, classified: one of the connection's kind
/// ([`StoreError::is_unavailable`]'s) means the COMMIT was sent and its answer lost, so it
/// may have landed ([`StoreError::CommitUnknown`]); any other (a deferred constraint, a
/// serialization failure) is the database's answer that it did not. On SQLite, whose COMMIT
/// runs in this process, only sqlx's worker thread dying mid-COMMIT is of that kind (its
/// errors are SQLite's own codes, a failed COMMIT rolled back), and then it is unknown too.
pub(crate) fn commit_failed(e: sqlx::Error) -> StoreError {
    if connection_lost(&e) {
        StoreError::CommitUnknown(e)
    } else {
        StoreError::Db(e)
    }
}

/// An error of the connection, not of badger's SQL: refused, timed out, cut, restarted.
fn connection_lost(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_)
            // Garbage on the wire (a connection cut mid-handshake, as a restart does): the
            // connection, not badger's SQL.
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed
    ) || matches!(e, sqlx::Error::Database(e) if e.code().is_some_and(|c| c.starts_with("57P") || c.starts_with("08")))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// How long a request waits for a PostgreSQL connection before giving up.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer: writers queue on this in-process lock (instead of failing
    /// with "database is locked") and share commits (`batch.rs`). None on PostgreSQL.
    batcher: Option<batch::Batcher>,
    /// PostgreSQL: one batcher per named lock, made on first use (`begin_locked`).
    locked: Arc<StdMutex<HashMap<String, batch::Batcher>>>,
    /// SQLite: the thread the write use cases run on (`writer.rs`). None on PostgreSQL, or
    /// if it could not start.
    writer: Option<Writer>,
}

pub struct Tx {
    inner: TxConn,
    backend: Backend,
    /// The lock this transaction's batch already holds (`Store::begin_locked`).
    holds: Option<String>,
    /// Whether this transaction queued any Slack call (so the worker needs waking).
    enqueued: bool,
}

/// A transaction's connection: PostgreSQL's own transaction, or a savepoint in SQLite's
/// shared batch. Both are used as a plain connection by every store function.
/// See [`Store::outside`]. Dropped without [`Outside::done`], a SQLite write is undone.
#[must_use = "an outside write is saved by done()"]
pub(crate) struct Outside(OutsideConn);

enum OutsideConn {
    Pool(sqlx::pool::PoolConnection<Any>),
    Batch(batch::BatchTx),
}

impl Outside {
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        match &mut self.0 {
            OutsideConn::Pool(c) => c,
            OutsideConn::Batch(b) => b.conn(),
        }
    }

    /// Saves the write: at once on PostgreSQL, with its batch on SQLite.
    pub(crate) async fn done(self) -> Result<()> {
        self.done_waiting(batch::Wait::Commit).await
    }

    /// Saves the write, and on SQLite waits for its batch only as `wait` says.
    pub(crate) async fn done_waiting(self, wait: batch::Wait) -> Result<()> {
        match self.0 {
            OutsideConn::Pool(_) => Ok(()),
            OutsideConn::Batch(b) => b.join(wait, false).await,
        }
    }
}

enum TxConn {
    Own(sqlx::Transaction<'static, Any>),
    Batch(batch::BatchTx),
}

impl std::ops::Deref for TxConn {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        match self {
            TxConn::Own(t) => t,
            TxConn::Batch(b) => b.conn_ref(),
        }
    }
}

impl std::ops::DerefMut for TxConn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            TxConn::Own(t) => t,
            TxConn::Batch(b) => b.conn(),
        }
    }
}

impl Tx {
    /// Runs `statement`, whose result nobody reads (a write).
    async fn exec<'q>(
        &mut self,
        statement: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<()> {
        statement.execute(&mut *self.inner).await?;
        Ok(())
    }
}

pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn from_millis(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt(format!("time {ms}")))
}

pub fn opt_from_millis(ms: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    ms.map(from_millis).transpose()
}

impl Store {
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let given = url;
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            // Create the file on first start.
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|e| StoreError::Open {
            url: crate::config::redact_url(given),
            reason: open::reason(&e),
        })?;
        let pool = match pool_options(backend).connect_with(options.clone()).await {
            Ok(pool) => pool,
            Err(e) => match open::failed(given, &options, e).await {
                // The database came up while the pool waited (a replica started beside
                // it): open the pool again rather than give up on a database that answers.
                open::Failed::AnswersNow => pool_options(backend)
                    .connect_with(options.clone())
                    .await
                    .map_err(|e| StoreError::Open {
                        url: crate::config::redact_url(given),
                        reason: open::reason(&e),
                    })?,
                open::Failed::Error(e) => return Err(e),
            },
        };
        // Only SQLite's connection runs on a thread of its own for the writer to sit beside;
        // PostgreSQL's writes are answered by its own processes.
        let writer = (backend == Backend::Sqlite).then(Writer::start).flatten();
        let batcher = (backend == Backend::Sqlite).then(|| {
            let own = batch_conn::OwnConnection {
                options,
                writer: writer.clone(),
            };
            batch::Batcher::new(pool.clone(), batch::Opening::Immediate, Some(own))
        });
        Ok(Store {
            pool,
            backend,
            batcher,
            locked: Arc::default(),
            writer,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Group commit's figures: SQLite's batch, or the sum of PostgreSQL's per-lock batches
    /// (none before the first `begin_locked`).
    pub fn group_commits(&self) -> Option<GroupCommits> {
        if let Some(b) = &self.batcher {
            return Some(b.counts());
        }
        let locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
        locked
            .values()
            .map(batch::Batcher::counts)
            .reduce(|a, b| GroupCommits {
                batches: a.batches + b.batches,
                transactions: a.transactions + b.transactions,
            })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        }
    }

    /// Applies pending migrations; refuses a schema newer than this binary.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = self.migrator();
        let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await
            .ok()
            .flatten();
        if let Some(db) = applied {
            if db > known {
                return Err(StoreError::SchemaTooNew { db, known });
            }
        }
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Makes sure a lock row exists for each name (environments, the hold list).
    pub async fn ensure_locks(&self, names: &[String]) -> Result<()> {
        let mut tx = self.begin().await?;
        for n in names {
            sqlx::query("INSERT INTO locks (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
                .bind(n)
                .execute(&mut *tx.inner)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether the database answers, within a second (readiness must answer quickly).
    pub async fn ping(&self) -> Result<()> {
        match tokio::time::timeout(
            Duration::from_secs(1),
            sqlx::query("SELECT 1").execute(&self.pool),
        )
        .await
        {
            Ok(r) => r.map(|_| ()).map_err(Into::into),
            Err(_) => Err(StoreError::Db(sqlx::Error::PoolTimedOut)),
        }
    }

    /// Every write outside `begin()` takes this on SQLite too: a write from another
    /// connection while a transaction holds a read snapshot would fail it with
    /// SQLITE_BUSY_SNAPSHOT, which no busy timeout can wait out.
    /// (It commits SQLite's open batch first: that batch holds the database's write lock.)
    pub(crate) async fn write_guard(&self) -> Option<batch::Held> {
        match &self.batcher {
            Some(b) => Some(b.exclusive().await),
            None => None,
        }
    }

    /// A write outside a use case's transaction, on the hot paths of the workers (leases,
    /// a posted message's ts, an event id): on SQLite a savepoint in the open batch, taken
    /// ahead of queued transactions and saved with the batch; on PostgreSQL a connection of
    /// the pool (each statement commits itself). Call [`Outside::done`] to save it.
    pub(crate) async fn outside(&self) -> Result<Outside> {
        Ok(Outside(match &self.batcher {
            Some(b) => OutsideConn::Batch(b.begin_first(false).await?),
            None => OutsideConn::Pool(self.pool.acquire().await?),
        }))
    }

    /// Runs one statement as an outside write ([`Store::outside`]) and saves it; returns
    /// how many rows it changed.
    pub(crate) async fn write_outside<'q>(
        &self,
        q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> Result<u64> {
        let mut w = self.outside().await?;
        let n = q.execute(w.conn()).await?.rows_affected();
        w.done().await?;
        Ok(n)
    }

    pub async fn close(&self) {
        if let Some(b) = &self.batcher {
            batch::shut(b).await;
        }
        let locked: Vec<batch::Batcher> = {
            let mut locked = self.locked.lock().unwrap_or_else(|e| e.into_inner());
            locked.drain().map(|(_, b)| b).collect()
        };
        for b in &locked {
            batch::shut(b).await;
        }
        self.pool.close().await;
    }
}

/// How long a SQLite connection waits for another's write lock.
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";

/// The settings every SQLite connection runs with.
async fn sqlite_settings(conn: &mut sqlx::AnyConnection) -> std::result::Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute(BUSY_TIMEOUT).await?;
    // FULL: an acknowledged request survives a power cut, not only a
    // crash of badger (NORMAL would be ~2x faster; see the benchmark).
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    // Read pages through a mapping instead of copying them from the OS
    // cache after every commit (WAL readers re-read changed pages; the
    // copies were ~12 % of the write path's CPU, bench/RESULTS.md).
    conn.execute("PRAGMA mmap_size = 268435456").await?;
    Ok(())
}

/// How long PostgreSQL lets a session sit idle inside a transaction before ending it. A
/// replica cut off mid-transaction (paused, partitioned) would otherwise hold its locks
/// (an environment's, the holds') until TCP gives up, hours later, stalling every other
/// replica's commands and scheduler. badger's own transactions last milliseconds and never
/// wait on Slack, GitHub or a smoke check while open.
pub const PG_IDLE_IN_TRANSACTION: &str = "60s";

/// The settings every PostgreSQL connection runs with.
async fn postgres_settings(conn: &mut sqlx::AnyConnection) -> std::result::Result<(), sqlx::Error> {
    let set = format!("SET idle_in_transaction_session_timeout = '{PG_IDLE_IN_TRANSACTION}'");
    conn.execute(set.as_str()).await?;
    Ok(())
}

/// How many ids one `IN (...)` list may carry: databases cap a statement's parameters.
pub(crate) const IN_LIST_MAX: usize = 500;

/// `$1, $2, ... $n`: the placeholders of an `IN (...)` list of `n` ids.
pub(crate) fn in_list(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn env_lock(env: &str) -> String {
    format!("env:{env}")
}

pub const HOLDS_LOCK: &str = "holds";

/// Counts commits in this process (and, through the board listener, other replicas' changes):
/// the status snapshot (`service::board_cache`) is stale once this has moved past the value
/// it was built at. Process-wide rather than per `Store`, so every handle on the database in
/// this process invalidates it.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The commit generation now; read it *before* reading what a snapshot holds.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Marks every snapshot stale: called after each commit (and on a change notification).
pub fn bump_generation() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

/// The pool every store opens: its size, how long a request waits for a connection, and
/// the session settings each new connection gets.
fn pool_options(backend: Backend) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        // A busy pool is not a broken database: waiting here is fine, because every Slack
        // request has its own deadline (slack::deadline::REPLY_DEADLINE).
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                match backend {
                    Backend::Sqlite => sqlite_settings(conn).await?,
                    Backend::Postgres => postgres_settings(conn).await?,
                }
                Ok(())
            })
        })
}
