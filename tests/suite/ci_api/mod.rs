//! The CI API and the operational endpoints through real HTTP: bearer-token writes,
//! validation, the deployment lifecycle as CI reports it (and how it shares the queue with
//! people on Slack), deploy-check, status, health, metrics and the dashboard. This module
//! holds the shared helpers; the tests are in its children, by topic.

mod auth;
mod called_off;
mod deploy_check;
mod lifecycle;
mod operational;
mod scoped;
mod tokens_cli;
mod unpromoted;
mod validation;

use crate::support;

use serde_json::{json, Value};
use support::ci::{bearer, event, get, post, report};
use support::ci_steps::{assert_error, assert_said_times, reported, transition_states};
use support::db::Backend;
use support::driver::TestApp;
use support::people::{ALICE, BOB};

async fn assert_nothing_stored(t: &TestApp, context: &str) {
    assert_eq!(
        t.count_rows("deployments").await,
        0,
        "{context}: deployments"
    );
    assert_eq!(t.count_rows("audit").await, 0, "{context}: audit");
    assert_eq!(t.count_rows("outbox").await, 0, "{context}: outbox");
    assert!(t.slack.calls().is_empty(), "{context}: Slack was called");
}

fn started(app: &str, git_ref: &str, env: &str) -> Value {
    json!({"app": app, "ref": git_ref, "environment": env, "status": "started"})
}

fn finished(app: &str, git_ref: &str, env: &str, status: &str) -> Value {
    json!({"app": app, "ref": git_ref, "environment": env, "status": status})
}
