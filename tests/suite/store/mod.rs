//! Storage behaviour, the same test code on SQLite and PostgreSQL: the shared set-up here,
//! the tests in one module per topic.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{env_lock, NewDeployment, Store};
use chrono::Utc;
use support::db::{Backend, TestDb};

mod deployments;
mod outbox;
mod posted;
mod schema_and_pruning;

/// A migrated store on a fresh database, with the locks of `integration` and `production`.
async fn store(backend: Backend) -> (Store, TestDb) {
    support::db::migrated_store(backend, &["integration", "production"]).await
}

/// A deployment of ref `r1` to insert straight into the store.
fn new<'a>(app: &'a str, env: &'a str, user: &'a str, state: State) -> NewDeployment<'a> {
    support::db::new_deployment(app, "r1", env, user, state)
}
