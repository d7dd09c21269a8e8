//! The leased-work layer every background table shares (Slack outbox, GitHub jobs, smoke
//! checks), on SQLite and PostgreSQL: a retry time holds for every replica, a release
//! gives back only the releasing worker's claims, a heartbeat renews only live claims of
//! its own, and a row whose payload does not decode is ended instead of claimed for ever.

use crate::support;

use badger::domain::deployment::State;
use badger::store::{GithubJob, Lane, NewDeployment, Payload, Store};
use chrono::{TimeZone, Utc};
use std::time::Duration;
use support::db::{new_deployment, post, Backend, TestDb};

const LEASE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

async fn store(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    s.migrate().await.expect("migrate");
    (s, db)
}

/// Queues `payloads` and GitHub dispatches of `deployments`, in one transaction.
async fn queue(s: &Store, payloads: &[Payload], deployments: &[i64]) {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    for p in payloads {
        tx.enqueue(p, now).await.unwrap();
    }
    for id in deployments {
        let job = GithubJob::Dispatch { deployment_id: *id };
        tx.enqueue_github(&job, now).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn a_retry_time_holds_for_every_replica(backend: Backend) {
    let (s, _db) = store(backend).await;
    queue(&s, &[post("C1", "one")], &[7]).await;
    let row = s.claim_outbox("a", LEASE, 4).await.unwrap().remove(0);
    let job = s.claim_github("a", LEASE, 4).await.unwrap().remove(0);
    assert!(s
        .outbox_retry(row.id, "a", HOUR, "ratelimited")
        .await
        .unwrap());
    assert!(s.github_retry(job.id, "a", HOUR, "HTTP 502").await.unwrap());

    // Released but not due: no replica may take them before their time.
    assert!(s.claim_outbox("b", LEASE, 4).await.unwrap().is_empty());
    assert!(s.claim_github("b", LEASE, 4).await.unwrap().is_empty());
    let due = s.outbox_next_due(Lane::Channel).await.unwrap().unwrap();
    assert!(due > Utc::now().timestamp_millis(), "due at {due}");
    // And the retry was counted, the claim given up: finishing is no longer "a"'s.
    assert!(!s.github_done(job.id, "a", None).await.unwrap());
    assert!(!s.outbox_delivered(row.id, "a").await.unwrap());
    assert_eq!(s.outbox_log().await.unwrap()[0].attempts, 1);
    assert_eq!(s.github_jobs().await.unwrap()[0].attempts, 1);
}
on_both_backends!(a_retry_time_holds_for_every_replica);

async fn a_release_gives_back_only_the_workers_own_claims(backend: Backend) {
    let (s, _db) = store(backend).await;
    queue(&s, &[post("C1", "one"), post("C2", "two")], &[1, 2]).await;
    let a_row = s.claim_outbox("a", LEASE, 1).await.unwrap().remove(0);
    let b_row = s.claim_outbox("b", LEASE, 1).await.unwrap().remove(0);
    let a_job = s.claim_github("a", LEASE, 1).await.unwrap().remove(0);
    let b_job = s.claim_github("b", LEASE, 1).await.unwrap().remove(0);

    assert_eq!(s.release_claims("a").await.unwrap(), 1);
    assert_eq!(s.release_github_claims("a").await.unwrap(), 1);
    let row = s.claim_outbox("c", LEASE, 4).await.unwrap();
    let job = s.claim_github("c", LEASE, 4).await.unwrap();
    assert_eq!(row.iter().map(|r| r.id).collect::<Vec<_>>(), [a_row.id]);
    assert_eq!(job.iter().map(|j| j.id).collect::<Vec<_>>(), [a_job.id]);
    // "b" still holds its own, and its results are saved; "a"'s are not.
    assert!(s.outbox_delivered(b_row.id, "b").await.unwrap());
    assert!(s.github_done(b_job.id, "b", None).await.unwrap());
    assert!(!s.outbox_delivered(a_row.id, "a").await.unwrap());
    assert!(!s.github_done(a_job.id, "a", None).await.unwrap());
    // Nothing left to give back once finished.
    assert_eq!(s.release_claims("b").await.unwrap(), 0);
    assert_eq!(s.release_github_claims("b").await.unwrap(), 0);
}
on_both_backends!(a_release_gives_back_only_the_workers_own_claims);

/// Schedules a smoke check of a new success of each of `apps`; their deployment ids.
async fn smoke_checks(s: &Store, apps: &[&str]) -> Vec<i64> {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    let mut ids = Vec::new();
    for app in apps {
        let d = new_deployment(app, "r1", "integration", "U0ALICE", State::Succeeded);
        let d = tx
            .insert_deployment(&NewDeployment { source: "ci", ..d }, now)
            .await
            .unwrap();
        let urls = vec![format!("http://127.0.0.1:9/{app}")];
        tx.schedule_smoke(d.id, "integration", &urls, Duration::from_secs(10), now)
            .await
            .unwrap();
        ids.push(d.id);
    }
    tx.commit().await.unwrap();
    ids
}

async fn a_claim_takes_at_most_its_limit(backend: Backend) {
    let (s, _db) = store(backend).await;
    let posts = [post("C1", "1"), post("C2", "2"), post("C3", "3")];
    queue(&s, &posts, &[1, 2, 3]).await;
    let checks = smoke_checks(&s, &["whitehall", "frontend", "publisher"]).await;
    // Oldest first, `limit` at a time, and each row to one worker only.
    let (a, b) = tokio::join!(s.claim_outbox("a", LEASE, 2), s.claim_outbox("b", LEASE, 2));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|r| r.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "a: {a:?}, b: {b:?}");
    assert!(a.len() <= 2 && b.len() <= 2, "a: {a:?}, b: {b:?}");
    let jobs = s.claim_github("a", LEASE, 2).await.unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.job.clone()).collect::<Vec<_>>(),
        [1, 2].map(|id| GithubJob::Dispatch { deployment_id: id })
    );
    assert_eq!(s.claim_github("b", LEASE, 2).await.unwrap().len(), 1);
    let smoke = s.claim_smoke("a", 3, LEASE, 2).await.unwrap();
    let mut smoke: Vec<i64> = smoke.iter().map(|j| j.deployment_id).collect();
    smoke.sort();
    assert_eq!(smoke, checks[..2]);
    assert_eq!(s.claim_smoke("b", 3, LEASE, 2).await.unwrap().len(), 1);
}
on_both_backends!(a_claim_takes_at_most_its_limit);

