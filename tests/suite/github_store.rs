//! GitHub's durable work in storage, the same test code on SQLite and PostgreSQL: a job is
//! claimed by one replica only, taken over when its claim lapses, and finished once; a
//! run is flagged once; a "stay around" check reminds once and is confirmed once.

use crate::support;

use badger::domain::deployment::State;
use badger::store::GithubJob;
use chrono::{Duration as Minutes, TimeZone, Utc};
use std::time::Duration;
use support::db::{migrated_store, new_deployment, Backend};

async fn a_job_runs_on_one_replica_only(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.enqueue_github(&GithubJob::Dispatch { deployment_id: 7 }, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Two replicas claim at once: exactly one gets the job.
    let lease = Duration::from_secs(60);
    let (a, b) = tokio::join!(s.claim_github("a", lease, 4), s.claim_github("b", lease, 4));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 1, "claimed by a: {a:?}, by b: {b:?}");
    let (winner, loser) = if a.len() == 1 { ("a", "b") } else { ("b", "a") };
    let id = a.iter().chain(b.iter()).next().unwrap().id;
    assert!(s.claim_github(loser, lease, 4).await.unwrap().is_empty());
    assert!(
        !s.github_done(id, loser, None).await.unwrap(),
        "not the loser's to finish"
    );

    // A retry gives it back; a claim that lapses (its replica died) is taken over.
    assert!(s
        .github_retry(id, winner, Duration::ZERO, "HTTP 502")
        .await
        .unwrap());
    let again = s.claim_github("c", Duration::ZERO, 4).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(again[0].job, GithubJob::Dispatch { deployment_id: 7 });
    tokio::time::sleep(Duration::from_millis(5)).await;
    let taken = s.claim_github("d", lease, 4).await.unwrap();
    assert_eq!(taken.len(), 1, "the lapsed claim is taken over");
    assert!(!s.github_done(id, "c", None).await.unwrap());
    assert!(s.github_done(id, "d", None).await.unwrap());
    assert!(s.claim_github("e", lease, 4).await.unwrap().is_empty());
    let jobs = s.github_jobs().await.unwrap();
    assert!(jobs.len() == 1 && jobs[0].done, "{jobs:?}");
    assert_eq!(jobs[0].last_error, None);
    // Finished jobs are pruned after a while; unfinished ones never.
    let yesterday = Utc::now() - Minutes::days(1);
    assert_eq!(s.prune_github_jobs(yesterday).await.unwrap(), 0);
    assert_eq!(
        s.prune_github_jobs(Utc::now() + Minutes::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert!(s.github_jobs().await.unwrap().is_empty());

    // Shutting down gives claims back at once.
    let mut tx = s.begin().await.unwrap();
    tx.enqueue_github(&GithubJob::FindRun { deployment_id: 7 }, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.claim_github("f", lease, 4).await.unwrap().len(), 1);
    assert_eq!(s.release_github_claims("f").await.unwrap(), 1);
    assert_eq!(s.claim_github("g", lease, 4).await.unwrap().len(), 1);
}
on_both_backends!(a_job_runs_on_one_replica_only);

async fn runs_are_flagged_and_checks_confirmed_once(backend: Backend) {
    let (s, _db) = migrated_store(backend, &["integration"]).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    let deploying = new_deployment("whitehall", "r1", "integration", "U1", State::Deploying);
    let d = tx.insert_deployment(&deploying, now).await.unwrap();
    tx.insert_stay_check(d.id, "C1", "U1", now + Minutes::minutes(15))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.begin().await.unwrap();
    tx.record_github_run(d.id, "alphagov/whitehall", "deploy.yml", now, Utc::now())
        .await
        .unwrap();
    tx.set_github_run(
        d.id,
        1001,
        "https://github.com/alphagov/whitehall/actions/runs/1001",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        s.matched_run_ids("alphagov/whitehall").await.unwrap(),
        [1001]
    );
    assert!(s
        .overdue_runs(now - Minutes::minutes(1))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(s.overdue_runs(now).await.unwrap(), [d.id]);
    let mut tx = s.begin().await.unwrap();
    assert!(tx.flag_run(d.id, now).await.unwrap());
    assert!(!tx.flag_run(d.id, now).await.unwrap());
    tx.commit().await.unwrap();
    assert!(s.overdue_runs(now).await.unwrap().is_empty());

    assert!(s.due_stay_checks(now).await.unwrap().is_empty());
    let due = s.due_stay_checks(now + Minutes::minutes(15)).await.unwrap();
    assert_eq!(due.len(), 1);
    let mut tx = s.begin().await.unwrap();
    assert!(tx.mark_stay_reminded(d.id, now).await.unwrap());
    assert!(!tx.mark_stay_reminded(d.id, now).await.unwrap());
    assert!(tx.confirm_all_well(d.id, "U1", now).await.unwrap());
    assert!(!tx.confirm_all_well(d.id, "U2", now).await.unwrap());
    tx.commit().await.unwrap();
    assert!(s
        .due_stay_checks(now + Minutes::minutes(15))
        .await
        .unwrap()
        .is_empty());
    let check = s.stay_check(d.id).await.unwrap().unwrap();
    assert_eq!(check.all_well_by.as_deref(), Some("U1"));
}
on_both_backends!(runs_are_flagged_and_checks_confirmed_once);
