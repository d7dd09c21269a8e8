//! The outbox: per-channel order, claims that never overlap, are renewed, released and checked
//! on save, Retry-After, and superseded topic syncs and Home tabs.

use super::*;

use badger::store::{Body, Lane, Payload};
use std::time::Duration;
use support::db::post;

async fn outbox_delivers_in_order_per_channel_with_leases(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc::now();
    let mut tx = s.begin().await.unwrap();
    for p in [post("C1", "one"), post("C2", "two"), post("C1", "three")] {
        tx.enqueue(&p, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    let lease = Duration::from_millis(1500);
    // Only the head of each channel is deliverable.
    let first = s.claim_outbox("w1", lease, 10).await.unwrap();
    let texts: Vec<_> = first
        .iter()
        .map(|r| match &r.payload {
            Payload::Post {
                body: Body::Rendered { text, .. },
                ..
            } => text.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(texts, ["one", "two"]);
    // Another worker gets nothing while the claims are live.
    assert!(s.claim_outbox("w2", lease, 10).await.unwrap().is_empty());
    // w1 "dies" holding the claim on "one"; after the lease another worker takes it.
    assert!(s.outbox_delivered(first[1].id, "w1").await.unwrap());
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let again = s.claim_outbox("w2", lease, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert!(s.outbox_delivered(again[0].id, "w2").await.unwrap());
    let last = s.claim_outbox("w2", lease, 10).await.unwrap();
    assert!(
        matches!(&last[0].payload, Payload::Post { body: Body::Rendered { text, .. }, .. } if text == "three")
    );
    // A retry scheduled later is not due yet.
    s.outbox_retry(last[0].id, "w2", Duration::from_secs(60), "HTTP 500")
        .await
        .unwrap();
    assert!(s.claim_outbox("w2", lease, 10).await.unwrap().is_empty());
    support::poll::outbox_pending_becomes(&s, 1).await;
}
on_both_backends!(outbox_delivers_in_order_per_channel_with_leases);

async fn concurrent_claims_never_overlap(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    for i in 0..60 {
        tx.enqueue(&post(&format!("C{i}"), "x"), Utc::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            // Until a look finds nothing: a worker whose picks were all taken by a rival stops,
            // but the rival goes on, so together they claim everything.
            loop {
                let rows = s
                    .claim_outbox(&format!("w{w}"), Duration::from_secs(60), 5)
                    .await
                    .unwrap();
                if rows.is_empty() {
                    break;
                }
                got.extend(rows.iter().map(|r| r.id));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "a row was claimed twice");
    assert_eq!(n, 60);
}
on_both_backends!(concurrent_claims_never_overlap);

/// A result is saved only by the replica holding the claim; the heartbeat keeps a claim
/// alive past its first lease; releasing frees it at once; lanes keep people's rows apart.
async fn claims_are_renewed_released_and_checked_on_save(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    tx.enqueue(&post("C1", "slow"), Utc::now()).await.unwrap();
    tx.enqueue(&post("C2", "lapsed"), Utc::now()).await.unwrap();
    tx.enqueue(
        &Payload::Ephemeral {
            channel: "C1".into(),
            user: "U1".into(),
            body: Body::text("for you", vec![]),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Wide margins: a renewal may come late on a loaded machine (300 ms and 200 ms steps
    // lapsed under load).
    let lease = Duration::from_millis(2000);
    let people = s.claim_lane("a", lease, 10, Lane::Person).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].ordering_key, "ephemeral:U1");
    let channels = s.claim_lane("a", lease, 10, Lane::Channel).await.unwrap();
    assert_eq!(channels.len(), 2);
    let (slow, lapsed) = (channels[0].id, channels[1].id);
    let in_flight = [people[0].id, slow, lapsed];

    // Renewed twice over the lease: nobody else can take the slow row.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(s.renew_claims("a", lease, &in_flight).await.unwrap(), 3);
    }
    assert!(s.claim_outbox("b", lease, 10).await.unwrap().is_empty());

    // A claim that lapsed and was taken over: the old holder's result is not saved.
    sqlx::query("UPDATE outbox SET claim_until = 0 WHERE id = $1")
        .bind(lapsed)
        .execute(s.pool())
        .await
        .unwrap();
    let taken = s.claim_outbox("b", lease, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].id, lapsed);
    assert!(!s.outbox_delivered(lapsed, "a").await.unwrap());
    assert!(!s
        .outbox_retry(lapsed, "a", Duration::ZERO, "x")
        .await
        .unwrap());
    assert!(!s.outbox_dead(lapsed, "a", "x").await.unwrap());
    assert_eq!(
        s.renew_claims("a", lease, &in_flight).await.unwrap(),
        2,
        "not b's row"
    );
    assert!(s.outbox_delivered(lapsed, "b").await.unwrap());
    assert!(s.outbox_delivered(slow, "a").await.unwrap());

    // Shutting down: the ephemeral's claim is given back and another replica takes it.
    assert_eq!(s.release_claims("a").await.unwrap(), 1);
    let again = claim(&s, "b").await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, people[0].id);
    assert_eq!(s.outbox_pending().await.unwrap(), 1);
}
on_both_backends!(claims_are_renewed_released_and_checked_on_save);

/// A claim takes only rows that are due: a 429's Retry-After holds the row back.
async fn a_claim_waits_for_retry_after(backend: Backend) {
    let (s, _db) = store(backend).await;
    enqueued(&s, [post("C1", "limited")]).await;
    let rows = claim(&s, "a").await;
    assert!(s
        .outbox_retry(rows[0].id, "a", Duration::from_millis(1500), "ratelimited")
        .await
        .unwrap());
    assert!(claim(&s, "b").await.is_empty());
    let due = s.outbox_next_due(Lane::Channel).await.unwrap().unwrap();
    assert!(due > Utc::now().timestamp_millis(), "due after Retry-After");
    assert_eq!(s.outbox_next_due(Lane::Person).await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(claim(&s, "b").await.len(), 1);
}
on_both_backends!(a_claim_waits_for_retry_after);

async fn topic_syncs_are_superseded(backend: Backend) {
    let (s, _db) = store(backend).await;
    let topic = |c: &str| Payload::Topic {
        channel: c.into(),
        notify: None,
    };
    // Every change queues its own sync (merging into a waiting one raced with the worker
    // claiming it before the change committed); each but the newest is superseded.
    enqueued(&s, [topic("C1"), topic("C1"), topic("C1"), topic("C2")]).await;
    assert_eq!(s.outbox_pending().await.unwrap(), 4);
    let rows = claim(&s, "w").await;
    // One row per channel is claimed at a time: the oldest of each.
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        let superseded = s.newer_topic_pending(r.id, &r.ordering_key).await.unwrap();
        assert_eq!(superseded, r.ordering_key.contains("C1"), "{r:?}");
    }
}
on_both_backends!(topic_syncs_are_superseded);

async fn home_tabs_go_in_the_person_lane_and_only_the_newest_is_published(backend: Backend) {
    let (s, _db) = store(backend).await;
    let home = |user: &str, n: i64| Payload::Home {
        user: user.into(),
        body: Body::text("", vec![serde_json::json!({"n": n})]),
    };
    enqueued(&s, [home("U1", 1), home("U1", 2), home("U2", 1)]).await;
    assert_eq!(Lane::of_key("home:U1"), Lane::Person);
    let channel_rows = s
        .claim_lane("w", Duration::from_secs(60), 10, Lane::Channel)
        .await
        .unwrap();
    assert!(channel_rows.is_empty(), "{channel_rows:?}");
    let rows = s
        .claim_lane("w", Duration::from_secs(60), 10, Lane::Person)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        let superseded = s.newer_home_pending(r.id, &r.ordering_key).await.unwrap();
        assert_eq!(superseded, r.ordering_key == "home:U1", "{r:?}");
    }
}
on_both_backends!(home_tabs_go_in_the_person_lane_and_only_the_newest_is_published);
