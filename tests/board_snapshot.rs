//! The status snapshot's staleness rules against a real store, on SQLite then PostgreSQL:
//! read once while nothing is committed, read again after any commit through the store, a
//! write that bypasses it waits for the age limit, and on PostgreSQL the change listener
//! marks it stale when another connection changes a hold. One test, run in a binary of its
//! own: the commit generation is process-wide, and another test's commits would move it.

mod support;

use badger::service::BoardCache;
use badger::store::{self, Store};
use chrono::{TimeZone, Utc};
use std::time::{Duration, Instant};
use support::db::{new_hold, postgres_enabled, Backend, TestDb};

async fn store(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    s.migrate().await.expect("migrate");
    (s, db)
}

async fn hold(s: &Store, reason: &str) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.insert_hold(&new_hold(reason), now).await.unwrap();
    tx.commit().await.unwrap();
}

/// A hold written straight to the table, past the store (as another process would).
async fn raw_hold(s: &Store, reason: &str) {
    sqlx::query(
        "INSERT INTO holds (scope, environment, reason, owner, channel, until_at, created_at, updated_at, updated_by) \
         VALUES ('*', NULL, $1, 'U2', 'C1', NULL, 0, 0, 'U2')",
    )
    .bind(reason)
    .execute(s.pool())
    .await
    .unwrap();
}

fn reasons(snapshot: &badger::service::Snapshot) -> Vec<&str> {
    snapshot.holds.iter().map(|h| h.reason.as_str()).collect()
}

async fn staleness(backend: Backend) {
    let (s, _db) = store(backend).await;
    // No age limit to speak of: only commits make it stale here.
    let cache = BoardCache::new(Duration::from_secs(3600));
    assert!(cache.get(&s).await.unwrap().holds.is_empty());
    assert!(cache.get(&s).await.unwrap().holds.is_empty());
    assert_eq!(
        cache.rebuilds(),
        1,
        "{backend:?}: nothing committed, nothing read"
    );

    hold(&s, "first").await;
    assert_eq!(
        reasons(&cache.get(&s).await.unwrap()),
        ["first"],
        "{backend:?}"
    );
    assert_eq!(cache.rebuilds(), 2);

    // Past the store nothing tells this process; the age limit is what catches it.
    raw_hold(&s, "behind its back").await;
    assert_eq!(
        reasons(&cache.get(&s).await.unwrap()),
        ["first"],
        "{backend:?}"
    );
    let no_age = BoardCache::new(Duration::ZERO);
    assert_eq!(
        reasons(&no_age.get(&s).await.unwrap()),
        ["first", "behind its back"],
        "{backend:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snapshot_is_stale_after_commits_and_notifications() {
    staleness(Backend::Sqlite).await;
    if !postgres_enabled() {
        return;
    }
    staleness(Backend::Postgres).await;

    // The listener: another connection's change is notified and moves the generation.
    let (s, db) = store(Backend::Postgres).await;
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let before = store::generation();
    let listener = tokio::spawn(store::changes::follow_changes(db.url.clone(), stop_rx));
    // It bumps once when it starts listening (anything missed before).
    wait_for_generation_past(before).await;
    let cache = BoardCache::new(Duration::from_secs(3600));
    assert!(cache.get(&s).await.unwrap().holds.is_empty());
    let listening = store::generation();
    raw_hold(&s, "from another replica").await;
    wait_for_generation_past(listening).await;
    assert_eq!(
        reasons(&cache.get(&s).await.unwrap()),
        ["from another replica"]
    );
    stop.send(true).unwrap();
    listener.await.unwrap();
}

/// Polls (bounded, generously) until the generation moves past `g`.
async fn wait_for_generation_past(g: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while store::generation() <= g {
        assert!(
            Instant::now() < deadline,
            "the generation never moved past {g}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
