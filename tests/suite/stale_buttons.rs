//! Buttons pressed after things moved on, through real HTTP and stepped: the queued
//! answer's "Leave the queue" (an ephemeral, so Slack's press says `is_ephemeral`) shares
//! `deploy_cancel` with the start alert's Cancel; once the deployment started, the old
//! answer's press changes nothing and says so, while the start alert's still calls it off.

use crate::support;

use badger::domain::deployment::State;
use support::driver::TestApp;
use support::people::{BOB, CAROL};

async fn state_of(t: &TestApp, id: &str) -> State {
    let d = t.core().store.deployment(id.parse().unwrap()).await;
    d.unwrap().expect("the deployment").state
}

/// Bob called after Alice (`TestApp::bob_called_after_alice`): the value of the "Leave the
/// queue" button on Bob's queued answer.
async fn bob_called(t: &TestApp, then: Option<(&str, &str)>) -> String {
    let (queued, _) = t.bob_called_after_alice(then).await;
    TestApp::button_value(&queued, "deploy_cancel").expect("Leave the queue")
}

async fn leave_the_queue_after_starting_changes_nothing(t: &TestApp) {
    let leave = bob_called(t, None).await;
    t.press(BOB, "deploy_start", &leave).await;
    t.deliver_outbox().await;
    let alert = t.expect_post("<@U0BOB> started deploying *publisher*");
    t.expect_update("<@U0BOB> turn for *publisher*");

    // The old answer's "Leave the queue": nothing is called off, and Bob is told how to end it.
    assert_eq!(t.press_ephemeral(BOB, "deploy_cancel", &leave).await, 200);
    t.deliver_outbox().await;
    let why = t.expect_ephemeral(BOB, &format!("#{leave} has started"));
    assert!(why.contains("`/deploy done`"), "{why}");
    assert!(why.contains("Nothing was changed"), "{why}");
    assert_eq!(state_of(t, &leave).await, State::Deploying);

    // Asking again points to finishing it, not to leaving a queue it has left.
    let again = t.deploy(BOB, "publisher r1 to integration").await.text();
    assert!(again.contains(&format!("(#{leave}, deploying)")), "{again}");
    assert!(
        again.contains("`/deploy done` or `/deploy failed`"),
        "{again}"
    );
    assert!(!again.contains("cancel"), "{again}");

    // The start alert's Cancel, same action id and value, still calls it off.
    let cancel = TestApp::button_value(&alert, "deploy_cancel").expect("start alert Cancel");
    assert_eq!(cancel, leave);
    t.press(BOB, "deploy_cancel", &cancel).await;
    t.deliver_outbox().await;
    t.expect_ended(BOB, "*publisher* `r1` to *integration*", "was called off");
    assert_eq!(state_of(t, &leave).await, State::Cancelled);
}
on_both_backends!(stepped leave_the_queue_after_starting_changes_nothing);

/// Called but not started is still in the queue: "Leave the queue" leaves it.
async fn leave_the_queue_when_called_still_leaves(t: &TestApp) {
    let leave = bob_called(t, Some((CAROL, "frontend r1 to integration"))).await;

    t.press_ephemeral(BOB, "deploy_cancel", &leave).await;
    t.deliver_outbox().await;
    t.expect_update("<@U0BOB> turn for *publisher*");
    t.expect_post("<@U0CAROL> it's your turn");
    t.expect_ephemeral(BOB, "You left the queue");
    assert_eq!(state_of(t, &leave).await, State::Cancelled);
}
on_both_backends!(stepped leave_the_queue_when_called_still_leaves);
