//! Group commit when a request is given up halfway (a command aborted 30 s after Slack's
//! deadline, an HTTP client that hung up) while it does something that is the whole
//! batch's: the COMMIT its commit drives, or the rollback of a dropped transaction's
//! savepoint. The others still hear what became of their writes, what nobody committed
//! is never saved, and the next transaction starts on a clean batch.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{env_lock, Store, StoreError, Tx};
use chrono::Utc;
use std::future::Future;
use std::time::Duration;
use support::db::{migrated_store, new_deployment, Backend};

/// A transaction holding the environment's lock that inserts one deployment of `app`.
async fn writer(s: &Store, app: &str) -> Result<Tx, StoreError> {
    let mut tx = s.begin_locked(&env_lock("integration")).await?;
    let d = new_deployment(app, "r1", "integration", "U1", State::Queued);
    tx.insert_deployment(&d, Utc::now()).await?;
    Ok(tx)
}

/// When a deployment of `app` is saved on PostgreSQL: at its insert, or at the COMMIT.
#[derive(Clone, Copy)]
enum Slow {
    Insert,
    Commit,
}

/// Makes saving a deployment of `app` take a second on PostgreSQL (a trigger, deferred to
/// the COMMIT for `Slow::Commit`). SQLite has no such hook, and needs none: there the
/// statement is the first thing the step given up sends (`give_up_during`).
async fn slow(s: &Store, backend: Backend, when: Slow, app: &str) {
    if backend == Backend::Sqlite {
        return;
    }
    let (returns, kind) = match when {
        Slow::Insert => ("NEW", "TRIGGER slow BEFORE INSERT ON deployments"),
        Slow::Commit => (
            "NULL",
            "CONSTRAINT TRIGGER slow AFTER INSERT ON deployments DEFERRABLE INITIALLY DEFERRED",
        ),
    };
    let statements = [
        format!(
            "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN PERFORM pg_sleep(1); RETURN {returns}; END $$"
        ),
        format!("CREATE {kind} FOR EACH ROW WHEN (NEW.app = '{app}') EXECUTE FUNCTION slow()"),
    ];
    for q in statements {
        sqlx::raw_sql(&q).execute(s.pool()).await.unwrap();
    }
}

/// Runs `step` until it waits on the statement made slow, then drops it: on SQLite after
/// its first poll (which hands the statement to the connection's thread, where it runs to
/// its end), on PostgreSQL 300 ms into a statement that takes a second (`slow`). False if
/// it ended first.
async fn give_up_during<F: Future>(backend: Backend, step: F) -> bool {
    let wait = match backend {
        Backend::Sqlite => Duration::ZERO,
        Backend::Postgres => Duration::from_millis(300),
    };
    // A timeout polls its future before it looks at the clock: a zero one polls it once.
    tokio::time::timeout(wait, step).await.is_err()
}

/// A writes and waits for its batch's commit. B joins the batch once it is old, so B's
/// commit commits the batch, and B's caller gives up during that COMMIT. C waits for the
/// lock meanwhile, ahead of the flusher. A must be told its write was saved (it was: the
/// COMMIT had been sent), and C must start a batch of its own and be saved.
async fn a_member_given_up_during_the_commit_leaves_the_others_the_truth(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    slow(&s, backend, Slow::Commit, "b").await;
    let a = writer(&s, "a").await.unwrap();
    // On this test's one thread a task runs only when the test waits, so the order below
    // is the test's: C queues for the lock before the flusher, woken by A's commit, does.
    let c = tokio::spawn({
        let s = s.clone();
        async move { writer(&s, "c").await?.commit().await }
    });
    let a = tokio::spawn(a.commit());
    let b = writer(&s, "b").await.unwrap();
    // Old by now: B's commit commits the batch itself rather than leave it to the flusher.
    tokio::time::sleep(Duration::from_millis(20)).await;
    // SQLite's flusher, on the write thread, may commit the old batch before B's one
    // poll does: B's commit then ends at once, and only the outcome below is checked (as
    // in the test after this one). PostgreSQL's COMMIT is held a second by the trigger.
    let given_up = give_up_during(backend, b.commit()).await;
    assert!(given_up || backend == Backend::Sqlite, "B's commit ended");
    let a = a.await.unwrap().map_err(|e| e.to_string());
    let c = c.await.unwrap().map_err(|e| e.to_string());
    let live = s.live_deployments(None).await.unwrap();
    let mut saved: Vec<&str> = live.iter().map(|d| d.app.as_str()).collect();
    saved.sort();
    assert!(
        a.is_ok() || !saved.contains(&"a"),
        "A was told its write was not saved, and it was saved: {a:?}"
    );
    assert_eq!(a, Ok(false), "A's commit");
    assert_eq!(c, Ok(false), "C's commit, in the batch after");
    // B's caller is gone, but the COMMIT it started was the batch's, and it ran to its end.
    assert_eq!(saved, ["a", "b", "c"]);
    s.close().await;
}

/// X's insert is given up midway and X dropped, so X's savepoint must be rolled back
/// before anyone else writes. Y takes the lock next and does that, and is given up while
/// it waits for X's statement to end. Z writes and commits after: X's half-done write
/// must not be saved with Z's. (On SQLite the rollback is the first thing Y sends, and
/// SQLite's flusher, on the write thread, may even get there before Y: there this only
/// checks the outcome.)
async fn a_request_given_up_while_undoing_a_dropped_one_never_saves_it(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    slow(&s, backend, Slow::Insert, "x").await;
    let mut x = s.begin_locked(&env_lock("integration")).await.unwrap();
    let d = new_deployment("x", "r1", "integration", "U1", State::Queued);
    let given_up = give_up_during(backend, x.insert_deployment(&d, Utc::now())).await;
    // SQLite's connection thread may finish the insert before the one poll returns; the
    // rollback below must undo it all the same.
    assert!(given_up || backend == Backend::Sqlite, "X's insert ended");
    drop(x);
    let given_up = give_up_during(backend, s.begin_locked(&env_lock("integration"))).await;
    assert!(given_up || backend == Backend::Sqlite, "Y's begin ended");
    writer(&s, "z").await.unwrap().commit().await.unwrap();
    let live = s.live_deployments(None).await.unwrap();
    let saved: Vec<&str> = live.iter().map(|d| d.app.as_str()).collect();
    assert_eq!(saved, ["z"], "a write nobody committed was saved");
    s.close().await;
}

crate::on_both_backends_on_one_thread!(
    given_up_while_undoing,
    a_request_given_up_while_undoing_a_dropped_one_never_saves_it
);

// One thread, so that the order of A, B and C is the test's, not the scheduler's.
crate::on_both_backends_on_one_thread!(
    given_up_during_commit,
    a_member_given_up_during_the_commit_leaves_the_others_the_truth
);
