//! After a deployment, through badger's real HTTP server, the fake Slack and the fake
//! GitHub: a triggered run that never reports back is flagged to the deployer with its
//! link and Done / Failed; after a success the environment's checklist goes in the end
//! alert's thread and, `stay_minutes` later, the deployer is asked whether all is well.

use crate::support;

use support::db::Backend;
use support::driver::TestApp;
use support::github::{id_of, state_of, wait_for_json};
use support::github_app::{github_app, start_deploying};
use support::people::{ALICE, BOB};

async fn a_run_that_never_reports_back_is_flagged(backend: Backend) {
    let (_gh, t) = github_app(backend).await;
    let id = start_deploying(&t, ALICE, "whitehall release_2 to integration").await;
    wait_for_json(&t, "actions/runs/").await;
    t.clock.advance(chrono::Duration::minutes(31));
    let flag = t.wait_for_message("has not reported back").await;
    assert!(flag["text"].as_str().unwrap().contains("<@U0ALICE>"));
    assert!(
        flag.to_string().contains("actions/runs/"),
        "links the run: {flag}"
    );
    assert_eq!(id_of(&flag, "deploy_failed"), id);
    assert_eq!(t.press(ALICE, "deploy_failed", &id.to_string()).await, 200);
    t.wait_for_message(":x:").await;
    assert_eq!(state_of(&t, id).await, "failed");
    t.stop().await;
}
on_both_backends!(a_run_that_never_reports_back_is_flagged);

/// The success's end alert, then the checklist in its thread: the checklist's text.
async fn checklist_after_success(t: &TestApp) -> String {
    let end = t.wait_for_message(":white_check_mark:").await;
    let list = wait_for_json(t, "sentry.example").await;
    assert_eq!(list["thread_ts"], end["ts"], "in the end alert's thread");
    list["text"].as_str().unwrap().to_owned()
}

async fn after_a_success_the_checklist_and_the_reminder_follow(backend: Backend) {
    let (_gh, t) = github_app(backend).await;
    let id = start_deploying(&t, ALICE, "publisher release_3 to integration").await;
    assert_eq!(t.press(ALICE, "deploy_done", &id.to_string()).await, 200);
    let text = checklist_after_success(&t).await;
    assert!(
        text.contains("<https://sentry.example/whitehall|Errors>"),
        "{text}"
    );
    assert!(text.contains("a=1&amp;b=2"), "escaped: {text}");

    t.clock.advance(chrono::Duration::minutes(15));
    let reminder = t.wait_for_message("All is well").await;
    assert!(reminder["text"].as_str().unwrap().contains("<@U0ALICE>"));
    assert_eq!(id_of(&reminder, "deploy_all_well"), id);
    assert_eq!(t.press(BOB, "deploy_all_well", &id.to_string()).await, 200);
    t.wait_for_ephemeral(BOB, "Only <@U0ALICE>").await;
    assert_eq!(
        t.press(ALICE, "deploy_all_well", &id.to_string()).await,
        200
    );
    t.wait_for_message("all is well, confirmed by <@U0ALICE>")
        .await;
    assert_eq!(
        t.press(ALICE, "deploy_all_well", &id.to_string()).await,
        200
    );
    t.wait_for_ephemeral(ALICE, "already confirmed").await;
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE action = 'deploy.all_well'")
            .fetch_one(t.core().store.pool())
            .await
            .unwrap();
    assert_eq!(audit, 1);
    // Recorded in the history: the API shows who confirmed and when.
    let one = t.get(&format!("/api/v1/deployments/{id}")).await;
    let one: serde_json::Value = one.json().await.unwrap();
    assert_eq!(one["all_well"]["by"], "U0ALICE", "{one}");
    assert!(one["all_well"]["at"].is_string(), "{one}");
    let page = t.get("/api/v1/deployments?app=publisher").await;
    let page: serde_json::Value = page.json().await.unwrap();
    assert_eq!(
        page["deployments"][0]["all_well"]["by"], "U0ALICE",
        "{page}"
    );
    t.stop().await;
}
on_both_backends!(after_a_success_the_checklist_and_the_reminder_follow);

/// A pipeline's one-shot report of a success is a success like any other: the checklist
/// follows in its end alert's thread (one rule for every success path), naming nobody,
/// and no stay-around reminder is kept (nobody in Slack to ask).
async fn a_pipelines_reported_success_gets_the_checklist_too(backend: Backend) {
    let (_gh, t) = github_app(backend).await;
    let body = serde_json::json!({
        "app": "publisher", "ref": "release_9", "environment": "integration",
        "status": "succeeded",
    });
    let id = support::ci_steps::reported(&t, body).await;
    let text = checklist_after_success(&t).await;
    assert!(
        text.starts_with(":clipboard: Now check that"),
        "names nobody: {text}"
    );
    // Nobody to remind: no stay-around check is kept for it, so none is ever sent.
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stay_checks WHERE deployment_id = $1")
        .bind(id)
        .fetch_one(t.core().store.pool())
        .await
        .unwrap();
    assert_eq!(kept, 0, "a stay check for a pipeline's report");
    t.stop().await;
}
on_both_backends!(a_pipelines_reported_success_gets_the_checklist_too);
