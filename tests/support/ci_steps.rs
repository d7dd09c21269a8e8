//! Steps of the CI API that tests repeat, each with the check it always makes: a report
//! that must be created, an answer that must refuse saying why, and the deploy channel's
//! messages counted once the outbox has settled.

use super::ci::{report, report_as, Answer};
use super::driver::TestApp;
use serde_json::Value;

/// Reports `body` with the all-apps token; it must be created (201). The new id.
pub async fn reported(t: &TestApp, body: Value) -> i64 {
    created(report(t, body).await)
}

/// [`reported`] with another bearer token.
pub async fn reported_as(t: &TestApp, token: &str, body: Value) -> i64 {
    created(report_as(t, token, body).await)
}

fn created(a: Answer) -> i64 {
    assert_eq!(a.status, 201, "{:?}", a.json);
    a.json["id"].as_i64().expect("an id")
}

/// `a` must answer `status` with an `error` containing `says`; `case` names the request
/// in a failure (empty when the test sends one).
pub fn assert_error(a: &Answer, status: u16, says: &str, case: &str) {
    assert_eq!(a.status, status, "{case}: {:?}", a.json);
    assert!(
        a.error().contains(says),
        "{case}: {:?} does not say {says:?}",
        a.json
    );
}

/// `a`'s first reason (of a deploy-check's 423) must contain `says`.
pub fn assert_first_reason(a: &Answer, says: &str) {
    let first = a.json["reasons"][0].as_str().unwrap_or("");
    assert!(first.contains(says), "{says:?} not first in {:?}", a.json);
}

/// Once the outbox has settled, exactly `times` deploy channel messages match `said`.
pub async fn assert_said_times(t: &TestApp, times: usize, said: impl Fn(&str) -> bool) {
    t.settle().await;
    let texts = t.channel_texts();
    let count = texts.iter().filter(|m| said(m)).count();
    assert_eq!(count, times, "{texts:#?}");
}

/// The states a deployment as the API shows it (`GET /api/v1/deployments/{id}`) went
/// through, oldest first.
pub fn transition_states(deployment: &Value) -> Vec<&str> {
    let transitions = deployment["transitions"].as_array().expect("transitions");
    transitions
        .iter()
        .filter_map(|x| x["state"].as_str())
        .collect()
}
