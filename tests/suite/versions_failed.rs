//! A failure after the version that runs, on both backends: web r2 succeeded in staging,
//! then r3 failed there. Every view still shows r2 (what runs) but says r3 failed after
//! it, and production's drift behind staging is marked blocked, as deploy-check refuses r2
//! there; once r3 succeeds in staging both marks clear.

use crate::support;

use chrono::Duration;
use serde_json::{json, Value};
use support::ci::{self, report};
use support::dashboard::part;
use support::db::Backend;
use support::driver::TestApp;
use support::openapi::get_valid;
use support::people::BOB;

/// CI reports web `git_ref` finished in `env` with `status`, a minute after the last.
async fn finished(t: &TestApp, git_ref: &str, env: &str, status: &str) {
    t.clock.advance(Duration::minutes(1));
    let body = json!({"app": "web", "ref": git_ref, "environment": env, "status": status});
    let r = report(t, body).await;
    assert_eq!(r.status, 201, "{git_ref} {status} in {env}: {:?}", r.json);
}

/// deploy-check of web `git_ref` in production: its status and refusal codes.
async fn check_production(t: &TestApp, git_ref: &str) -> (u16, Vec<String>) {
    let path = format!("/api/v1/deploy-check?app=web&environment=production&ref={git_ref}");
    let a = ci::get(t, &path).await;
    (a.status, a.codes())
}

/// The `/api/v1/versions?app=web` view, checked against the OpenAPI document.
async fn web(t: &TestApp) -> Value {
    let v = get_valid(t, "/api/v1/versions?app=web", "Versions").await;
    assert_eq!(
        v["environments"],
        json!(["integration", "staging", "production"])
    );
    v["apps"][0].clone()
}

async fn a_failure_after_the_version_is_shown_and_blocks_its_drift(backend: Backend) {
    let t = TestApp::start(backend).await;
    for env in ["integration", "staging", "production"] {
        finished(&t, "r1", env, "succeeded").await;
    }
    finished(&t, "r2", "integration", "succeeded").await;
    finished(&t, "r2", "staging", "succeeded").await;
    finished(&t, "r3", "integration", "succeeded").await;
    finished(&t, "r3", "staging", "failed").await;
    let failed_at = t.clock_now();
    t.clock.advance(Duration::minutes(5));

    // The promotion rule: staging's latest finished deployment is r3, failed.
    assert_eq!(
        check_production(&t, "r2").await,
        (423, vec!["not_promoted".to_owned()])
    );

    // The API: staging runs r2, and r3 failed after it; production's drift is blocked,
    // staging's (behind integration, whose latest is r3 succeeded) is not.
    let app = web(&t).await;
    let staging = &app["per_env"][1];
    assert_eq!(staging["ref"], "r2", "{app}");
    let failed = &staging["latest_failed"];
    assert_eq!(failed["ref"], "r3", "{app}");
    assert_eq!(failed["by"], "ci", "{app}");
    let at: chrono::DateTime<chrono::Utc> = serde_json::from_value(failed["at"].clone()).unwrap();
    assert_eq!(at, failed_at);
    assert_eq!(app["per_env"][0]["latest_failed"], Value::Null, "{app}");
    assert_eq!(app["per_env"][2]["latest_failed"], Value::Null, "{app}");
    let drift: Vec<(Value, Value, Value)> = app["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["env"].clone(),
                d["ahead_ref"].clone(),
                d["blocked"].clone(),
            )
        })
        .collect();
    assert_eq!(
        drift,
        [
            (json!("staging"), json!("r3"), json!(false)),
            (json!("production"), json!("r2"), json!(true)),
        ]
    );

    // `/deploy versions`: the same, in words.
    let v = t.deploy(BOB, "versions").await.text();
    assert!(
        v.contains("*web*: integration `r3` · staging `r2` (`r3` failed) · production `r1`"),
        "{v}"
    );
    assert!(
        v.contains("production (`r1`) is behind staging, whose latest deployment `r3` failed: `r2` there for"),
        "{v}"
    );
    assert!(
        v.contains("staging (`r2`) is behind integration: `r3` there for"),
        "{v}"
    );

    // The dashboard: the failure on staging's cell, production's mark blocked.
    let html = t.get("/").await.text().await.unwrap();
    let row = part(&html, r#"<tr data-app="web">"#, "</tr>");
    let staging = part(row, r#"data-env="staging""#, "</td>");
    assert!(
        staging.contains(r#"<span class="ref">r2</span>"#)
            && staging.contains(">(r3 failed)</span>"),
        "{staging}"
    );
    let production = part(row, r#"data-env="production""#, "</td>");
    assert!(
        production.contains(r#"<span class="mark blocked""#)
            && production.contains("behind staging for 7m, whose latest deployment r3 failed"),
        "{production}"
    );
    assert!(staging.contains(r#"<span class="mark" "#), "{staging}");

    // r3 succeeds in staging: nothing failed after it, and production may take it.
    finished(&t, "r3", "staging", "succeeded").await;
    let app = web(&t).await;
    assert_eq!(app["per_env"][1]["ref"], "r3", "{app}");
    assert_eq!(app["per_env"][1]["latest_failed"], Value::Null, "{app}");
    assert_eq!(app["drift"][0]["env"], "production", "{app}");
    assert_eq!(app["drift"][0]["blocked"], false, "{app}");
    assert_eq!(check_production(&t, "r3").await, (200, vec![]));
    t.deploy(BOB, "versions").await.assert_never_says("failed");
}
on_both_backends!(a_failure_after_the_version_is_shown_and_blocks_its_drift);
