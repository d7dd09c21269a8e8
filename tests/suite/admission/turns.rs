//! The rule when a turn comes: promotion checked again at the call and at Start, Skip
//! passing the turn to someone who can go, and a called-off deployment's duration.

use super::*;

use crate::support::ci::{get, report};
use crate::support::ci_steps::assert_said_times;
use crate::support::db::Backend;
use crate::support::driver::CHANNEL;
use chrono::Duration;

/// The your-turn messages in the channel that still have a Start button, by requester.
fn open_turns(t: &TestApp) -> Vec<String> {
    t.slack
        .messages(CHANNEL)
        .iter()
        .filter(|m| TestApp::button_value(m, "deploy_start").is_some())
        .map(|m| m["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn promotion_is_checked_again_when_a_turn_starts(backend: Backend) {
    let t = TestApp::start(backend).await;
    for app in ["frontend", "publisher", "router"] {
        report(&t, ci(app, "r1", "staging", "succeeded")).await;
    }
    let bob = id_in(&t.deploy(BOB, "publisher r1 to production").await.text());
    let alice = id_in(&t.deploy(ALICE, "frontend r1 to production").await.text());
    let carol = id_in(&t.deploy(CAROL, "router r1 to production").await.text());

    // Staging fails frontend r1 while Alice waits. When Bob finishes, her turn passes to
    // Carol; Alice is told why and keeps her place.
    report(&t, ci("frontend", "r1", "staging", "failed")).await;
    t.deploy(BOB, "done").await;
    let notice = t.wait_for_message(":fast_forward: <@U0ALICE>").await;
    let notice = notice["text"].as_str().unwrap();
    assert!(
        notice.contains("must succeed in *staging*") && notice.contains("keep your place"),
        "{notice}"
    );
    t.wait_for_message("<@U0CAROL> it's your turn").await;
    assert_eq!(deployment_state(&t, bob).await, "succeeded");
    assert_eq!(deployment_state(&t, alice).await, "queued");
    assert_eq!(deployment_state(&t, carol).await, "called");
    let status = get(&t, "/api/v1/status").await;
    assert!(
        status.json["queues"]["production"]
            .to_string()
            .contains(&format!("\"id\":{alice}")),
        "{:?}",
        status.json["queues"]
    );

    // Staging fails router r1 between Carol's call and her Start: the press is refused
    // with the reason, the turn passes on (to nobody who can go), and she keeps her place.
    report(&t, ci("router", "r1", "staging", "failed")).await;
    assert_eq!(
        t.press(CAROL, "deploy_start", &carol.to_string()).await,
        200
    );
    let told = t
        .wait_for_ephemeral(CAROL, "must succeed in *staging*")
        .await;
    assert!(told.contains("keep your place"), "{told}");
    assert_eq!(deployment_state(&t, carol).await, "queued");
    assert_said_times(&t, 0, |m| m.contains("started deploying *router*")).await;
    assert!(open_turns(&t).is_empty(), "{:#?}", open_turns(&t));

    // Frontend r1 passes staging again: the scheduler calls Alice by itself.
    report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
    t.wait_for_message("<@U0ALICE> it's your turn").await;
    assert_eq!(deployment_state(&t, alice).await, "called");
    // Each was told once: the notice is not repeated on every tick.
    assert_said_times(&t, 1, |m| m.starts_with(":fast_forward: <@U0ALICE>")).await;
}
on_both_backends!(promotion_is_checked_again_when_a_turn_starts);

async fn skip_always_gives_the_turn_to_someone_else(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.deploy(BOB, "publisher r1 to integration").await;
    let alice = id_in(
        &t.deploy(
            ALICE,
            "emergency frontend r1 to integration the site is down",
        )
        .await
        .text(),
    );
    let carol = id_in(&t.deploy(CAROL, "router r1 to integration").await.text());
    t.deploy(BOB, "done").await;
    t.wait_for_message("<@U0ALICE> it's your turn").await;

    // Alice's emergency lets the next go first: Carol is called, not Alice again.
    assert_eq!(t.press(ALICE, "deploy_skip", &alice.to_string()).await, 200);
    t.wait_for_message("<@U0CAROL> it's your turn").await;
    t.wait_for_ephemeral(ALICE, "You let <@U0CAROL> go first")
        .await;
    assert_eq!(deployment_state(&t, carol).await, "called");
    assert_eq!(deployment_state(&t, alice).await, "queued");
    // ...and Alice is next after Carol.
    assert_eq!(
        t.press(CAROL, "deploy_start", &carol.to_string()).await,
        200
    );
    t.deploy(CAROL, "done").await;
    t.settle().await;
    assert_eq!(deployment_state(&t, alice).await, "called");
}
on_both_backends!(skip_always_gives_the_turn_to_someone_else);

async fn skip_passes_over_whoever_is_held(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.deploy(BOB, "publisher r1 to integration").await;
    let alice = id_in(&t.deploy(ALICE, "frontend r1 to integration").await.text());
    let dave = id_in(&t.deploy(DAVE, "whitehall r1 to integration").await.text());
    let r = t.hold(BOB, "whitehall integration data migration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    t.deploy(BOB, "done").await;
    t.wait_for_message("<@U0ALICE> it's your turn").await;

    // The only other one waiting is held: nobody else can go, so the turn stays Alice's.
    assert_eq!(t.press(ALICE, "deploy_skip", &alice.to_string()).await, 200);
    t.wait_for_ephemeral(ALICE, "Nobody else in the queue can go now")
        .await;
    assert_eq!(deployment_state(&t, alice).await, "called");

    // With Carol behind the held one, skipping calls Carol (it used to call Alice again).
    let carol = id_in(&t.deploy(CAROL, "router r1 to integration").await.text());
    assert_eq!(t.press(ALICE, "deploy_skip", &alice.to_string()).await, 200);
    t.wait_for_message("<@U0CAROL> it's your turn").await;
    assert_eq!(deployment_state(&t, carol).await, "called");
    assert_eq!(deployment_state(&t, alice).await, "queued");
    assert_eq!(deployment_state(&t, dave).await, "queued");
}
on_both_backends!(skip_passes_over_whoever_is_held);

async fn a_deployment_called_off_after_it_started_has_a_duration(backend: Backend) {
    let t = TestApp::start(backend).await;
    let id = id_in(&t.deploy(ALICE, "frontend r1 to integration").await.text());
    t.clock.advance(Duration::minutes(5));
    let r = t.deploy(ALICE, &format!("cancel {id}")).await;
    assert!(r.text().contains("Called off"), "{}", r.text());
    let end = t.wait_for_message("was called off").await;
    let text = end["text"].as_str().unwrap();
    assert!(text.contains("was called off in 5m 0s"), "{end}");
}
on_both_backends!(a_deployment_called_off_after_it_started_has_a_duration);
