//! The Slack edge through real HTTP: signatures (missing, wrong, over another body, stale,
//! from the future), the 64 KiB body limit, malformed but signed requests, the Events API
//! (url_verification, retried deliveries, unknown types) and escaping of user text on its
//! way back out to Slack. The shared requests and checks here; the tests in one module per
//! topic.

use crate::support;

use chrono::Duration;
use serde_json::json;
use support::db::Backend;
use support::driver::{TestApp, CHANNEL, FORM};
use support::people::ALICE;
use support::slack_forms;

mod escaping;
mod requests;
mod signatures;

const JSON: &str = "application/json";

/// A slash command form in the deploy channel, as Slack sends it.
fn command_form(user: &str, command: &str, text: &str) -> String {
    slack_forms::command_form(CHANNEL, user, command, text)
}

/// An Events API delivery. Accepted, its event id is recorded.
fn event_body(event_id: &str, event_type: &str) -> String {
    json!({
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "event": {"type": event_type, "user": "U0BADGER", "channel": CHANNEL, "event_ts": "1700000000.000100"}
    })
    .to_string()
}

/// What each Slack route gets in the tests below: path, content type, a body that does
/// something when accepted.
fn routes() -> Vec<(&'static str, &'static str, String)> {
    vec![
        (
            "/slack/commands",
            FORM,
            command_form(ALICE, "/deploy", "whitehall r1 to integration"),
        ),
        (
            "/slack/interactions",
            FORM,
            slack_forms::press_form(ALICE, "deploy_done", "1"),
        ),
        (
            "/slack/events",
            JSON,
            event_body("Ev0SECURITY", "member_joined_channel"),
        ),
    ]
}

/// POSTs `body` with exactly the Slack headers given (none are added).
async fn post_raw(
    t: &TestApp,
    path: &str,
    content_type: &str,
    body: String,
    headers: &[(&str, String)],
) -> reqwest::Response {
    let mut req = t
        .http
        .post(format!("{}{path}", t.base))
        .header("content-type", content_type)
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.expect("request reaches badger")
}

/// POSTs `body` signed with the right secret at `now + offset`.
async fn post_signed_at(
    t: &TestApp,
    path: &str,
    content_type: &str,
    body: String,
    offset: Duration,
    extra: &[(&str, String)],
) -> reqwest::Response {
    let mut headers = slack_forms::signature_headers(t.clock_now() + offset, &body).to_vec();
    headers.extend(extra.iter().cloned());
    post_raw(t, path, content_type, body, &headers).await
}

/// Nothing at all has happened: no deployment, no hold, no audit entry, no event recorded,
/// nothing queued for Slack and no call made to it.
async fn assert_nothing_happened(t: &TestApp, context: &str) {
    let store = &t.core().store;
    assert!(
        support::checks::live_deployments(t, None).await.is_empty(),
        "{context}: a deployment was stored"
    );
    assert_eq!(
        t.count_rows("deployments").await,
        0,
        "{context}: deployments"
    );
    assert_eq!(t.count_rows("holds").await, 0, "{context}: holds");
    assert!(
        store.audit_log(100).await.unwrap().is_empty(),
        "{context}: the audit log is not empty"
    );
    assert_eq!(
        t.count_rows("processed_events").await,
        0,
        "{context}: an event was recorded"
    );
    assert_eq!(
        t.count_rows("outbox").await,
        0,
        "{context}: a Slack call was queued"
    );
    assert!(
        t.slack.calls().is_empty(),
        "{context}: Slack was called: {:#?}",
        t.slack.calls()
    );
}
