//! `badger check-config` connected to Slack asks who the bot token is (auth.test), so an
//! operator learns of a wrong or revoked token before announcements go missing.

use crate::support;

use std::process::Command;
use support::fake_slack::{Failure, FakeSlack};

/// `check-config` under a bot token, with Slack at `slack`.
async fn check_config(slack: &FakeSlack) -> std::process::Output {
    let url = slack.url();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_badger"))
            .arg("check-config")
            .env_clear()
            .env("RUST_LOG", "warn")
            .env("SLACK_BOT_TOKEN", "xoxb-check-config")
            .env("SLACK_SIGNING_SECRET", "sekrit")
            .env("SLACK_API_URL", url)
            .output()
            .expect("runs")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_says_who_the_bot_token_is() {
    let slack = FakeSlack::start().await;
    let out = check_config(&slack).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "slack: the bot token works: @badger in the workspace {} ({})",
            support::fake_slack::TEAM_NAME,
            support::fake_slack::TEAM_ID
        )),
        "{stdout}"
    );
    assert!(slack.expect_call("auth.test").ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_fails_on_a_refused_bot_token() {
    let slack = FakeSlack::start().await;
    slack.fail_next("auth.test", 1, Failure::SlackError("invalid_auth"));
    let out = check_config(&slack).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("could not confirm the bot token (SLACK_BOT_TOKEN) with Slack at"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid_auth"), "{stderr}");
    assert!(
        !stderr.contains("xoxb-check-config"),
        "the token is never shown: {stderr}"
    );
    slack.read_all();
}
