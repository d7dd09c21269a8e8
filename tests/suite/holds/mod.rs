//! `/hold` end to end, through real HTTP: signed slash commands and button presses in,
//! slack-morphism's real client out to the fake Slack, whose channel topic starts with
//! what people wrote. Most tests are stepped: they deliver the outbox and move the clock
//! themselves and read every Slack call in order. This module holds the people, the
//! topic people wrote and the helpers; the tests are in its children, by topic.

mod binding;
mod channel_topic;
mod owners;
mod queues;
mod status;
mod unknown_app;

use crate::support;

use badger::domain::hold::Hold;
use serde_json::Value;
use support::db::Backend;
use support::driver::{TestApp, CHANNEL};
use support::people::{ALICE, BOB, CAROL, DAVE, ERIN};

/// What people had in the topic before badger did anything.
const PEOPLE: &str = "Deploy freeze from 20 Dec | on call: <@U0ONCALL>";

/// A stepped badger, with the deploy channel's topic as people left it.
async fn stepped_with_topic(backend: Backend, topic: &str) -> TestApp {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, topic);
    t
}

/// Waits for the outbox to drain and returns the channel topic.
async fn topic(t: &TestApp) -> String {
    t.settle().await;
    t.slack.topic(CHANNEL)
}

/// Every `text` of a message's blocks, joined: what Slack shows when blocks are present.
fn blocks_text(m: &Value) -> String {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(s)) = o.get("text") {
                    out.push(s.clone());
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&m["blocks"], &mut out);
    out.join("\n")
}

/// The id on a hold announcement's release button.
fn release_id(announcement: &Value) -> String {
    TestApp::button_value(announcement, "hold_release").expect("hold announcement has a button")
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

async fn check(t: &TestApp, app: &str, env: &str) -> (u16, Value) {
    let r = t
        .get(&format!("/api/v1/deploy-check?app={app}&environment={env}"))
        .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The holds that stand now, as stored.
async fn standing(t: &TestApp) -> Vec<Hold> {
    t.core().store.active_holds().await.expect("read the holds")
}

/// Stepped: `who` holds (`text` as typed after `/hold`) and the outbox is delivered: the
/// hold's announcement, then the topic sync. Returns the announcement and the topic as
/// left.
async fn hold_announced(t: &TestApp, who: &str, text: &str) -> (Value, String) {
    t.hold(who, text).await;
    t.deliver_outbox().await;
    let announcement = t.expect_post(&format!("<@{who}> is holding"));
    (announcement, t.expect_topic_sync())
}

/// The next Slack calls must be `who`'s deployment of `app` `r1` to integration from start
/// to end: its start alert, its end alert, then the start alert's update.
fn expect_deployed(t: &TestApp, who: &str, app: &str) {
    t.expect_post(&format!("<@{who}> started deploying *{app}*"));
    t.expect_post(&format!("*{app}* `r1` to *integration* succeeded"));
    t.expect_update(&format!("<@{who}> started deploying *{app}*"));
}

/// The next Slack calls must be a release: `owner`'s announcement of their hold on `scope`
/// (an app, or `all applications`) updated, then the channel told that `by` released it.
fn expect_release(t: &TestApp, owner: &str, by: &str, scope: &str) {
    t.expect_update(&format!("<@{owner}> is holding deployments of *{scope}*"));
    t.expect_post(&format!("<@{by}> released the hold on {scope}"));
}
