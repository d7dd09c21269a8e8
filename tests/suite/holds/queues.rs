//! Holds and the queue: the scheduler passes over the held, who keep their place, give a
//! called turn back, and are told again about a new hold.

use super::*;
use crate::support::checks::live_deployments;
use crate::support::driver::Reply;

/// Alice deploys appalice `r1` to integration and each of `behind` (a person, an app)
/// queues that app's `r1` behind her, in order; returns their answers.
async fn queue_behind_alice(t: &TestApp, behind: &[(&str, &str)]) -> Vec<Reply> {
    t.deploy(ALICE, "appalice r1 to integration").await;
    let mut answers = Vec::new();
    for (who, app) in behind {
        answers.push(t.deploy(who, &format!("{app} r1 to integration")).await);
    }
    answers
}

/// What Bob is told when his turn for whitehall comes while Carol's hold (`reason`) stands.
fn bob_skipped(reason: &str) -> String {
    format!(":pause_button: <@U0BOB> your turn for *whitehall* `r1` to *integration* is skipped while <@U0CAROL>'s hold on whitehall stands ({reason})")
}

/// Bob's `/deploy status integration` must show `first` (a person, an app) first in line.
async fn first_in_line(t: &TestApp, first: &str) {
    let status = t.deploy(BOB, "status integration").await;
    status.assert_says(&format!("queue: 1. {first}"));
}

/// The next Slack calls must be Alice's finish: appalice's end alert, then her start
/// alert's update.
fn expect_alice_done(t: &TestApp) {
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
}

/// `who`, called (`call` is their your-turn post), presses Start and is done.
async fn start_and_finish(t: &TestApp, who: &str, call: &Value) {
    let id = TestApp::button_value(call, "deploy_start").expect("a Start button");
    t.press(who, "deploy_start", &id).await;
    t.deploy(who, "done").await;
}

/// The next Slack calls must be [`start_and_finish`]'s: `who`'s start alert, their call
/// updated, `app`'s end alert, the start alert's update.
fn expect_started_and_finished(t: &TestApp, who: &str, app: &str) {
    t.expect_post(&format!("<@{who}> started deploying"));
    t.expect_update(&format!("<@{who}> turn for *{app}*"));
    t.expect_post(&format!("*{app}* `r1` to *integration* succeeded"));
    t.expect_update(&format!("<@{who}> started deploying"));
}

async fn queued_for_a_held_app_is_skipped_and_keeps_their_place(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let answers = queue_behind_alice(&t, &[(BOB, "whitehall"), (DAVE, "frontend")]).await;
    answers[0].assert_says("number 1 in line");
    t.hold(CAROL, "whitehall reindexing").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();

    // Alice finishes: Bob's turn is skipped (he's told, once), Dave is called.
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    expect_alice_done(&t);
    t.expect_post(&bob_skipped("reindexing"));
    let call = t.expect_post("<@U0DAVE> it's your turn");
    first_in_line(&t, "<@U0BOB> whitehall").await;
    // The scheduler passing over him again does not tell him again.
    t.tick().await;
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);

    // Erin queues behind; the hold goes while Dave has the turn; when Dave is done, Bob
    // (not Erin) is next.
    t.deploy(ERIN, "collections r1 to integration").await;
    t.hold(CAROL, "release whitehall").await;
    t.deliver_outbox().await;
    expect_release(&t, CAROL, CAROL, "whitehall");
    t.expect_topic_sync();
    start_and_finish(&t, DAVE, &call).await;
    t.deliver_outbox().await;
    expect_started_and_finished(&t, DAVE, "frontend");
    t.expect_post("<@U0BOB> it's your turn to deploy *whitehall*");
    first_in_line(&t, "<@U0ERIN> collections").await;
    t.stop().await;
}
on_both_backends!(queued_for_a_held_app_is_skipped_and_keeps_their_place);

/// Bob is called for publisher (Erin queued behind him) when Carol holds it.
async fn called_for_a_held_app_gives_the_turn_back(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (_, call) = t
        .bob_called_after_alice(Some((ERIN, "collections r1 to integration")))
        .await;
    let bob = TestApp::button_value(&call, "deploy_start").unwrap();

    // The hold comes while it's Bob's turn: he's told, his call loses its buttons, Erin goes.
    t.hold(CAROL, "publisher reindexing").await;
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
    first_in_line(&t, "<@U0BOB> publisher").await;

    // Released, and Erin done: Bob is called again.
    t.hold(CAROL, "release publisher").await;
    start_and_finish(&t, ERIN, &erin_call).await;
    t.deliver_outbox().await;
    expect_release(&t, CAROL, CAROL, "publisher");
    t.expect_topic_sync();
    expect_started_and_finished(&t, ERIN, "collections");
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
    let behind = [
        (BOB, "whitehall"),
        (DAVE, "frontend"),
        (ERIN, "collections"),
    ];
    queue_behind_alice(&t, &behind).await;
    t.hold(CAROL, "whitehall first").await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();
    expect_alice_done(&t);
    t.expect_post(&bob_skipped("first"));
    let call = t.expect_post("<@U0DAVE> it's your turn");

    // Carol's hold goes while Dave has the turn, and a new one comes before Bob's turn:
    // Bob is told again, naming the new hold.
    t.hold(CAROL, "release whitehall").await;
    t.hold(CAROL, "whitehall second").await;
    start_and_finish(&t, DAVE, &call).await;
    t.deliver_outbox().await;
    expect_release(&t, CAROL, CAROL, "whitehall");
    // The release's topic sync is superseded by the new hold's.
    t.expect_post("<@U0CAROL> is holding deployments of *whitehall*");
    t.expect_topic_sync();
    expect_started_and_finished(&t, DAVE, "frontend");
    t.expect_post(&bob_skipped("second"));
    t.expect_post("<@U0ERIN> it's your turn");
    t.stop().await;
}
on_both_backends!(a_new_hold_tells_the_held_again);
