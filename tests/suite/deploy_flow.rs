//! The /deploy flow end to end, through real HTTP: signed slash commands and button
//! presses in, slack-morphism's real client out to a fake Slack. Stepped: the test
//! delivers the outbox and moves the clock, and reads every Slack call in order.

use crate::support;

use chrono::{Duration, TimeZone, Utc};
use support::checks::live_deployments;
use support::db::{hold_env_lock, Backend};
use support::driver::TestApp;
use support::fake_slack::Failure;
use support::people::{ADMIN, ALICE, BOB, CAROL, DAVE};

async fn two_people_queue_and_hand_over(backend: Backend) {
    let t = TestApp::stepped(backend).await;

    // Alice finds integration free and starts at once.
    let r = t.deploy(ALICE, "whitehall release_1 to integration").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["response_type"], "ephemeral");
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.deliver_outbox().await;
    let start =
        t.expect_post("<@U0ALICE> started deploying *whitehall* `release_1` to *integration*");
    let alice_id =
        TestApp::button_value(&start, "deploy_done").expect("start alert has a Done button");
    assert!(TestApp::button_value(&start, "deploy_failed").is_some());

    // Bob queues behind her: position 1, Alice ahead. Nothing goes to the channel.
    let r = t.deploy(BOB, "publisher release_7 integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    assert!(r.text().contains("<@U0ALICE>"), "{}", r.text());
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
    let r = t.deploy(BOB, "done all good").await;
    assert!(r.text().contains("succeeded"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_post("*publisher* `release_7` to *integration* succeeded");
    t.expect_update("<@U0BOB> started deploying *publisher*");
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
    assert!(
        status.text().contains("*integration* (always open): free"),
        "{}",
        status.text()
    );
    t.stop().await;
}
on_both_backends!(two_people_queue_and_hand_over);

async fn promotion_refused_then_allowed(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let r = t.deploy(ALICE, "whitehall release_2 to staging").await;
    assert!(
        r.text()
            .contains("must be deployed to *integration* before *staging*"),
        "{}",
        r.text()
    );

    t.deploy(ALICE, "whitehall release_2 to integration").await;
    t.deploy(ALICE, "done").await;
    let r = t.deploy(ALICE, "whitehall release_2 to staging").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.deploy(ALICE, "failed smoke tests red").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying *whitehall* `release_2` to *integration*");
    t.expect_post("*whitehall* `release_2` to *integration* succeeded");
    t.expect_update("started deploying *whitehall* `release_2` to *integration*");
    t.expect_post("<@U0ALICE> started deploying *whitehall* `release_2` to *staging*");
    t.expect_post(":x: *whitehall* `release_2` to *staging* failed");
    t.expect_update("started deploying *whitehall* `release_2` to *staging*");

    // A failed staging deploy does not open the way to production.
    let r = t.deploy(ALICE, "whitehall release_2 to production").await;
    assert!(
        r.text().contains("must succeed in *staging*"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("failed"), "{}", r.text());
    t.stop().await;
}
on_both_backends!(promotion_refused_then_allowed);

async fn closed_window_and_emergency(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r9 to integration").await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying *whitehall* `r9`");
    t.expect_post("*whitehall* `r9` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying *whitehall* `r9`");
    // Saturday 28 November 2026, 11:00 GMT: closed until Monday 09:30.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap());
    let r = t.deploy(ALICE, "whitehall r9 to staging").await;
    assert!(
        r.text().contains("deploy window for *staging* is closed"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("Mon 30 Nov 09:30 GMT"), "{}", r.text());
    assert!(live_deployments(&t, None).await.is_empty());

    // Integration is always open.
    let r = t.deploy(BOB, "whitehall r10 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying *whitehall* `r10`");

    // An emergency bypasses the window and is announced with its reason.
    let r = t
        .deploy(
            ALICE,
            "emergency whitehall r9 to staging <!channel> site down",
        )
        .await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.deliver_outbox().await;
    let alert = t.expect_post("EMERGENCY deployment");
    let text = alert["text"].as_str().unwrap();
    assert!(
        text.contains("Reason: &lt;!channel&gt; site down"),
        "{text}"
    );
    assert!(!text.contains("<!channel>"));
    let audit = t.core().store.audit_log(50).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "deploy.emergency" && a.detail.contains("site down")));
    t.stop().await;
}
on_both_backends!(closed_window_and_emergency);

async fn restart_in_the_middle_of_a_queue(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r2 to integration").await;
    t.deliver_outbox().await;
    let start = t.expect_post("<@U0ALICE> started deploying");
    let alice_id = TestApp::button_value(&start, "deploy_done").unwrap();

    let t = t.restart().await;
    let r = t.deploy(CAROL, "frontend r3 to integration").await;
    assert!(r.text().contains("number 2 in line"), "{}", r.text());
    // Old messages' buttons keep working after the restart.
    t.press(ALICE, "deploy_done", &alice_id).await;
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.expect_post("<@U0BOB> it's your turn");
    t.stop().await;
}
on_both_backends!(restart_in_the_middle_of_a_queue);

async fn announcements_survive_429_and_500(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    t.slack
        .fail_next("chat.postMessage", 1, Failure::ServerError);
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(ALICE, "done").await;
    // The retries wait for Retry-After and the backoff, in real time.
    t.deliver_outbox_with_retries().await;
    let start = t.slack.expect_call("chat.postMessage");
    assert_eq!(start.answered, 429);
    let start = t.slack.expect_call("chat.postMessage");
    assert_eq!(start.answered, 500);
    // The end alert waits behind the start alert: same channel, in order.
    t.expect_post("started deploying");
    t.expect_post("succeeded");
    t.expect_update("started deploying");
    t.stop().await;
}
on_both_backends!(announcements_survive_429_and_500);

async fn emergency_goes_to_the_front(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r1 to integration").await;
    let r = t
        .deploy(CAROL, "emergency frontend r2 integration security fix")
        .await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    let e = t.expect_post("*EMERGENCY* <@U0CAROL> queued");
    let text = e["text"].as_str().unwrap();
    assert!(text.contains("and goes next"), "{text}");
    assert!(
        text.contains("<@U0ALICE> an emergency is waiting behind you"),
        "{text}"
    );
    // A second emergency is second in line, and says so.
    let r = t
        .deploy(DAVE, "emergency collections r3 integration data leak")
        .await;
    assert!(r.text().contains("number 2 in line"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_post(
        "*EMERGENCY* <@U0DAVE> queued *collections* `r3` to *integration*, number 2 in line",
    );
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> it's your turn");
    t.stop().await;
}
on_both_backends!(emergency_goes_to_the_front);

async fn cancel_skip_and_admin(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    for (u, x) in [
        (ALICE, "whitehall r1 to integration"),
        (BOB, "publisher r1 to integration"),
        (CAROL, "frontend r1 to integration"),
    ] {
        let r = t.deploy(u, x).await;
        assert_eq!(r.status, 200);
    }
    // Bob leaves the queue by command; Carol moves up.
    let r = t.deploy(BOB, "cancel").await;
    assert!(r.text().contains("You left the queue"), "{}", r.text());
    // An admin may finish anyone's deployment.
    t.deliver_outbox().await;
    let start = t.expect_post("<@U0ALICE> started deploying");
    let id = TestApp::button_value(&start, "deploy_done").unwrap();
    t.press(ADMIN, "deploy_done", &id).await;
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    let call = t.expect_post("<@U0CAROL> it's your turn");
    // Carol lets the next go first; nobody else waits, so she leaves the queue.
    let carol_id = TestApp::button_value(&call, "deploy_skip").unwrap();
    t.press(CAROL, "deploy_skip", &carol_id).await;
    t.deliver_outbox().await;
    t.expect_update(
        "<@U0CAROL> turn for *frontend* `r1` to *integration*: skipped with nobody else waiting",
    );
    t.expect_ephemeral(CAROL, "Nobody else was waiting");
    t.stop().await;
}
on_both_backends!(cancel_skip_and_admin);

async fn window_close_expires_waiters_and_reminds(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    for (user, app) in [(ALICE, "appalice"), (BOB, "appbob")] {
        t.deploy(user, &format!("{app} r1 to integration")).await;
        t.deploy(user, "done").await;
    }
    t.deliver_outbox().await;
    for app in ["appalice", "appbob"] {
        t.expect_post(&format!("started deploying *{app}*"));
        t.expect_post(&format!("*{app}* `r1` to *integration* succeeded"));
        t.expect_update(&format!("started deploying *{app}*"));
    }
    // Tuesday 16:40 GMT: Alice deploys to staging, Bob waits.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 16, 40, 0).unwrap())
        .await;
    t.deploy(ALICE, "appalice r1 to staging").await;
    t.deploy(BOB, "appbob r1 to staging").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying *appalice* `r1` to *staging*");
    // 16:44: not yet sixteen minutes before closing; no reminder.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 16, 44, 0).unwrap())
        .await;
    // 16:46: fifteen minutes before closing, Alice is reminded, once.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 16, 46, 0).unwrap())
        .await;
    t.expect_post(":alarm_clock: <@U0ALICE> the deploy window closes at Tue 24 Nov 17:00 GMT");
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 16, 50, 0).unwrap())
        .await;
    // 17:00: Alice, still deploying, is told the window closed (after_close.rs has the
    // rest); Bob's place expires and he is told when it next opens.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap())
        .await;
    t.expect_post("<@U0ALICE> the deploy window closed at Tue 24 Nov 17:00 GMT");
    let m = t.expect_post("<@U0BOB> the deploy window for *staging* has closed");
    assert!(m["text"].as_str().unwrap().contains("Wed 25 Nov 09:30 GMT"));
    t.stop().await;
}
on_both_backends!(window_close_expires_waiters_and_reminds);

async fn a_started_deployment_can_be_called_off(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r1 to integration").await;
    t.deliver_outbox().await;
    let start = t.expect_post("<@U0ALICE> started deploying");
    // The contract puts deploy_cancel on the start alert too.
    let id = TestApp::button_value(&start, "deploy_cancel").expect("start alert has Cancel");
    t.press(CAROL, "deploy_cancel", &id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(CAROL, "Only <@U0ALICE>");
    t.press(ALICE, "deploy_cancel", &id).await;
    t.deliver_outbox().await;
    t.expect_post(":no_entry_sign: *whitehall* `r1` to *integration* was called off");
    t.expect_update("<@U0ALICE> started deploying");
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
    assert!(r.text().contains("Called off"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_post("*publisher* `r1` to *integration* was called off");
    t.expect_update("<@U0BOB> started deploying");
    let d = t
        .core()
        .store
        .deployment(bob_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.state, badger::domain::deployment::State::Cancelled);
    // A called-off deployment is not a success: no version recorded.
    assert!(t.core().store.versions(None).await.unwrap().is_empty());
    t.stop().await;
}
on_both_backends!(a_started_deployment_can_be_called_off);

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
    assert!(r.text().contains("still being worked on"), "{}", r.text());
    let later = t.wait_for_ephemeral(ALICE, "You're deploying").await;
    assert!(later.contains("whitehall"), "{later}");
    t.wait_for_message("<@U0ALICE> started deploying").await;
    let live = live_deployments(&t, None).await;
    assert_eq!(live.len(), 1, "the late command was saved once");
    // A refusal is answered late too.
    let held = hold_env_lock(&t.core().store, "production").await;
    let r = t.deploy(BOB, "whitehall r1 to production").await;
    drop(held);
    assert!(r.text().contains("still being worked on"), "{}", r.text());
    t.wait_for_ephemeral(BOB, "staging").await;
    t.stop().await;
}
on_both_backends!(a_late_command_is_answered_afterwards);

// ---------------------------------------------------------------------------------------
// The stepped harness itself.

/// Nothing reaches Slack until the test delivers the outbox; then exactly what was queued.
async fn nothing_moves_until_the_test_steps(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    assert_eq!(t.core().store.outbox_pending().await.unwrap(), 1);
    t.slack.expect_no_more_calls();
    assert_eq!(t.deliver_outbox().await, 1);
    t.expect_post("<@U0ALICE> started deploying");
    assert_eq!(t.core().store.outbox_pending().await.unwrap(), 0);
    assert_eq!(t.deliver_outbox().await, 0);
    t.stop().await;
}
on_both_backends!(nothing_moves_until_the_test_steps);

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
