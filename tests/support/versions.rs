//! Versions and App Home in tests: seeding finished deployments straight into the store
//! (hundreds of apps with long histories, in one transaction), opening the Home tab as
//! Slack reports it, and checking Block Kit limits on what badger sent.

use super::driver::TestApp;
use badger::domain::deployment::State;
use badger::store::NewDeployment;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::time::Duration;

/// Slack's limits: blocks per message and per view, characters of message text (those of
/// section and header texts are the fake Slack's, checked by its `block_problem`).
pub const MESSAGE_BLOCKS: usize = 50;
// The fake Slack enforces the same limits; one definition serves both.
pub const VIEW_BLOCKS: usize = super::fake_slack::VIEW_MAX_BLOCKS;
pub const MESSAGE_TEXT_CHARS: usize = super::fake_slack::TEXT_MAX_CHARS;

/// One succeeded deployment to record: app, environment, ref, requester, when.
pub struct Done<'a> {
    pub app: &'a str,
    pub env: &'a str,
    pub git_ref: &'a str,
    pub by: &'a str,
    pub at: DateTime<Utc>,
}

/// Records succeeded deployments as if they had happened (in the order given), keeping
/// `current_versions` as every path to `succeeded` does. Nothing is posted to Slack.
pub async fn seed(t: &TestApp, done: &[Done<'_>]) {
    let store = &t.core().store;
    let mut tx = store.begin().await.expect("begin");
    for d in done {
        tx.insert_deployment(
            &NewDeployment {
                channel: super::driver::CHANNEL,
                ..super::db::new_deployment(d.app, d.git_ref, d.env, d.by, State::Succeeded)
            },
            d.at,
        )
        .await
        .expect("insert a finished deployment");
    }
    tx.commit().await.expect("commit");
}

/// The `event_callback` Slack sends when `user` opens badger's App Home on `tab`.
pub fn home_opened(event_id: &str, user: &str, tab: &str) -> String {
    json!({
        "token": "legacy", "team_id": "T1", "api_app_id": "ABADGERAPP",
        "type": "event_callback", "event_id": event_id, "event_time": 1_700_000_000,
        "event": {"type": "app_home_opened", "user": user, "channel": "D0BADGER",
                  "tab": tab, "event_ts": "1700000000.000100"}
    })
    .to_string()
}

/// Sends the event signed, as Slack does; the HTTP status badger answers.
pub async fn open_home(t: &TestApp, event_id: &str, user: &str, tab: &str) -> u16 {
    t.signed(
        "/slack/events",
        "application/json",
        home_opened(event_id, user, tab),
    )
    .await
    .status()
    .as_u16()
}

/// Waits until `user`'s Home tab has been published `n` times; returns the last view.
pub async fn wait_for_home(t: &TestApp, user: &str, n: usize) -> Value {
    let ok = t
        .slack
        .wait_until(Duration::from_secs(15), |_| {
            t.slack.home_views(user).len() >= n
        })
        .await;
    assert!(ok, "the Home tab of {user} was not published {n} times");
    t.slack.home_views(user).pop().expect("published")
}

/// Asserts that `blocks` keep Slack's limits (at most `max_blocks`; section and header
/// texts within theirs) and returns their texts, joined by newlines.
pub fn within_limits(blocks: &[Value], max_blocks: usize) -> String {
    if let Some(problem) = super::fake_slack::block_problem(blocks, max_blocks) {
        panic!("over Slack's limits: {problem}");
    }
    let mut all = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let text = b
            .pointer("/text/text")
            .and_then(Value::as_str)
            .unwrap_or("");
        // A section cut short would end in "…": nothing may be cut.
        assert!(!text.ends_with('…'), "block {i} was cut: {text}");
        all.push(text.to_owned());
    }
    all.join("\n")
}

/// From "+N more apps (K drifted)", N and K; (0, 0) when everything was shown.
pub fn more_apps(text: &str) -> (usize, usize) {
    let Some(at) = text.find(" more app") else {
        return (0, 0);
    };
    let n = text[..at]
        .rsplit('+')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("a count before `more apps`");
    let k = text[at..]
        .split('(')
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("a drifted count after `more apps`");
    (n, k)
}
