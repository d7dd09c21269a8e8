//! The /deploy flow at its edges, end to end through real HTTP and stepped: `done` with
//! deployments in progress in two environments, an environment removed from the policy
//! while people wait in its queue, and a turn started after its time ran out.

use crate::support;

use badger::domain::deployment::State;
use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use support::checks::live_deployments;
use support::db::Backend;
use support::driver::{tuesday_at, TestApp};
use support::people::{ALICE, BOB, CAROL};

/// `/deploy done` with two of yours deploying (in two environments) does not guess which:
/// it names both, changes nothing, and the start alerts' buttons still finish each.
async fn done_with_two_in_progress_asks_which(t: &TestApp) {
    t.deployed(ALICE, "whitehall release_2 to integration")
        .await;
    t.deploy(ALICE, "whitehall release_2 to staging").await;
    let r = t.deploy(ALICE, "publisher r5 to integration").await;
    r.assert_says("You're deploying");
    t.deploy(ALICE, "done")
        .await
        .assert_says("You have 2 deployments in progress")
        .assert_says("*whitehall* `release_2` to *staging* (#2)")
        .assert_says("*publisher* `r5` to *integration* (#3)")
        .assert_says("nothing was changed");
    assert_eq!(live_deployments(t, None).await.len(), 2);
    t.press(ALICE, "deploy_done", "2").await;
    // One left: `done` finishes it.
    t.deploy(ALICE, "done").await.assert_says("publisher");
    assert!(live_deployments(t, None).await.is_empty());
}
on_both_backends!(stepped done_with_two_in_progress_asks_which);

/// An environment removed from the policy: at the restart its waiting entries end and each
/// person is told; whoever is deploying there can still finish.
async fn an_environment_removed_from_the_policy_lets_its_queue_go(backend: Backend) {
    let with_training = format!(
        "{}{}",
        support::driver::POLICY,
        r#"
[[environments]]
name = "integration"
[[environments]]
name = "training"
window = "always"
requires_previous = false
[[environments]]
name = "staging"
[[environments]]
name = "production"
"#
    );
    let t = TestApp::stepped_with(backend, &with_training).await;
    t.deploy(ALICE, "whitehall r1 to training").await;
    let r = t.deploy(BOB, "publisher r2 to training").await;
    r.assert_says("number 1 in line");
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying *whitehall* `r1` to *training*");

    let t = t.restart_with(support::driver::POLICY).await;
    t.deliver_outbox().await;
    t.expect_post(
        ":wastebasket: <@U0BOB> *training* is no longer one of badger's environments, so your place for *publisher* `r2` to *training* has ended.",
    );
    let live = live_deployments(&t, None).await;
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].requester, "U0ALICE");
    t.deploy(ALICE, "done").await.assert_says("whitehall");
    t.deliver_outbox().await;
    t.expect_ended(ALICE, "*whitehall* `r1` to *training*", "succeeded");
    assert!(live_deployments(&t, None).await.is_empty());
    t.stop().await;
}
on_both_backends!(an_environment_removed_from_the_policy_lets_its_queue_go);

