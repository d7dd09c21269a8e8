//! The /deploy flow end to end, through real HTTP: signed slash commands and button
//! presses in, slack-morphism's real client out to a fake Slack. Stepped: the test
//! delivers the outbox and moves the clock, and reads every Slack call in order.

use crate::support;

use badger::domain::deployment::State;
use chrono::{Duration, TimeZone, Utc};
use support::checks::{assert_text_has, deployment, live_deployments};
use support::db::{hold_env_lock, Backend};
use support::driver::{tuesday_at, TestApp};
use support::fake_slack::Failure;
use support::people::{ADMIN, ALICE, BOB, CAROL, DAVE};

async fn two_people_queue_and_hand_over(t: &TestApp) {
    // Alice finds integration free and starts at once.
    let r = t.deploy(ALICE, "whitehall release_1 to integration").await;
    r.assert_private_says("You're deploying");
    t.deliver_outbox().await;
    let start =
        t.expect_post("<@U0ALICE> started deploying *whitehall* `release_1` to *integration*");
    let alice_id =
        TestApp::button_value(&start, "deploy_done").expect("start alert has a Done button");
    assert!(TestApp::button_value(&start, "deploy_failed").is_some());

    // Bob queues behind her: position 1, Alice ahead. Nothing goes to the channel.
    t.deploy(BOB, "publisher release_7 integration")
        .await
        .assert_says("number 1 in line")
        .assert_says("<@U0ALICE>");
    assert_eq!(t.deliver_outbox().await, 0);

    // A stranger's press changes nothing and is told why, privately.
    assert_eq!(t.press(CAROL, "deploy_done", &alice_id).await, 200);
    t.deliver_outbox().await;
    let why = t.expect_ephemeral(CAROL, "Only <@U0ALICE>");
    assert!(why.contains("Nothing was changed"));

    // Alice hands over by button: end alert, her start alert closed, then Bob is called.
    assert_eq!(t.press(ALICE, "deploy_done", &alice_id).await, 200);
    t.deliver_outbox().await;
    t.expect_post(":white_check_mark: *whitehall* `release_1` to *integration* succeeded");
    let closed = t.expect_update("<@U0ALICE> started deploying *whitehall*");
    assert!(TestApp::button_value(&closed, "deploy_done").is_none());
    let call = t.expect_post("<@U0BOB> it's your turn");
    let bob_id = TestApp::button_value(&call, "deploy_start").expect("your-turn has Start");
    assert!(TestApp::button_value(&call, "deploy_skip").is_some());

    // A second press of Alice's button changes nothing and says so (no second end alert:
    // the next call is the ephemeral).
    t.press(ALICE, "deploy_done", &alice_id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(ALICE, "already succeeded");

    // Carol can't start Bob's turn; Bob can.
    t.press(CAROL, "deploy_start", &bob_id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(CAROL, "Only <@U0BOB>");
    t.press(BOB, "deploy_start", &bob_id).await;
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying *publisher*");
    t.expect_update("<@U0BOB> turn for *publisher*");

    // Dave queues, Bob finishes with the command, Dave is called but never starts: his
    // turn expires after the timeout, and the channel is told.
    t.deploy(DAVE, "collections r1 to integration").await;
    t.deploy(BOB, "done all good")
        .await
        .assert_says("succeeded");
    t.deliver_outbox().await;
    t.expect_ended(BOB, "*publisher* `release_7` to *integration*", "succeeded");
    t.expect_post("<@U0DAVE> it's your turn");
    // Not yet: ten minutes is the timeout, and a pass before it changes nothing.
    t.advance_clock(Duration::minutes(9));
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    t.advance_clock(Duration::minutes(2));
    t.tick().await;
    t.deliver_outbox().await;
    t.expect_update("<@U0DAVE> turn for *collections* `r1` to *integration*: turn expired");
    t.expect_post(":hourglass: <@U0DAVE>'s turn");
    let status = t.deploy(DAVE, "status integration").await;
    status.assert_says("*integration* (always open): free");
}
on_both_backends!(stepped two_people_queue_and_hand_over);

async fn promotion_refused_then_allowed(t: &TestApp) {
    t.deploy(ALICE, "whitehall release_2 to staging")
        .await
        .assert_says("must be deployed to *integration* before *staging*");

    t.deployed(ALICE, "whitehall release_2 to integration")
        .await;
    t.deploy(ALICE, "whitehall release_2 to staging")
        .await
        .assert_says("You're deploying");
    t.deploy(ALICE, "failed smoke tests red").await;
    t.deliver_outbox().await;
    t.expect_ran(
        ALICE,
        "*whitehall* `release_2` to *integration*",
        "succeeded",
    );
    t.expect_ran(ALICE, "*whitehall* `release_2` to *staging*", "failed");

    // A failed staging deploy does not open the way to production.
    t.deploy(ALICE, "whitehall release_2 to production")
        .await
        .assert_says("must succeed in *staging*")
        .assert_says("failed");
}
on_both_backends!(stepped promotion_refused_then_allowed);

async fn closed_window_and_emergency(t: &TestApp) {
    t.deployed(ALICE, "whitehall r9 to integration").await;
    t.deliver_outbox().await;
    t.expect_ran(ALICE, "*whitehall* `r9` to *integration*", "succeeded");
    // Saturday 28 November 2026, 11:00 GMT: closed until Monday 09:30.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap());
    t.deploy(ALICE, "whitehall r9 to staging")
        .await
        .assert_says("deploy window for *staging* is closed")
        .assert_says("Mon 30 Nov 09:30 GMT");
    assert!(live_deployments(t, None).await.is_empty());

    // Integration is always open.
    let start = t.starts(BOB, "whitehall r10 to integration").await;
    assert_text_has(&start, "started deploying *whitehall* `r10`");

    // An emergency bypasses the window and is announced with its reason.
    t.deploy(
        ALICE,
        "emergency whitehall r9 to staging <!channel> site down",
    )
    .await
    .assert_says("You're deploying");
    t.deliver_outbox().await;
    let alert = t.expect_post("EMERGENCY deployment");
    assert_text_has(&alert, "Reason: &lt;!channel&gt; site down");
    assert!(!alert["text"].as_str().unwrap().contains("<!channel>"));
    let audit = t.core().store.audit_log(50).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "deploy.emergency" && a.detail.contains("site down")));
}
on_both_backends!(stepped closed_window_and_emergency);

