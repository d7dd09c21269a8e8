//! A long outbox backlog in one channel (a burst of CI reports, Slack down for a while)
//! drains: a claim finds each channel's oldest row by an index probe per channel, however
//! stale the database's statistics, so its cost follows the channels, not the backlog
//! (once O(backlog²), then O(backlog)). Checked in the plan and by what a claim takes,
//! never by timing. Both backends.

use crate::support;

use badger::store::{Body, Lane, Payload, Store};
use chrono::Utc;
use sqlx::Row;
use std::time::Duration;
use support::db::{Backend, TestDb};

const BACKLOG: i64 = 3_000;
const HISTORY: i64 = 3_000;
const CHANNEL: &str = "C0DEPLOY";

/// When PostgreSQL's statistics of the outbox were last taken, as autovacuum may have left
/// them when a burst comes. (SQLite has none: badger never runs ANALYZE.)
#[derive(Clone, Copy, PartialEq)]
enum Stats {
    /// A fresh database: the table was empty.
    WhenEmpty,
    /// After a quiet spell: every row was delivered, so they call the unfinished rows
    /// none at all (in `bench/run` a claim then tested every unfinished row against the
    /// heads, twice: 12 ms a claim behind 5,000, and the drain fell to 30-60 calls/s).
    WhenAllDelivered,
}

async fn analyse(s: &Store, backend: Backend) {
    if backend == Backend::Postgres {
        sqlx::query("ANALYZE outbox")
            .execute(s.pool())
            .await
            .unwrap();
    }
}

