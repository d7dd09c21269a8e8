//! Group commit: concurrent transactions share commits on SQLite, a transaction that is
//! rolled back or fails never takes its neighbours with it, and nothing is answered
//! before it is saved. On PostgreSQL the transactions that start holding one environment's
//! lock (`begin_locked`) share commits the same way; the others commit each on its own.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{env_lock, GroupCommits, Store};
use chrono::Utc;
use support::db::{new_deployment, Backend, TestDb};

async fn store(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    s.migrate().await.expect("migrate");
    s.ensure_locks(&[env_lock("integration")]).await.unwrap();
    (s, db)
}

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
    let (s, _db) = store(backend).await;
    const N: usize = 300;
    let before = s.group_commits();
    let mut tasks = Vec::new();
    for i in 0..N {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = s.begin_locked(&env_lock("integration")).await.unwrap();
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
on_both_backends!(
    share_commits,
    concurrent_writers_share_commits_and_keep_their_own_fate
);

async fn a_write_outside_a_transaction_commits_the_open_batch_first(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    tx.insert_deployment(
        &new_deployment("a", "r1", "integration", "U1", State::Queued),
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // An outbox claim writes on another connection; it must neither wait on nor break
    // the batch (SQLite would answer "database is locked").
    s.release_claims("nobody").await.unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.insert_deployment(
        &new_deployment("b", "r1", "integration", "U2", State::Queued),
        Utc::now(),
    )
    .await
    .unwrap();
    drop(tx);
    s.release_claims("nobody").await.unwrap();
    let live = s.live_deployments(None).await.unwrap();
    assert_eq!(
        live.iter().map(|d| d.app.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    s.close().await;
}
on_both_backends!(
    outside_writes,
    a_write_outside_a_transaction_commits_the_open_batch_first
);

/// A write outside a transaction (the outbox worker marking a Slack call delivered) goes
/// ahead of the transactions queued for SQLite's write lock and joins the open batch: it
/// waits for the holder, at most one queued transaction and that batch's commit, not for
/// the whole burst (a hand-over under load waited behind every queued request once per
/// Slack call). Each queued transaction here holds the lock for a while, so the order
/// shows. PostgreSQL has no such lock: the order there is the database's, and only
/// completion is checked.
async fn an_outside_write_goes_ahead_of_queued_transactions(backend: Backend) {
    let (s, _db) = store(backend).await;
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
on_both_backends!(
    outside_writes_first,
    an_outside_write_goes_ahead_of_queued_transactions
);
