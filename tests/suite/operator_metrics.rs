//! `GET /metrics` for operators: the new series are present and move with what badger
//! does, and the existing names keep working.

use crate::support;

use std::collections::HashMap;
use support::db::Backend;
use support::driver::TestApp;
use support::fake_slack::Failure;
use support::people::{ALICE, BOB};

/// Every sample of a scrape, by its name and labels as written.
async fn scrape(t: &TestApp) -> HashMap<String, f64> {
    support::metrics::samples(&support::metrics::scrape(&t.http, &t.base).await)
}

fn value(m: &HashMap<String, f64>, key: &str) -> f64 {
    m.get(key).copied().unwrap_or(0.0)
}

async fn metrics_move(backend: Backend) {
    let t = TestApp::start(backend).await;
    let before = scrape(&t).await;
    for name in [
        "badger_outbox_pending",
        "badger_deploy_requests_total",
        "badger_slack_requests_total",
        "badger_holds_active",
        "badger_outbox_oldest_age_seconds",
        "badger_command_duration_seconds_count",
        "badger_queue_length{environment=\"production\"}",
    ] {
        assert!(before.contains_key(name), "{name} missing: {before:?}");
    }
    let commands = "badger_http_requests_total{route=\"/slack/commands\",status=\"200\"}";

    // A /deploy moves the route counter and the latency histogram.
    t.deploy(ALICE, "whitehall r1 to integration").await;
    // Bob queues behind Alice; a hold stands on another app.
    t.deploy(BOB, "publisher r2 to integration").await;
    t.hold(ALICE, "frontend db migration").await;
    t.settle().await;
    let after = scrape(&t).await;
    assert_eq!(value(&after, commands), value(&before, commands) + 3.0);
    let count = "badger_command_duration_seconds_count";
    assert_eq!(value(&after, count), value(&before, count) + 3.0);
    let inf = "badger_command_duration_seconds_bucket{le=\"+Inf\"}";
    assert_eq!(value(&after, inf), value(&after, count));
    assert_eq!(value(&after, "badger_deploy_requests_total"), 2.0);
    assert_eq!(
        value(&after, "badger_queue_length{environment=\"integration\"}"),
        1.0
    );
    assert_eq!(value(&after, "badger_holds_active"), 1.0);
    assert_eq!(value(&after, "badger_outbox_pending"), 0.0);

    // Routes are counted by pattern, not by the id in the path.
    let r = support::ci::event(&t, 987_654, serde_json::json!({"status": "started"})).await;
    assert_eq!(r.status, 404);
    let r = t.get("/no/such/page").await;
    assert_eq!(r.status(), 404);
    let after = scrape(&t).await;
    assert_eq!(
        value(
            &after,
            "badger_http_requests_total{route=\"/api/v1/deployments/{id}/events\",status=\"404\"}"
        ),
        1.0
    );
    assert_eq!(
        value(
            &after,
            "badger_http_requests_total{route=\"unmatched\",status=\"404\"}"
        ),
        1.0
    );
    assert!(!after.keys().any(|k| k.contains("987654")));

    // A delivery Slack refuses is counted by its error.
    t.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::SlackError("channel_not_found"),
    );
    t.deploy(ALICE, "done").await;
    t.settle().await;
    let after = scrape(&t).await;
    assert_eq!(
        value(
            &after,
            "badger_slack_delivery_failures_total{error=\"channel_not_found\"}"
        ),
        1.0
    );
    assert_eq!(
        value(&after, "badger_queue_length{environment=\"integration\"}"),
        1.0,
        "Bob, called, still waits until he presses Start"
    );
    t.stop().await;
}
on_both_backends!(metrics_move);
