//! Group commit on SQLite: every transaction of a burst shares one database transaction
//! (each in its own savepoint) and one fsync, and none is answered before that commit.
//!
//! Why: SQLite has one writer, and with `synchronous = FULL` each COMMIT waits for the
//! disk. Writers already queue on one in-process lock (FIFO), so the lock's queue is the
//! batch: whoever holds the lock works on the batch connection inside a savepoint of its
//! own; on commit it releases the savepoint (on SQLite it leaves that to the next member's
//! SAVEPOINT or the COMMIT, saving a round trip), wakes the flusher and waits for the
//! batch's outcome. The flusher queues on the same lock, so it commits after every writer
//! that was already waiting, and writers that arrive later form the next batch. A writer whose
//! decision fails rolls back only its savepoint; a failed COMMIT fails the whole batch, and
//! since none of its members has answered yet, "acknowledged means durable" still holds.
//! A COMMIT whose answer was lost with the connection may have landed all the same: its
//! members hear that it may or may not have been saved (`StoreError::CommitUnknown`),
//! never that nothing was.
//! What ends a batch (its COMMIT, or its ROLLBACK and the word to its members) runs on a
//! task of its own, never in the future of the request that happened to start it: that
//! request may be given up halfway, and the outcome is every member's (`detached`).
//!
//! Writes made outside a use case's transaction (the outbox worker's claims and "delivered"
//! marks, the other leased jobs: `Store::outside`) and the presses that hand an
//! environment over go first: transactions queue at a gate and only one at a time waits
//! for the lock itself, so such a write waits for the holder and at most one transaction,
//! not for every request of a burst, then joins the open batch like a member. A press
//! commits the batch at once. The worker's marks do not wait for the commit, nor do its
//! claims unless the batch holds another member's unsaved Slack calls (`Wait`): a hand-over
//! under load is a chain of them (the press, then a claim and a mark per Slack call before
//! the your-turn call), and each used to wait out a batch. The rarer writes that still use
//! their own connection (`exclusive`) commit the open batch first.
//!
//! On PostgreSQL the same shape runs once per environment lock (`Store::begin_locked`):
//! the batch's transaction takes the lock's row when it opens and holds it until the
//! batch commits, so the requests queued on one environment share a commit and never
//! wait for each other on the row lock (each a process wake-up inside PostgreSQL).
//! Other replicas' batches queue on the same row, as single transactions did before.

use super::batch_conn::{BatchConn, OwnConnection};
use super::batch_outcome::{Failed, Outcome};
use super::checkpoint::{self, Finisher};
use super::{Result, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Executor};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Mutex, Notify, OwnedMutexGuard};

/// A batch commits as soon as it has this many members, so nobody waits behind a long
/// burst for its answer.
const MAX_MEMBERS: usize = 64;
/// ...or is this old.
const MAX_AGE: Duration = Duration::from_millis(10);

/// How a batch's transaction starts.
#[derive(Clone)]
pub(super) enum Opening {
    /// SQLite: take the database's one write lock at once.
    Immediate,
    /// PostgreSQL: a transaction that holds this named lock's row (`Tx::lock`).
    Locked(String),
}

pub(super) struct BatchState {
    pool: AnyPool,
    own: Option<OwnConnection>,
    opening: Opening,
    conn: Option<BatchConn>,
    /// A batch transaction is open (BEGIN IMMEDIATE issued, not yet committed).
    open: bool,
    opened: Option<Instant>,
    /// Savepoints released into the open batch: members waiting for its outcome.
    members: usize,
    outcome: Option<watch::Sender<Outcome>>,
    /// A transaction was dropped without committing: its savepoint must be rolled back
    /// before anyone else uses the connection.
    undo: bool,
    flusher: Arc<Notify>,
    counts: Arc<Counts>,
    /// SQLite's own connection: copies what is left of the log between batches.
    finisher: Option<Finisher>,
    /// A member that queued Slack calls is in the open batch: until it commits, the
    /// outbox worker's claims wait for the commit (nothing is announced before it is saved).
    unsaved_outbox: bool,
    /// SQLite: the last member's savepoint is still open. The next member's SAVEPOINT
    /// releases it in the same round trip to the connection's thread (a write is a handful
    /// of round trips, each two thread switches), or COMMIT releases it with the batch.
    release_due: bool,
}

