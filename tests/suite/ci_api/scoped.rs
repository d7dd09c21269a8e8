//! Per-app CI tokens (`BADGER_API_TOKENS`): a token reports and finishes deployments of its
//! own apps, and is refused (403, nothing stored, changed or said in Slack) for any other
//! app's; the all-apps `BADGER_API_TOKEN` works as before, alone or beside them.

use super::*;
use support::ci::{event_as, report_as, PUBLISHING_TOKEN, SCOPED_TOKENS, WHITEHALL_TOKEN};
use support::ci_steps::reported_as;
use support::openapi::{spec, validator};

/// What is stored that a refused write could have added to: deployments, audit lines and
/// Slack messages waiting to be sent.
async fn rows(t: &TestApp) -> [i64; 3] {
    [
        t.count_rows("deployments").await,
        t.count_rows("audit").await,
        t.count_rows("outbox").await,
    ]
}

/// Whitehall's token reports whitehall `r1` started in integration, and the start is
/// posted; the deployment's id.
async fn whitehall_r1_started(t: &TestApp) -> i64 {
    let r1 = started("whitehall", "r1", "integration");
    let id = reported_as(t, WHITEHALL_TOKEN, r1).await;
    t.deliver_outbox().await;
    t.expect_post("started deploying *whitehall* `r1` to *integration*");
    id
}

async fn a_scoped_token_reports_its_own_apps_only(backend: Backend) {
    // Scoped tokens alone turn the write API on.
    let t = TestApp::stepped_with_tokens(backend, false, SCOPED_TOKENS).await;
    whitehall_r1_started(&t).await;

    // Another app's report, started or finished: refused, and nothing is stored or said.
    let before = rows(&t).await;
    for body in [
        started("frontend", "f1", "staging"),
        finished("frontend", "f1", "integration", "succeeded"),
    ] {
        let a = report_as(&t, WHITEHALL_TOKEN, body).await;
        assert_eq!(a.status, 403, "{:?}", a.json);
        let documented = json!({ "$ref": "#/components/schemas/Forbidden" });
        assert!(validator(&spec(), &documented).is_valid(&a.json));
        assert_eq!(
            a.json,
            json!({"error": "forbidden",
                   "message": "this token may report deployments of whitehall only, not frontend"})
        );
    }
    assert_eq!(rows(&t).await, before);
    assert_eq!(
        t.deliver_outbox().await,
        0,
        "a refused report posted to Slack"
    );

    // A token for two apps reports either.
    let f1 = finished("frontend", "f1", "integration", "succeeded");
    reported_as(&t, PUBLISHING_TOKEN, f1).await;
    t.deliver_outbox().await;
    t.expect_post("*frontend* `f1` to *integration* succeeded");
    let a = report_as(&t, PUBLISHING_TOKEN, started("whitehall", "r2", "staging")).await;
    assert_eq!(a.status, 403, "{:?}", a.json);
    assert_eq!(
        a.json["message"],
        "this token may report deployments of publisher or frontend only, not whitehall"
    );

    // BADGER_API_TOKEN is unset here: its token is nobody's; reads need none.
    let a = report(&t, started("publisher", "p1", "integration")).await;
    assert_eq!(a.status, 401, "{:?}", a.json);
    assert_eq!(
        get(&t, "/api/v1/deployments?app=frontend").await.status,
        200
    );
    assert_eq!(t.count_rows("deployments").await, 2);
    t.stop().await;
}
on_both_backends!(a_scoped_token_reports_its_own_apps_only);

async fn a_scoped_token_cannot_touch_another_apps_deployment(backend: Backend) {
    // Both variables together: the all-apps token reports any app.
    let t = TestApp::stepped_with_tokens(backend, true, SCOPED_TOKENS).await;
    let id = reported(&t, started("frontend", "f1", "integration")).await;
    t.deliver_outbox().await;
    t.expect_post("started deploying *frontend* `f1` to *integration*");

    // Whitehall's token may not start, finish or annotate frontend's deployment.
    let before = rows(&t).await;
    let url = "https://ci.example/whitehall/run/9";
    for status in ["succeeded", "failed", "started"] {
        let body = json!({"status": status, "url": url});
        let a = event_as(&t, WHITEHALL_TOKEN, id, body).await;
        assert_eq!(a.status, 403, "{status}: {:?}", a.json);
        assert_eq!(a.json["error"], "forbidden");
        assert_eq!(
            a.json["message"],
            format!(
                "deployment #{id} is of frontend; this token may report deployments of whitehall only"
            )
        );
    }
    let d = get(&t, &format!("/api/v1/deployments/{id}")).await;
    assert_eq!(d.json["state"], "deploying", "{:?}", d.json);
    assert_eq!(d.json["ci_url"], Value::Null, "{:?}", d.json);
    assert_eq!(rows(&t).await, before);
    assert_eq!(
        t.deliver_outbox().await,
        0,
        "a refused event posted to Slack"
    );
    // A deployment that does not exist is not found, as for the all-apps token.
    let a = event_as(&t, WHITEHALL_TOKEN, id + 100, json!({"status": "failed"})).await;
    assert_eq!(a.status, 404, "{:?}", a.json);

    // Frontend's token finishes it.
    let a = event_as(&t, PUBLISHING_TOKEN, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"id": id, "state": "succeeded"}));
    t.deliver_outbox().await;
    t.expect_post("*frontend* `f1` to *integration* succeeded");
    t.expect_update("started deploying *frontend* `f1` to *integration*");

    // Whitehall's token reports and finishes whitehall's own, as the all-apps token does.
    let wh = whitehall_r1_started(&t).await;
    let failed = json!({"status": "failed", "url": url});
    let a = event_as(&t, WHITEHALL_TOKEN, wh, failed).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    t.deliver_outbox().await;
    t.expect_post("*whitehall* `r1` to *integration* failed");
    t.expect_update("started deploying *whitehall* `r1` to *integration*");
    reported(&t, finished("publisher", "p1", "integration", "succeeded")).await;
    t.deliver_outbox().await;
    t.expect_post("*publisher* `p1` to *integration* succeeded");
    t.stop().await;
}
on_both_backends!(a_scoped_token_cannot_touch_another_apps_deployment);
