//! A GitHub job retried after a database error does not do twice what it did once: a
//! dispatch GitHub accepted is not sent again when recording it failed (nor when it was
//! recorded already), and a release summary is not posted again when finishing its job
//! failed. The error is injected with
//! a trigger that fails the one write (on SQLite and PostgreSQL alike), dropped once the
//! job has failed and been retried with it in place.

use crate::support;

use badger::store::GithubJob;
use support::db::Backend;
use support::driver::TestApp;
use support::fake_github::FakeCommit;
use support::faults::{heal, inject_fault};
use support::github::{
    deployed_before, fake_github, start, wait_for_json, GITHUB_TOKEN, PUBLISHER,
};
use support::github_app::{
    assert_done_after_one_dispatch, github_app, github_app_with_dispatch_held,
};
use support::people::ALICE;

/// How many times the job `which` picks has been retried (0 until it exists).
async fn attempts(t: &TestApp, which: fn(&GithubJob) -> bool) -> i64 {
    let jobs = t.core().store.github_jobs().await.expect("read jobs");
    jobs.iter()
        .find(|j| which(&j.job))
        .map_or(0, |j| j.attempts)
}

/// Waits (bounded) until the job `which` picks has been tried and failed `n` times.
async fn failed_times(t: &TestApp, which: fn(&GithubJob) -> bool, n: i64) {
    for _ in 0..300 {
        if attempts(t, which).await >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the job did not fail {n} times");
}

fn dispatch(j: &GithubJob) -> bool {
    matches!(j, GithubJob::Dispatch { .. })
}

fn compare(j: &GithubJob) -> bool {
    matches!(j, GithubJob::Compare { .. })
}

async fn a_dispatch_is_sent_once_when_recording_it_fails(backend: Backend) {
    let (gh, t) = github_app(backend).await;
    // Recording the dispatched run fails, twice: GitHub has accepted the dispatch by then.
    inject_fault(&t, "INSERT", "github_runs", "1 = 1").await;
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    failed_times(&t, dispatch, 2).await;
    heal(&t, "github_runs").await;
    // The record is kept at last, the run found and linked: all from one dispatch.
    wait_for_json(&t, "actions/runs/").await;
    assert_done_after_one_dispatch(&t, &gh).await;
    t.stop().await;
}
on_both_backends!(a_dispatch_is_sent_once_when_recording_it_fails);

/// A dispatch job that runs again though its dispatch was recorded (a replica's claim
/// lapsed after it dispatched; an older badger recorded runs apart from their job's end)
/// does not dispatch: it finishes the record-keeping only.
async fn a_recorded_dispatch_is_not_sent_again(backend: Backend) {
    // No job can be claimed, so the start's dispatch waits, open, while its run is
    // recorded as another replica would have.
    let (gh, t, id) = github_app_with_dispatch_held(backend).await;
    let now = t.clock_now();
    let mut tx = t.core().store.begin().await.expect("a transaction");
    tx.record_github_run(
        id,
        "alphagov/whitehall",
        "deploy.yml",
        now,
        chrono::Utc::now(),
    )
    .await
    .expect("record a dispatch");
    tx.commit().await.expect("commit");
    heal(&t, "github_jobs").await;
    // The job ends, and the run is looked for, without a second dispatch.
    for _ in 0..300 {
        let jobs = t.core().store.github_jobs().await.unwrap();
        if jobs
            .iter()
            .any(|j| matches!(j.job, GithubJob::FindRun { .. }))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let jobs = t.core().store.github_jobs().await.unwrap();
    let ended = jobs
        .iter()
        .find(|j| dispatch(&j.job))
        .expect("the dispatch job");
    assert!(ended.done, "{jobs:?}");
    assert!(
        jobs.iter()
            .any(|j| matches!(j.job, GithubJob::FindRun { .. })),
        "{jobs:?}"
    );
    assert!(gh.dispatches().is_empty(), "{:?}", gh.dispatches());
    t.stop().await;
}
on_both_backends!(a_recorded_dispatch_is_not_sent_again);

async fn a_release_summary_is_posted_once_when_finishing_its_job_fails(backend: Backend) {
    let gh = fake_github().await;
    let commits = vec![FakeCommit::new("Fix the search page (#12)", "hubot")];
    gh.set_compare(PUBLISHER, "release_1", "release_3", commits);
    gh.add_pull(PUBLISHER, 12, "Fix the search page", "hubot");
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    deployed_before(&t, "publisher", "release_1").await;
    // Finishing the compare job fails until healed.
    inject_fault(
        &t,
        "UPDATE",
        "github_jobs",
        "NEW.done_at IS NOT NULL AND NEW.kind = 'compare'",
    )
    .await;
    let summary = |t: &TestApp| {
        t.slack
            .messages(support::driver::CHANNEL)
            .iter()
            .filter(|m| m.to_string().contains("Fix the search page"))
            .count()
    };
    t.deploy(ALICE, "publisher release_3 to integration").await;
    t.wait_for_message("started deploying").await;
    // Either the job fails and is retried with nothing posted, or (as it used to) the
    // summary is posted by a job that is not finished, to be posted again once its claim
    // lapses.
    for _ in 0..300 {
        if summary(&t) > 0 || attempts(&t, compare).await >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        summary(&t),
        0,
        "a summary was posted by a job that could not be finished"
    );
    failed_times(&t, compare, 2).await;
    heal(&t, "github_jobs").await;
    wait_for_json(&t, "Fix the search page").await;
    t.settle().await;
    assert_eq!(summary(&t), 1, "{:#?}", t.channel_texts());
    let jobs = t.core().store.github_jobs().await.unwrap();
    assert!(jobs.iter().all(|j| j.done), "{jobs:?}");
    t.stop().await;
}
on_both_backends!(a_release_summary_is_posted_once_when_finishing_its_job_fails);
