//! Read paths that must not grow with the history: the versions backfill gives what the
//! old per-row query gave, the failures' backfill what the promotion rule reads, and with
//! 100,000 finished deployments every read path's plan stays on an index (checked in the
//! plan, never by timing). Both backends. This module holds the store from before a
//! migration, as the tests of its backfill start from.

use crate::support;

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

/// A deployment CI reports, by `U2`, to insert through the store.
fn new<'a>(
    app: &'a str,
    git_ref: &'a str,
    env: &'a str,
    state: badger::domain::deployment::State,
) -> badger::store::NewDeployment<'a> {
    badger::store::NewDeployment {
        source: "ci",
        ..support::db::new_deployment(app, git_ref, env, "U2", state)
    }
}
