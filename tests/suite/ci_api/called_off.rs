//! A CI deployment called off in Slack while it was deploying: its pipeline goes on, and
//! what it then reports is recorded (and said) without taking the environment again.
//! Repeats on a finished deployment change nothing.

use super::*;
use crate::support::checks::deployment_state;
use crate::support::people::ADMIN;

async fn reported_after_it_was_called_off(backend: Backend) {
    let t = TestApp::start(backend).await;
    let id = reported(&t, started("whitehall", "r1", "integration")).await;
    t.wait_for_message("started deploying *whitehall* `r1` to *integration*")
        .await;
    let r = t.deploy(BOB, "publisher r2 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    // Alice's entry is cancelled before it ever started: no pipeline ran for it.
    let r = t.deploy(ALICE, "frontend r3 to integration").await;
    assert!(r.text().contains("number 2 in line"), "{}", r.text());
    let r = t.deploy(ALICE, "cancel").await;
    assert!(r.text().contains("left"), "{}", r.text());
    let never_started = id + 2;
    assert_eq!(deployment_state(&t, never_started).await, "cancelled");

    // The admin calls it off while it deploys: Bob's turn comes.
    let r = t.deploy(ADMIN, &format!("cancel {id}")).await;
    assert!(r.text().contains("Called off"), "{}", r.text());
    t.wait_for_message("<@U0BOB> it's your turn").await;
    // Nobody in Slack can finish it now (only its pipeline knows how it went).
    assert_eq!(t.press(ADMIN, "deploy_done", &id.to_string()).await, 200);
    assert_eq!(deployment_state(&t, id).await, "cancelled");

    // The pipeline did not stop: it reports success, which is recorded and said.
    let anyway = json!({"status": "succeeded", "note": "deployed anyway", "url": "https://ci.example/run/1"});
    let a = event(&t, id, anyway).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"id": id, "state": "succeeded"}));
    let said = t
        .wait_for_message(&format!(
            ":information_source: CI reports #{id} (*whitehall* `r1` to *integration*) succeeded after it was called off by <@U0ADMIN>."
        ))
        .await;
    assert!(said.to_string().contains("deployed anyway"), "{said}");
    let d = t.core().store.deployment(id).await.unwrap().unwrap();
    assert_eq!(d.state.as_str(), "succeeded");
    assert!(d.ended_at.is_some() && d.finished_at.is_some(), "{d:?}");
    assert_eq!(d.ended_by.as_ref().map(|c| c.as_str()), Some(ADMIN));
    assert_eq!(d.ci_url.as_deref(), Some("https://ci.example/run/1"));
    let shown = get(&t, &format!("/api/v1/deployments/{id}")).await;
    let states = transition_states(&shown.json);
    assert_eq!(
        states,
        ["deploying", "cancelled", "succeeded"],
        "{:?}",
        shown.json
    );
    // Versions show what really runs.
    let versions = t.core().store.versions(Some("whitehall")).await.unwrap();
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(versions[0].git_ref, "r1");
    // The environment stays Bob's: the slot freed at the call-off is not taken again.
    assert_eq!(deployment_state(&t, id + 1).await, "called");
    let a = report(&t, started("frontend", "r4", "integration")).await;
    assert_error(&a, 423, "publisher r2", "");

    // A repeat changes nothing; a contradiction is refused; Slack's Done still is too.
    let a = event(&t, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let a = event(&t, id, json!({"status": "failed"})).await;
    assert_eq!(a.status, 409, "{:?}", a.json);
    assert_eq!(t.press(ADMIN, "deploy_failed", &id.to_string()).await, 200);
    assert_eq!(deployment_state(&t, id).await, "succeeded");

    // One cancelled before it started ran nothing: its report is refused as before.
    let a = event(&t, never_started, json!({"status": "succeeded"})).await;
    assert_error(&a, 409, "is cancelled", "");
    assert_eq!(deployment_state(&t, never_started).await, "cancelled");

    // The promotion rule sees r1 succeeded in integration; a failure reported after a
    // call-off in staging is recorded as failed.
    let staging = reported(&t, started("whitehall", "r1", "staging")).await;
    let r = t.deploy(ADMIN, &format!("cancel {staging}")).await;
    assert!(r.text().contains("Called off"), "{}", r.text());
    let a = event(&t, staging, json!({"status": "failed"})).await;
    assert_eq!(a.json, json!({"id": staging, "state": "failed"}));
    t.wait_for_message(&format!(
        ":information_source: CI reports #{staging} (*whitehall* `r1` to *staging*) failed after it was called off by <@U0ADMIN>."
    ))
    .await;
    assert_said_times(&t, 2, |m| m.contains(":information_source: CI reports")).await;
    t.stop().await;
}
on_both_backends!(reported_after_it_was_called_off);

async fn a_repeat_on_a_finished_deployment_changes_nothing(backend: Backend) {
    let t = TestApp::start(backend).await;
    let id = reported(&t, started("whitehall", "r1", "integration")).await;
    let url = "https://ci.example/run/1";
    let green = json!({"status": "succeeded", "url": url, "note": "green"});
    let a = event(&t, id, green).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let before = t.core().store.deployment(id).await.unwrap().unwrap();
    let again = json!({"status": "succeeded", "url": "https://ci.example/run/2", "note": "again"});
    let a = event(&t, id, again).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["state"], "succeeded");
    let after = t.core().store.deployment(id).await.unwrap().unwrap();
    assert_eq!(after, before);
    assert_eq!(after.ci_url.as_deref(), Some(url));
    t.stop().await;
}
on_both_backends!(a_repeat_on_a_finished_deployment_changes_nothing);