/// What a transaction that joins the batch waits for once its savepoint is released.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Wait {
    /// The batch's commit: an answer means saved.
    Commit,
    /// The commit only while the batch holds another member's Slack calls: an outbox
    /// claim, which must not take (and announce) a row that is not saved yet. Otherwise
    /// it goes on at once: a claim is a lease, and one lost with its batch (a failed
    /// COMMIT) only means the row is delivered again, as after a crash.
    CommitIfOutboxUnsaved,
    /// Nothing: the outbox worker's marks of how a call ended (delivered, or dead). One
    /// lost with its batch means the call is made again once its claim lapses, as after a
    /// crash between the call and the mark.
    Nothing,
}

/// How many batches were committed and how many transactions they carried.
#[derive(Default)]
pub(super) struct Counts {
    pub(super) batches: AtomicU64,
    transactions: AtomicU64,
}

/// Group commit's figures so far: `transactions / batches` is the mean batch size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCommits {
    pub batches: u64,
    pub transactions: u64,
}

impl Drop for BatchState {
    fn drop(&mut self) {
        // Lets the flusher see that the store is gone and stop.
        self.flusher.notify_one();
    }
}

/// The write lock of a SQLite store and its batch.
#[derive(Clone)]
pub(super) struct Batcher {
    state: Arc<Mutex<BatchState>>,
    /// Where transactions (and the flusher) queue, in order, for their turn at `state`.
    gate: Arc<Mutex<()>>,
    flusher: Arc<Notify>,
    counts: Arc<Counts>,
}

/// The write lock, held. Dropping it wakes the flusher if a batch is open, so a batch
/// is always committed soon after its last writer lets go, whatever path that took.
pub(crate) struct Held {
    guard: OwnedMutexGuard<BatchState>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.guard.open {
            self.guard.flusher.notify_one();
        }
    }
}

impl Batcher {
    /// A batcher on the pool's connections, or with `own` on a connection of its own.
    pub(super) fn new(pool: AnyPool, opening: Opening, own: Option<OwnConnection>) -> Self {
        let flusher = Arc::new(Notify::new());
        let counts = Arc::new(Counts::default());
        let writer = own.as_ref().and_then(|o| o.writer.clone());
        let finisher = own.is_some().then(Finisher::new);
        let beside = own.is_some().then(|| pool.clone());
        let state = Arc::new(Mutex::new(BatchState {
            pool,
            own,
            opening,
            conn: None,
            open: false,
            opened: None,
            members: 0,
            outcome: None,
            undo: false,
            flusher: flusher.clone(),
            counts: counts.clone(),
            finisher,
            unsaved_outbox: false,
            release_due: false,
        }));
        if let Some(pool) = beside {
            let alive = Arc::downgrade(&state);
            tokio::spawn(checkpoint::beside(pool, counts.clone(), alive));
        }
        let gate = Arc::new(Mutex::new(()));
        let flush = flush_loop(
            Arc::downgrade(&state),
            Arc::downgrade(&gate),
            flusher.clone(),
        );
        // Beside the connection it commits on, where there is a write thread.
        match writer {
            Some(w) => w.spawn(flush),
            None => tokio::spawn(flush),
        };
        Batcher {
            state,
            gate,
            flusher,
            counts,
        }
    }

    pub(super) fn counts(&self) -> GroupCommits {
        GroupCommits {
            batches: self.counts.batches.load(Ordering::Relaxed),
            transactions: self.counts.transactions.load(Ordering::Relaxed),
        }
    }

    /// The lock in turn: after every transaction already queued at the gate.
    async fn lock(&self) -> Held {
        let _turn = self.gate.lock().await;
        Held {
            guard: self.state.clone().lock_owned().await,
        }
    }

    /// The write lock for a write made outside a transaction (on another connection),
    /// ahead of the transactions queued at the gate: the open batch is committed first,
    /// since it holds SQLite's write lock.
    pub(super) async fn exclusive(&self) -> Held {
        let held = Held {
            guard: self.state.clone().lock_owned().await,
        };
        detached(held, End::Close).await
    }

