//! The connection to PostgreSQL cut while a COMMIT is in flight (a restart at the worst
//! moment): that COMMIT may have landed (here it does: PostgreSQL finishes it, then finds
//! the client gone), so badger never says nothing was changed. It says the write may or
//! may not have been saved, on each commit path (a group-commit batch, a transaction of
//! its own) and to each asker (the store's caller, a button press, the CI API); what
//! failed before its COMMIT was sent is still "nothing was changed".
//! (SQLite commits in this process: no connection to cut, so PostgreSQL only.)

use crate::support;

use badger::domain::deployment::State;
use badger::store::{env_lock, Store, StoreError, Tx};
use chrono::Utc;
use serde_json::json;
use support::ci::{event, get, report};
use support::db::{new_deployment, postgres_enabled, Backend, TestDb};
use support::driver::TestApp;
use support::faults::{commit_in_flight, commits_settled, slow_commit};
use support::tcp_proxy::{Mode, Proxy};

/// A fresh PostgreSQL database, a proxy in front of it and a direct pool on it.
async fn behind_a_proxy() -> (TestDb, Proxy, sqlx::AnyPool) {
    let db = TestDb::fresh(Backend::Postgres).await;
    let proxy = Proxy::start("127.0.0.1:5432".parse().unwrap()).await;
    sqlx::any::install_default_drivers();
    let direct = sqlx::AnyPool::connect(&db.url).await.expect("direct pool");
    (db, proxy, direct)
}

/// badger on a fresh PostgreSQL database reached through a proxy, with a direct pool to
/// watch the database; `None` where PostgreSQL is not enabled.
async fn app_behind_a_proxy() -> Option<(TestApp, Proxy, sqlx::AnyPool)> {
    if !postgres_enabled() {
        return None;
    }
    let (db, proxy, direct) = behind_a_proxy().await;
    let t = TestApp::start_on_db(db.via_port(proxy.port)).await;
    Some((t, proxy, direct))
}

/// Runs `work` and cuts every connection once a COMMIT is in flight; returns its result.
async fn cut_during_commit<T>(
    proxy: &Proxy,
    direct: &sqlx::AnyPool,
    work: impl std::future::Future<Output = T>,
) -> T {
    let cut = async {
        commit_in_flight(direct).await;
        proxy.cut();
    };
    tokio::join!(work, cut).0
}

async fn stored(direct: &sqlx::AnyPool, app: &str) -> Option<String> {
    sqlx::query_scalar("SELECT state FROM deployments WHERE app = $1")
        .bind(app)
        .fetch_optional(direct)
        .await
        .expect("read deployments directly")
}

/// A transaction that inserts one deployment of `app`, in `tx`.
async fn insert(mut tx: Tx, app: &str) -> Result<Tx, StoreError> {
    let d = new_deployment(app, "r1", "integration", "U1", State::Queued);
    tx.insert_deployment(&d, Utc::now()).await?;
    Ok(tx)
}