async fn restart_in_the_middle_of_a_queue(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let start = t.starts(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r2 to integration").await;
    let alice_id = TestApp::button_value(&start, "deploy_done").unwrap();

    let t = t.restart().await;
    let r = t.deploy(CAROL, "frontend r3 to integration").await;
    r.assert_says("number 2 in line");
    // Old messages' buttons keep working after the restart.
    t.press(ALICE, "deploy_done", &alice_id).await;
    t.deliver_outbox().await;
    t.expect_ended(ALICE, "*whitehall* `r1` to *integration*", "succeeded");
    t.expect_post("<@U0BOB> it's your turn");
    t.stop().await;
}
on_both_backends!(restart_in_the_middle_of_a_queue);

async fn announcements_survive_429_and_500(t: &TestApp) {
    // Slack turns the first post away with a 429, then with a 500.
    let failures = [
        Failure::RateLimited {
            retry_after_secs: 1,
        },
        Failure::ServerError,
    ];
    for failure in failures {
        t.slack.fail_next("chat.postMessage", 1, failure);
    }
    t.deployed(ALICE, "whitehall r1 to integration").await;
    // The retries wait for Retry-After and the backoff, in real time.
    t.deliver_outbox_with_retries().await;
    for answered in [429, 500] {
        let post = t.slack.expect_call("chat.postMessage");
        assert_eq!(post.answered, answered, "the post answered {answered}");
    }
    // The end alert waits behind the start alert: same channel, in order.
    t.expect_ran(ALICE, "*whitehall* `r1` to *integration*", "succeeded");
}
on_both_backends!(stepped announcements_survive_429_and_500);

async fn emergency_goes_to_the_front(t: &TestApp) {
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r1 to integration").await;
    t.deploy(CAROL, "emergency frontend r2 integration security fix")
        .await
        .assert_says("number 1 in line");
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    let e = t.expect_post("*EMERGENCY* <@U0CAROL> queued");
    assert_text_has(&e, "and goes next");
    assert_text_has(&e, "<@U0ALICE> an emergency is waiting behind you");
    // A second emergency is second in line, and says so.
    let r = t
        .deploy(DAVE, "emergency collections r3 integration data leak")
        .await;
    r.assert_says("number 2 in line");
    t.deliver_outbox().await;
    t.expect_post(
        "*EMERGENCY* <@U0DAVE> queued *collections* `r3` to *integration*, number 2 in line",
    );
    t.hands_over(ALICE, "*whitehall* `r1` to *integration*", CAROL)
        .await;
}
on_both_backends!(stepped emergency_goes_to_the_front);

async fn cancel_skip_and_admin(t: &TestApp) {
    for (u, x) in [
        (ALICE, "whitehall r1 to integration"),
        (BOB, "publisher r1 to integration"),
        (CAROL, "frontend r1 to integration"),
    ] {
        let r = t.deploy(u, x).await;
        assert_eq!(r.status, 200);
    }
    // Bob leaves the queue by command; Carol moves up.
    t.deploy(BOB, "cancel")
        .await
        .assert_says("You left the queue");
    // An admin may finish anyone's deployment.
    t.deliver_outbox().await;
    let start = t.expect_post("<@U0ALICE> started deploying");
    let id = TestApp::button_value(&start, "deploy_done").unwrap();
    t.press(ADMIN, "deploy_done", &id).await;
    t.deliver_outbox().await;
    t.expect_ended(ALICE, "*whitehall* `r1` to *integration*", "succeeded");
    let call = t.expect_post("<@U0CAROL> it's your turn");
    // Carol lets the next go first; nobody else waits, so she leaves the queue.
    let carol_id = TestApp::button_value(&call, "deploy_skip").unwrap();
    t.press(CAROL, "deploy_skip", &carol_id).await;
    t.deliver_outbox().await;
    t.expect_update(
        "<@U0CAROL> turn for *frontend* `r1` to *integration*: skipped with nobody else waiting",
    );
    t.expect_ephemeral(CAROL, "Nobody else was waiting");
}
on_both_backends!(stepped cancel_skip_and_admin);

async fn window_close_expires_waiters_and_reminds(t: &TestApp) {
    let people = [(ALICE, "appalice"), (BOB, "appbob")];
    for (user, app) in people {
        t.deployed(user, &format!("{app} r1 to integration")).await;
    }
    t.deliver_outbox().await;
    for (user, app) in people {
        t.expect_ran(user, &format!("*{app}* `r1` to *integration*"), "succeeded");
    }
    // Tuesday 16:40 GMT: Alice deploys to staging, Bob waits.
    t.at(tuesday_at(16, 40)).await;
    t.deploy(ALICE, "appalice r1 to staging").await;
    t.deploy(BOB, "appbob r1 to staging").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying *appalice* `r1` to *staging*");
    // 16:44: not yet sixteen minutes before closing; no reminder.
    t.at(tuesday_at(16, 44)).await;
    // 16:46: fifteen minutes before closing, Alice is reminded, once.
    t.at(tuesday_at(16, 46)).await;
    t.expect_post(":alarm_clock: <@U0ALICE> the deploy window closes at Tue 24 Nov 17:00 GMT");
    t.at(tuesday_at(16, 50)).await;
    // 17:00: Alice, still deploying, is told the window closed (after_close.rs has the
    // rest); Bob's place expires and he is told when it next opens.
    t.at(tuesday_at(17, 0)).await;
    t.expect_post("<@U0ALICE> the deploy window closed at Tue 24 Nov 17:00 GMT");
    let m = t.expect_post("<@U0BOB> the deploy window for *staging* has closed");
    assert_text_has(&m, "Wed 25 Nov 09:30 GMT");
}
on_both_backends!(stepped window_close_expires_waiters_and_reminds);

async fn a_started_deployment_can_be_called_off(t: &TestApp) {
    let start = t.starts(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r1 to integration").await;
    // The contract puts deploy_cancel on the start alert too.
    let id = TestApp::button_value(&start, "deploy_cancel").expect("start alert has Cancel");
    t.press(CAROL, "deploy_cancel", &id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(CAROL, "Only <@U0ALICE>");
    t.press(ALICE, "deploy_cancel", &id).await;
    t.deliver_outbox().await;
    t.expect_ended(ALICE, "*whitehall* `r1` to *integration*", "was called off");
    let call = t.expect_post("<@U0BOB> it's your turn");
    t.press(ALICE, "deploy_cancel", &id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(ALICE, "already been cancelled");
    // Bob starts, then calls his off by command with its id.
    let bob_id = TestApp::button_value(&call, "deploy_start").unwrap();
    t.press(BOB, "deploy_start", &bob_id).await;
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying");
    t.expect_update("<@U0BOB> turn for *publisher*");
    let r = t.deploy(BOB, &format!("cancel {bob_id}")).await;
    r.assert_says("Called off");
    t.deliver_outbox().await;
    t.expect_ended(BOB, "*publisher* `r1` to *integration*", "was called off");
    let d = deployment(t, bob_id.parse().unwrap()).await;
    assert_eq!(d.state, State::Cancelled);
    // A called-off deployment is not a success: no version recorded.
    assert!(t.core().store.versions(None).await.unwrap().is_empty());
}
on_both_backends!(stepped a_started_deployment_can_be_called_off);

/// A command that misses Slack's deadline (a slow database) is not cut short: Slack gets
/// "still being worked on" at once, the command completes, and its real answer follows as
/// an ephemeral message.
async fn a_late_command_is_answered_afterwards(backend: Backend) {
    let t = TestApp::start_with_late_replies(backend).await;
    // The database is slow: each environment's lock is held here until Slack has had its
    // answer, so the command is late by construction, not by racing the timer's first tick.
    let held = hold_env_lock(&t.core().store, "integration").await;
    let r = t.deploy(ALICE, "whitehall r1 to integration").await;
    drop(held);
    assert_eq!(r.status, 200);
    r.assert_says("still being worked on");
    let later = t.wait_for_ephemeral(ALICE, "You're deploying").await;
    assert!(later.contains("whitehall"), "{later}");
    t.wait_for_message("<@U0ALICE> started deploying").await;
    let live = live_deployments(&t, None).await;
    assert_eq!(live.len(), 1, "the late command was saved once");
    // A refusal is answered late too.
    let held = hold_env_lock(&t.core().store, "production").await;
    let r = t.deploy(BOB, "whitehall r1 to production").await;
    drop(held);
    r.assert_says("still being worked on");
    t.wait_for_ephemeral(BOB, "staging").await;
    t.stop().await;
}
on_both_backends!(a_late_command_is_answered_afterwards);

// ---------------------------------------------------------------------------------------
// The stepped harness itself.

/// Nothing reaches Slack until the test delivers the outbox; then exactly what was queued.
async fn nothing_moves_until_the_test_steps(t: &TestApp) {
    t.deploy(ALICE, "whitehall r1 to integration").await;
    assert_eq!(t.core().store.outbox_pending().await.unwrap(), 1);
    t.slack.expect_no_more_calls();
    assert_eq!(t.deliver_outbox().await, 1);
    t.expect_post("<@U0ALICE> started deploying");
    assert_eq!(t.core().store.outbox_pending().await.unwrap(), 0);
    assert_eq!(t.deliver_outbox().await, 0);
}
on_both_backends!(stepped nothing_moves_until_the_test_steps);

/// A Slack call the test never read fails it when its TestApp goes (SQLite only: this is
/// the harness, not storage).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "Slack call(s) were left unread")]
async fn a_stepped_test_fails_on_an_unread_call() {
    let t = TestApp::stepped(Backend::Sqlite).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deliver_outbox().await;
    t.stop().await;
}
