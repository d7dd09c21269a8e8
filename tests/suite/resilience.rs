//! Slack failing, badger restarting, badger stopping: nothing acknowledged is lost and
//! announcements arrive in order per channel.

use crate::support;

use badger::domain::deployment::State;
use badger::store::Payload;
use chrono::Duration as Minutes;
use std::time::Duration;
use support::checks::live_deployments;
use support::db::Backend;
use support::driver::{TestApp, CHANNEL};

/// The texts badger meant to post in the deploy channel, in outbox order.
async fn intended_posts(t: &TestApp) -> Vec<String> {
    t.core()
        .store
        .outbox_log()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.payload {
            Payload::Post { channel, body, .. } if channel == CHANNEL => {
                Some(badger::slack::notices::body(&body).text)
            }
            _ => None,
        })
        .collect()
}

/// The texts Slack accepted in the deploy channel, in the order it accepted them.
fn delivered_posts(t: &TestApp) -> Vec<String> {
    t.slack
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.ok && c.body["channel"].as_str() == Some(CHANNEL))
        .map(|c| c.body["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A busy hour of queue activity on integration: people queue, get called, start, finish.
async fn busy_hour(t: &TestApp, people: usize) {
    for i in 0..people {
        t.deploy(
            &format!("U0P{i:03}"),
            &format!("app{i} r{i} to integration"),
        )
        .await;
    }
    for _ in 0..people * 3 {
        t.clock.advance(Minutes::minutes(1));
        let live = live_deployments(t, Some("integration")).await;
        let Some(d) = live.iter().find(|d| d.state != State::Queued) else {
            break;
        };
        match d.state {
            State::Called => {
                t.press(&d.requester, "deploy_start", &d.id.to_string())
                    .await;
            }
            _ => {
                let verb = if d.id % 4 == 0 {
                    "failed smoke tests"
                } else {
                    "done"
                };
                t.deploy(&d.requester, verb).await;
            }
        }
    }
}

async fn thirty_percent_failures_lose_nothing(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.slack.set_failure_retry_after(0);
    t.slack.set_failure_rate(0.3, 7);
    busy_hour(&t, 12).await;
    t.settle_within(Duration::from_secs(120)).await;
    t.slack.set_failure_rate(0.0, 0);

    let log = t.core().store.outbox_log().await.unwrap();
    assert!(
        log.iter().all(|e| e.delivered && !e.dead),
        "every call delivered, none given up"
    );
    assert!(
        log.iter().any(|e| e.attempts > 0),
        "the fake really did fail some calls"
    );
    let intended = intended_posts(&t).await;
    assert!(
        intended.len() >= 30,
        "a busy hour: {} posts",
        intended.len()
    );
    assert_eq!(
        delivered_posts(&t),
        intended,
        "every announcement, once, in order"
    );
    let failures = t
        .slack
        .calls()
        .iter()
        .filter(|c| c.answered == 429 || c.answered == 500)
        .count();
    eprintln!(
        "chaos: {} posts delivered in order through {failures} injected failures",
        intended.len()
    );
    t.stop().await;
}
on_both_backends!(thirty_percent_failures_lose_nothing);

async fn a_restart_delivers_what_was_waiting(backend: Backend) {
    let t = TestApp::start(backend).await;
    // Slack is down: everything fails.
    t.slack.set_failure_retry_after(0);
    t.slack.set_failure_rate(1.0, 1);
    t.deploy("U0ALICE", "whitehall r1 to integration").await;
    t.deploy("U0BOB", "publisher r2 to integration").await;
    t.deploy("U0ALICE", "done").await;
    assert!(
        t.slack
            .wait_until(Duration::from_secs(10), |c| c.len() >= 3)
            .await
    );
    let waiting = t.core().store.outbox_pending().await.unwrap();
    assert!(waiting >= 3, "announcements wait in the outbox: {waiting}");
    let intended = intended_posts(&t).await;

    // Stop badger with the outbox full, bring Slack back, start badger again.
    let t = t.restart().await;
    t.slack.set_failure_rate(0.0, 0);
    t.settle_within(Duration::from_secs(60)).await;
    assert_eq!(delivered_posts(&t), intended);
    assert!(t
        .channel_texts()
        .iter()
        .any(|m| m.contains("<@U0BOB> it's your turn")));
    t.stop().await;
}
on_both_backends!(a_restart_delivers_what_was_waiting);

/// A `Retry-After` no real Slack sends (any server can sit at SLACK_API_URL) neither
/// panics the outbox worker (the time overflowed) nor parks the channel for years: the
/// retry is due within `MAX_RETRY_AFTER`.
async fn an_absurd_retry_after_is_capped(backend: Backend) {
    use badger::domain::retry::MAX_RETRY_AFTER;
    use badger::store::Lane;
    use support::fake_slack::Failure;
    let t = TestApp::stepped(backend).await;
    let retry_after_secs = 9_223_372_036_854_775;
    let failure = Failure::RateLimited { retry_after_secs };
    t.slack.fail_next("chat.postMessage", 1, failure);
    t.deploy(support::people::ALICE, "whitehall r1 to integration")
        .await;
    t.deliver_outbox().await;
    assert_eq!(t.slack.expect_call("chat.postMessage").answered, 429);
    let store = &t.core().store;
    let due = store.outbox_next_due(Lane::Channel).await.unwrap();
    let cap = chrono::Utc::now().timestamp_millis() + MAX_RETRY_AFTER.as_millis() as i64;
    let due = due.expect("the post waits for its retry");
    assert!(cap - 60_000 < due && due <= cap, "due {due}, cap {cap}");
    t.stop().await;
}
on_both_backends!(an_absurd_retry_after_is_capped);

/// A credentials problem (a token being rotated, a scope being added) is the operator's to
/// fix, not the message's fault: the announcement waits and is posted once Slack takes the
/// token again, instead of being dropped at the first refusal.
async fn an_auth_error_is_retried_not_dropped(backend: Backend) {
    use support::fake_slack::Failure;
    let t = TestApp::stepped(backend).await;
    t.slack
        .fail_next("chat.postMessage", 2, Failure::SlackError("invalid_auth"));
    t.deploy(support::people::ALICE, "whitehall r1 to integration")
        .await;
    t.deliver_outbox_with_retries().await;
    for _ in 0..2 {
        assert!(!t.slack.expect_call("chat.postMessage").ok);
    }
    t.expect_post("<@U0ALICE> started deploying");
    t.stop().await;
}
on_both_backends!(an_auth_error_is_retried_not_dropped);

/// Stopping badger awaits a Slack call in flight for as long as the call itself may take
/// (`BADGER_SLACK_TIMEOUT_SECS`, up to 300 s) and the storing of its ts: a post Slack was
/// still answering is not abandoned and then posted again by the next start.
#[test]
fn shutdown_awaits_a_whole_slack_call() {
    use badger::app::RunOptions;
    use std::time::Duration;
    let mut opts = RunOptions::default();
    for secs in [1, 10, 300] {
        opts.slack_timeout = Duration::from_secs(secs);
        let grace = opts.delivery_grace();
        assert!(
            grace > opts.slack_timeout + Duration::from_secs(6),
            "{grace:?}"
        );
        assert!(grace >= opts.shutdown_grace, "{grace:?}");
    }
}