fn assert_unknown(e: &StoreError, what: &str) {
    assert!(
        e.is_commit_unknown() && !e.is_unavailable(),
        "{what}: {e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_says_a_cut_commit_may_have_landed_on_each_path() {
    if !postgres_enabled() {
        return;
    }
    let (db, proxy, direct) = behind_a_proxy().await;
    let s = Store::connect(&db.via_port(proxy.port).url).await.unwrap();
    s.migrate().await.unwrap();
    s.ensure_locks(&[env_lock("integration")]).await.unwrap();
    slow_commit(&direct, "slow_cut", "INSERT", "NEW.app LIKE 'cut-%'").await;

    // A transaction of its own (`Store::begin` on PostgreSQL).
    let tx = insert(s.begin().await.unwrap(), "cut-own").await.unwrap();
    let own = cut_during_commit(&proxy, &direct, tx.commit()).await;
    assert_unknown(&own.unwrap_err(), "its own transaction's COMMIT");

    // An environment's group-commit batch (`Store::begin_locked`).
    let locked = s.begin_locked(&env_lock("integration")).await.unwrap();
    let tx = insert(locked, "cut-batch").await.unwrap();
    let batch = cut_during_commit(&proxy, &direct, tx.commit()).await;
    assert_unknown(&batch.unwrap_err(), "the batch's COMMIT");

    // What they were told was the truth: both COMMITs landed.
    commits_settled(&direct).await;
    assert_eq!(stored(&direct, "cut-own").await.as_deref(), Some("queued"));
    assert_eq!(
        stored(&direct, "cut-batch").await.as_deref(),
        Some("queued")
    );

    // Cut before the COMMIT (a statement in flight, or no connection at all): nothing was
    // committed, and that is what the error says.
    let tx = s.begin().await.unwrap();
    proxy.cut();
    let e = insert(tx, "before").await.err().expect("the insert fails");
    assert!(e.is_unavailable() && !e.is_commit_unknown(), "{e:?}");
    proxy.set(Mode::Refuse);
    let e = s.begin().await.err().expect("no connection");
    assert!(e.is_unavailable() && !e.is_commit_unknown(), "{e:?}");
    proxy.set(Mode::Up);
    assert_eq!(stored(&direct, "before").await, None);
    s.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_whose_commit_is_cut_is_told_it_may_have_been_saved() {
    let Some((t, proxy, direct)) = app_behind_a_proxy().await else {
        return;
    };
    let r = t.deploy("U0ALICE", "whitehall r1 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let id: i64 = sqlx::query_scalar("SELECT id FROM deployments WHERE app = 'whitehall'")
        .fetch_one(&direct)
        .await
        .unwrap();
    slow_commit(&direct, "slow_done", "UPDATE", "NEW.state = 'succeeded'").await;
    // The start alert is out first: the cut below meets the press alone.
    t.settle().await;

    // Done is pressed; its transaction (one of its own) is cut during its COMMIT.
    let value = id.to_string();
    let pressed = t.press("U0ALICE", "deploy_done", &value);
    assert_eq!(cut_during_commit(&proxy, &direct, pressed).await, 200);
    let told = t
        .wait_for_ephemeral("U0ALICE", "may or may not have been saved")
        .await;
    assert_eq!(
        told,
        ":warning: badger lost its database connection while saving this, so it may or may not have been saved. Check `/deploy status` (or the channel) before trying again."
    );
    // And so it was: the deployment succeeded, and the channel hears it.
    commits_settled(&direct).await;
    assert_eq!(
        stored(&direct, "whitehall").await.as_deref(),
        Some("succeeded")
    );
    t.wait_for_message("succeeded in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ci_api_answers_outcome_unknown_for_a_cut_commit() {
    let Some((t, proxy, direct)) = app_behind_a_proxy().await else {
        return;
    };
    let unknown = |a: &support::ci::Answer, what: &str| {
        assert_eq!((a.status, a.error()), (503, "outcome_unknown"), "{what}");
        let message = a.json["message"].as_str().unwrap_or("");
        assert!(
            message.contains("may or may not have been saved")
                && message.contains("GET /api/v1/deployments/{id}"),
            "{what}: {message}"
        );
    };

    // A new report: its environment's batch is cut during its COMMIT.
    slow_commit(&direct, "slow_cut", "INSERT", "NEW.app = 'cut'").await;
    let started =
        json!({"app": "cut", "ref": "r1", "environment": "integration", "status": "started"});
    let a = cut_during_commit(&proxy, &direct, report(&t, started)).await;
    unknown(&a, "a started report");
    // The history the message points to tells the truth: it was saved.
    commits_settled(&direct).await;
    let listed = get(&t, "/api/v1/deployments?app=cut").await;
    let id = listed.json["deployments"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the cut report was saved: {:?}", listed.json));

    // An event: a transaction of its own, cut during its COMMIT.
    slow_commit(&direct, "slow_end", "UPDATE", "NEW.state = 'succeeded'").await;
    let succeeded = event(&t, id, json!({"status": "succeeded"}));
    let a = cut_during_commit(&proxy, &direct, succeeded).await;
    unknown(&a, "a succeeded event");
    commits_settled(&direct).await;
    let one = get(&t, &format!("/api/v1/deployments/{id}")).await;
    assert_eq!(one.json["state"], "succeeded", "{:?}", one.json);

    // Refused before anything was sent: 503 as before, nothing was changed.
    proxy.set(Mode::Refuse);
    let refused =
        json!({"app": "refused", "ref": "r1", "environment": "integration", "status": "started"});
    let a = report(&t, refused).await;
    assert_eq!(a.status, 503, "{:?}", a.json);
    assert!(a.error().contains("nothing was changed"), "{:?}", a.json);
    proxy.set(Mode::Up);
    assert_eq!(stored(&direct, "refused").await, None);
}
