//! Schema migrations (idempotent, guarded against a newer schema, the same for both
//! backends), event ids seen once, and pruning of what is done with.

use super::*;

use badger::store::StoreError;
use support::db::post;

async fn migrations_are_idempotent_and_guarded(backend: Backend) {
    let (s, _db) = store(backend).await;
    s.migrate().await.expect("second migrate is a no-op");
    // A schema from a newer badger is refused, not silently used.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, $1, 0)",
    )
    .bind(vec![0u8; 48])
    .execute(s.pool())
    .await
    .expect("insert a future migration");
    match s.migrate().await {
        Err(StoreError::SchemaTooNew { db, .. }) => assert_eq!(db, 99990101000000),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}
on_both_backends!(migrations_are_idempotent_and_guarded);

async fn events_are_seen_once(backend: Backend) {
    let (s, _db) = store(backend).await;
    assert!(s.first_sighting("Ev1", Utc::now()).await.unwrap());
    assert!(!s.first_sighting("Ev1", Utc::now()).await.unwrap());
    assert!(s.first_sighting("Ev2", Utc::now()).await.unwrap());
}
on_both_backends!(events_are_seen_once);

/// Both backends must know the same migrations, or one of them silently lags behind.
#[test]
fn migrations_exist_for_both_backends() {
    let names = |b: &str| -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(b);
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations folder")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

async fn pruning_keeps_what_is_pending(backend: Backend) {
    let (s, _db) = store(backend).await;
    enqueued(&s, [post("C1", "delivered"), post("C2", "pending")]).await;
    let rows = claim(&s, "w").await;
    assert!(s.outbox_delivered(rows[0].id, "w").await.unwrap());
    s.first_sighting("Ev1", Utc::now() - chrono::Duration::days(2))
        .await
        .unwrap();
    s.first_sighting("Ev2", Utc::now()).await.unwrap();
    let future = Utc::now() + chrono::Duration::seconds(1);
    let n = s
        .prune(future, Utc::now() - chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(n, 2, "the delivered row and the old event id");
    let log = s.outbox_log().await.unwrap();
    assert_eq!(log.len(), 1);
    assert!(!log[0].delivered);
    assert!(!s.first_sighting("Ev2", Utc::now()).await.unwrap());
}
on_both_backends!(pruning_keeps_what_is_pending);

/// Every pooled connection carries the session settings that bound a stuck peer: SQLite
/// waits at most 10 s for a lock; PostgreSQL ends a session left idle in a transaction (a
/// replica paused or cut off holding an environment's lock) after a minute.
async fn connections_bound_waits_on_a_stuck_peer(backend: Backend) {
    let (s, _db) = store(backend).await;
    let (sql, expected) = match backend {
        Backend::Sqlite => ("PRAGMA busy_timeout", "10000"),
        Backend::Postgres => ("SHOW idle_in_transaction_session_timeout", "1min"),
    };
    // Several at once, so more than the pool's first connection is asked.
    let mut conns = Vec::new();
    for _ in 0..3 {
        conns.push(s.pool().acquire().await.unwrap());
    }
    for c in &mut conns {
        let row = sqlx::query(sql).fetch_one(&mut **c).await.unwrap();
        let got: String = match backend {
            Backend::Sqlite => sqlx::Row::get::<i64, _>(&row, 0).to_string(),
            Backend::Postgres => sqlx::Row::get::<String, _>(&row, 0),
        };
        assert_eq!(got, expected, "{sql}");
    }
}
on_both_backends!(connections_bound_waits_on_a_stuck_peer);

/// A managed PostgreSQL requires TLS (`?sslmode=require`): badger connects over it and
/// migrates as it does in the clear. (The machine's server has Debian's default
/// certificate, so `require`, which encrypts without checking it, is what is asked.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_over_tls() {
    if !support::db::postgres_enabled() {
        return;
    }
    let db = TestDb::fresh(Backend::Postgres).await;
    let sep = if db.url.contains('?') { '&' } else { '?' };
    let s = badger::store::Store::connect(&format!("{}{sep}sslmode=require", db.url))
        .await
        .expect("connect over TLS");
    s.migrate().await.expect("migrate over TLS");
    let row = sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert!(
        sqlx::Row::get::<bool, _>(&row, 0),
        "the session is encrypted"
    );
}
