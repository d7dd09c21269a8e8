//! A database write that fails on purpose: a trigger that aborts one kind of write (on
//! SQLite and PostgreSQL alike), for tests of what badger does when a write it relies on
//! fails and then works again.

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
