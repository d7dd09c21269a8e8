//! Read paths that must not grow with the history: the versions backfill gives what the
//! old per-row query gave, the failures' backfill what the promotion rule reads, and with
//! 100,000 finished deployments every read path's plan stays on an index (checked in the
//! plan, never by timing). Both backends. This module holds the store from before a
//! migration, as the tests of its backfill start from.

use crate::support;

use badger::domain::deployment::{Deployment, Event, State};
use badger::store::Store;
use support::db::{Backend, TestDb};

mod failures_backfill;
mod plans;
mod prune_plans;
mod versions_backfill;

/// The migration that added `current_versions` and the read-path indexes.
const READ_PATHS_MIGRATION: i64 = 20261201000001;

/// A store whose schema stops just before the read-path migration, as a database written
/// by the previous badger would be.
async fn store_before_read_paths(backend: Backend) -> (Store, TestDb, tempfile::TempDir) {
    store_before(backend, READ_PATHS_MIGRATION).await
}

/// Later migrations adding a `deployments` column today's store reads with every row: a
/// test that writes through the store on a schema from before an earlier migration needs
/// them. Each only adds a nullable column, so applying it early changes nothing else; add
/// the next such migration here.
const COLUMNS_THE_STORE_READS: [i64; 2] = [
    20261206000000, // after_close_reminded_at
    20261207000000, // started_by, ended_by
];

/// A store whose schema stops just before `migration` (but for [`COLUMNS_THE_STORE_READS`]).
async fn store_before(backend: Backend, migration: i64) -> (Store, TestDb, tempfile::TempDir) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let older = tempfile::tempdir().expect("temp dir");
    for e in std::fs::read_dir(&src).expect("migrations folder") {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version < migration || COLUMNS_THE_STORE_READS.contains(&version) {
            std::fs::copy(src.join(&name), older.path().join(&name)).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(older.path())
        .await
        .expect("older migrations")
        .run(s.pool())
        .await
        .expect("apply older migrations");
    (s, db, older)
}

/// Inserts a row straight into the table, as an older badger left it.
async fn raw(s: &Store, app: &str, env: &str, git_ref: &str, state: &str, finished: Option<i64>) {
    sqlx::query(
        "INSERT INTO deployments (app, git_ref, environment, requester, channel, source, state, \
         queue_key, requested_at, finished_at, updated_at) \
         VALUES ($1, $2, $3, 'U1', 'C1', 'slack', $4, 0, 0, $5, 0)",
    )
    .bind(app)
    .bind(git_ref)
    .bind(env)
    .bind(state)
    .bind(finished)
    .execute(s.pool())
    .await
    .expect("raw insert");
}

/// A millisecond timestamp as the store's clock.
fn at(ms: i64) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.timestamp_millis_opt(ms).unwrap()
}

/// Inserts in `tx`, through the store and in order, what CI reports (by `U2`): each
/// `(app, git_ref, env, state, at ms)`. Returns them as inserted.
async fn report(
    tx: &mut badger::store::Tx,
    reports: &[(&str, &str, &str, State, i64)],
) -> Vec<Deployment> {
    let mut out = Vec::new();
    for &(app, git_ref, env, state, ms) in reports {
        let n = badger::store::NewDeployment {
            source: "ci",
            ..support::db::new_deployment(app, git_ref, env, "U2", state)
        };
        out.push(tx.insert_deployment(&n, at(ms)).await.unwrap());
    }
    out
}

/// Reports `deployment` (as [`report`] does) in a transaction that then rolls back.
async fn report_rolled_back(s: &Store, deployment: (&str, &str, &str, State, i64)) {
    let mut tx = s.begin().await.unwrap();
    report(&mut tx, &[deployment]).await;
    drop(tx);
}

/// Inserts in `tx`, in order, CI reports of deployments that end: each
/// `(app, git_ref, env, start ms, event, end ms)`, deploying at its start and ended by its
/// event at its end, as badger's transition does.
async fn report_and_end(
    tx: &mut badger::store::Tx,
    deployments: &[(&str, &str, &str, i64, Event, i64)],
) {
    for &(app, git_ref, env, start, event, end) in deployments {
        let d = &report(tx, &[(app, git_ref, env, State::Deploying, start)]).await[0];
        let moved = tx.transition(d.id, State::Deploying, event, at(end), None, None);
        assert!(moved.await.unwrap(), "{git_ref} moves on with {event:?}");
    }
}