async fn backlog(backend: Backend, stats: Stats) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    s.migrate().await.expect("migrate");
    if stats == Stats::WhenEmpty {
        analyse(&s, backend).await;
    }
    let now = Utc::now();
    let mut tx = s.begin().await.unwrap();
    // Delivered history ahead of the backlog (lower ids), as on any badger that has run a
    // while: a head found by walking the ids from the oldest row passes all of it.
    for i in 0..HISTORY {
        let post = Payload::Post {
            channel: CHANNEL.into(),
            body: Body::text(format!("delivered {i}"), vec![]),
            key: None,
        };
        tx.enqueue(&post, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("UPDATE outbox SET delivered_at = 1")
        .execute(s.pool())
        .await
        .unwrap();
    if stats == Stats::WhenAllDelivered {
        analyse(&s, backend).await;
    }
    let mut tx = s.begin().await.unwrap();
    for i in 0..BACKLOG {
        let body = Body::text(format!("announcement {i}"), vec![]);
        let post = Payload::Post {
            channel: CHANNEL.into(),
            body,
            key: None,
        };
        tx.enqueue(&post, now).await.unwrap();
    }
    for user in ["U1", "U2"] {
        let answer = Payload::Ephemeral {
            channel: CHANNEL.into(),
            user: user.into(),
            body: Body::text("just for you", vec![]),
        };
        tx.enqueue(&answer, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    (s, db)
}

/// The plans of a claim and of the worker's "when is the next one due" (asked after every
/// round of deliveries).
async fn check_plan(s: &Store, backend: Backend) {
    check_plan_of(s, backend, &s.outbox_claim_sql(Lane::Channel), true).await;
    check_plan_of(s, backend, &s.outbox_next_due_sql(Lane::Channel), false).await;
}

/// `claims`: `sql` is a claim, with its four binds.
async fn check_plan_of(s: &Store, backend: Backend, sql: &str, claims: bool) {
    let now = Utc::now().timestamp_millis();
    let explain = match backend {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => format!("EXPLAIN ANALYZE {sql}"),
    };
    let mut q = sqlx::query(&explain);
    if claims {
        // (On PostgreSQL this claims the head: the behaviour below starts afresh after it.)
        q = q.bind(now).bind(4_i64).bind("planner").bind(0_i64);
    }
    let rows = q.fetch_all(s.pool()).await.expect("explain the statement");
    match backend {
        Backend::Sqlite => {
            let plan: Vec<String> = rows
                .iter()
                .map(|r| r.try_get::<String, _>("detail").unwrap())
                .collect();
            // The heads are walked key by key: every subquery is an index probe (SEARCH),
            // and the outbox itself is never scanned whole (a SCAN of `outbox`, `o` or
            // `p`), only the small CTEs.
            for l in &plan {
                let scanned = l.strip_prefix("SCAN ").map(|t| t.split(' ').next());
                assert!(
                    !matches!(scanned, Some(Some("outbox" | "o" | "p"))),
                    "a claim scans the outbox:\n{}",
                    plan.join("\n")
                );
            }
            for (i, l) in plan.iter().enumerate() {
                if l.contains("CORRELATED") {
                    let next = plan.get(i + 1).map(String::as_str).unwrap_or("");
                    assert!(
                        next.starts_with("SEARCH p USING INDEX outbox_pending (ordering_key"),
                        "a correlated subquery that is not one index probe:\n{}",
                        plan.join("\n")
                    );
                }
            }
        }
        Backend::Postgres => {
            let plan: Vec<String> = rows.iter().map(|r| r.try_get(0).unwrap()).collect();
            // Rows a node produced over all its runs ("rows=R loops=L"): a subquery re-run
            // per candidate made this the backlog squared (9,000,000 here); a `GROUP BY`
            // of the unfinished rows, or testing each of them against the heads, the
            // backlog (3,000 to 9,000); probing the index once per key (three here: the
            // channel and two people's answers) a handful.
            let most = plan
                .iter()
                .filter_map(|l| {
                    let actual = l.split("(actual ").nth(1)?;
                    let rows: f64 = actual
                        .split("rows=")
                        .nth(1)?
                        .split(' ')
                        .next()?
                        .parse()
                        .ok()?;
                    let loops: f64 = actual
                        .split("loops=")
                        .nth(1)?
                        .trim_end_matches(')')
                        .parse()
                        .ok()?;
                    Some(rows * loops)
                })
                .fold(0.0, f64::max);
            assert!(
                most > 0.0,
                "no actual rows in the plan:\n{}",
                plan.join("\n")
            );
            assert!(
                most <= 100.0,
                "a claim's plan handled {most} rows in one node for a backlog of {BACKLOG}:\n{}",
                plan.join("\n")
            );
            // Nor, whatever the statistics, does any node read past many rows it then
            // drops (walking the ids from the oldest row to find a head dropped the whole
            // delivered history; testing the unfinished rows against the heads, all of
            // them per claim).
            let dropped = plan
                .iter()
                .filter_map(|l| {
                    l.split("Rows Removed by Filter: ")
                        .nth(1)?
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
                .fold(0.0, f64::max);
            assert!(
                dropped <= 100.0,
                "a claim's plan dropped {dropped} rows in one node:\n{}",
                plan.join("\n")
            );
            // Give the head back, as a worker that died would after its lease.
            sqlx::query("UPDATE outbox SET claimed_by = NULL, claim_until = NULL")
                .execute(s.pool())
                .await
                .unwrap();
        }
    }
}

async fn a_long_backlog_is_claimed_head_first(backend: Backend) {
    let (s, _db) = backlog(backend, Stats::WhenEmpty).await;
    check_plan(&s, backend).await;
    // And with statistics that know the table, as autovacuum leaves them.
    analyse(&s, backend).await;
    check_plan(&s, backend).await;

    let lease = Duration::from_secs(60);
    let first = s.claim_lane("w1", lease, 8, Lane::Channel).await.unwrap();
    assert_eq!(first.len(), 1, "one channel: only its oldest row may go");
    let Payload::Post { body, .. } = &first[0].payload else {
        panic!("{:?}", first[0].payload)
    };
    assert_eq!(body, &Body::text("announcement 0", vec![]));
    // While it is in flight nothing else of the channel may go; people's answers may.
    assert!(s
        .claim_lane("w2", lease, 8, Lane::Channel)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.claim_lane("w2", lease, 8, Lane::Person)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(s.outbox_next_due(Lane::Channel).await.unwrap().is_some());
    // Delivered: the next in line is the head.
    assert!(s.outbox_delivered(first[0].id, "w1").await.unwrap());
    let next = s.claim_lane("w1", lease, 8, Lane::Channel).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].id, first[0].id + 1);
    support::poll::outbox_pending_becomes(&s, BACKLOG + 2 - 1).await;
}
on_both_backends!(a_long_backlog_is_claimed_head_first);

async fn a_burst_after_a_quiet_spell_is_claimed_by_key(backend: Backend) {
    let (s, _db) = backlog(backend, Stats::WhenAllDelivered).await;
    check_plan(&s, backend).await;
    let first = s
        .claim_lane("w1", Duration::from_secs(60), 8, Lane::Channel)
        .await
        .unwrap();
    assert_eq!(first.len(), 1, "one channel: only its oldest row may go");
    assert_eq!(first[0].id, HISTORY + 1, "the oldest unfinished row");
}
on_both_backends!(a_burst_after_a_quiet_spell_is_claimed_by_key);
