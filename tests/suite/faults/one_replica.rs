//! One badger against a Slack that hangs or resets connections: other channels and
//! people's answers still go out, and SIGTERM exits cleanly while a call hangs.

use super::*;

use crate::support::db::post;
use crate::support::fake_slack::Failure;
use crate::support::poll::{self, HANG_GUARD};
use std::time::{Duration, Instant};

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
on_both_backends!(a_hung_channel_does_not_silence_the_others);

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
on_both_backends!(ephemerals_pass_every_stuck_channel);

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

    let took = stops_cleanly(&mut badger, "although Slack hangs").await;
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
    let took = stops_cleanly(&mut again, "with Slack answering").await;
    eprintln!(
        "FAULTS sigterm: exited 0 {} ms after SIGTERM with Slack answering",
        took.as_millis()
    );
}

/// Sends `replica` SIGTERM and waits for its clean exit (status 0); how long it took.
async fn stops_cleanly(replica: &mut Replica, context: &str) -> Duration {
    let signalled = Instant::now();
    sigterm(replica);
    let status = tokio::time::timeout(HANG_GUARD, replica.child.wait())
        .await
        .unwrap_or_else(|_| panic!("badger exits after SIGTERM {context}"))
        .unwrap();
    assert_eq!(status.code(), Some(0), "a clean exit {context}: {status:?}");
    signalled.elapsed()
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
on_both_backends!(reset_connections_are_retried);