    /// Starts a transaction: a savepoint in the open batch (opening one if needed).
    pub(super) async fn begin(&self) -> Result<BatchTx> {
        let held = self.lock().await;
        Ok(Self::open(held, false, None).await?.0)
    }

    /// [`Batcher::begin`], with the transaction's first read (if any) sent in the
    /// savepoint's own round trip: `read` is one statement without parameters, and its rows
    /// come back. Why: a write is a chain of round trips under the batch's lock (a switch
    /// between two threads on SQLite, a trip to the server on PostgreSQL), so one fewer is
    /// a shorter chain for every request queued behind it.
    pub(super) async fn begin_reading(&self, read: Option<&str>) -> Result<(BatchTx, Vec<AnyRow>)> {
        let held = self.lock().await;
        Self::open(held, false, read).await
    }

    /// Starts a write that goes ahead of the transactions queued at the gate (the outbox
    /// worker's claims and marks, a Done or Start press): a savepoint in the open batch like
    /// any transaction's. An `urgent` one (a press: someone waits for its answer, and the
    /// next person for their turn) commits the batch at once rather than when the batch is
    /// full or old; presses are rare, so batches keep their size.
    pub(super) async fn begin_first(&self, urgent: bool) -> Result<BatchTx> {
        let held = Held {
            guard: self.state.clone().lock_owned().await,
        };
        Ok(Self::open(held, urgent, None).await?.0)
    }

    async fn open(
        mut held: Held,
        urgent: bool,
        read: Option<&str>,
    ) -> Result<(BatchTx, Vec<AnyRow>)> {
        if held.guard.undo {
            held = detached(held, End::Settle).await;
        }
        let s = &mut *held.guard;
        if !s.open {
            if s.conn.is_none() {
                s.conn = Some(match &s.own {
                    Some(own) => BatchConn::Own(own.connect().await?),
                    None => BatchConn::Pooled(s.pool.acquire().await?),
                });
            }
            let conn = s.conn.as_mut().expect("acquired above");
            let begun = match &s.opening {
                Opening::Immediate => conn
                    .execute("BEGIN IMMEDIATE")
                    .await
                    .map(|_| ())
                    .map_err(StoreError::from),
                Opening::Locked(name) => match conn.execute("BEGIN").await {
                    Ok(_) => super::transaction::lock_row(conn, name).await,
                    Err(e) => Err(e.into()),
                },
            };
            if let Err(e) = begun {
                discard(s).await;
                return Err(e);
            }
            s.open = true;
            s.opened = Some(Instant::now());
            s.outcome = Some(watch::channel(None).0);
        }
        // The connection stays inside the state until the savepoint exists, so a cancelled
        // begin leaves nothing half-done outside the lock. `release_due` is taken before
        // the round trip: a begin cancelled midway may have run the RELEASE and not the
        // SAVEPOINT, so the next must not release again. An unreleased savepoint only
        // nests the next one, and COMMIT releases them all.
        let savepoint = match std::mem::take(&mut s.release_due) {
            true => "RELEASE badger_tx; SAVEPOINT badger_tx",
            false => "SAVEPOINT badger_tx",
        };
        let conn = s.conn.as_mut().expect("opened above");
        // Text without parameters: SQLite runs its statements in turn, and PostgreSQL takes
        // several in one simple query.
        let trip = match read {
            None => conn.execute(savepoint).await.map(|_| Vec::new()),
            Some(read) => {
                conn.fetch_all(format!("{savepoint}; {read}").as_str())
                    .await
            }
        };
        let rows = match trip {
            Ok(rows) => rows,
            Err(e) => {
                // Which statement failed is unknown: rolling back to a savepoint might undo
                // the previous member's, and on PostgreSQL a failed statement aborts the
                // whole transaction (whose COMMIT would then roll back every member). So
                // the batch fails (none of it was acknowledged) and the next starts afresh.
                detached(held, End::Fail(Failed::not_saved(e.to_string()))).await;
                return Err(e.into());
            }
        };
        let conn = s.conn.take();
        let tx = BatchTx {
            conn,
            held: Some(held),
            urgent,
        };
        Ok((tx, rows))
    }
}

