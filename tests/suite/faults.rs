//! Fault injection at the Slack edge, through real HTTP, the real slack-morphism client
//! and the real badger binary: a Slack that never answers one channel, answers slowly to
//! two replicas, resets connections, or rate-limits while replicas race; and SIGTERM while
//! Slack hangs. Every message goes out once and in order per channel, and one stuck call
//! never holds up the others.
//!
//! Times are measured and printed (`FAULTS ...` lines), never asserted beyond hang guards.

use crate::support;

use badger::store::{Payload, Store};
use std::time::{Duration, Instant};
use support::db::{post, postgres_enabled, Backend, TestDb};
use support::driver::SECRET;
use support::fake_slack::{Failure, FakeSlack};
use support::poll::{self, HANG_GUARD};

const POLICY: &str = "channel = \"C0DEPLOY\"\n";

struct Replica {
    child: tokio::process::Child,
    base: String,
}

impl Replica {
    fn pid(&self) -> String {
        self.child.id().expect("running").to_string()
    }
}

fn policy_file() -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("policy file");
    std::io::Write::write_all(&mut f, POLICY.as_bytes()).expect("write policy");
    f
}

/// Starts `badger serve` against the fake Slack with a small timeout and lease.
async fn replica(
    db: &str,
    slack: &FakeSlack,
    policy: &std::path::Path,
    timeout_secs: u64,
    lease_secs: u64,
) -> Replica {
    let (timeout, lease) = (timeout_secs.to_string(), lease_secs.to_string());
    let extra = [
        ("BADGER_SLACK_TIMEOUT_SECS", timeout.as_str()),
        ("BADGER_OUTBOX_LEASE_SECS", lease.as_str()),
        ("RUST_LOG", "error"),
    ];
    let (child, base) = support::process::serve(db, &slack.url(), SECRET, policy, &extra).await;
    Replica { child, base }
}

fn ephemeral(channel: &str, user: &str, text: &str) -> Payload {
    Payload::Ephemeral {
        channel: channel.into(),
        user: user.into(),
        body: badger::store::Body::text(text, vec![]),
    }
}

