//! With 100,000 finished deployments every read path's plan (and the history API's page
//! query with each filter, and the pruning of posted messages: `prune_plans.rs`) stays on
//! an index and never sorts the history.

use super::*;

use crate::support::plans::check_history_page;
use badger::store::read_sql;
use sqlx::Row;

const FINISHED: i64 = 100_000;
const APPS: i64 = 500;

/// 100,000 finished deployments (500 apps x 3 environments; mostly succeeded, some failed
/// or cancelled) and 300 queued, in one statement per batch.
async fn fill(s: &Store, backend: Backend) {
    let source = |from: i64, to: i64| match backend {
        Backend::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) \
             SELECT i FROM n"
        ),
        Backend::Postgres => format!(
            "SELECT i FROM generate_series(CAST({from} AS BIGINT), CAST({to} AS BIGINT)) AS g(i)"
        ),
    };
    let insert = |state: &str, finished: &str, ended: &str, from: i64, to: i64| {
        format!(
            "INSERT INTO deployments (app, git_ref, environment, requester, channel, source, state, \
             queue_key, requested_at, finished_at, ended_at, updated_at) \
             SELECT 'app' || (i % {APPS}), 'r' || i, \
               CASE i % 3 WHEN 0 THEN 'integration' WHEN 1 THEN 'staging' ELSE 'production' END, \
               'U' || (i % 50), 'C1', 'slack', {state}, i, i * 1000, {finished}, {ended}, i * 1000 + 500 \
             FROM ({}) AS n",
            source(from, to)
        )
    };
    let finished = insert(
        "CASE WHEN i % 7 = 0 THEN 'failed' WHEN i % 7 = 3 THEN 'cancelled' ELSE 'succeeded' END",
        "CASE WHEN i % 7 = 3 THEN NULL ELSE i * 1000 + 500 END",
        "CASE WHEN i % 7 = 3 THEN i * 1000 + 500 ELSE NULL END",
        1,
        FINISHED,
    );
    let queued = insert("'queued'", "NULL", "NULL", FINISHED + 1, FINISHED + 300);
    for sql in [finished, queued] {
        sqlx::query(&sql)
            .execute(s.pool())
            .await
            .expect("bulk fill");
    }
}

/// The plan of `sql` with its parameters bound, one line per plan node.
pub(super) async fn plan(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    sql: &str,
    binds: &[Bind],
) -> Vec<String> {
    let explain = match backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => format!("EXPLAIN {sql}"),
    };
    let mut q = sqlx::query(&explain);
    for b in binds {
        q = match b {
            Bind::Text(t) => q.bind(*t),
            Bind::Int(i) => q.bind(*i),
        };
    }
    let rows = q.fetch_all(&mut *conn).await.expect("explain");
    rows.iter()
        .map(|r| match backend {
            Backend::Sqlite => r.try_get::<String, _>("detail").unwrap(),
            Backend::Postgres => r.try_get::<String, _>(0).unwrap(),
        })
        .collect()
}

