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

use serde_json::Value;
use support::db::Backend;
use support::driver::{TestApp, CHANNEL};
use support::people::{ALICE, BOB, CAROL, DAVE, ERIN};

/// What people had in the topic before badger did anything.
const PEOPLE: &str = "Deploy freeze from 20 Dec | on call: <@U0ONCALL>";

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
