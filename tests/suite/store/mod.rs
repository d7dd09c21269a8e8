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

/// Inserts `n` in `tx`, created at `at`.
async fn insert(
    tx: &mut badger::store::Tx,
    n: NewDeployment<'_>,
    at: chrono::DateTime<Utc>,
) -> badger::domain::deployment::Deployment {
    tx.insert_deployment(&n, at).await.unwrap()
}

/// Queues `payloads`, in order, in one committed transaction.
async fn enqueued(s: &Store, payloads: impl IntoIterator<Item = badger::store::Payload>) {
    let mut tx = s.begin().await.unwrap();
    for p in payloads {
        tx.enqueue(&p, Utc::now()).await.unwrap();
    }
    tx.commit().await.unwrap();
}

/// What `worker` claims of the outbox's due rows (up to 10, for a minute).
async fn claim(s: &Store, worker: &str) -> Vec<badger::store::OutboxRow> {
    let lease = std::time::Duration::from_secs(60);
    s.claim_outbox(worker, lease, 10).await.unwrap()
}

/// A deployment of ref `r1` to insert straight into the store.
fn new<'a>(app: &'a str, env: &'a str, user: &'a str, state: State) -> NewDeployment<'a> {
    support::db::new_deployment(app, "r1", env, user, state)
}