pub(super) enum Bind {
    Text(&'static str),
    Int(i64),
}

/// A read path, its parameters, and the index its plan must use (if one in particular).
struct Case {
    name: &'static str,
    sql: &'static str,
    binds: Vec<Bind>,
    index: Option<&'static str>,
}

fn cases(backend: Backend) -> Vec<Case> {
    vec![
        Case {
            name: "live, every environment",
            sql: read_sql::LIVE_ALL,
            binds: vec![],
            index: Some("deployments_live"),
        },
        Case {
            name: "live, one environment",
            sql: read_sql::LIVE_ENV,
            binds: vec![Bind::Text("production")],
            index: None,
        },
        Case {
            name: "latest finished (promotion rule)",
            sql: read_sql::LATEST_FINISHED,
            binds: vec![Bind::Text("app7"), Bind::Text("staging")],
            index: Some("deployments_latest_finished"),
        },
        Case {
            name: "history",
            sql: match backend {
                Backend::Sqlite => read_sql::HISTORY_SQLITE,
                Backend::Postgres => read_sql::HISTORY,
            },
            binds: vec![Bind::Int(20)],
            index: Some("deployments_history"),
        },
        Case {
            name: "history of one app",
            sql: read_sql::HISTORY_APP,
            binds: vec![Bind::Text("app7"), Bind::Int(50)],
            index: Some("deployments_app_history"),
        },
        Case {
            name: "a new request's active entry and duplicate",
            sql: read_sql::ACTIVE_AND_DUPLICATE,
            binds: vec![
                Bind::Text("production"),
                Bind::Text("U7"),
                Bind::Text("app7"),
                Bind::Text("r7"),
            ],
            index: None,
        },
        Case {
            name: "the entries ahead of a newcomer",
            sql: match backend {
                Backend::Sqlite => read_sql::FIRST_AHEAD_SQLITE,
                Backend::Postgres => read_sql::FIRST_AHEAD_POSTGRES,
            },
            binds: vec![
                Bind::Text("production"),
                Bind::Int(0),
                Bind::Int(1),
                Bind::Int(10),
            ],
            index: None,
        },
        Case {
            name: "versions",
            sql: read_sql::VERSIONS_ALL,
            binds: vec![],
            index: None,
        },
        Case {
            name: "versions of one app",
            sql: read_sql::VERSIONS_APP,
            binds: vec![Bind::Text("app7")],
            index: None,
        },
    ]
}

/// Read paths whose order an index gives: their plans must never sort.
fn sorted_by_index(c: &Case) -> bool {
    matches!(
        c.index,
        Some("deployments_history" | "deployments_app_history")
    )
}

/// The plan never walks the whole deployments table (nor the whole of an index over all
/// of it), and never sorts the history.
fn check(backend: Backend, c: &Case, plan: &[String]) {
    let text = plan.join("\n");
    match backend {
        Backend::Sqlite => {
            for line in plan {
                let scan = line.starts_with("SCAN deployments") || line.starts_with("SCAN d ");
                let bare = line == "SCAN deployments" || line == "SCAN d";
                // A scan is only fine over a partial index as small as its LIMIT or the queues.
                let small = ["deployments_live", "deployments_history"]
                    .iter()
                    .any(|i| line.ends_with(&format!("INDEX {i}")));
                assert!(
                    !(bare || scan && !small),
                    "{}: full scan of deployments:\n{text}",
                    c.name
                );
            }
            if sorted_by_index(c) {
                assert!(!text.contains("TEMP B-TREE"), "{}: sorts:\n{text}", c.name);
            }
        }
        Backend::Postgres => {
            assert!(
                !text.contains("Seq Scan on deployments"),
                "{}: sequential scan of deployments:\n{text}",
                c.name
            );
            if sorted_by_index(c) {
                assert!(!text.contains("Sort"), "{}: sorts:\n{text}", c.name);
            }
        }
    }
    if let Some(index) = c.index {
        assert!(
            text.contains(index),
            "{}: does not use {index}:\n{text}",
            c.name
        );
    }
}

async fn read_paths_stay_on_indexes_with_a_long_history(backend: Backend) {
    let (s, _db, _older) = store_before_read_paths(backend).await;
    fill(&s, backend).await;
    // The backfill runs over the full history, as an upgrade would.
    s.migrate().await.expect("read-path migration");
    super::prune_plans::remember_every_start(&s).await;
    // PostgreSQL's autovacuum gathers statistics by itself; badger never runs ANALYZE on
    // SQLite, so its plans are checked as a real database would have them: without.
    if backend == Backend::Postgres {
        sqlx::query("ANALYZE").execute(s.pool()).await.unwrap();
    }
    assert_eq!(s.versions(None).await.unwrap().len(), 1_500);
    assert_eq!(s.versions(Some("app7")).await.unwrap().len(), 3);
    assert_eq!(s.history(20).await.unwrap().len(), 20);
    let app7 = s.app_history("app7", 50).await.unwrap();
    assert_eq!(app7.len(), 50);
    assert!(app7
        .iter()
        .all(|d| d.app == "app7" && d.state.is_finished()));
    assert_eq!(s.live_deployments(None).await.unwrap().len(), 300);
    // The queue counts' backfill counted the queues an upgrade found.
    let waiting: i64 = sqlx::query_scalar("SELECT CAST(SUM(n) AS BIGINT) FROM queue_counts")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(waiting, 300);
    assert_eq!(
        s.live_deployments(Some("production")).await.unwrap().len(),
        100
    );

    let mut conn = s.pool().acquire().await.unwrap();
    for c in cases(backend) {
        let p = plan(&mut conn, backend, c.sql, &c.binds).await;
        check(backend, &c, &p);
    }
    for (shape, binds) in history_pages() {
        let sql = read_sql::deployments_page(shape);
        let p = plan(&mut conn, backend, &sql, &binds).await;
        check_history_page(backend, shape, &p);
    }
    super::prune_plans::check_prune_plans(&mut conn, backend).await;
}
on_both_backends!(read_paths_stay_on_indexes_with_a_long_history);

/// The history API's page query with each common filter, with a cursor, and combined; and
/// `/deploy history`'s.
fn history_pages() -> Vec<(read_sql::PageShape, Vec<Bind>)> {
    use read_sql::StateGroup::Finished;
    use Filter::*;
    vec![
        page(&[], 51),
        page(&[Before(50_000)], 51),
        page(&[App("app7")], 51),
        page(&[Env("staging")], 51),
        page(&[Env("staging"), Before(50_000)], 51),
        page(&[State(Finished, "failed")], 51),
        page(&[Requester("U7")], 51),
        page(&[App("app7"), Env("staging"), Before(90_000)], 51),
        // `/deploy history APP [ENV]`: an app's finished deployments, in one environment
        // or in all.
        page(&[App("app7"), FinishedOnly], 11),
        page(&[App("app7"), Env("staging"), FinishedOnly], 11),
        page(
            &[App("app7"), State(Finished, "succeeded"), Requester("U7")],
            51,
        ),
    ]
}

/// One filter of a history page, with the value bound for it (if any).
enum Filter {
    App(&'static str),
    Env(&'static str),
    State(read_sql::StateGroup, &'static str),
    /// Finished states, none in particular: no parameter.
    FinishedOnly,
    Requester(&'static str),
    Before(i64),
}

/// A page with `filters` (listed in the order the query binds them) and at most `limit`
/// rows (the last parameter): its shape and its parameters.
fn page(filters: &[Filter], limit: i64) -> (read_sql::PageShape, Vec<Bind>) {
    let has = |wanted: fn(&Filter) -> bool| filters.iter().any(wanted);
    let shape = read_sql::PageShape {
        app: has(|f| matches!(f, Filter::App(_))),
        environment: has(|f| matches!(f, Filter::Env(_))),
        state: filters.iter().find_map(|f| match f {
            Filter::State(group, _) => Some(*group),
            _ => None,
        }),
        finished: has(|f| matches!(f, Filter::FinishedOnly)),
        requester: has(|f| matches!(f, Filter::Requester(_))),
        before: has(|f| matches!(f, Filter::Before(_))),
    };
    let mut binds: Vec<Bind> = filters
        .iter()
        .filter_map(|f| match *f {
            Filter::App(v) | Filter::Env(v) | Filter::State(_, v) | Filter::Requester(v) => {
                Some(Bind::Text(v))
            }
            Filter::Before(id) => Some(Bind::Int(id)),
            Filter::FinishedOnly => None,
        })
        .collect();
    binds.push(Bind::Int(limit));
    (shape, binds)
}
