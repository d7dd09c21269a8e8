//! Helpers for the GitHub tests: badger's variables pointing at the fake GitHub, and
//! waiting for what the GitHub worker does (its results arrive in the background).

use super::ci::report;
use super::db::Backend;
use super::driver::{TestApp, CHANNEL};
use super::fake_github::FakeGithub;
use super::faults::inject_fault;
use super::people::ALICE;
use serde_json::{json, Value};
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

pub const WHITEHALL: &str = "alphagov/whitehall";
pub const PUBLISHER: &str = "alphagov/publisher";

/// The policy of the GitHub tests: whitehall triggers its workflow (with the deployment
/// id as an input), publisher only compares; integration has a checklist and a reminder.
pub const POLICY: &str = r#"
channel = "C0DEPLOY"
admins = ["U0ADMIN"]
[[environments]]
name = "integration"
checklist = [{ title = "Errors", url = "https://sentry.example/whitehall" }, { title = "Alerts", url = "https://alerts.example/?a=1&b=2" }]
stay_minutes = 15
[[environments]]
name = "staging"
[[environments]]
name = "production"
[github]
users = { octocat = "U0OCTO", hubot = "U0HUBOT" }
report_minutes = 30
[github.repos]
whitehall = { repo = "alphagov/whitehall", workflow = "deploy.yml", trigger = true, deployment_input = "badgerDeploymentId" }
publisher = { repo = "alphagov/publisher" }
"#;

/// A fake GitHub with the two repositories the policy names.
pub async fn fake_github() -> FakeGithub {
    let gh = FakeGithub::start().await;
    gh.add_repo(WHITEHALL, "main", &["deploy.yml"]);
    gh.declare_input(WHITEHALL, "deploy.yml", "badgerDeploymentId");
    gh.add_refs(WHITEHALL, &["release_1", "release_2"]);
    gh.add_repo(PUBLISHER, "main", &["deploy.yml"]);
    gh.add_refs(PUBLISHER, &["release_1", "release_3"]);
    gh
}

/// badger with [`POLICY`], pointed at `gh` with `token`.
pub async fn start(backend: Backend, gh: &FakeGithub, token: &str) -> TestApp {
    TestApp::start_with_vars(backend, POLICY, github_vars(gh, token)).await
}

/// Records that `app` `git_ref` runs in integration now, as a pipeline would.
pub async fn deployed_before(t: &TestApp, app: &str, git_ref: &str) {
    let a = report(
        t,
        json!({"app": app, "ref": git_ref, "environment": "integration", "status": "succeeded"}),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json);
}

/// The deployment id a message's button carries.
pub fn id_of(alert: &serde_json::Value, action_id: &str) -> i64 {
    TestApp::button_value(alert, action_id)
        .expect("the button")
        .parse()
        .expect("an id")
}

/// Alice starts whitehall `release_2` in integration while no GitHub job can be claimed
/// (a fault on `github_jobs`; `faults::heal(t, "github_jobs")` lets the worker at it):
/// its dispatch waits, open. The deployment's id, from the start alert's Done button.
pub async fn started_with_dispatch_held(t: &TestApp) -> i64 {
    inject_fault(t, "UPDATE", "github_jobs", "NEW.claimed_by IS NOT NULL").await;
    let r = t.deploy(ALICE, "whitehall release_2 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let alert = t.wait_for_message("started deploying").await;
    TestApp::button_value(&alert, "deploy_done")
        .expect("a Done button")
        .parse()
        .expect("an id")
}