/// One transaction of a batch: the batch connection, inside its savepoint, and the lock.
pub(crate) struct BatchTx {
    conn: Option<BatchConn>,
    held: Option<Held>,
    /// An urgent press ([`Batcher::begin_first`]): its commit commits the batch at once.
    urgent: bool,
}

impl BatchTx {
    pub(super) fn conn_ref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .expect("a live transaction holds the connection")
    }

    pub(super) fn conn(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a live transaction holds the connection")
    }

    /// Gives its savepoint to the batch (`queued_calls`: it queued Slack calls), then
    /// waits as `wait` says. On SQLite the savepoint is released by the next member's
    /// begin or by the batch's COMMIT, whichever comes first (`BatchState::release_due`);
    /// on PostgreSQL at once, as the same deferral measured slower there (its round trip
    /// is to the server, not a switch between two threads of this process).
    pub(super) async fn join(mut self, wait: Wait, queued_calls: bool) -> Result<()> {
        let held = self
            .held
            .as_ref()
            .expect("a live transaction holds the lock");
        let defer = matches!(held.guard.opening, Opening::Immediate);
        if !defer {
            self.conn().execute("RELEASE badger_tx").await?;
        }
        let mut held = self.held.take().expect("a live transaction holds the lock");
        let s = &mut *held.guard;
        s.conn = self.conn.take();
        s.release_due = defer;
        s.members += 1;
        let waits = match wait {
            Wait::Commit => true,
            Wait::CommitIfOutboxUnsaved => s.unsaved_outbox,
            Wait::Nothing => false,
        };
        s.unsaved_outbox |= queued_calls;
        let mut outcome = s
            .outcome
            .as_ref()
            .expect("an open batch has an outcome")
            .subscribe();
        let full = s.members >= MAX_MEMBERS || s.opened.is_some_and(|t| t.elapsed() >= MAX_AGE);
        if self.urgent || full {
            held = detached(held, End::Close).await;
        }
        // With a batch still open, dropping the lock wakes the flusher, which commits it.
        drop(held);
        if !waits {
            return Ok(());
        }
        let got = outcome.wait_for(Option::is_some).await.map(|o| o.clone());
        match got {
            Ok(Some(Ok(()))) => Ok(()),
            Ok(Some(Err(failed))) => Err(failed.error()),
            _ => Err(Failed::not_saved("the batch was abandoned").error()),
        }
    }
}

impl Drop for BatchTx {
    fn drop(&mut self) {
        // Not committed: hand the connection back with its savepoint to undo. The next
        // holder of the lock (or the flusher, woken by `Held`) rolls it back.
        if let (Some(conn), Some(held)) = (self.conn.take(), self.held.as_mut()) {
            held.guard.conn = Some(conn);
            held.guard.undo = true;
        }
    }
}

/// What [`detached`] does to the batch.
enum End {
    /// Rolls back a dropped transaction's savepoint ([`settle`]).
    Settle,
    /// Commits the open batch and tells its members ([`close`]).
    Close,
    /// Abandons the open batch and tells its members ([`fail`]).
    Fail(Failed),
}

/// Does `end` to the batch on a task of its own that holds the lock, and gives the lock
/// back when it is done. Why: the caller is one member (or a write outside a transaction),
/// and its future may be dropped at any await (a command aborted 30 s after Slack's
/// deadline, an HTTP client that hung up), while these statements are every member's.
/// Cut short in the caller's future, a COMMIT that went on to land left the batch looking
/// open: the next holder's SAVEPOINT (or the flusher's COMMIT on SQLite) failed, and every
/// member was told its saved write was not saved. A rollback of a dropped transaction's
/// savepoint cut short before it was sent (on PostgreSQL it first waits for that
/// transaction's last statement) left that half-done write to be committed with the
/// batch. On a task the statements run to their end, and each member hears what really
/// became of its write, whoever is still waiting.
async fn detached(held: Held, end: End) -> Held {
    let state = OwnedMutexGuard::mutex(&held.guard).clone();
    let work = async move {
        let mut held = held;
        let s = &mut *held.guard;
        match end {
            End::Settle => settle(s).await,
            End::Close => close(s).await,
            End::Fail(failed) => fail(s, failed).await,
        }
        held
    };
    // Beside the connection: a spawn from the write thread stays on it (`writer.rs`).
    let task = tokio::spawn(tracing::Instrument::in_current_span(work));
    match task.await {
        Ok(held) => held,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Cancelled: its runtime is shutting down, and the lock it held is free again.
        Err(_) => Held {
            guard: state.lock_owned().await,
        },
    }
}

