//! A database write that fails on purpose: a trigger that aborts one kind of write (on
//! SQLite and PostgreSQL alike), for tests of what badger does when a write it relies on
//! fails and then works again; and, on PostgreSQL, a COMMIT made slow, for tests that cut
//! the connection while a COMMIT is in flight.

use super::db::Backend;
use super::driver::TestApp;

/// Fails `event` on `table` (a trigger, `WHEN` `condition`) until [`heal`].
pub async fn inject_fault(t: &TestApp, event: &str, table: &str, condition: &str) {
    let pool = t.core().store.pool();
    let statements = match t.db.backend {
        Backend::Sqlite => vec![format!(
            "CREATE TRIGGER injected_fault BEFORE {event} ON {table} WHEN {condition} \
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
        )],
        Backend::Postgres => vec![
            "CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER injected_fault BEFORE {event} ON {table} FOR EACH ROW \
                 WHEN ({condition}) EXECUTE FUNCTION injected_fault()"
            ),
        ],
    };
    for s in statements {
        sqlx::raw_sql(&s)
            .execute(pool)
            .await
            .expect("inject a fault");
    }
}

pub async fn heal(t: &TestApp, table: &str) {
    let drop = match t.db.backend {
        Backend::Sqlite => "DROP TRIGGER injected_fault".to_owned(),
        Backend::Postgres => format!("DROP TRIGGER injected_fault ON {table}"),
    };
    sqlx::raw_sql(&drop)
        .execute(t.core().store.pool())
        .await
        .expect("drop the fault");
}

/// PostgreSQL: the COMMIT of a transaction that did `event` (`INSERT`, `UPDATE`) to a row of
/// `deployments` matching `condition` (on `NEW`) sleeps a second per such row, in a
/// deferred constraint trigger, so that a test can cut the connection while it runs
/// ([`commit_in_flight`]). `pool` reaches the database directly, not through a proxy.
pub async fn slow_commit(pool: &sqlx::AnyPool, name: &str, event: &str, condition: &str) {
    let statements = [
        "CREATE OR REPLACE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$"
            .to_owned(),
        format!(
            "CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON deployments \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({condition}) \
             EXECUTE FUNCTION slow_commit()"
        ),
    ];
    for s in statements {
        sqlx::raw_sql(&s)
            .execute(pool)
            .await
            .expect("make a COMMIT slow");
    }
}

/// PostgreSQL: waits (up to 10 s) until a COMMIT on `pool`'s database sleeps in the
/// trigger of [`slow_commit`]: it was sent, and its answer has not come back.
pub async fn commit_in_flight(pool: &sqlx::AnyPool) {
    for _ in 0..1000 {
        let sleeping: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event = 'PgSleep' AND query = 'COMMIT'",
        )
        .fetch_one(pool)
        .await
        .expect("read pg_stat_activity");
        if sleeping > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no COMMIT was in flight within 10 s");
}

/// PostgreSQL: waits (up to 20 s) until no COMMIT runs on `pool`'s database any more (the
/// trigger's sleep, then the commit itself): what a cut COMMIT did is settled, and reads
/// see it.
pub async fn commits_settled(pool: &sqlx::AnyPool) {
    for _ in 0..2000 {
        let sleeping: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state = 'active' AND query = 'COMMIT'",
        )
        .fetch_one(pool)
        .await
        .expect("read pg_stat_activity");
        if sleeping == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("a COMMIT still sleeps after 20 s");
}
