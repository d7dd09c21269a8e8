//! Helpers for the GitHub tests: badger's variables pointing at the fake GitHub, and
//! waiting for what the GitHub worker does (its results arrive in the background).

use super::driver::{TestApp, CHANNEL};
use super::fake_github::FakeGithub;
use serde_json::Value;
use std::time::Duration;

/// The token the GitHub tests give badger (it must never reach the logs).
pub const GITHUB_TOKEN: &str = "ghp_test_token_0123456789";

/// `GITHUB_API_URL` at the fake, a token, and a short timeout.
pub fn github_vars(gh: &FakeGithub, token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_API_URL", gh.url()),
        ("GITHUB_TOKEN", token.to_owned()),
        ("BADGER_GITHUB_TIMEOUT_SECS", "1".to_owned()),
    ]
}

/// Polls `cond` every 20 ms for up to 15 s; false if it never held.
pub async fn eventually(cond: impl Fn() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cond()
}

/// Waits until a channel message's JSON (text or blocks) contains `needle`; returns it.
pub async fn wait_for_json(t: &TestApp, needle: &str) -> Value {
    let find = || {
        t.slack
            .messages(CHANNEL)
            .into_iter()
            .rev()
            .find(|m| m.to_string().contains(needle))
    };
    let ok = eventually(|| find().is_some()).await;
    assert!(
        ok,
        "no channel message containing {needle:?}; messages: {:#?}",
        t.channel_texts()
    );
    find().expect("found above")
}

/// Waits until an ephemeral for `user` contains `needle`; returns it whole (with blocks).
pub async fn wait_for_ephemeral_json(t: &TestApp, user: &str, needle: &str) -> Value {
    let find = || {
        t.slack
            .ephemerals(CHANNEL)
            .into_iter()
            .find(|e| e["user"].as_str() == Some(user) && e.to_string().contains(needle))
    };
    let ok = eventually(|| find().is_some()).await;
    assert!(
        ok,
        "no ephemeral for {user} containing {needle:?}; got {:#?}",
        t.slack.ephemerals(CHANNEL)
    );
    find().expect("found above")
}

/// Slack's limits on one message: 50 blocks, 3000 characters per section text, 40,000
/// characters of text.
pub fn assert_within_slack_limits(m: &Value) {
    let blocks = m["blocks"].as_array().map(Vec::len).unwrap_or(0);
    assert!(blocks <= 50, "{blocks} blocks");
    for b in m["blocks"].as_array().into_iter().flatten() {
        if let Some(text) = b["text"]["text"].as_str() {
            assert!(
                text.chars().count() <= 3000,
                "a section of {} characters",
                text.chars().count()
            );
        }
    }
    let text = m["text"].as_str().unwrap_or("");
    assert!(
        text.chars().count() <= 40_000,
        "text of {} characters",
        text.chars().count()
    );
}

/// The deployment's state as stored.
pub async fn state_of(t: &TestApp, id: i64) -> String {
    t.core()
        .store
        .deployment(id)
        .await
        .expect("read")
        .expect("exists")
        .state
        .as_str()
        .to_owned()
}
