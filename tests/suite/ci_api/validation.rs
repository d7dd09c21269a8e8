//! Bad reports and events refused with a reason and leaving no trace, and a policy's
//! list of known apps bounding the API.

use super::*;
use crate::support::ci::Answer;

const REPORT_SHAPE: &str = "the body must be a JSON object with app, ref, environment and status";
const EVENT_SHAPE: &str = "the body must be a JSON object with status";

/// whitehall `r1` started in integration with `field` set to `value`, as a request body.
fn with(field: &str, value: Value) -> String {
    let mut body = started("whitehall", "r1", "integration");
    body[field] = value;
    body.to_string()
}

async fn bad_requests_are_refused_with_a_reason(backend: Backend) {
    let t = TestApp::start(backend).await;
    let mut cases: Vec<(String, u16, &str)> = vec![
        ("{".into(), 400, "invalid JSON"),
        ("".into(), 400, "invalid JSON"),
        ("not json".into(), 400, "invalid JSON"),
        // JSON, but no object: said plainly, naming no internal type.
        ("[]".into(), 422, REPORT_SHAPE),
        ("null".into(), 422, REPORT_SHAPE),
        ("\"started\"".into(), 422, REPORT_SHAPE),
        ("7".into(), 422, REPORT_SHAPE),
        (
            json!({"app": "whitehall", "environment": "integration", "status": "started"})
                .to_string(),
            422,
            "missing field `ref`",
        ),
    ];
    // One field of a good report made wrong, each refused naming what is wrong.
    let wrong = [
        ("colour", json!("red"), "unknown field `colour`"),
        ("app", json!(7), "invalid type"),
        ("app", json!("Whitehall App"), "Whitehall App"),
        ("app", json!(""), "app"),
        ("ref", json!("-rf"), "-rf"),
        ("ref", json!("r1 r2"), "r1 r2"),
        (
            "environment",
            json!("prod"),
            "unknown environment `prod`; known: integration, staging, production",
        ),
        (
            "status",
            json!("done"),
            "`status` must be started, succeeded or failed, not `done`",
        ),
        (
            "url",
            json!("javascript:alert(1)"),
            "`url` must be an http(s) URL",
        ),
        // The URL parser would drop the line breaks; in Slack they would dress the link up.
        (
            "url",
            json!("https://ci.example/x\n\n*Approved by the platform team*"),
            "`url` must be one http(s) URL, without spaces or line breaks",
        ),
        (
            "note",
            json!("n".repeat(501)),
            "`note` is longer than 500 characters",
        ),
        // PostgreSQL text cannot hold NUL: a clear 422, not a 500 (found by tests/suite/openapi.rs).
        ("note", json!("a\u{0}b"), "`note` contains a NUL character"),
        (
            "emergency",
            json!("\u{0}"),
            "`emergency` contains a NUL character",
        ),
    ];
    let wrong = wrong
        .into_iter()
        .map(|(field, value, says)| (with(field, value), 422, says));
    cases.extend(wrong);
    for (body, status, says) in &cases {
        let a = post(&t, "/api/v1/deployments", Some(&bearer()), body).await;
        assert_error(&a, *status, says, body);
        assert!(!a.error().contains("CiReport"), "{body}: {:?}", a.json);
    }
    assert_nothing_stored(&t, "after bad reports").await;

    // Events: unknown or malformed ids, bad bodies, bad statuses.
    let a = event(&t, 999, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 404, "{:?}", a.json);
    assert!(a.error().contains("#999"), "{:?}", a.json);
    let a = post(
        &t,
        "/api/v1/deployments/abc/events",
        Some(&bearer()),
        r#"{"status":"succeeded"}"#,
    )
    .await;
    assert_eq!(a.status, 404);
    assert_nothing_stored(&t, "after bad events").await;

    let id = reported(&t, started("whitehall", "r1", "integration")).await;
    for (body, status, says) in [
        ("{".to_owned(), 400, "invalid JSON"),
        ("[]".to_owned(), 422, EVENT_SHAPE),
        ("\"succeeded\"".to_owned(), 422, EVENT_SHAPE),
        (
            json!({"status": "finished"}).to_string(),
            422,
            "not `finished`",
        ),
        (
            json!({"status": "succeeded", "extra": 1}).to_string(),
            422,
            "unknown field `extra`",
        ),
        (
            json!({"status": "succeeded", "url": "ftp://x"}).to_string(),
            422,
            "`url` must be an http(s) URL",
        ),
    ] {
        let a = post(
            &t,
            &format!("/api/v1/deployments/{id}/events"),
            Some(&bearer()),
            &body,
        )
        .await;
        assert_error(&a, status, says, &body);
    }
    // A refused event leaves no trace, not even its url.
    let refused = json!({"status": "finished", "url": "https://ci.example/run/9"});
    let a = event(&t, id, refused).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
    let d = t.core().store.deployment(id).await.unwrap().unwrap();
    assert_eq!(d.state.as_str(), "deploying");
    assert_eq!(d.ci_url, None);
    t.stop().await;
}
on_both_backends!(bad_requests_are_refused_with_a_reason);

/// The test policy, with a list of known applications.
const APPS_POLICY: &str = r#"
channel = "C0DEPLOY"
admins = ["U0ADMIN"]
apps = ["whitehall", "publisher"]
[queue]
turn_timeout_minutes = 10
"#;

/// Checks `a` is a 422 refusing `frontend`, an app the policy does not list.
fn assert_unknown_app(a: &Answer) {
    assert_error(a, 422, "`frontend` is not one of the configured apps", "");
}

async fn configured_apps_bound_the_api(backend: Backend) {
    let t = TestApp::start_with(backend, APPS_POLICY).await;
    let check = |app: &str| format!("/api/v1/deploy-check?app={app}&environment=integration");
    assert_eq!(get(&t, &check("whitehall")).await.status, 200);
    assert_unknown_app(&get(&t, &check("frontend")).await);
    assert_unknown_app(&report(&t, started("frontend", "r1", "integration")).await);
    assert_nothing_stored(&t, "unknown app").await;
    assert_eq!(
        report(&t, started("publisher", "r1", "integration"))
            .await
            .status,
        201
    );
    t.stop().await;
}
on_both_backends!(configured_apps_bound_the_api);
