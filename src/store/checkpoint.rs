//! SQLite checkpoints (copying the write-ahead log into the database) kept out of the
//! writes' way: most of the copying runs beside the writes, and the batch connection
//! finishes it, and starts the log again from its beginning, only after a batch's members
//! have their answers.
//!
//! Why: by default SQLite checkpoints inside the COMMIT that fills the log past 1,000
//! pages, and with group commit every member of that batch waits for the copy and its
//! fsyncs (bench/RESULTS.md). A checkpoint on another connection alone is not enough: the
//! log restarts from its start only when a write begins after a checkpoint copied all of
//! it, and with the one writer appending between the other connection's checkpoints that
//! moment never came (the log reached 1.24 GB in one bench run). So the batch connection
//! (`wal_autocheckpoint = 0`) runs a RESTART checkpoint every [`FINISH_EVERY`], between
//! batches, when nobody waits for it but the next batch: it copies what is left and lets
//! readers still on the old log finish (for [`READERS_WAIT_MS`] at most), so the next
//! batch writes from the log's start. Readers in a steady stream starved SQLite's own
//! checkpoints of that moment (`tests/suite/group_commit.rs`).

use super::batch::Counts;
use sqlx::{AnyConnection, AnyPool, Executor};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// How often the copying beside the writes runs while something is being written.
const BESIDE_EVERY: Duration = Duration::from_millis(100);
/// How often the batch connection copies what is left and starts the log again.
pub const FINISH_EVERY: Duration = Duration::from_millis(250);
/// How long that waits for readers still on the old log before it gives up until the next
/// time (the write thread waits meanwhile, so briefly; reads take well under this).
const READERS_WAIT_MS: u32 = 5;

const CHECKPOINT: &str = "PRAGMA wal_checkpoint(PASSIVE)";

/// Runs on the batch connection when it opens: its COMMITs copy nothing.
pub(super) async fn hold_back(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA wal_autocheckpoint = 0")
        .await
        .map(|_| ())
}

/// The batch connection's part: after a batch is answered, every [`FINISH_EVERY`].
pub(super) struct Finisher {
    last: Instant,
    failing: bool,
}

impl Finisher {
    pub(super) fn new() -> Self {
        Finisher {
            last: Instant::now(),
            failing: false,
        }
    }

    /// Copies what is left of the log if it is time. Called with no batch open.
    pub(super) async fn after_commit(&mut self, conn: &mut AnyConnection) {
        if self.last.elapsed() < FINISH_EVERY {
            return;
        }
        self.last = Instant::now();
        let done = restart(conn).await;
        self.failing = logged(done, self.failing);
    }
}

/// Copies what is left of the log and starts it again from its beginning, waiting for
/// readers for [`READERS_WAIT_MS`] at most (the connection's own busy timeout is for
/// writes, and long). Readers that take longer leave it for the next time.
async fn restart(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute(format!("PRAGMA busy_timeout = {READERS_WAIT_MS}").as_str())
        .await?;
    let done = conn.execute("PRAGMA wal_checkpoint(RESTART)").await;
    conn.execute(super::BUSY_TIMEOUT).await?;
    done.map(|_| ())
}

/// The part beside the writes: PASSIVE, on a connection of the pool, so it waits for no
/// reader or writer; it runs only when a batch committed since it last ran, and stops when
/// the batcher (`alive`) is gone.
pub(super) async fn beside<T>(pool: AnyPool, counts: Arc<Counts>, alive: Weak<T>) {
    let mut every = tokio::time::interval(BESIDE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = 0;
    let mut failing = false;
    loop {
        every.tick().await;
        if alive.strong_count() == 0 || pool.is_closed() {
            return;
        }
        let batches = counts.batches.load(Ordering::Relaxed);
        if batches == seen {
            continue;
        }
        seen = batches;
        let done = sqlx::query(CHECKPOINT).execute(&pool).await;
        failing = logged(done.map(|_| ()), failing);
    }
}

/// Logs a failed checkpoint once per run of failures (not ten times a second while a disk
/// is gone); returns whether it is failing now. A failed checkpoint loses nothing: the log
/// keeps every frame until one succeeds.
fn logged(done: Result<(), sqlx::Error>, failing: bool) -> bool {
    match done {
        Err(e) => {
            if !failing {
                tracing::warn!(error = %e, "SQLite checkpoint failed; the write-ahead log grows until one succeeds");
            }
            true
        }
        Ok(()) => false,
    }
}
