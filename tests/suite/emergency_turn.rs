//! An emergency and a turn that was called but not started: the emergency takes the turn
//! (a called turn is not deploying), the called one waits again next after it and is told
//! so, its old Start button changes nothing, and a Start pressed at the same moment as the
//! emergency arrives leaves exactly one deploying.

use crate::support;

use badger::domain::deployment::State;
use support::checks::{assert_text_has, live_deployments};
use support::driver::TestApp;
use support::people::{ALICE, BOB, CAROL, DAVE};

/// Alice deploys and finishes; Bob, queued behind her, is called. Returns Bob's id.
pub(crate) async fn bob_called(t: &TestApp) -> String {
    let (_, call) = t.bob_called_after_alice(None).await;
    TestApp::button_value(&call, "deploy_start").expect("the call has a Start button")
}

/// (requester, state) of integration's live deployments, in queue order.
pub(crate) async fn integration(t: &TestApp) -> Vec<(String, State)> {
    live_deployments(t, Some("integration"))
        .await
        .into_iter()
        .map(|d| (d.requester, d.state))
        .collect()
}

async fn an_emergency_takes_a_called_turn(t: &TestApp) {
    let bob = bob_called(t).await;
    // Dave queues behind Bob while Bob's turn is called.
    t.deploy(DAVE, "collections r1 to integration").await;

    // Carol's emergency finds the environment only called, so it starts as it would on a
    // free environment; nobody is asked to finish.
    t.deploy(CAROL, "emergency frontend r2 to integration site down")
        .await
        .assert_says("You're deploying");
    t.deliver_outbox().await;
    t.expect_update(
        "<@U0BOB> turn for *publisher* `r1` to *integration*: an emergency (<@U0CAROL>, *frontend* `r2`) goes first; you keep your place at the front of the queue.",
    );
    let start = t.expect_post(":rotating_light: *EMERGENCY deployment* started");
    let carol = TestApp::button_value(&start, "deploy_done").unwrap();
    t.slack.expect_no_more_calls();
    assert_eq!(
        integration(t).await,
        [
            (CAROL.to_owned(), State::Deploying),
            (BOB.to_owned(), State::Queued),
            (DAVE.to_owned(), State::Queued),
        ]
    );

    // Bob's old Start button changes nothing, and says why.
    assert_eq!(t.press(BOB, "deploy_start", &bob).await, 200);
    t.deliver_outbox().await;
    t.expect_ephemeral(BOB, "is waiting in the queue again");
    t.slack.expect_no_more_calls();
    assert_eq!(
        integration(t).await[0],
        (CAROL.to_owned(), State::Deploying)
    );
    assert_eq!(integration(t).await[1], (BOB.to_owned(), State::Queued));

    // The emergency over, Bob is called again before Dave.
    t.press(CAROL, "deploy_done", &carol).await;
    t.deliver_outbox().await;
    t.expect_post("*frontend* `r2` to *integration* (emergency) succeeded");
    t.expect_update("*EMERGENCY deployment* started");
    let call = t.expect_post("<@U0BOB> it's your turn");
    let again = TestApp::button_value(&call, "deploy_start").unwrap();
    assert_eq!(again, bob);
    let audit = t.core().store.audit_log(100).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "deploy.give_way"
        && a.subject == format!("deployment #{bob}")
        && a.actor == CAROL));
}
on_both_backends!(stepped an_emergency_takes_a_called_turn);

/// A called emergency keeps its turn: a second emergency queues behind it, and the called
/// one, not deploying, is not asked to finish.
async fn a_called_emergency_keeps_its_turn(t: &TestApp) {
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "emergency publisher r1 to integration login broken")
        .await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("*EMERGENCY* <@U0BOB> queued");
    t.expect_ended(ALICE, "*whitehall* `r1` to *integration*", "succeeded");
    t.expect_post("<@U0BOB> it's your turn");
    t.deploy(CAROL, "emergency frontend r2 to integration site down")
        .await
        .assert_says("number 1 in line");
    t.deliver_outbox().await;
    let e = t.expect_post("*EMERGENCY* <@U0CAROL> queued");
    let text = e["text"].as_str().unwrap();
    assert!(!text.contains("please finish"), "{text}");
    t.slack.expect_no_more_calls();
    assert_eq!(
        integration(t).await,
        [
            (BOB.to_owned(), State::Called),
            (CAROL.to_owned(), State::Queued),
        ]
    );
}
on_both_backends!(stepped a_called_emergency_keeps_its_turn);

/// Bob presses Start just as Carol's emergency arrives: whichever the environment's lock
/// lets in first wins, and exactly one deploys.
async fn start_racing_an_emergency_leaves_one_deploying(t: &TestApp) {
    let bob = bob_called(t).await;
    let (pressed, r) = tokio::join!(
        t.press(BOB, "deploy_start", &bob),
        t.deploy(CAROL, "emergency frontend r2 to integration site down"),
    );
    assert_eq!((pressed, r.status), (200, 200));
    t.deliver_outbox().await;
    let live = integration(t).await;
    let deploying: Vec<_> = live
        .iter()
        .filter(|(_, s)| *s == State::Deploying)
        .collect();
    assert_eq!(deploying.len(), 1, "{live:?}");
    assert!(live.iter().all(|(_, s)| *s != State::Called), "{live:?}");
    if deploying[0].0 == BOB {
        // Bob was first: the emergency waits behind him, and he is asked to finish.
        r.assert_says("number 1 in line");
        t.expect_post("<@U0BOB> started deploying");
        t.expect_update("<@U0BOB> turn for *publisher* `r1` to *integration*: started");
        let e = t.expect_post("*EMERGENCY* <@U0CAROL> queued");
        assert_text_has(&e, "<@U0BOB> an emergency is waiting behind you");
    } else {
        // The emergency was first: Bob waits next, told so, and his press changed nothing.
        r.assert_says("You're deploying");
        assert_eq!(live[1], (BOB.to_owned(), State::Queued));
        t.expect_update("goes first; you keep your place");
        t.expect_post(":rotating_light: *EMERGENCY deployment* started");
        t.expect_ephemeral(BOB, "is waiting in the queue again");
    }
    t.slack.expect_no_more_calls();
}
on_both_backends!(stepped start_racing_an_emergency_leaves_one_deploying);
