//! Group commit: concurrent transactions share commits on SQLite, a transaction that is
//! rolled back or fails never takes its neighbours with it, and nothing is answered
//! before it is saved, whether or not its first read shares the round trip that opens its
//! savepoint. On PostgreSQL the transactions that start holding one environment's
//! lock (`begin_locked`) share commits the same way; the others commit each on its own.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{env_lock, GroupCommits, NewHold};
use chrono::Utc;
use support::db::{migrated_store, new_deployment, Backend};

/// What each concurrent writer does with its transaction.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Fate {
    Commit,
    /// Dropped before commit: its savepoint is rolled back.
    Abandon,
    /// A statement fails (a unique index refuses it), then the transaction is dropped.
    Fail,
}

fn fate(i: usize) -> Fate {
    match i % 10 {
        3 => Fate::Abandon,
        7 => Fate::Fail,
        _ => Fate::Commit,
    }
}

async fn concurrent_writers_share_commits_and_keep_their_own_fate(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    const N: usize = 300;
    // A hold, which half the writers read in the round trip that opens their savepoint.
    let mut tx = s.begin().await.unwrap();
    let hold = NewHold {
        scope: "*",
        environment: Some("production"),
        reason: "freeze",
        owner: "U0",
        channel: "C1",
        until: None,
    };
    let hold_id = tx.insert_hold(&hold, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let before = s.group_commits();
    let mut tasks = Vec::new();
    for i in 0..N {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let lock = env_lock("integration");
            let mut tx = match i % 2 {
                0 => s.begin_locked(&lock).await.unwrap(),
                _ => {
                    let (tx, holds) = s.begin_locked_reading_holds(&lock).await.unwrap();
                    let read: Vec<_> = holds.iter().map(|h| (h.id, h.reason.as_str())).collect();
                    assert_eq!(read, [(hold_id, "freeze")], "writer {i} read the holds");
                    tx
                }
            };
            let app = format!("app{i}");
            let d = tx
                .insert_deployment(
                    &new_deployment(&app, "r1", "integration", &format!("U{i}"), State::Queued),
                    Utc::now(),
                )
                .await
                .unwrap();
            match fate(i) {
                Fate::Commit => {
                    tx.commit().await.unwrap();
                    // Answered only once saved: a fresh read on another connection sees it.
                    let seen = s.deployment(d.id).await.unwrap();
                    assert!(seen.is_some(), "#{} was answered before it was saved", d.id);
                }
                Fate::Abandon => drop(tx),
                Fate::Fail => {
                    // Two called deployments in one environment: the database refuses.
                    let err = tx
                        .insert_deployment(
                            &new_deployment(&app, "r1", "integration", "U", State::Called),
                            Utc::now(),
                        )
                        .await;
                    let second = tx
                        .insert_deployment(
                            &new_deployment(&app, "r1", "integration", "U", State::Called),
                            Utc::now(),
                        )
                        .await;
                    assert!(err.is_err() || second.is_err(), "the index let two in");
                    drop(tx);
                }
            }
            (i, app)
        }));
    }
    let mut done = Vec::new();
    for t in tasks {
        done.push(t.await.expect("writer panicked"));
    }
    let live = s.live_deployments(Some("integration")).await.unwrap();
    for (i, app) in done {
        let present = live.iter().any(|d| d.app == app);
        assert_eq!(
            present,
            fate(i) == Fate::Commit,
            "app{i} ({:?}) present: {present}",
            fate(i)
        );
    }
    let committed = (0..N).filter(|i| fate(*i) == Fate::Commit).count();
    assert_eq!(live.len(), committed);
    let g = s.group_commits().expect("the writers were batched");
    let b = before.unwrap_or(GroupCommits {
        batches: 0,
        transactions: 0,
    });
    let (batches, transactions) = (g.batches - b.batches, g.transactions - b.transactions);
    assert_eq!(transactions, committed as u64);
    // Writers queued together commit together: far fewer commits than writers.
    assert!(
        batches * 2 <= transactions,
        "{batches} batches for {transactions} transactions"
    );
    eprintln!("{transactions} transactions in {batches} commits");
}
on_both_backends!(concurrent_writers_share_commits_and_keep_their_own_fate);

