//! A workflow dispatch whose outcome the process that sent it never recorded (it stopped,
//! or died, while recording it failed) is not sent again by whichever process runs the job
//! next: that one finds the run GitHub started and records it. Nor is a dispatch lost when
//! GitHub never started one: once GitHub would have listed its run, it is sent.

use crate::support;

use badger::store::GithubJob;
use support::db::Backend;
use support::driver::TestApp;
use support::fake_github::FakeGithub;
use support::faults::{heal, inject_fault};
use support::github::{fake_github, start, wait_for_json, GITHUB_TOKEN};
use support::people::ALICE;

/// The dispatch job as stored: its attempts and last error.
async fn dispatch_job(t: &TestApp) -> (i64, Option<String>) {
    let jobs = t.core().store.github_jobs().await.expect("read jobs");
    jobs.iter()
        .find(|j| matches!(j.job, GithubJob::Dispatch { .. }))
        .map_or((0, None), |j| (j.attempts, j.last_error.clone()))
}

/// Waits (bounded) until the dispatch job has been tried and failed `n` times.
async fn dispatch_failed_times(t: &TestApp, n: i64) {
    for _ in 0..300 {
        if dispatch_job(t).await.0 >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the dispatch job did not fail {n} times: {:?}",
        dispatch_job(t).await
    );
}

/// Alice starts whitehall, whose workflow badger dispatches; GitHub accepts it, but
/// recording the dispatch fails (until healed).
async fn dispatched_unrecorded(t: &TestApp, gh: &FakeGithub) {
    inject_fault(t, "INSERT", "github_runs", "1 = 1").await;
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    dispatch_failed_times(t, 1).await;
    assert_eq!(gh.dispatches().len(), 1);
}

/// `next` (a restarted badger, or another replica) runs the job once the first process is
/// gone: it must record the dispatch GitHub accepted, not send it again.
async fn next_process_records_it(next: &TestApp, gh: &FakeGithub) {
    let tried = dispatch_job(next).await.0;
    dispatch_failed_times(next, tried + 1).await;
    heal(next, "github_runs").await;
    wait_for_json(next, "actions/runs/").await;
    next.settle().await;
    let jobs = next.core().store.github_jobs().await.unwrap();
    assert!(jobs.iter().all(|j| j.done), "{jobs:?}");
    let d = gh.dispatches();
    assert_eq!(d.len(), 1, "dispatched once only: {d:?}");
}

async fn a_restart_does_not_dispatch_again_what_github_accepted(backend: Backend) {
    let gh = fake_github().await;
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    dispatched_unrecorded(&t, &gh).await;
    // The process that dispatched stops (its memory of the dispatch with it).
    let t = t.restart().await;
    next_process_records_it(&t, &gh).await;
    t.stop().await;
}
on_both_backends!(a_restart_does_not_dispatch_again_what_github_accepted);

/// Two replicas on one PostgreSQL database: the one that dispatched goes away while its
/// record fails, and the other takes the job over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_replica_does_not_dispatch_again_what_github_accepted() {
    if !support::db::postgres_enabled() {
        return;
    }
    let gh = fake_github().await;
    let a = start(Backend::Postgres, &gh, GITHUB_TOKEN).await;
    dispatched_unrecorded(&a, &gh).await;
    let b = a.replica().await;
    a.stop().await;
    next_process_records_it(&b, &gh).await;
    b.stop().await;
}

/// An attempt noted it was asking GitHub and was never heard of again (its replica died
/// before the request left): no run appears. The next attempt waits for GitHub to list
/// one, and once it would have, dispatches; once only.
async fn a_dispatch_that_started_nothing_is_sent_once_github_would_have_listed_it(
    backend: Backend,
) {
    let gh = fake_github().await;
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    // No job can be claimed while the dead attempt's note is written.
    inject_fault(&t, "UPDATE", "github_jobs", "NEW.claimed_by IS NOT NULL").await;
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let note = |asked: chrono::DateTime<chrono::Utc>| {
        sqlx::query(
            "UPDATE github_jobs SET dispatching_at = $1, next_attempt_at = $2 \
             WHERE kind = 'dispatch'",
        )
        .bind(asked.timestamp_millis())
        .bind(chrono::Utc::now().timestamp_millis())
    };
    note(chrono::Utc::now())
        .execute(t.core().store.pool())
        .await
        .unwrap();
    heal(&t, "github_jobs").await;
    // Asked just now: GitHub may not list the run yet, so nothing is sent.
    for _ in 0..300 {
        let (_, error) = dispatch_job(&t).await;
        if error.is_some_and(|e| e.contains("waiting for GitHub to list")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (tried, error) = dispatch_job(&t).await;
    assert_eq!(tried, 1, "{error:?}");
    assert!(gh.dispatches().is_empty(), "{:?}", gh.dispatches());
    // Asked long ago and still no run: GitHub started nothing, so it is dispatched.
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(5);
    note(long_ago).execute(t.core().store.pool()).await.unwrap();
    wait_for_json(&t, "actions/runs/").await;
    t.settle().await;
    assert_eq!(gh.dispatches().len(), 1, "{:?}", gh.dispatches());
    t.stop().await;
}
on_both_backends!(a_dispatch_that_started_nothing_is_sent_once_github_would_have_listed_it);
