//! Two replicas claiming side by side (PostgreSQL): a Slack slower than the lease, or 429s
//! with Retry-After, never get a message sent twice or before it is due.

use super::*;

use crate::support::db::{post, postgres_enabled};
use crate::support::fake_slack::Failure;
use crate::support::poll::{self, HANG_GUARD};
use std::time::{Duration, Instant};

/// A migrated PostgreSQL store (the replicas share it) and a fake Slack; `None` where
/// PostgreSQL is not enabled.
async fn on_postgres() -> Option<(TestDb, Store, FakeSlack)> {
    if !postgres_enabled() {
        return None;
    }
    let (db, store) = started(Backend::Postgres).await;
    Some((db, store, FakeSlack::start().await))
}

/// Bug: a claim's lease was stamped once for a whole batch and never renewed, and results
/// were saved without checking the claim, so a batch slower than the lease was posted again
/// by the other replica. Now every message is posted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_slack_is_not_posted_twice_across_two_replicas() {
    let Some((db, store, slack)) = on_postgres().await else {
        return;
    };
    // Each call well inside the 2 s timeout; sixteen of them one after another take
    // longer than the 3 s lease.
    slack.slow("chat.postMessage", Duration::from_millis(700));
    let policy = policy_file();
    let mut a = replica(&db.url, &slack, policy.path(), 2, 3).await;
    let channels: Vec<String> = (0..16).map(|i| format!("C0SLOW{i:02}")).collect();
    let payloads: Vec<Payload> = channels.iter().map(|c| post(c, "once")).collect();
    let queued = Instant::now();
    enqueue(&store, &payloads).await;
    // Let A claim what it will before B starts, then B looks for lapsed claims.
    poll::until("replica A at work", || slack.max_in_flight() >= 1).await;
    let mut b = replica(&db.url, &slack, policy.path(), 2, 3).await;
    poll::outbox_drained(&store).await;
    let took = queued.elapsed();
    poll::until("calls in flight to finish", || slack.in_flight() == 0).await;
    // Give a wrongly re-claimed row time to be sent again.
    tokio::time::sleep(Duration::from_secs(4)).await;
    poll::until("calls in flight to finish", || slack.in_flight() == 0).await;
    for c in &channels {
        assert_eq!(slack.messages(c).len(), 1, "{c} posted once");
    }
    assert_eq!(
        slack.calls_to("chat.postMessage").len(),
        16,
        "no call sent twice"
    );
    eprintln!(
        "FAULTS slow postgres, 2 replicas: 16 calls of 700 ms delivered once each within {} ms; \
         at most {} in flight at once",
        took.as_millis(),
        slack.max_in_flight()
    );
    a.child.kill().await.unwrap();
    b.child.kill().await.unwrap();
}

/// Bug: a claim checked the row was due when it looked, then claimed it by id without
/// checking again. A replica that read the row just before another recorded a 429 on it
/// then sent it straight away, ignoring Retry-After. Replayed exactly with a row lock:
/// replica B's "record the 429" transaction holds the row while replica A claims.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_honours_retry_after_when_two_replicas_race() {
    if !postgres_enabled() {
        return;
    }
    let (_db, store) = started(Backend::Postgres).await;
    enqueue(&store, &[post("C0RACE", "rate limited")]).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_one(store.pool())
        .await
        .unwrap();

    // Replica B, having sent the row and been told 429 Retry-After: 60, records that.
    let mut b = store.pool().begin().await.unwrap();
    let later = chrono::Utc::now().timestamp_millis() + 60_000;
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, claimed_by = NULL, \
         claim_until = NULL, last_error = 'ratelimited' WHERE id = $2",
    )
    .bind(later)
    .bind(id)
    .execute(&mut *b)
    .await
    .unwrap();

    // Replica A claims meanwhile; it either skips the locked row or waits for it.
    let a_store = store.clone();
    let a = tokio::spawn(async move {
        a_store
            .claim_outbox("replica-a", Duration::from_secs(30), 10)
            .await
    });
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        if waiting > 0 || a.is_finished() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replica A neither waits nor returns"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    b.commit().await.unwrap();
    let claimed = a.await.unwrap().unwrap();
    assert!(
        claimed.is_empty(),
        "a row rate-limited for 60 s was claimed at once: {claimed:?}"
    );
    let later_claim = store
        .claim_outbox("replica-a", Duration::from_secs(30), 10)
        .await
        .unwrap();
    assert!(later_claim.is_empty(), "still not due");
}

/// 429s with Retry-After while two replicas claim side by side: no rate-limited row is sent
/// again before its Retry-After (60 s here, so any early resend would show), the rows behind
/// it in its channel wait, other channels flow, and in the end everything is posted once,
/// in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_hold_while_two_replicas_race() {
    let Some((db, store, slack)) = on_postgres().await else {
        return;
    };
    slack.fail_next(
        "chat.postMessage",
        8,
        Failure::RateLimited {
            retry_after_secs: 60,
        },
    );
    let policy = policy_file();
    let mut a = replica(&db.url, &slack, policy.path(), 2, 5).await;
    let mut b = replica(&db.url, &slack, policy.path(), 2, 5).await;
    let channels: Vec<String> = (0..30).map(|i| format!("C0RL{i:02}")).collect();
    let mut payloads = Vec::new();
    for n in 1..=3 {
        payloads.extend(channels.iter().map(|c| post(c, &format!("{c} {n}"))));
    }
    enqueue(&store, &payloads).await;

    let limited = || -> std::collections::BTreeSet<String> {
        slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.answered == 429)
            .filter_map(|c| c.body["channel"].as_str().map(str::to_owned))
            .collect()
    };
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let pending = store.outbox_pending().await.unwrap();
        if limited().len() == 8 && pending == 8 * 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pending {pending}, limited {:?}",
            limited()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Both replicas keep claiming for a few more rounds; a resend would happen now.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let limited = limited();
    for c in &channels {
        let calls = slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|call| call.body["channel"].as_str() == Some(c))
            .count();
        if limited.contains(c) {
            assert_eq!(
                calls, 1,
                "{c}: only the rate-limited call, nothing sent before Retry-After"
            );
            assert!(slack.messages(c).is_empty());
        } else {
            assert_eq!(
                texts(&slack.messages(c)),
                [1, 2, 3].map(|n| format!("{c} {n}"))
            );
        }
    }

    // Retry-After passes (moved forward in the database rather than waited for).
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE delivered_at IS NULL")
        .execute(store.pool())
        .await
        .unwrap();
    poll::outbox_drained(&store).await;
    for c in &channels {
        assert_eq!(
            texts(&slack.messages(c)),
            [1, 2, 3].map(|n| format!("{c} {n}")),
            "{c}: once each, in order"
        );
    }
    a.child.kill().await.unwrap();
    b.child.kill().await.unwrap();
}
