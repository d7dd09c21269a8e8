//! Storage behaviour, the same test code on SQLite and PostgreSQL: the shared set-up here,
//! the tests in one module per topic.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{env_lock, NewDeployment, Store};
use chrono::Utc;
use support::db::{Backend, TestDb};

mod deployments;
mod outbox;
mod schema_and_pruning;

async fn store(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    s.migrate().await.expect("migrate");
    s.ensure_locks(&[env_lock("integration"), env_lock("production")])
        .await
        .unwrap();
    (s, db)
}

fn new<'a>(app: &'a str, env: &'a str, user: &'a str, state: State) -> NewDeployment<'a> {
    NewDeployment {
        app,
        git_ref: "r1",
        environment: env,
        requester: user,
        channel: "C1",
        note: None,
        emergency_reason: None,
        source: "slack",
        state,
        ci_url: None,
    }
}