async fn a_smoke_release_gives_back_that_check_only(backend: Backend) {
    let (s, _db) = store(backend).await;
    let ids = smoke_checks(&s, &["whitehall", "frontend"]).await;
    let held = s.claim_smoke("w", 3, LEASE, 4).await.unwrap();
    assert_eq!(held.len(), 2);
    s.release_smoke(ids[0], "w").await.unwrap();
    // Another worker's release changes nothing.
    s.release_smoke(ids[1], "v").await.unwrap();
    let again = s.claim_smoke("v", 3, LEASE, 4).await.unwrap();
    let again: Vec<i64> = again.iter().map(|j| j.deployment_id).collect();
    assert_eq!(again, [ids[0]]);
    assert_eq!(s.smoke_pending().await.unwrap(), 2);
}
on_both_backends!(a_smoke_release_gives_back_that_check_only);

async fn a_heartbeat_renews_only_live_claims_of_its_own(backend: Backend) {
    let (s, _db) = store(backend).await;
    queue(&s, &[post("C1", "one"), post("C2", "two")], &[]).await;
    let rows = s.claim_outbox("a", LEASE, 4).await.unwrap();
    assert_eq!(rows.len(), 2);
    let in_flight: Vec<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(s.renew_claims("b", LEASE, &in_flight).await.unwrap(), 0);
    assert_eq!(s.renew_claims("a", LEASE, &in_flight).await.unwrap(), 2);
    // A claim whose call is over (its result lost with a failed commit) is left to lapse.
    assert_eq!(
        s.renew_claims("a", LEASE, &in_flight[..1]).await.unwrap(),
        1
    );
    assert_eq!(s.renew_claims("a", LEASE, &[]).await.unwrap(), 0);
    assert!(s.outbox_delivered(rows[0].id, "a").await.unwrap());
    assert!(s
        .outbox_dead(rows[1].id, "a", "channel_not_found")
        .await
        .unwrap());
    assert_eq!(s.renew_claims("a", LEASE, &in_flight).await.unwrap(), 0);
    let log = s.outbox_log().await.unwrap();
    assert!(log[0].delivered && !log[0].dead, "{log:?}");
    assert!(log[1].dead && !log[1].delivered, "{log:?}");
    assert_eq!(s.outbox_pending().await.unwrap(), 0);
}
on_both_backends!(a_heartbeat_renews_only_live_claims_of_its_own);

async fn an_undecodable_row_is_ended_not_claimed_again(backend: Backend) {
    let (s, _db) = store(backend).await;
    // Rows written by some other version, or damaged: not JSON badger can read.
    for sql in [
        "INSERT INTO outbox (ordering_key, kind, payload, created_at, next_attempt_at) \
         VALUES ('C1', 'post', 'not json', 0, 0)",
        "INSERT INTO github_jobs (kind, payload, created_at, next_attempt_at) \
         VALUES ('dispatch', '{\"kind\": \"teleport\"}', 0, 0)",
    ] {
        sqlx::query(sql).execute(s.pool()).await.unwrap();
    }
    queue(&s, &[post("C1", "behind it")], &[9]).await;

    // The damaged outbox row heads its channel: it ends (dead), and the one behind it goes
    // at the next claim. The damaged job ends (done, with why); the good one is claimed.
    assert!(s.claim_outbox("w", LEASE, 4).await.unwrap().is_empty());
    let next = s.claim_outbox("w", LEASE, 4).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].payload, post("C1", "behind it"));
    let jobs = s.claim_github("w", LEASE, 4).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].job, GithubJob::Dispatch { deployment_id: 9 });

    let err = sqlx::query_scalar::<_, Option<String>>(
        "SELECT last_error FROM outbox WHERE payload = 'not json' AND dead_at IS NOT NULL",
    )
    .fetch_one(s.pool())
    .await
    .unwrap()
    .unwrap_or_default();
    assert!(err.starts_with("undecodable"), "{err}");
    let damaged: Option<String> = sqlx::query_scalar(
        "SELECT last_error FROM github_jobs WHERE kind = 'dispatch' AND done_at IS NOT NULL",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert!(damaged.unwrap_or_default().starts_with("undecodable"));
    // Neither comes back.
    assert!(s.claim_github("v", LEASE, 4).await.unwrap().is_empty());
    assert_eq!(s.outbox_pending().await.unwrap(), 1);
}
on_both_backends!(an_undecodable_row_is_ended_not_claimed_again);