/// Queues Slack calls the way a request does: in one committed transaction.
async fn enqueue(store: &Store, payloads: &[Payload]) {
    let mut tx = store.begin().await.expect("begin");
    for p in payloads {
        tx.enqueue(p, chrono::Utc::now()).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
}

fn texts(messages: &[serde_json::Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A database badger has migrated, and a store on it for the test.
async fn started(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::fresh(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, store)
}

/// Bug: one hung call silenced badger (no timeout, one worker). Now the hung channel is
/// retried after each timeout while other channels and people's ephemerals (even in the
/// hung channel) go out; once Slack answers again the hung channel's messages go out once
/// each, in order.
async fn a_hung_channel_does_not_silence_the_others(backend: Backend) {
    let (db, store) = started(backend).await;
    let slack = FakeSlack::start().await;
    slack.hang("chat.postMessage", Some("C0HUNG"));
    let policy = policy_file();
    let mut badger = replica(&db.url, &slack, policy.path(), 1, 3).await;

    let queued = Instant::now();
    enqueue(
        &store,
        &[
            post("C0HUNG", "hung 1"),
            post("C0HUNG", "hung 2"),
            post("C0OTHER", "other 1"),
            ephemeral("C0HUNG", "U0ALICE", "for alice 1"),
            post("C0OTHER", "other 2"),
            post("C0HUNG", "hung 3"),
            ephemeral("C0HUNG", "U0ALICE", "for alice 2"),
            post("C0OTHER", "other 3"),
        ],
    )
    .await;
    poll::until("the other channel and the ephemerals", || {
        slack.messages("C0OTHER").len() == 3 && slack.ephemerals("C0HUNG").len() == 2
    })
    .await;
    let others_took = queued.elapsed();
    assert_eq!(
        texts(&slack.messages("C0OTHER")),
        ["other 1", "other 2", "other 3"]
    );
    assert_eq!(
        texts(&slack.ephemerals("C0HUNG")),
        ["for alice 1", "for alice 2"]
    );
    assert!(slack.messages("C0HUNG").is_empty());

    // The hung call is given up on and tried again, not waited on for ever.
    let hung_attempts = || {
        slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.answered == 0)
            .count()
    };
    poll::until("a second attempt at the hung call", || hung_attempts() >= 2).await;
    let first_retry = queued.elapsed();

    slack.clear_faults();
    poll::until("the hung channel once Slack answers", || {
        slack.messages("C0HUNG").len() >= 3
    })
    .await;
    poll::outbox_drained(&store).await;
    assert_eq!(
        texts(&slack.messages("C0HUNG")),
        ["hung 1", "hung 2", "hung 3"],
        "once each, in order"
    );
    let log = store.outbox_log().await.unwrap();
    assert!(log.iter().all(|e| e.delivered && !e.dead));
    eprintln!(
        "FAULTS hang {backend:?}: other channel + ephemerals delivered {} ms after queueing \
         while C0HUNG hung; hung call abandoned and retried by {} ms ({} attempts before Slack came back)",
        others_took.as_millis(),
        first_retry.as_millis(),
        hung_attempts()
    );
    badger.child.kill().await.unwrap();
}
on_both_backends!(hung_channel, a_hung_channel_does_not_silence_the_others);

/// Answers to a person have their own lane: with every channel announcement stuck (more
/// channels than badger delivers to at once), ephemerals still go out.
async fn ephemerals_pass_every_stuck_channel(backend: Backend) {
    let (db, store) = started(backend).await;
    let slack = FakeSlack::start().await;
    slack.hang("chat.postMessage", None);
    let policy = policy_file();
    let mut badger = replica(&db.url, &slack, policy.path(), 2, 5).await;

    let mut payloads: Vec<Payload> = (0..20)
        .map(|i| post(&format!("C0CH{i:02}"), &format!("announcement {i}")))
        .collect();
    payloads.extend((0..3).map(|i| ephemeral("C0CH00", &format!("U0P{i}"), "your answer")));
    let queued = Instant::now();
    enqueue(&store, &payloads).await;
    poll::until("the three ephemerals", || {
        slack.ephemerals("C0CH00").len() == 3
    })
    .await;
    eprintln!(
        "FAULTS lanes {backend:?}: 3 ephemerals delivered {} ms after queueing behind 20 hung channels",
        queued.elapsed().as_millis()
    );
    slack.clear_faults();
    poll::outbox_drained(&store).await;
    for i in 0..20 {
        assert_eq!(
            texts(&slack.messages(&format!("C0CH{i:02}"))),
            [format!("announcement {i}")]
        );
    }
    badger.child.kill().await.unwrap();
}
on_both_backends!(person_lane, ephemerals_pass_every_stuck_channel);

/// Bug: a claim's lease was stamped once for a whole batch and never renewed, and results
/// were saved without checking the claim, so a batch slower than the lease was posted again
/// by the other replica. Now every message is posted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_slack_is_not_posted_twice_across_two_replicas() {
    if !postgres_enabled() {
        return;
    }
    let (db, store) = started(Backend::Postgres).await;
    let slack = FakeSlack::start().await;
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

/// SIGTERM while Slack hangs: badger stops taking requests, gives the stuck delivery its
/// grace period, releases the claim and exits 0; the next start delivers it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_slack_hangs_exits_and_the_next_start_delivers() {
    let (db, store) = started(Backend::Sqlite).await;
    let slack = FakeSlack::start().await;
    slack.hang("chat.postMessage", None);
    let policy = policy_file();
    let mut badger = replica(&db.url, &slack, policy.path(), 10, 60).await;
    let health = reqwest::get(format!("{}/healthz", badger.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    enqueue(&store, &[post("C0DEPLOY", "stuck announcement")]).await;
    poll::until("the announcement to hang at Slack", || slack.hanging() >= 1).await;

    let signalled = Instant::now();
    sigterm(&badger);
    let status = tokio::time::timeout(HANG_GUARD, badger.child.wait())
        .await
        .expect("badger exits after SIGTERM although Slack hangs")
        .unwrap();
    let took = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "a clean exit: {status:?}");
    eprintln!(
        "FAULTS sigterm: exited 0 {} ms after SIGTERM with a Slack call hung",
        took.as_millis()
    );
    let (claimed_by, claim_until, delivered): (Option<String>, Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT claimed_by, claim_until, delivered_at FROM outbox")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(delivered, None, "not delivered, still waiting");
    assert_eq!(
        (claimed_by, claim_until),
        (None, None),
        "the claim was released"
    );

    slack.clear_faults();
    let mut again = replica(&db.url, &slack, policy.path(), 10, 60).await;
    poll::outbox_drained(&store).await;
    assert_eq!(
        texts(&slack.messages("C0DEPLOY")),
        ["stuck announcement"],
        "delivered once, by the next start"
    );

    // With nothing stuck, SIGTERM does not wait for the grace period.
    let signalled = Instant::now();
    sigterm(&again);
    let status = tokio::time::timeout(HANG_GUARD, again.child.wait())
        .await
        .expect("badger exits after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0), "a clean exit: {status:?}");
    eprintln!(
        "FAULTS sigterm: exited 0 {} ms after SIGTERM with Slack answering",
        signalled.elapsed().as_millis()
    );
}

fn sigterm(replica: &Replica) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &replica.pid()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Connections reset before an answer are retried like a 5xx; nothing is lost or doubled.
async fn reset_connections_are_retried(backend: Backend) {
    let (db, store) = started(backend).await;
    let slack = FakeSlack::start().await;
    slack.fail_next("chat.postMessage", 3, Failure::Reset);
    slack.fail_next("chat.postEphemeral", 1, Failure::Reset);
    let policy = policy_file();
    let mut badger = replica(&db.url, &slack, policy.path(), 2, 5).await;
    enqueue(
        &store,
        &[
            post("C0A", "a1"),
            post("C0B", "b1"),
            ephemeral("C0A", "U0ALICE", "e1"),
            post("C0A", "a2"),
            post("C0B", "b2"),
        ],
    )
    .await;
    poll::outbox_drained(&store).await;
    assert_eq!(texts(&slack.messages("C0A")), ["a1", "a2"]);
    assert_eq!(texts(&slack.messages("C0B")), ["b1", "b2"]);
    assert_eq!(texts(&slack.ephemerals("C0A")), ["e1"]);
    let resets = slack.calls().iter().filter(|c| c.answered == 0).count();
    assert_eq!(resets, 4, "the fake really reset four calls");
    let log = store.outbox_log().await.unwrap();
    assert!(log.iter().all(|e| e.delivered && !e.dead));
    badger.child.kill().await.unwrap();
}
on_both_backends!(resets, reset_connections_are_retried);

/// 429s with Retry-After while two replicas claim side by side: no rate-limited row is sent
/// again before its Retry-After (60 s here, so any early resend would show), the rows behind
/// it in its channel wait, other channels flow, and in the end everything is posted once,
/// in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_hold_while_two_replicas_race() {
    if !postgres_enabled() {
        return;
    }
    let (db, store) = started(Backend::Postgres).await;
    let slack = FakeSlack::start().await;
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
