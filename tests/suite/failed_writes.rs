//! A write badger relies on fails, then works again (a trigger fails it on purpose), and
//! nothing is lost: a Slack event whose work could not be queued is answered 500 and
//! handled on Slack's retry instead of being dropped as a duplicate; a posted message
//! whose ts could not be stored at once keeps it, so it is still edited later.

use crate::support;

use std::time::Duration;
use support::db::Backend;
use support::driver::TestApp;
use support::faults::{heal, inject_fault};
use support::people::ALICE;
use support::versions::{open_home, wait_for_home};

async fn a_home_tab_that_could_not_be_queued_is_published_on_the_retry(backend: Backend) {
    let t = TestApp::start(backend).await;
    inject_fault(&t, "INSERT", "outbox", "NEW.ordering_key LIKE 'home:%'").await;
    assert_eq!(open_home(&t, "Ev0RETRY", ALICE, "home").await, 500);
    t.settle().await;
    assert!(t.slack.calls_to("views.publish").is_empty());

    heal(&t, "outbox").await;
    // Slack's retry of the same event id.
    assert_eq!(open_home(&t, "Ev0RETRY", ALICE, "home").await, 200);
    wait_for_home(&t, ALICE, 1).await;
    // Handled now, so a further delivery is the duplicate it looks like.
    assert_eq!(open_home(&t, "Ev0RETRY", ALICE, "home").await, 200);
    t.settle().await;
    assert_eq!(t.slack.calls_to("views.publish").len(), 1);
    t.stop().await;
}
on_both_backends!(a_home_tab_that_could_not_be_queued_is_published_on_the_retry);

async fn a_posted_message_keeps_its_ts_through_a_brief_database_fault(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    inject_fault(&t, "INSERT", "slack_messages", "1 = 1").await;
    // The start alert is posted while storing its ts fails; the fault heals meanwhile.
    let heal_soon = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        heal(&t, "slack_messages").await;
    };
    tokio::join!(t.deliver_outbox(), heal_soon);
    t.expect_post("<@U0ALICE> started deploying");
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    // The start alert is edited in place: its ts was stored after all.
    t.expect_ended(ALICE, "*whitehall* `r1` to *integration*", "succeeded");
    t.stop().await;
}
on_both_backends!(a_posted_message_keeps_its_ts_through_a_brief_database_fault);