/// Rolls back the savepoint of a transaction that was dropped.
async fn settle(s: &mut BatchState) {
    if !std::mem::take(&mut s.undo) {
        return;
    }
    let Some(conn) = s.conn.as_mut() else { return };
    let undone = match conn.execute("ROLLBACK TO badger_tx").await {
        Ok(_) => conn.execute("RELEASE badger_tx").await.map(|_| ()),
        Err(e) => Err(e),
    };
    if let Err(e) = undone {
        // The connection is in an unknown state: fail the batch rather than commit it.
        tracing::error!(error = %e, "could not roll back a dropped transaction");
        fail(s, Failed::not_saved(e.to_string())).await;
    }
}

/// Commits the open batch (if any) and tells its members.
async fn close(s: &mut BatchState) {
    settle(s).await;
    if !s.open {
        return;
    }
    let conn = s.conn.as_mut().expect("an open batch has its connection");
    match conn.execute("COMMIT").await {
        Ok(_) => {
            if s.members > 0 {
                s.counts.batches.fetch_add(1, Ordering::Relaxed);
                let n = s.members as u64;
                s.counts.transactions.fetch_add(n, Ordering::Relaxed);
            }
            ended(s, Ok(()));
            // After the answers: nobody waits for it but the next batch.
            if let (Some(f), Some(conn)) = (s.finisher.as_mut(), s.conn.as_mut()) {
                f.after_commit(conn).await;
            }
            if matches!(s.opening, Opening::Locked(_)) {
                // Back to the pool: a PostgreSQL store has a batcher per environment,
                // and idle ones must not keep a connection each.
                s.conn = None;
            }
        }
        Err(e) => {
            let failed = Failed::commit(e, s.members);
            fail(s, failed).await;
        }
    }
}

/// Abandons the open batch: rolled back, its members told, its connection closed.
async fn fail(s: &mut BatchState, failed: Failed) {
    if let Some(conn) = s.conn.as_mut() {
        let _ = conn.execute("ROLLBACK").await;
    }
    discard(s).await;
    ended(s, Err(failed));
}

/// The open batch is over (committed or abandoned): no batch is open, and its members
/// hear how it ended.
fn ended(s: &mut BatchState, outcome: std::result::Result<(), Failed>) {
    s.open = false;
    s.opened = None;
    s.members = 0;
    s.unsaved_outbox = false;
    s.release_due = false;
    if let Some(o) = s.outcome.take() {
        o.send_replace(Some(outcome));
    }
}

/// Closes the batch connection (the pool opens a fresh one when needed).
async fn discard(s: &mut BatchState) {
    if let Some(conn) = s.conn.take() {
        conn.close().await;
    }
}

async fn flush_loop(state: Weak<Mutex<BatchState>>, gate: Weak<Mutex<()>>, wake: Arc<Notify>) {
    loop {
        wake.notified().await;
        let (Some(state), Some(gate)) = (state.upgrade(), gate.upgrade()) else {
            return;
        };
        // In turn, behind the transactions already waiting: they join this batch.
        let turn = gate.lock().await;
        let mut s = state.lock().await;
        drop(turn);
        close(&mut s).await;
    }
}

/// Commits the open batch and gives its connection back to the pool (before closing it).
pub(super) async fn shut(b: &Batcher) {
    let held = b.lock().await;
    let mut held = detached(held, End::Close).await;
    held.guard.conn = None;
    b.flusher.notify_one();
}
