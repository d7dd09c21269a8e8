//! Holds and the queue: the scheduler passes over the held, who keep their place, give a
//! called turn back, and are told again about a new hold.

use super::*;
use crate::support::checks::live_deployments;

async fn queued_for_a_held_app_is_skipped_and_keeps_their_place(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "appalice r1 to integration").await;
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    t.deploy(DAVE, "frontend r1 to integration").await;
    t.hold(CAROL, "whitehall reindexing").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();

    // Alice finishes: Bob's turn is skipped (he's told, once), Dave is called.
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.expect_post(":pause_button: <@U0BOB> your turn for *whitehall* `r1` to *integration* is skipped while <@U0CAROL>'s hold on whitehall stands (reindexing)");
    let call = t.expect_post("<@U0DAVE> it's your turn");
    let status = t.deploy(BOB, "status integration").await.text();
    assert!(status.contains("queue: 1. <@U0BOB> whitehall"), "{status}");
    // The scheduler passing over him again does not tell him again.
    t.tick().await;
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);

    // Erin queues behind; the hold goes while Dave has the turn; when Dave is done, Bob
    // (not Erin) is next.
    t.deploy(ERIN, "collections r1 to integration").await;
    t.hold(CAROL, "release whitehall").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold on whitehall");
    t.expect_topic_sync();
    let dave = TestApp::button_value(&call, "deploy_start").unwrap();
    t.press(DAVE, "deploy_start", &dave).await;
    t.deploy(DAVE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0DAVE> started deploying");
    t.expect_update("<@U0DAVE> turn for *frontend*");
    t.expect_post("*frontend* `r1` to *integration* succeeded");
    t.expect_update("<@U0DAVE> started deploying");
    t.expect_post("<@U0BOB> it's your turn to deploy *whitehall*");
    let status = t.deploy(BOB, "status integration").await.text();
    assert!(
        status.contains("queue: 1. <@U0ERIN> collections"),
        "{status}"
    );
    t.stop().await;
}
on_both_backends!(queued_for_a_held_app_is_skipped_and_keeps_their_place);

async fn called_for_a_held_app_gives_the_turn_back(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "appalice r1 to integration").await;
    t.deploy(BOB, "whitehall r1 to integration").await;
    t.deploy(ERIN, "collections r1 to integration").await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    let call = t.expect_post("<@U0BOB> it's your turn");
    let bob = TestApp::button_value(&call, "deploy_start").unwrap();

    // The hold comes while it's Bob's turn: he's told, his call loses its buttons, Erin goes.
    t.hold(CAROL, "whitehall reindexing").await;
    t.deliver_outbox().await;
    let hold = release_id(&t.expect_post("<@U0CAROL> is holding"));
    t.expect_topic_sync();
    let old = t.expect_update("<@U0BOB> turn for");
    assert!(
        TestApp::button_value(&old, "deploy_start").is_none(),
        "{old}"
    );
    t.expect_post(":pause_button: <@U0BOB> your turn");
    let erin_call = t.expect_post("<@U0ERIN> it's your turn");
    // His old Start button changes nothing, and says why: the hold, not "already queued".
    t.press(BOB, "deploy_start", &bob).await;
    t.deliver_outbox().await;
    let why = t.expect_ephemeral(
        BOB,
        &format!("#{bob}'s turn is paused by <@U0CAROL>'s hold #{hold}"),
    );
    assert!(
        why.contains("called again when the hold is released"),
        "{why}"
    );
    assert!(why.contains("Nothing was changed"), "{why}");
    let status = t.deploy(BOB, "status integration").await.text();
    assert!(status.contains("queue: 1. <@U0BOB> whitehall"), "{status}");

    // Released, and Erin done: Bob is called again.
    t.hold(CAROL, "release whitehall").await;
    let erin = TestApp::button_value(&erin_call, "deploy_start").unwrap();
    t.press(ERIN, "deploy_start", &erin).await;
    t.deploy(ERIN, "done").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold on whitehall");
    t.expect_topic_sync();
    t.expect_post("<@U0ERIN> started deploying");
    t.expect_update("<@U0ERIN> turn for");
    t.expect_post("*collections* `r1` to *integration* succeeded");
    t.expect_update("<@U0ERIN> started deploying");
    t.expect_post("<@U0BOB> it's your turn");
    let live = live_deployments(&t, Some("integration")).await;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].requester, BOB);
    assert_eq!(live[0].state.as_str(), "called");
    t.stop().await;
}
on_both_backends!(called_for_a_held_app_gives_the_turn_back);

async fn a_new_hold_tells_the_held_again(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "appalice r1 to integration").await;
    t.deploy(BOB, "whitehall r1 to integration").await;
    t.deploy(DAVE, "frontend r1 to integration").await;
    t.deploy(ERIN, "collections r1 to integration").await;
    t.hold(CAROL, "whitehall first").await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.expect_post(":pause_button: <@U0BOB>");
    let call = t.expect_post("<@U0DAVE> it's your turn");

    // Carol's hold goes while Dave has the turn, and a new one comes before Bob's turn:
    // Bob is told again, naming the new hold.
    t.hold(CAROL, "release whitehall").await;
    t.hold(CAROL, "whitehall second").await;
    let dave = TestApp::button_value(&call, "deploy_start").unwrap();
    t.press(DAVE, "deploy_start", &dave).await;
    t.deploy(DAVE, "done").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold on whitehall");
    // The release's topic sync is superseded by the new hold's.
    t.expect_post("<@U0CAROL> is holding deployments of *whitehall*");
    t.expect_topic_sync();
    t.expect_post("<@U0DAVE> started deploying");
    t.expect_update("<@U0DAVE> turn for");
    t.expect_post("*frontend* `r1` to *integration* succeeded");
    t.expect_update("<@U0DAVE> started deploying");
    t.expect_post(":pause_button: <@U0BOB> your turn for *whitehall* `r1` to *integration* is skipped while <@U0CAROL>'s hold on whitehall stands (second)");
    t.expect_post("<@U0ERIN> it's your turn");
    t.stop().await;
}
on_both_backends!(a_new_hold_tells_the_held_again);
