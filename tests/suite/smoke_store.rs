//! Smoke checks as durable work in the store, on both backends: claimed by one worker at a
//! time, taken over when a lease lapses, recorded only by the holder of the claim.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{NewDeployment, Payload, SmokeOutcome, SmokeResult, SmokeSummary, Store};
use chrono::{TimeZone, Utc};
use std::time::Duration;
use support::db::{new_deployment, Backend, TestDb};

async fn scheduled(backend: Backend) -> (Store, TestDb, i64) {
    let db = TestDb::fresh(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    let d = tx
        .insert_deployment(
            &NewDeployment {
                source: "ci",
                ..new_deployment(
                    "whitehall",
                    "r1",
                    "integration",
                    "U0ALICE",
                    State::Succeeded,
                )
            },
            now,
        )
        .await
        .unwrap();
    let urls = vec!["http://127.0.0.1:9/health".to_owned()];
    tx.schedule_smoke(d.id, "integration", &urls, Duration::from_secs(10), now)
        .await
        .unwrap();
    // Scheduling twice (a repeated success) keeps one check.
    tx.schedule_smoke(d.id, "integration", &urls, Duration::from_secs(10), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (store, db, d.id)
}

fn result(id: i64) -> SmokeResult {
    SmokeResult {
        deployment_id: id,
        url: "http://127.0.0.1:9/health".into(),
        outcome: "pass".into(),
        status: Some(200),
        detail: "HTTP 200".into(),
        checked_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, 1, 0).unwrap(),
        attempts: 1,
    }
}

fn report() -> Payload {
    Payload::Reply {
        channel: "C1".into(),
        thread_key: "end:1".into(),
        body: badger::store::Body::text("passed", vec![]),
    }
}

async fn one_worker_runs_each_check(backend: Backend) {
    let (store, _db, id) = scheduled(backend).await;
    assert_eq!(store.smoke_pending().await.unwrap(), 1);
    // History reads it as pending, no results yet; a deployment never checked is absent.
    let shown = store.smoke_summaries(&[id, id + 1]).await.unwrap();
    let pending = SmokeSummary {
        outcome: SmokeOutcome::Pending,
        results: vec![],
    };
    assert_eq!(shown.get(&id), Some(&pending));
    assert_eq!(shown.len(), 1);
    let slack = Duration::from_secs(30);
    let (a, b) = tokio::join!(
        store.claim_smoke("a", 3, slack, 4),
        store.claim_smoke("b", 3, slack, 4)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 1, "exactly one worker claims it");
    let (winner, loser, job) = if a.is_empty() {
        ("b", "a", b[0].clone())
    } else {
        ("a", "b", a[0].clone())
    };
    assert_eq!(job.deployment_id, id);
    assert_eq!(job.urls, vec!["http://127.0.0.1:9/health".to_owned()]);
    assert_eq!(job.timeout, Duration::from_secs(10));
    assert_eq!(job.runs, 1);
    assert!(store
        .claim_smoke(loser, 3, slack, 4)
        .await
        .unwrap()
        .is_empty());

    let now = Utc::now();
    let recorded = store
        .finish_smoke(&job, loser, "pass", &[result(id)], &report(), now)
        .await
        .unwrap();
    assert!(!recorded, "only the claim's holder records");
    assert!(store.smoke_results(id).await.unwrap().is_empty());
    let recorded = store
        .finish_smoke(&job, winner, "pass", &[result(id)], &report(), now)
        .await
        .unwrap();
    assert!(recorded);
    assert_eq!(store.smoke_results(id).await.unwrap(), vec![result(id)]);
    assert_eq!(store.smoke_pending().await.unwrap(), 0);
    assert_eq!(
        store.outbox_pending().await.unwrap(),
        1,
        "the report is queued"
    );
    assert!(store
        .claim_smoke(loser, 3, slack, 4)
        .await
        .unwrap()
        .is_empty());
    let shown = store.smoke_summaries(&[id]).await.unwrap();
    assert_eq!(shown[&id].outcome, SmokeOutcome::Pass);
    assert_eq!(shown[&id].results, vec![result(id)]);
    let recent = store.recent_smoke_checks(10).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].outcome, "pass");
    assert_eq!(recent[0].results, vec![result(id)]);
}
on_both_backends!(one_worker_runs_each_check);

async fn a_lapsed_claim_is_taken_over(backend: Backend) {
    let (store, _db, id) = scheduled(backend).await;
    // A claim with no time at all lapses at once: its worker is presumed dead.
    let first = store
        .claim_smoke("dead", 0, Duration::ZERO, 4)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = store
        .claim_smoke("alive", 3, Duration::from_secs(30), 4)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].runs, 2);
    let now = Utc::now();
    assert!(!store
        .finish_smoke(&first[0], "dead", "fail", &[], &report(), now)
        .await
        .unwrap());
    assert!(store
        .finish_smoke(&second[0], "alive", "pass", &[result(id)], &report(), now)
        .await
        .unwrap());
    // A released claim is claimable again at once.
    let (store2, _db2, _) = scheduled(backend).await;
    let job = store2
        .claim_smoke("w", 3, Duration::from_secs(30), 4)
        .await
        .unwrap();
    store2
        .release_smoke(job[0].deployment_id, "w")
        .await
        .unwrap();
    let again = store2
        .claim_smoke("v", 3, Duration::from_secs(30), 4)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
}
on_both_backends!(a_lapsed_claim_is_taken_over);
