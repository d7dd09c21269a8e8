//! badger started against a fresh fake GitHub, as most GitHub tests begin, and the steps
//! and checks they share there: a deployment started at once, every job done after one
//! dispatch.

use super::db::Backend;
use super::driver::TestApp;
use super::fake_github::FakeGithub;
use super::github::{fake_github, id_of, start, started_with_dispatch_held, GITHUB_TOKEN};

/// The fake GitHub of the GitHub tests' policy, and badger pointed at it.
pub async fn github_app(backend: Backend) -> (FakeGithub, TestApp) {
    let gh = fake_github().await;
    let t = start(backend, &gh, GITHUB_TOKEN).await;
    (gh, t)
}

/// [`github_app`] where Alice has started whitehall `release_2` while its dispatch waits
/// (see [`started_with_dispatch_held`]); with the deployment's id.
pub async fn github_app_with_dispatch_held(backend: Backend) -> (FakeGithub, TestApp, i64) {
    let (gh, t) = github_app(backend).await;
    let id = started_with_dispatch_held(&t).await;
    (gh, t, id)
}

/// `user` sends `/deploy text` and is deploying at once: the id on the start alert's Done
/// button.
pub async fn start_deploying(t: &TestApp, user: &str, text: &str) -> i64 {
    let r = t.deploy(user, text).await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let alert = t.wait_for_message("started deploying").await;
    id_of(&alert, "deploy_done")
}

/// Once the outbox has settled, every GitHub job is done and GitHub was sent one dispatch.
pub async fn assert_done_after_one_dispatch(t: &TestApp, gh: &FakeGithub) {
    t.settle().await;
    let jobs = t.core().store.github_jobs().await.unwrap();
    assert!(jobs.iter().all(|j| j.done), "{jobs:?}");
    let d = gh.dispatches();
    assert_eq!(d.len(), 1, "dispatched once only: {d:?}");
}
