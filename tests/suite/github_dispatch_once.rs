//! A workflow dispatch whose outcome the process that sent it never recorded (it stopped,
//! or died, while recording it failed) is not sent again by whichever process runs the job
//! next: that one finds the run GitHub started and records it. Nor is a dispatch GitHub
//! answered with a 5xx (its front end may answer so after the run was created). Nor is a
//! dispatch lost when GitHub never started one: once GitHub would have listed its run, it
//! is sent; the wait uses up none of the job's attempts.

use crate::support;

use badger::store::GithubJob;
use support::db::Backend;
use support::driver::TestApp;
use support::fake_github::FakeGithub;
use support::faults::{heal, inject_fault};
use support::github::{fake_github, start, state_of, wait_for_json, GITHUB_TOKEN};
use support::github_app::{
    assert_done_after_one_dispatch, github_app, github_app_with_dispatch_held, start_deploying,
};
use support::people::ALICE;

/// The dispatch job's note that an attempt asked GitHub at `asked` (as one that died
/// before recording the outcome leaves it), due now.
async fn note_asked(t: &TestApp, asked: chrono::DateTime<chrono::Utc>) {
    sqlx::query(
        "UPDATE github_jobs SET dispatching_at = $1, next_attempt_at = $2 \
         WHERE kind = 'dispatch'",
    )
    .bind(asked.timestamp_millis())
    .bind(chrono::Utc::now().timestamp_millis())
    .execute(t.core().store.pool())
    .await
    .unwrap();
}

/// [`github_app_with_dispatch_held`], its dispatch job tried `attempts` times already.
async fn held_after_tries(backend: Backend, attempts: i64) -> (FakeGithub, TestApp, i64) {
    let (gh, t, id) = github_app_with_dispatch_held(backend).await;
    sqlx::query("UPDATE github_jobs SET attempts = $1 WHERE kind = 'dispatch'")
        .bind(attempts)
        .execute(t.core().store.pool())
        .await
        .unwrap();
    (gh, t, id)
}

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
    assert_done_after_one_dispatch(next, gh).await;
}

async fn a_restart_does_not_dispatch_again_what_github_accepted(backend: Backend) {
    let (gh, t) = github_app(backend).await;
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
    let (gh, t) = github_app(backend).await;
    // No job can be claimed while the dead attempt's note is written.
    inject_fault(&t, "UPDATE", "github_jobs", "NEW.claimed_by IS NOT NULL").await;
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    note_asked(&t, chrono::Utc::now()).await;
    heal(&t, "github_jobs").await;
    // Asked just now: GitHub may not list the run yet, so nothing is sent.
    dispatch_error_says(&t, "waiting for GitHub to list").await;
    // Waiting is no failure: it uses up none of the job's attempts.
    let (tried, error) = dispatch_job(&t).await;
    assert_eq!(tried, 0, "{error:?}");
    assert!(gh.dispatches().is_empty(), "{:?}", gh.dispatches());
    // Asked long ago and still no run: GitHub started nothing, so it is dispatched.
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(5);
    note_asked(&t, long_ago).await;
    wait_for_json(&t, "actions/runs/").await;
    t.settle().await;
    assert_eq!(gh.dispatches().len(), 1, "{:?}", gh.dispatches());
    t.stop().await;
}
on_both_backends!(a_dispatch_that_started_nothing_is_sent_once_github_would_have_listed_it);

/// Waits (bounded) until the dispatch job's last error contains `needle`.
async fn dispatch_error_says(t: &TestApp, needle: &str) {
    for _ in 0..300 {
        if dispatch_job(t).await.1.is_some_and(|e| e.contains(needle)) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the dispatch job never said {needle:?}: {:?}",
        dispatch_job(t).await
    );
}

/// GitHub's front end answers the dispatch with a 502, but the run was created behind it:
/// the next attempt looks for the run before sending anything, finds it and links it.
async fn a_dispatch_answered_502_after_github_started_it_is_not_sent_again(backend: Backend) {
    let gh = fake_github().await;
    gh.answer_next_dispatch(502, true);
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    let id = start_deploying(&t, ALICE, "whitehall release_2 to integration").await;
    wait_for_json(&t, "actions/runs/").await;
    assert_done_after_one_dispatch(&t, &gh).await;
    let run = t
        .core()
        .store
        .github_run(id)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(
        run.run_url.as_deref(),
        Some("https://github.com/alphagov/whitehall/actions/runs/1001")
    );
    assert_eq!(state_of(&t, id).await, "deploying");
    t.stop().await;
}
on_both_backends!(a_dispatch_answered_502_after_github_started_it_is_not_sent_again);

/// A job that already failed three times waits for GitHub to list an earlier attempt's
/// run: the wait uses up none of its attempts, so the dispatch after it is not on its last
/// one, and a 502 to it (GitHub started nothing) is tried again rather than failing the
/// deployment.
async fn waiting_for_a_run_uses_up_no_attempt(backend: Backend) {
    let (gh, t, id) = held_after_tries(backend, 3).await;
    note_asked(&t, chrono::Utc::now()).await;
    heal(&t, "github_jobs").await;
    dispatch_error_says(&t, "waiting for GitHub to list").await;
    let (tried, error) = dispatch_job(&t).await;
    assert_eq!(tried, 3, "the wait counted as an attempt: {error:?}");
    // GitHub would have listed it by now: dispatched again, answered 502, nothing started.
    gh.answer_next_dispatch(502, false);
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(5);
    note_asked(&t, long_ago).await;
    dispatch_error_says(&t, "HTTP 502").await;
    assert_eq!(state_of(&t, id).await, "deploying");
    assert!(gh.dispatches().is_empty(), "{:?}", gh.dispatches());
    // Its run is looked for, none is listed, and the next attempt dispatches: once.
    note_asked(&t, long_ago).await;
    wait_for_json(&t, "actions/runs/").await;
    t.settle().await;
    assert_eq!(gh.dispatches().len(), 1, "{:?}", gh.dispatches());
    assert_eq!(state_of(&t, id).await, "deploying");
    t.stop().await;
}
on_both_backends!(waiting_for_a_run_uses_up_no_attempt);

/// The last attempt's dispatch is answered 502: its run is looked for before the
/// deployment fails, and as GitHub started none, it fails saying so (never sent again).
async fn a_last_attempt_answered_502_fails_only_once_no_run_appeared(backend: Backend) {
    let (gh, t, id) = held_after_tries(backend, 4).await;
    gh.answer_next_dispatch(502, false);
    heal(&t, "github_jobs").await;
    dispatch_error_says(&t, "waiting for GitHub to list").await;
    assert_eq!(state_of(&t, id).await, "deploying");
    // GitHub would have listed its run by now: none, so the deployment fails.
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(5);
    note_asked(&t, long_ago).await;
    dispatch_error_says(&t, "GitHub kept failing").await;
    t.settle().await;
    assert_eq!(state_of(&t, id).await, "failed");
    assert!(gh.dispatches().is_empty(), "{:?}", gh.dispatches());
    t.stop().await;
}
on_both_backends!(a_last_attempt_answered_502_fails_only_once_no_run_appeared);
