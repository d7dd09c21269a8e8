//! Smoke checks where people look back, on both backends: the dashboard's smoke column (the
//! recent history and an app's page) and the history API's `smoke` field show a check that
//! passed, one that failed (with why), one still pending, and none where the environment
//! has no smoke URLs. The matrix marks drift by the shared rule, with its age.

use crate::support;

use chrono::Duration;
use serde_json::{json, Value};
use support::dashboard::{part, smoke_cell};
use support::db::Backend;
use support::driver::TestApp;
use support::openapi::get_valid as json_of;
use support::people::ALICE;
use support::smoke_server::{deploy_started, deploy_started_in, start, SmokeServer};

/// Integration requests `/{ref}/check`: ref `ok` passes, ref `gate` waits for the gate.
const URL: &str = "/{ref}/check";

async fn html(t: &TestApp, path: &str) -> String {
    let r = t.get(path).await;
    assert_eq!(r.status().as_u16(), 200, "{path}");
    r.text().await.expect("a page")
}

async fn done(t: &TestApp) {
    let r = t.deploy(ALICE, "done").await;
    assert!(r.text().contains("succeeded"), "{}", r.text());
}

async fn smoke_checks_show_in_history(backend: Backend) {
    let server = SmokeServer::start().await;
    let t = start(backend, &server, &[URL], 5).await;
    let passed = deploy_started(&t, ALICE, "ok").await;
    done(&t).await;
    t.wait_for_message("Smoke checks passed").await;
    t.clock.advance(Duration::hours(1));
    // Nothing in staging while integration has something: drift, for an hour now.
    let page = html(&t, "/dashboard").await;
    let row = part(&page, r#"<tr data-app="whitehall">"#, "</tr>");
    let staging = part(
        row,
        r#"<td class="cell empty drift" data-env="staging""#,
        "</td>",
    );
    assert!(
        staging.contains(">behind integration for 1h 0m</span>"),
        "{staging}"
    );

    // Staging has no smoke URLs.
    let unchecked = deploy_started_in(&t, ALICE, "ok", "staging").await;
    done(&t).await;
    let gated = deploy_started(&t, ALICE, "gate").await;
    done(&t).await;
    t.clock.advance(Duration::hours(2));

    // Checking: pending in the API and on the dashboard.
    let d = json_of(&t, &format!("/api/v1/deployments/{gated}"), "HistoryEntry").await;
    assert_eq!(d["smoke"], json!({"outcome": "pending", "results": []}));
    let page = html(&t, "/dashboard").await;
    let cell = smoke_cell(&page, gated);
    assert!(cell.contains(r#"data-smoke="pending""#), "{cell}");
    assert!(
        cell.contains(r#"><span class="verdict">pending</span></td>"#),
        "{cell}"
    );

    // Then it fails.
    server.open_gate(500);
    t.wait_for_message("Smoke checks failed").await;

    let gate_url = format!("{}/gate/check", server.base);
    let list = json_of(&t, "/api/v1/deployments?app=whitehall", "HistoryPage").await;
    let entries = list["deployments"].as_array().expect("deployments");
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [gated, unchecked, passed]);
    assert_eq!(entries[1]["smoke"], Value::Null);
    let failed = &entries[0]["smoke"];
    assert_eq!(failed["outcome"], "fail", "{failed}");
    let r = &failed["results"][0];
    assert_eq!(
        (
            &r["url"],
            &r["outcome"],
            &r["status"],
            &r["detail"],
            &r["attempts"]
        ),
        (
            &json!(gate_url),
            &json!("fail"),
            &json!(500),
            &json!("HTTP 500"),
            &json!(3)
        ),
        "{failed}"
    );
    assert_eq!(failed["results"].as_array().unwrap().len(), 1);
    let ok = &entries[2]["smoke"];
    assert_eq!(ok["outcome"], "pass", "{ok}");
    assert_eq!(ok["results"][0]["status"], 200, "{ok}");
    assert_eq!(ok["results"][0]["detail"], "HTTP 200", "{ok}");
    let one = json_of(&t, &format!("/api/v1/deployments/{gated}"), "HistoryEntry").await;
    assert_eq!(&one["smoke"], failed);
    let one = json_of(
        &t,
        &format!("/api/v1/deployments/{unchecked}"),
        "HistoryEntry",
    )
    .await;
    assert_eq!(one["smoke"], Value::Null);
    json_of(&t, "/api/v1/status", "Status").await;

    // The dashboard and the app's page show the same, the failure with its reason.
    for path in ["/dashboard", "/apps/whitehall"] {
        let page = html(&t, path).await;
        let cell = smoke_cell(&page, gated);
        assert!(cell.contains(r#"data-smoke="fail""#), "{path}: {cell}");
        assert!(
            cell.contains(&format!(r#"title="{gate_url}: HTTP 500""#)),
            "{path}: {cell}"
        );
        assert!(
            cell.contains(
                r#"><span class="verdict">failed</span> <span class="why">HTTP 500</span>"#
            ),
            "{path}: {cell}"
        );
        let cell = smoke_cell(&page, passed);
        assert!(
            cell.contains(r#"data-smoke="pass" title="1 of 1 answered 2xx"><span class="verdict">passed</span>"#),
            "{path}: {cell}"
        );
        let cell = smoke_cell(&page, unchecked);
        assert!(
            cell.contains(r#"data-smoke="none"><span class="verdict">—</span>"#),
            "{path}: {cell}"
        );
        // Staging now runs ok, integration gate: drifted since integration got gate.
        let row = part(&page, r#"<tr data-app="whitehall">"#, "</tr>");
        let staging = part(row, r#"<td class="cell drift" data-env="staging""#, "</td>");
        assert!(
            staging.contains(">behind integration for 2h 0m</span>"),
            "{path}: {staging}"
        );
    }
    t.stop().await;
}
on_both_backends!(smoke_checks_show_in_history);
