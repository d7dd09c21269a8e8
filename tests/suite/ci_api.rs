//! The CI API and the operational endpoints through real HTTP: bearer-token writes,
//! validation, the deployment lifecycle as CI reports it (and how it shares the queue with
//! people on Slack), deploy-check, status, health, metrics and the dashboard.

use crate::support;

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use support::ci::{bearer, event, get, post, report};
use support::db::Backend;
use support::driver::{TestApp, API_TOKEN};

const ALICE: &str = "U0ALICE";
const BOB: &str = "U0BOB";

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

async fn writes_need_the_bearer_token(backend: Backend) {
    let t = TestApp::start(backend).await;
    let body = started("whitehall", "r1", "integration").to_string();
    let wrong = [
        None,
        Some("Bearer wrong-token-0123456789abcdef".to_owned()),
        Some(format!("Bearer {API_TOKEN}x")),
        Some(format!("Bearer {}", &API_TOKEN[..API_TOKEN.len() - 1])),
        Some("Bearer ".to_owned()),
        Some(API_TOKEN.to_owned()),
        Some(format!("Basic {API_TOKEN}")),
        Some(format!("Token {API_TOKEN}")),
    ];
    for auth in &wrong {
        for path in ["/api/v1/deployments", "/api/v1/deployments/1/events"] {
            let a = post(&t, path, auth.as_deref(), &body).await;
            assert_eq!(a.status, 401, "{path} with {auth:?}: {:?}", a.json);
            assert!(a.error().contains("bearer token"), "{:?}", a.json);
        }
    }
    assert_nothing_stored(&t, "after 401s").await;

    // The scheme is case-insensitive (RFC 9110); the token is not.
    let a = post(
        &t,
        "/api/v1/deployments",
        Some(&format!("bearer {API_TOKEN}")),
        &body,
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let a = post(
        &t,
        "/api/v1/deployments",
        Some(&format!("Bearer {}", API_TOKEN.to_uppercase())),
        &started("publisher", "r1", "staging").to_string(),
    )
    .await;
    assert_eq!(a.status, 401);
    t.stop().await;
}
on_both_backends!(bearer_token, writes_need_the_bearer_token);

async fn without_a_token_the_write_api_is_off(backend: Backend) {
    let t = TestApp::start_without_api_token(backend).await;
    let body = started("whitehall", "r1", "integration").to_string();
    for auth in [None, Some(bearer()), Some("Bearer ".to_owned())] {
        for path in ["/api/v1/deployments", "/api/v1/deployments/1/events"] {
            let a = post(&t, path, auth.as_deref(), &body).await;
            assert_eq!(a.status, 403, "{path} with {auth:?}");
            assert!(a.error().contains("BADGER_API_TOKEN"), "{:?}", a.json);
        }
    }
    assert_nothing_stored(&t, "write API off").await;
    // Reading still works.
    let a = get(
        &t,
        "/api/v1/deploy-check?app=whitehall&environment=integration",
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(get(&t, "/api/v1/status").await.status, 200);
    t.stop().await;
}
on_both_backends!(write_api_off, without_a_token_the_write_api_is_off);

async fn bad_requests_are_refused_with_a_reason(backend: Backend) {
    let t = TestApp::start(backend).await;
    let cases: Vec<(String, u16, &str)> = vec![
        ("{".into(), 400, "invalid JSON"),
        ("".into(), 400, "invalid JSON"),
        ("not json".into(), 400, "invalid JSON"),
        ("[]".into(), 422, "invalid JSON"),
        (
            json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started", "colour": "red"}).to_string(),
            422,
            "unknown field `colour`",
        ),
        (
            json!({"app": "whitehall", "environment": "integration", "status": "started"}).to_string(),
            422,
            "missing field `ref`",
        ),
        (
            json!({"app": 7, "ref": "r1", "environment": "integration", "status": "started"}).to_string(),
            422,
            "invalid type",
        ),
        (
            started("Whitehall App", "r1", "integration").to_string(),
            422,
            "Whitehall App",
        ),
        (started("", "r1", "integration").to_string(), 422, "app"),
        (
            started("whitehall", "-rf", "integration").to_string(),
            422,
            "-rf",
        ),
        (
            started("whitehall", "r1 r2", "integration").to_string(),
            422,
            "r1 r2",
        ),
        (
            started("whitehall", "r1", "prod").to_string(),
            422,
            "unknown environment `prod`; known: integration, staging, production",
        ),
        (
            json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "done"}).to_string(),
            422,
            "`status` must be started, succeeded or failed, not `done`",
        ),
        (
            json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started", "url": "javascript:alert(1)"}).to_string(),
            422,
            "`url` must be an http(s) URL",
        ),
        (
            json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started", "note": "n".repeat(501)}).to_string(),
            422,
            "`note` is longer than 500 characters",
        ),
        // PostgreSQL text cannot hold NUL: a clear 422, not a 500 (found by tests/suite/openapi.rs).
        (
            json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started", "note": "a\u{0}b"}).to_string(),
            422,
            "`note` contains a NUL character",
        ),
        (
            json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started", "emergency": "\u{0}"}).to_string(),
            422,
            "`emergency` contains a NUL character",
        ),
    ];
    for (body, status, says) in &cases {
        let a = post(&t, "/api/v1/deployments", Some(&bearer()), body).await;
        assert_eq!(a.status, *status, "{body}: {:?}", a.json);
        assert!(
            a.error().contains(says),
            "{body}: {:?} does not say {says:?}",
            a.json
        );
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

    let id = report(&t, started("whitehall", "r1", "integration"))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    for (body, status, says) in [
        ("{".to_owned(), 400, "invalid JSON"),
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
        assert_eq!(a.status, status, "{body}: {:?}", a.json);
        assert!(a.error().contains(says), "{body}: {:?}", a.json);
    }
    // A refused event leaves no trace, not even its url.
    let a = event(
        &t,
        id,
        json!({"status": "finished", "url": "https://ci.example/run/9"}),
    )
    .await;
    assert_eq!(a.status, 422, "{:?}", a.json);
    let d = t.core().store.deployment(id).await.unwrap().unwrap();
    assert_eq!(d.state.as_str(), "deploying");
    assert_eq!(d.ci_url, None);
    t.stop().await;
}
on_both_backends!(validation, bad_requests_are_refused_with_a_reason);

async fn ci_shares_the_queue_with_slack_users(backend: Backend) {
    let t = TestApp::start(backend).await;
    let a = report(
        &t,
        json!({"app": "whitehall", "ref": "r1", "environment": "integration", "status": "started",
               "url": "https://ci.example/run/1?a=1&b=2", "note": "<!here> nightly & <@U123>"}),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let id = a.json["id"].as_i64().expect("an id");
    let alert = t
        .wait_for_message("started deploying *whitehall* `r1` to *integration*")
        .await;
    // CI deployments are finished by CI: no Done/Failed buttons; the run is linked.
    assert!(TestApp::button_value(&alert, "deploy_done").is_none());
    let shown = alert.to_string();
    assert!(
        shown.contains("https://ci.example/run/1?a=1&amp;b=2"),
        "{shown}"
    );
    // CI's text is escaped like anyone's.
    assert!(
        shown.contains("&lt;!here&gt; nightly &amp; &lt;@U123&gt;"),
        "{shown}"
    );
    assert!(
        !shown.contains("<!here>") && !shown.contains("<@U123>"),
        "{shown}"
    );

    // The environment is busy for people: Alice queues behind CI.
    let r = t.deploy(ALICE, "publisher r2 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());

    // Another pipeline cannot start there meanwhile; the refusal names the busy deployment.
    let a = report(&t, started("frontend", "r3", "integration")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.json["refusals"][0]["code"], "busy", "{:?}", a.json);
    assert!(
        a.error().contains(&format!("#{id} whitehall r1")),
        "{:?}",
        a.json
    );
    // Nor can the same app's second pipeline.
    let a = report(&t, started("whitehall", "r1b", "integration")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);

    // `started` again for the same deployment is a harmless repeat.
    let a = event(&t, id, json!({"status": "started"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["state"], "deploying");

    // CI finishes: end alert, and Alice is called.
    let a = event(
        &t,
        id,
        json!({"status": "succeeded", "note": "smoke tests green"}),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"id": id, "state": "succeeded"}));
    let end = t
        .wait_for_message(":white_check_mark: *whitehall* `r1` to *integration* succeeded")
        .await;
    assert!(end["text"].as_str().unwrap().contains("smoke tests green"));
    t.wait_for_message("<@U0ALICE> it's your turn").await;

    // Repeating `succeeded` changes nothing: no second end alert.
    let a = event(&t, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["state"], "succeeded");
    // Contradicting it is a conflict.
    for status in ["failed", "started"] {
        let a = event(&t, id, json!({ "status": status })).await;
        assert_eq!(a.status, 409, "{status}: {:?}", a.json);
        assert!(a.error().contains("succeeded"), "{:?}", a.json);
    }
    t.settle().await;
    let ends = t
        .channel_texts()
        .iter()
        .filter(|m| m.contains(":white_check_mark:"))
        .count();
    assert_eq!(ends, 1, "{:#?}", t.channel_texts());
    assert_eq!(
        t.core()
            .store
            .deployment(id)
            .await
            .unwrap()
            .unwrap()
            .state
            .as_str(),
        "succeeded"
    );

    // While Alice holds the turn, CI is refused too.
    let a = report(&t, started("frontend", "r3", "integration")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert!(a.error().contains("publisher r2"), "{:?}", a.json);

    // A failed CI deployment: end alert says so; a report of a finished one is recorded.
    // (r9 passed integration first: CI obeys the promotion rule like a person.)
    let a = report(&t, finished("whitehall", "r9", "integration", "succeeded")).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let a = report(&t, started("whitehall", "r9", "staging")).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let staging = a.json["id"].as_i64().unwrap();
    let a = event(
        &t,
        staging,
        json!({"status": "failed", "note": "rolled back"}),
    )
    .await;
    assert_eq!(a.json["state"], "failed", "{:?}", a.json);
    t.wait_for_message(":x: *whitehall* `r9` to *staging* failed")
        .await;
    let a = event(&t, staging, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 409, "{:?}", a.json);

    let a = report(
        &t,
        json!({"app": "router", "ref": "v2", "environment": "staging", "status": "succeeded"}),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    t.wait_for_message("*router* `v2` to *staging* succeeded")
        .await;
    let versions = t.core().store.versions(Some("router")).await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].git_ref, "v2");
    t.stop().await;
}
on_both_backends!(lifecycle, ci_shares_the_queue_with_slack_users);

async fn deploy_check_answers(backend: Backend) {
    let t = TestApp::start(backend).await;
    let check = |app: &str, env: &str| format!("/api/v1/deploy-check?app={app}&environment={env}");

    let a = get(&t, &check("whitehall", "integration")).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json, json!({"allowed": true}));

    // Alice deploys: integration is busy for every other app, naming her deployment...
    t.deploy(ALICE, "whitehall r1 to integration").await;
    let a = get(&t, &check("publisher", "integration")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.json["allowed"], false);
    // Like every 4xx of the API, it carries an `error` string.
    assert!(a.error().starts_with("refused: "), "{:?}", a.json);
    let reasons = a.json["reasons"].to_string();
    assert!(reasons.contains("#1 whitehall r1"), "{reasons}");
    assert!(reasons.contains("U0ALICE"), "{reasons}");
    assert!(reasons.contains("deploying"), "{reasons}");
    // ...but not for whitehall itself: her pipeline is what runs the deployment she started.
    let a = get(&t, &check("whitehall", "integration")).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    t.deploy(ALICE, "done").await;
    assert_eq!(
        get(&t, &check("publisher", "integration")).await.status,
        200
    );
    // A CI-reported run makes the environment busy even for its own app: a second
    // pipeline of the same app would race it.
    let a = report(&t, finished("whitehall", "r5", "integration", "succeeded")).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let ci = report(&t, started("whitehall", "r5", "staging")).await;
    assert_eq!(ci.status, 201, "{:?}", ci.json);
    let ci_id = ci.json["id"].as_i64().unwrap();
    let a = get(&t, &check("whitehall", "staging")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert!(
        a.json["reasons"]
            .to_string()
            .contains(&format!("#{ci_id} whitehall r5")),
        "{:?}",
        a.json
    );
    let a = event(&t, ci_id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let a = get(&t, &check("whitehall", "staging")).await;
    assert_eq!(a.status, 200, "{:?}", a.json);

    // A hold blocks its app, with its reason and owner.
    let r = t
        .hold(BOB, "publisher staging data migration running")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let a = get(&t, &check("publisher", "staging")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    let reasons = a.json["reasons"].to_string();
    assert!(reasons.contains("data migration running"), "{reasons}");
    assert!(reasons.contains("U0BOB"), "{reasons}");
    assert_eq!(get(&t, &check("frontend", "staging")).await.status, 200);

    // Saturday: staging's window is closed (and says when it opens); integration is not.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap());
    let a = get(&t, &check("frontend", "staging")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    let reasons = a.json["reasons"].to_string();
    assert!(
        reasons.contains("window for staging is closed"),
        "{reasons}"
    );
    assert!(reasons.contains("Mon 30 Nov 09:30 GMT"), "{reasons}");
    assert_eq!(get(&t, &check("frontend", "production")).await.status, 423);
    assert_eq!(get(&t, &check("frontend", "integration")).await.status, 200);

    // Unknown environment, bad app, missing parameters.
    let a = get(&t, &check("frontend", "prod")).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
    assert!(
        a.error().contains("unknown environment `prod`"),
        "{:?}",
        a.json
    );
    assert!(
        a.error().contains("integration, staging, production"),
        "{:?}",
        a.json
    );
    let a = get(&t, &check("Front%20End", "staging")).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
    assert!(a.error().contains("Front End"), "{:?}", a.json);
    for q in ["", "?app=frontend", "?environment=staging"] {
        let a = get(&t, &format!("/api/v1/deploy-check{q}")).await;
        assert_eq!(a.status, 400, "{q}: {:?}", a.json);
        assert!(
            a.error().contains("`app` and `environment`"),
            "{:?}",
            a.json
        );
    }
    t.stop().await;
}
on_both_backends!(deploy_check, deploy_check_answers);

async fn status_json(backend: Backend) {
    let t = TestApp::start(backend).await;
    // whitehall r1 reaches integration through CI; Alice deploys publisher, Bob waits;
    // a hold on everything in production.
    let id = report(&t, started("whitehall", "r1", "integration"))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    event(&t, id, json!({"status": "succeeded"})).await;
    t.deploy(ALICE, "publisher r2 to integration").await;
    t.deploy(BOB, "frontend r3 to integration").await;
    t.hold(BOB, "all production incident in progress").await;

    let a = get(&t, "/api/v1/status").await;
    assert_eq!(a.status, 200);
    let s = a.json;
    assert_eq!(s["timezone"], "Europe/London");
    assert_eq!(s["window"]["open"], true);
    let envs = s["environments"].as_array().expect("environments");
    let names: Vec<&str> = envs.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["integration", "staging", "production"]);
    let integration = &envs[0];
    assert_eq!(integration["window"], "always");
    assert_eq!(integration["window_open"], true);
    assert_eq!(integration["active"]["app"], "publisher");
    assert_eq!(integration["active"]["requester"], ALICE);
    assert_eq!(integration["active"]["state"], "deploying");
    let queue = integration["queue"].as_array().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["app"], "frontend");
    assert_eq!(queue[0]["state"], "queued");
    assert!(envs[1]["active"].is_null());
    assert_eq!(envs[1]["queue"], json!([]));

    // The contract's top-level words: deploying and queues, across environments.
    let deploying = s["deploying"].as_array().expect("deploying");
    assert_eq!(deploying.len(), 1);
    assert_eq!(deploying[0]["app"], "publisher");
    assert_eq!(s["queues"]["integration"][0]["app"], "frontend");
    assert_eq!(s["queues"]["staging"], json!([]));
    let windows = s["windows"].as_array().expect("windows");
    assert!(!windows.is_empty());
    assert!(windows[0]["opens"].is_string() && windows[0]["closes"].is_string());

    let holds = s["holds"].as_array().unwrap();
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0]["owner"], BOB);
    assert_eq!(holds[0]["environment"], "production");
    assert_eq!(holds[0]["reason"], "incident in progress");

    let versions = s["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(versions[0]["app"], "whitehall");
    assert_eq!(versions[0]["environment"], "integration");
    assert_eq!(versions[0]["git_ref"], "r1");
    let r = t.get("/api/v1/status").await;
    assert_eq!(r.headers()["content-type"], "application/json");

    // The answer is served from the snapshot until the next commit, never after it:
    // asked again unchanged, then after a change, each answer is current.
    assert_eq!(get(&t, "/api/v1/status").await.json, s);
    t.deploy(BOB, "whitehall r1 to staging").await;
    let s = get(&t, "/api/v1/status").await.json;
    assert_eq!(s["environments"][1]["active"]["app"], "whitehall", "{s}");
    assert_eq!(s["deploying"].as_array().unwrap().len(), 2, "{s}");
    t.stop().await;
}
on_both_backends!(status, status_json);

async fn health_and_metrics(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.get("/healthz").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(get(&t, "/readyz").await.status, 200);

    let r = t.get("/metrics").await;
    assert_eq!(r.status().as_u16(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    let text = r.text().await.unwrap();
    // Well-formed exposition: every sample has HELP and TYPE before it (under its name
    // without labels; a histogram's series under the histogram's name).
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (sample, value) = line.rsplit_once(' ').expect("name value");
        let name = sample.split('{').next().unwrap_or(sample);
        let name = if text.contains(&format!("# HELP {name} ")) {
            name
        } else {
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s))
                .unwrap_or(name)
        };
        assert!(text.contains(&format!("# HELP {name} ")), "{name}");
        assert!(text.contains(&format!("# TYPE {name} ")), "{name}");
        value.parse::<f64>().expect("a number");
    }
    assert_eq!(t.metric("badger_deploy_requests_total").await, 0);

    // Three accepted requests (one starts, two queue); a refused one and a typo do not count.
    for (user, text) in [
        (ALICE, "whitehall r1 to integration"),
        (BOB, "publisher r1 to integration"),
        ("U0CAROL", "frontend r1 to integration"),
        (ALICE, "whitehall r1 to production"),
        (BOB, "deploy whitehall"),
    ] {
        assert_eq!(t.deploy(user, text).await.status, 200);
    }
    assert_eq!(t.metric("badger_deploy_requests_total").await, 3);
    assert_eq!(t.metric("badger_deployments_started_total").await, 1);
    t.deploy(ALICE, "done").await;
    assert_eq!(t.metric("badger_deployments_succeeded_total").await, 1);
    // CI's deployments count as started and finished, not as requests.
    report(&t, finished("router", "v1", "integration", "succeeded")).await;
    let id = report(&t, started("router", "v1", "staging")).await.json["id"]
        .as_i64()
        .unwrap();
    assert_eq!(t.metric("badger_deployments_started_total").await, 2);
    event(&t, id, json!({"status": "failed"})).await;
    assert_eq!(t.metric("badger_deployments_failed_total").await, 1);
    assert_eq!(t.metric("badger_deploy_requests_total").await, 3);
    t.settle().await;
    assert_eq!(t.metric("badger_outbox_pending").await, 0);

    // Without its database badger is alive but not ready.
    t.core().store.close().await;
    let a = get(&t, "/readyz").await;
    assert_eq!(a.status, 503, "{:?}", a.json);
    assert_eq!(t.get("/healthz").await.status().as_u16(), 200);
    t.stop().await;
}
on_both_backends!(health_metrics, health_and_metrics);

async fn dashboard_lists_versions_and_escapes(backend: Backend) {
    let t = TestApp::start(backend).await;
    let id = report(&t, started("whitehall", "release_42", "integration"))
        .await
        .json["id"]
        .as_i64()
        .unwrap();
    event(
        &t,
        id,
        json!({"status": "succeeded", "note": "<script>alert('note')</script>"}),
    )
    .await;
    t.deploy(ALICE, "publisher r7 to integration --note <b>bold</b>")
        .await;
    let r = t
        .hold(BOB, "frontend <script>alert('hold')</script> & more")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let r = t.get("/").await;
    assert_eq!(r.status().as_u16(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    let html = r.text().await.unwrap();
    // The versions table lists what runs where.
    let versions = html
        .split("id=\"versions\"")
        .nth(1)
        .expect("a versions table");
    let whitehall = versions
        .split("<tr data-app=\"whitehall\">")
        .nth(1)
        .expect("a whitehall row");
    assert!(
        whitehall.contains("data-env=\"integration\"")
            && whitehall.contains("<span class=\"ref\">release_42</span>"),
        "{html}"
    );
    // What is deploying now.
    assert!(
        html.contains("publisher</a> <span class=\"ref\">r7</span> deploying by U0ALICE"),
        "{html}"
    );
    // User text is escaped, never markup.
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>bold"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert('hold')&lt;/script&gt; &amp; more"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert('note')&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
    t.stop().await;
}
on_both_backends!(dashboard, dashboard_lists_versions_and_escapes);

/// The test policy, with a list of known applications.
const APPS_POLICY: &str = r#"
channel = "C0DEPLOY"
admins = ["U0ADMIN"]
apps = ["whitehall", "publisher"]
[queue]
turn_timeout_minutes = 10
"#;

async fn configured_apps_bound_the_api(backend: Backend) {
    let t = TestApp::start_with(backend, APPS_POLICY).await;
    let check = |app: &str| format!("/api/v1/deploy-check?app={app}&environment=integration");
    assert_eq!(get(&t, &check("whitehall")).await.status, 200);
    let a = get(&t, &check("frontend")).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
    assert!(
        a.error()
            .contains("`frontend` is not one of the configured apps"),
        "{:?}",
        a.json
    );
    let a = report(&t, started("frontend", "r1", "integration")).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
    assert!(
        a.error()
            .contains("`frontend` is not one of the configured apps"),
        "{:?}",
        a.json
    );
    assert_nothing_stored(&t, "unknown app").await;
    assert_eq!(
        report(&t, started("publisher", "r1", "integration"))
            .await
            .status,
        201
    );
    t.stop().await;
}
on_both_backends!(configured_apps, configured_apps_bound_the_api);
