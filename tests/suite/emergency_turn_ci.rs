//! A pipeline's emergency takes a called turn as a person's does (one rule,
//! domain::queue::emergency_takes_turn): reported as started, or a queued deployment's
//! `started` event; the called one waits again first and is called back after. Without
//! the emergency the called turn still makes the pipeline wait.

use super::emergency_turn::{bob_called, integration};
use crate::support;

use badger::domain::deployment::State;
use serde_json::json;
use support::checks::live_deployments;
use support::ci::{event, report};
use support::ci_steps::reported;
use support::driver::TestApp;
use support::people::{BOB, DAVE};

fn started(emergency: Option<&str>) -> serde_json::Value {
    let mut body = json!({"app": "frontend", "ref": "r2", "environment": "integration",
        "status": "started"});
    if let Some(reason) = emergency {
        body["emergency"] = json!(reason);
    }
    body
}

async fn a_reported_emergency_takes_a_called_turn(t: &TestApp) {
    let bob = bob_called(t).await;
    // Without an emergency the pipeline waits for Bob, as before.
    let busy = report(t, started(None)).await;
    assert_eq!(busy.codes(), ["busy"], "{:?}", busy.json);

    let id = reported(t, started(Some("site down"))).await;
    t.deliver_outbox().await;
    t.expect_update(
        "<@U0BOB> turn for *publisher* `r1` to *integration*: an emergency (ci, *frontend* `r2`) goes first; you keep your place at the front of the queue.",
    );
    t.expect_post(":rotating_light: *EMERGENCY deployment* started");
    t.slack.expect_no_more_calls();
    assert_eq!(
        integration(t).await,
        [
            ("ci".to_owned(), State::Deploying),
            (BOB.to_owned(), State::Queued)
        ]
    );

    // The pipeline's end calls Bob again, with the same Start.
    let a = event(t, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    t.deliver_outbox().await;
    t.expect_post("*frontend* `r2` to *integration* (emergency) succeeded");
    t.expect_update("*EMERGENCY deployment* started");
    let call = t.expect_post("<@U0BOB> it's your turn");
    assert_eq!(TestApp::button_value(&call, "deploy_start"), Some(bob));
}
on_both_backends!(stepped a_reported_emergency_takes_a_called_turn);

async fn a_queued_deployment_started_as_an_emergency_takes_a_called_turn(t: &TestApp) {
    bob_called(t).await;
    t.deploy(DAVE, "collections r1 to integration")
        .await
        .assert_says("number 1 in line");
    t.deliver_outbox().await;
    let dave = live_deployments(t, Some("integration")).await[1].id;

    // Its pipeline starts Dave's deployment without the emergency: Bob is called, so no.
    let a = event(t, dave, json!({"status": "started"})).await;
    assert_eq!(a.codes(), ["busy"], "{:?}", a.json);
    let a = event(
        t,
        dave,
        json!({"status": "started", "emergency": "site down"}),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    t.deliver_outbox().await;
    t.expect_update("<@U0BOB> turn for *publisher* `r1` to *integration*: an emergency (<@U0DAVE>, *collections* `r1`) goes first");
    t.expect_post(":rotating_light: *EMERGENCY deployment* started");
    t.slack.expect_no_more_calls();
    assert_eq!(
        integration(t).await,
        [
            (DAVE.to_owned(), State::Deploying),
            (BOB.to_owned(), State::Queued)
        ]
    );
}
on_both_backends!(stepped a_queued_deployment_started_as_an_emergency_takes_a_called_turn);
