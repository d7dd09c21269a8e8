//! The pruning of posted messages with 100,000 finished deployments, every one's start
//! alert still remembered (as after an upgrade): each step reads `slack_messages` along its
//! primary key and looks deployments up by id, so no statement walks the history.

use super::plans::{plan, Bind};
use super::*;

use badger::store::posted::{ended_sql, Record, POSTED_KEYS};
use badger::store::PRUNE_BATCH;

/// Every deployment's start alert remembered as posted, in one statement.
pub(super) async fn remember_every_start(s: &Store) {
    sqlx::query(
        "INSERT INTO slack_messages (msg_key, channel, ts) \
         SELECT 'start:' || CAST(id AS TEXT), 'C1', '1.0001' FROM deployments",
    )
    .execute(s.pool())
    .await
    .expect("remember the start alerts");
}

/// The plans of a pruning step's statements: the keys along `slack_messages`' primary
/// key, unsorted; their deployments by id, never a scan of the history.
pub(super) async fn check_prune_plans(conn: &mut sqlx::AnyConnection, backend: Backend) {
    let keys = plan(
        conn,
        backend,
        POSTED_KEYS,
        &[Bind::Text("start:5"), Bind::Int(PRUNE_BATCH)],
    )
    .await;
    let text = keys.join("\n");
    match backend {
        Backend::Sqlite => {
            assert!(
                text.contains("SEARCH slack_messages USING"),
                "the keys do not follow an index:\n{text}"
            );
            assert!(
                !text.contains("TEMP B-TREE"),
                "the keys are sorted:\n{text}"
            );
        }
        Backend::Postgres => {
            assert!(
                text.contains("slack_messages_pkey") && !text.contains("Seq Scan"),
                "the keys do not follow the primary key:\n{text}"
            );
            assert!(!text.contains("Sort"), "the keys are sorted:\n{text}");
        }
    }

    let n = PRUNE_BATCH as usize;
    let sql = ended_sql(Record::Deployment, n);
    let mut binds = vec![Bind::Int(200_000_000)];
    binds.extend((0..PRUNE_BATCH).map(|i| Bind::Int(50_000 + i * 7)));
    let p = plan(conn, backend, &sql, &binds).await;
    let text = p.join("\n");
    match backend {
        Backend::Sqlite => {
            // Each deployment by its id (as `rowid` or in the finished states' index),
            // never every finished one (`state=?` alone).
            let on_deployments: Vec<&String> =
                p.iter().filter(|l| l.contains("deployments")).collect();
            assert!(
                !on_deployments.is_empty()
                    && on_deployments
                        .iter()
                        .all(|l| l.starts_with("SEARCH deployments") && l.contains("id=?")),
                "the deployments are not looked up by id:\n{text}"
            );
        }
        Backend::Postgres => {
            assert!(
                !text.contains("Seq Scan on deployments") && text.contains("Index Cond: (id = ANY"),
                "the deployments are not looked up by id:\n{text}"
            );
        }
    }
}
