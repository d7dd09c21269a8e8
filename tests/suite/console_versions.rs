//! The local console's versions are the shared versions model, drawn as the dashboard
//! draws it: the policy's environments only, its configured apps even if never deployed,
//! drift and failures marked. Both backends; the panel is rendered from the same core as
//! the dashboard beside it.

use crate::support;

use chrono::Duration;
use serde_json::json;
use support::ci::report;
use support::dashboard::part;
use support::db::Backend;
use support::driver::TestApp;
use support::versions::{seed, Done};

const POLICY: &str = r#"
channel = "C0DEPLOY"
apps = ["web", "docs"]
"#;

async fn finished(t: &TestApp, git_ref: &str, env: &str, status: &str) {
    t.clock.advance(Duration::minutes(1));
    let body = json!({"app": "web", "ref": git_ref, "environment": env, "status": status});
    let r = report(t, body).await;
    assert_eq!(r.status, 201, "{git_ref} {status} in {env}: {:?}", r.json);
}

async fn the_console_draws_the_shared_versions_model(backend: Backend) {
    let t = TestApp::start_with(backend, POLICY).await;
    finished(&t, "r1", "integration", "succeeded").await;
    finished(&t, "r1", "staging", "succeeded").await;
    finished(&t, "r2", "integration", "succeeded").await;
    finished(&t, "r3", "integration", "failed").await;
    // An environment the policy no longer has (a row an older policy left behind).
    seed(
        &t,
        &[Done {
            app: "web",
            env: "preview",
            git_ref: "old",
            by: "U0ALICE",
            at: t.clock_now(),
        }],
    )
    .await;
    t.clock.advance(Duration::minutes(5));

    let person = |id: &str| id.to_owned();
    let panel = badger::console::panel::dashboard_body(t.core(), false, &person)
        .await
        .expect("the console's panel");
    let matrix = part(
        &panel,
        r#"<table class="matrix" id="versions">"#,
        "</table>",
    );
    assert!(
        !matrix.contains("preview") && !matrix.contains(">old<"),
        "{matrix}"
    );
    let docs = part(matrix, r#"<tr data-app="docs">"#, "</tr>");
    assert_eq!(
        docs.matches(r#"<td class="cell empty" data-env"#).count(),
        3,
        "{docs}"
    );
    let web = part(matrix, r#"<tr data-app="web">"#, "</tr>");
    let integration = part(web, r#"data-env="integration""#, "</td>");
    assert!(
        integration.contains(r#"<span class="ref">r2</span>"#)
            && integration.contains(">(r3 failed)</span>"),
        "{integration}"
    );
    let staging = part(web, r#"<td class="cell drift" data-env="staging""#, "</td>");
    assert!(
        staging.contains(r#"<span class="mark blocked""#)
            && staging.contains("behind integration for 6m, whose latest deployment r3 failed"),
        "{staging}"
    );
    assert!(
        web.contains(r#"<td class="cell empty drift" data-env="production">"#),
        "{web}"
    );

    // The very matrix the dashboard shows.
    let html = t.get("/dashboard").await.text().await.unwrap();
    let shown = part(&html, r#"<table class="matrix" id="versions">"#, "</table>");
    assert_eq!(matrix, shown);
}
on_both_backends!(the_console_draws_the_shared_versions_model);
