//! An answer to one person that Slack could not take for half an hour (an outage) is
//! dropped rather than sent late, when it may no longer be true; the channel announcement
//! of the same press is delivered however late. The age is judged by badger's clock.

use crate::support;

use badger::store::Payload;
use chrono::Duration as Minutes;
use support::db::Backend;
use support::driver::TestApp;
use support::fake_slack::Failure;
use support::people::ALICE;

/// Alice places a hold, then releases it with its button while Slack answers 500 to the
/// release's announcement and to her ephemeral answer; the release's edit and topic get
/// through. Then badger's clock moves on by `minutes`, Slack is back, and the outbox is
/// delivered (retries included).
async fn release_during_an_outage(t: &TestApp, minutes: i64) {
    t.hold(ALICE, "whitehall db migration running").await;
    t.deliver_outbox().await;
    let announcement = t.expect_post(":octagonal_sign: <@U0ALICE> is holding");
    let id = TestApp::button_value(&announcement, "hold_release").expect("a release button");
    t.expect_topic_sync();

    t.slack
        .fail_next("chat.postMessage", 1, Failure::ServerError);
    t.slack
        .fail_next("chat.postEphemeral", 1, Failure::ServerError);
    assert_eq!(t.press(ALICE, "hold_release", &id).await, 200);
    t.deliver_outbox().await;
    t.expect_update(":octagonal_sign:");
    assert_eq!(t.slack.expect_call("chat.postMessage").answered, 500);
    t.expect_topic_sync();
    assert_eq!(t.slack.expect_call("chat.postEphemeral").answered, 500);

    t.advance_clock(Minutes::minutes(minutes));
    t.deliver_outbox_with_retries().await;
    t.expect_post(&format!(
        ":white_check_mark: <@U0ALICE> released the hold on whitehall (#{id})"
    ));
}

/// Whether the ephemeral's row ended undelivered (dead), and whether it was delivered.
async fn ephemeral_row(t: &TestApp) -> (bool, bool) {
    let log = t.core().store.outbox_log().await.expect("outbox log");
    let e = log
        .iter()
        .rfind(|e| matches!(e.payload, Payload::Ephemeral { .. }))
        .expect("the ephemeral's row");
    (e.dead, e.delivered)
}

async fn an_ephemeral_slack_could_not_take_for_half_an_hour_is_dropped(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    release_during_an_outage(&t, 31).await;
    // No ephemeral: nothing else reached Slack (a stepped test fails on unread calls).
    assert!(t.slack.unread().is_empty(), "{:#?}", t.slack.unread());
    assert_eq!(
        ephemeral_row(&t).await,
        (true, false),
        "given up, not retried"
    );
    assert_eq!(t.core().store.outbox_pending().await.unwrap(), 0);
    assert_eq!(t.metric("badger_slack_ephemerals_expired_total").await, 1);
    t.stop().await;
}
on_both_backends!(an_ephemeral_slack_could_not_take_for_half_an_hour_is_dropped);

async fn an_ephemeral_under_half_an_hour_late_is_still_sent(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    release_during_an_outage(&t, 29).await;
    t.expect_ephemeral(ALICE, "Released hold");
    assert_eq!(ephemeral_row(&t).await, (false, true));
    assert_eq!(t.metric("badger_slack_ephemerals_expired_total").await, 0);
    t.stop().await;
}
on_both_backends!(an_ephemeral_under_half_an_hour_late_is_still_sent);