/// A turn not started within the timeout is over at that instant, before the scheduler's
/// pass expires it: neither Start nor a pipeline's `started` takes it.
async fn a_turn_whose_time_ran_out_cannot_be_started(t: &TestApp) {
    let (_, call) = t.bob_called_after_alice(None).await;
    let id = TestApp::button_value(&call, "deploy_start").expect("a Start button");

    t.advance_clock(Duration::minutes(10));
    t.press(BOB, "deploy_start", &id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(
        BOB,
        &format!("#{id} has already expired; nothing was changed."),
    );
    let ci = support::ci::event(t, id.parse().unwrap(), json!({"status": "started"})).await;
    assert_eq!(ci.status, 409, "{:?}", ci.json);
    assert!(ci.error().contains("turn ran out"), "{:?}", ci.json);
    assert_eq!(live_deployments(t, None).await[0].state, State::Called);

    // The pass expires it as ever.
    t.tick().await;
    t.deliver_outbox().await;
    t.expect_update("<@U0BOB> turn for *publisher* `r1` to *integration*");
    t.expect_post("<@U0BOB>'s turn");
    assert!(live_deployments(t, None).await.is_empty());
}
on_both_backends!(stepped a_turn_whose_time_ran_out_cannot_be_started);

/// A turn called shortly before an office-hours window closes says when it must start by:
/// the close, not the full timeout (after the close Start is refused and the turn ends).
async fn a_turn_called_near_the_close_says_it_ends_at_the_close(backend: Backend) {
    let t = TestApp::start(backend).await;
    // Friday 27 Nov 2026, 15:50 GMT: the window closes at 16:00.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 27, 15, 50, 0).unwrap());
    for (who, app) in [(ALICE, "whitehall"), (BOB, "publisher")] {
        t.deployed(who, &format!("{app} r1 to integration")).await;
    }
    t.deploy(ALICE, "whitehall r1 to staging").await;
    let r = t.deploy(BOB, "publisher r1 to staging").await;
    r.assert_says("Queued");
    t.clock.advance(Duration::minutes(5));
    t.deploy(ALICE, "done").await;
    let call = t.wait_for_message("<@U0BOB> it's your turn").await;
    assert!(
        call.to_string()
            .contains("Press *Start* by Fri 27 Nov 16:00 GMT, when the deploy window closes,"),
        "{call}"
    );
    t.stop().await;
}
on_both_backends!(a_turn_called_near_the_close_says_it_ends_at_the_close);

/// A turn that times out is announced before the next person is called, so the channel
/// reads in the order things happened.
async fn an_expired_turn_is_told_before_the_next_is_called(t: &TestApp) {
    t.bob_called_after_alice(Some((CAROL, "frontend r1 to integration")))
        .await;
    t.after(Duration::minutes(10)).await;
    t.expect_update("<@U0BOB> turn for *publisher* `r1` to *integration*: turn expired");
    t.expect_post("<@U0BOB>'s turn for *publisher* `r1` to *integration* expired");
    t.expect_post("<@U0CAROL> it's your turn");
}
on_both_backends!(stepped an_expired_turn_is_told_before_the_next_is_called);

/// A turn that expires, and a place the closing window ends, each spell out the command
/// that queues it again, with the command name the policy gives.
async fn an_expired_place_says_how_to_queue_again(backend: Backend) {
    let policy = format!(
        "commands = {{ deploy = \"/ship\", hold = \"/freeze\" }}\n{}",
        support::driver::POLICY
    );
    let t = TestApp::stepped_with(backend, &policy).await;
    let ship = |user: &'static str, text: &'static str| t.slash("/ship", user, text);
    for (who, app) in [(ALICE, "whitehall"), (BOB, "publisher")] {
        t.slash("/ship", who, &format!("{app} r1 to integration"))
            .await;
        ship(who, "done").await;
    }
    // Bob is called on staging and lets his turn run out.
    ship(ALICE, "whitehall r1 to staging").await;
    ship(BOB, "publisher r1 to staging").await;
    ship(ALICE, "done").await;
    t.deliver_unchecked().await;
    t.after(Duration::minutes(10)).await;
    t.expect_update("<@U0BOB> turn for *publisher* `r1` to *staging*: turn expired");
    t.expect_post(
        ":hourglass: <@U0BOB>'s turn for *publisher* `r1` to *staging* expired: it was not started in time. To queue again: `/ship publisher r1 to staging`",
    );

    // Alice waits behind Carol at 17:00, when staging's window closes.
    for (who, app) in [(CAROL, "frontend r1"), (ALICE, "whitehall r2")] {
        t.slash("/ship", who, &format!("{app} to integration"))
            .await;
        ship(who, "done").await;
        t.slash("/ship", who, &format!("{app} to staging")).await;
    }
    t.deliver_unchecked().await;
    t.at(tuesday_at(17, 0)).await;
    // Carol, still deploying, is told first (the after-close reminder).
    t.expect_post("<@U0CAROL> the deploy window closed at Tue 24 Nov 17:00 GMT");
    let m = t.expect_post("<@U0ALICE> the deploy window for *staging* has closed");
    assert!(
        m["text"].as_str().unwrap().ends_with(
            "It next opens Wed 25 Nov 09:30 GMT. To queue again: `/ship whitehall r2 to staging`"
        ),
        "{m}"
    );
    t.stop().await;
}
on_both_backends!(an_expired_place_says_how_to_queue_again);
