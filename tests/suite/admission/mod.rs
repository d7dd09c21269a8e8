//! The one admission rule through every entry path, over real HTTP on both backends:
//! a person's `/deploy`, the your-turn call, the Start and Skip buttons, CI `started`
//! (report and event), deploy-check and the scheduler refuse and accept the same cases.
//! This module holds the people and the helpers the tests share.

use crate::support;

use serde_json::{json, Value};
use support::checks::deployment_state;
use support::driver::TestApp;
use support::people::{ALICE, BOB, CAROL, DAVE};

mod every_path;
mod pipelines;
mod turns;

fn ci(app: &str, git_ref: &str, env: &str, status: &str) -> Value {
    json!({"app": app, "ref": git_ref, "environment": env, "status": status})
}

/// The deployment id a reply or message names as `(#N)`.
fn id_in(text: &str) -> i64 {
    let start = text.find("(#").expect("an id in the text") + 2;
    text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("digits")
}