/// The first read rides in the round trip that opens the savepoint. When it fails, nobody
/// in the batch is told their write was saved unless it was (on PostgreSQL a failed
/// statement aborts the whole transaction, and a COMMIT then rolls it back), and the next
/// transaction starts on a clean batch.
async fn a_failed_first_read_fails_its_batch_and_the_next_starts_whole(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    let lock = env_lock("integration");
    let rename = |from: &str, to: &str| format!("ALTER TABLE {from} RENAME TO {to}");
    sqlx::query(&rename("holds", "holds_away"))
        .execute(s.pool())
        .await
        .unwrap();
    // A writes in the batch; B queues behind it with a read that will fail.
    let mut a = s.begin_locked(&lock).await.unwrap();
    let first = new_deployment("a", "r1", "integration", "U1", State::Queued);
    let id = a.insert_deployment(&first, Utc::now()).await.unwrap().id;
    let b = tokio::spawn({
        let (s, lock) = (s.clone(), lock.clone());
        async move { s.begin_locked_reading_holds(&lock).await.err() }
    });
    // On this test's one thread, B runs until it waits for A's turn to end.
    tokio::task::yield_now().await;
    let saved = a.commit().await;
    assert!(
        b.await.unwrap().is_some(),
        "a read of a missing table succeeded"
    );
    let stored = s.deployment(id).await.unwrap().is_some();
    assert!(
        saved.is_err() || stored,
        "A was told its write was saved, and it was not"
    );
    sqlx::query(&rename("holds_away", "holds"))
        .execute(s.pool())
        .await
        .unwrap();
    let (mut tx, holds) = s.begin_locked_reading_holds(&lock).await.unwrap();
    assert!(holds.is_empty());
    let next = new_deployment("b", "r1", "integration", "U2", State::Queued);
    tx.insert_deployment(&next, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let live = s.live_deployments(None).await.unwrap();
    let apps: Vec<&str> = live.iter().map(|d| d.app.as_str()).collect();
    assert_eq!(apps, if stored { vec!["a", "b"] } else { vec!["b"] });
}

// One thread, so that the order of A and B above is the test's, not the scheduler's.
crate::on_both_backends_on_one_thread!(
    failed_first_read,
    a_failed_first_read_fails_its_batch_and_the_next_starts_whole
);

async fn a_write_outside_a_transaction_commits_the_open_batch_first(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    let mut tx = s.begin().await.unwrap();
    let committed = new_deployment("a", "r1", "integration", "U1", State::Queued);
    tx.insert_deployment(&committed, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    // An outbox claim writes on another connection; it must neither wait on nor break
    // the batch (SQLite would answer "database is locked").
    s.release_claims("nobody").await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let dropped = new_deployment("b", "r1", "integration", "U2", State::Queued);
    tx.insert_deployment(&dropped, Utc::now()).await.unwrap();
    drop(tx);
    s.release_claims("nobody").await.unwrap();
    let live = s.live_deployments(None).await.unwrap();
    assert_eq!(
        live.iter().map(|d| d.app.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    s.close().await;
}
on_both_backends!(a_write_outside_a_transaction_commits_the_open_batch_first);

/// A write outside a transaction (the outbox worker marking a Slack call delivered) goes
/// ahead of the transactions queued for SQLite's write lock and joins the open batch: it
/// waits for the holder, at most one queued transaction and that batch's commit, not for
/// the whole burst (a hand-over under load waited behind every queued request once per
/// Slack call). Each queued transaction here holds the lock for a while, so the order
/// shows. PostgreSQL has no such lock: the order there is the database's, and only
/// completion is checked.
async fn an_outside_write_goes_ahead_of_queued_transactions(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    // The holder: its transaction stays open until released.
    let mut holder = s.begin().await.unwrap();
    holder
        .insert_deployment(
            &new_deployment("held", "r1", "integration", "U0", State::Queued),
            Utc::now(),
        )
        .await
        .unwrap();
    const QUEUED: usize = 20;
    let mut tasks = Vec::new();
    for i in 0..QUEUED {
        let (s, order) = (s.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            let mut tx = s.begin().await.unwrap();
            order.lock().unwrap().push(format!("tx{i}"));
            let app = format!("app{i}");
            tx.insert_deployment(
                &new_deployment(&app, "r1", "integration", &format!("U{i}"), State::Queued),
                Utc::now(),
            )
            .await
            .unwrap();
            // A slow decision: the lock stays held meanwhile.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tx.commit().await.unwrap();
        }));
    }
    // Let every transaction queue up behind the holder (this sets the order up; nothing
    // is timed: were they slower to queue, the outside write would only be further ahead).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let outside = {
        let (s, order) = (s.clone(), order.clone());
        tokio::spawn(async move {
            s.release_claims("nobody").await.unwrap();
            order.lock().unwrap().push("outside".into());
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    holder.commit().await.unwrap();
    outside.await.unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let order = order.lock().unwrap().clone();
    assert_eq!(order.len(), QUEUED + 1);
    if backend == Backend::Sqlite {
        let at = order.iter().position(|o| o == "outside").unwrap();
        assert!(
            at <= 3,
            "the outside write waited behind {at} queued transactions: {order:?}"
        );
    }
    assert_eq!(s.live_deployments(None).await.unwrap().len(), QUEUED + 1);
    s.close().await;
}
on_both_backends!(an_outside_write_goes_ahead_of_queued_transactions);

/// SQLite copies its write-ahead log into the database beside the writes and the batch
/// connection finishes the copy between batches (`store/checkpoint.rs`), so the log starts
/// again from its beginning while writes never stop and short reads never pause, and its
/// file stops growing. (Copying only from another connection let it grow without end: the
/// log restarts only when a write begins after a checkpoint copied all of it.) Nothing is
/// timed: the test counts the restarts over a stretch of writes, from the checkpoint
/// sequence number in the log's header, which SQLite raises each time the log starts
/// again. A reader that holds the old log longer than the checkpoint waits for puts one
/// restart off to the next try (every `CHECKPOINT_FINISH_EVERY`), as it does SQLite's own
/// checkpoints, so a loaded machine may see fewer restarts, never none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_ahead_log_restarts_while_writes_and_reads_never_stop() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
    use std::sync::Arc;
    let (s, db) = migrated_store(Backend::Sqlite, &["integration"]).await;
    let wal = format!("{}-wal", db.url.trim_start_matches("sqlite://"));
    let note = Arc::new("n".repeat(2_000));
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (s, stop, written, note) = (s.clone(), stop.clone(), written.clone(), note.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Relaxed) {
                let app = format!("app{w}-{i}");
                let mut nd = new_deployment(&app, "r1", "integration", "U1", State::Queued);
                nd.note = Some(note.as_str());
                let mut tx = s.begin().await.unwrap();
                tx.insert_deployment(&nd, Utc::now()).await.unwrap();
                tx.commit().await.unwrap();
                written.fetch_add(1, Relaxed);
                i += 1;
            }
        }));
    }
    for _ in 0..2 {
        let (s, stop) = (s.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Relaxed) {
                s.deployment(1).await.unwrap();
            }
        }));
    }
    // A stretch: several finishing intervals and at least `at_least` writes.
    let stretch = |at_least: usize| {
        let written = written.clone();
        async move {
            let (started, from) = (std::time::Instant::now(), written.load(Relaxed));
            while started.elapsed() < 6 * badger::store::CHECKPOINT_FINISH_EVERY
                || written.load(Relaxed) - from < at_least
            {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            written.load(Relaxed) - from
        }
    };
    // The WAL header's checkpoint sequence number: bytes 12-15, big-endian.
    let restarts = || {
        let log = std::fs::read(&wal).expect("the log exists");
        u32::from_be_bytes(log[12..16].try_into().expect("a log header"))
    };
    let size = || std::fs::metadata(&wal).expect("the log exists").len();
    stretch(500).await;
    let (before, size_before) = (restarts(), size());
    let written_in = stretch(500).await;
    let (after, size_after) = (restarts(), size());
    stop.store(true, Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    assert!(
        after > before,
        "the write-ahead log never started again over {written_in} writes (checkpoint \
         sequence {before}, file {size_before} then {size_after} bytes)"
    );
    s.close().await;
}

/// An outbox claim on SQLite goes on without waiting for its batch's commit (a claim lost
/// with a failed commit only means the row is sent again), except while the batch holds
/// another member's unsaved Slack calls: a row is never claimed, so never announced, before
/// the transaction that queued it is saved. Here a transaction queues a post and releases
/// it into the open batch, and the claim, next in line for the lock, sees that row: it must
/// not come back before the batch is committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_claim_never_returns_a_row_before_the_transaction_that_queued_it_is_saved() {
    use std::time::Duration;
    let (s, _db) = migrated_store(Backend::Sqlite, &["integration"]).await;
    let b0 = s.group_commits().map_or(0, |g| g.batches);
    // The holder keeps the lock while the writer and then the claim queue up behind it.
    let holder = s.begin().await.unwrap();
    let writer = {
        let s = s.clone();
        tokio::spawn(async move {
            let mut tx = s.begin().await.unwrap();
            let now = Utc::now();
            tx.enqueue(&support::db::post("C1", "queued"), now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        })
    };
    // Sets the order up (the writer first in line, then the claim); nothing is timed.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let claim = {
        let s = s.clone();
        tokio::spawn(async move {
            let rows = s.claim_outbox("w", Duration::from_secs(60), 10).await;
            (rows.unwrap(), s.group_commits().map_or(0, |g| g.batches))
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Old by now, the holder's batch commits with it; the writer opens the next one.
    holder.commit().await.unwrap();
    let (rows, batches) = claim.await.unwrap();
    writer.await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        batches >= b0 + 2,
        "the claim came back before the writer's batch was committed ({batches} batches, {b0} before)"
    );
    s.close().await;
}
