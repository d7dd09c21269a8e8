//! `GET /api/v1/deploy-check`: busy environments, holds, deploy windows and bad
//! questions, each answered with its reasons.

use super::*;
use chrono::{TimeZone, Utc};

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
    reported(&t, finished("whitehall", "r5", "integration", "succeeded")).await;
    let ci_id = reported(&t, started("whitehall", "r5", "staging")).await;
    let a = get(&t, &check("whitehall", "staging")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    let reasons = a.json["reasons"].to_string();
    assert!(
        reasons.contains(&format!("#{ci_id} whitehall r5")),
        "{reasons}"
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
    // A hold that ends by itself says when.
    let r = t.hold(BOB, "frontend staging freeze --until 16:00").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let reasons = get(&t, &check("frontend", "staging")).await.json["reasons"].to_string();
    assert!(
        reasons.contains("freeze; it ends at Tue 24 Nov 16:00 GMT"),
        "{reasons}"
    );

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
    assert_error(&a, 422, "unknown environment `prod`", "");
    assert_error(&a, 422, "integration, staging, production", "");
    let a = get(&t, &check("Front%20End", "staging")).await;
    assert_error(&a, 422, "Front End", "");
    for q in ["", "?app=frontend", "?environment=staging"] {
        let a = get(&t, &format!("/api/v1/deploy-check{q}")).await;
        assert_error(&a, 400, "`app` and `environment`", q);
    }
    t.stop().await;
}
on_both_backends!(deploy_check_answers);

/// A person's live `/deploy` of an app does not make the environment busy for that app:
/// deploy-check says 200 and names it (`deployment`), the deployment the app's pipeline
/// reports to; a `started` of its own is refused meanwhile, its reason naming that id.
async fn deploy_check_names_the_persons_deployment_a_pipeline_runs(backend: Backend) {
    let t = TestApp::start(backend).await;
    let check = |app: &str| format!("/api/v1/deploy-check?app={app}&environment=integration");
    t.deploy(ALICE, "whitehall r1 to integration").await;
    let r = t.deploy(BOB, "whitehall r2 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    let live = crate::support::checks::live_deployments(&t, None).await;
    let (alice, bob) = (live[0].id, live[1].id);
    assert_eq!(live[0].requester, ALICE);

    let a = get(&t, &check("whitehall")).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"allowed": true, "deployment": alice}));
    let a = report(&t, started("whitehall", "r1", "integration")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["busy"]);
    assert_eq!(a.json["refusals"][0]["deployment"]["id"], alice);
    let to = format!("report to it: POST /api/v1/deployments/{alice}/events");
    let first = a.json["reasons"][0].as_str().unwrap_or_default();
    assert!(first.ends_with(&to), "{:?}", a.json);
    assert!(a.error().contains(&to), "{:?}", a.json);
    // Another app is simply told the environment is busy.
    let a = get(&t, &check("publisher")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert!(!a.json.to_string().contains("report to it"), "{:?}", a.json);
    assert!(a.json.get("deployment").is_none(), "{:?}", a.json);

    // The pipeline reports to Alice's deployment; Bob's is called, and named next.
    let a = event(&t, alice, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let a = get(&t, &check("whitehall")).await;
    assert_eq!(a.json, json!({"allowed": true, "deployment": bob}));
    let a = report(&t, started("whitehall", "r2", "integration")).await;
    assert_error(&a, 423, &format!("/api/v1/deployments/{bob}/events"), "");
    for status in ["started", "failed"] {
        let a = event(&t, bob, json!({ "status": status })).await;
        assert_eq!(a.status, 200, "{status}: {:?}", a.json);
    }
    assert_eq!(
        get(&t, &check("whitehall")).await.json,
        json!({"allowed": true})
    );
    t.stop().await;
}
on_both_backends!(deploy_check_names_the_persons_deployment_a_pipeline_runs);

/// A misspelt parameter is a 400 naming it and the known ones, not a yes that skipped the
/// rule it meant to ask (here the promotion rule, which refuses `r9` in production); an
/// empty `ref` is a 400 too, not read as "no ref".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_check_refuses_unknown_parameters_and_an_empty_ref() {
    let t = TestApp::start(Backend::Sqlite).await;
    let check =
        |rest: &str| format!("/api/v1/deploy-check?app=whitehall&environment=production{rest}");
    assert_eq!(get(&t, &check("&ref=r9")).await.status, 423);
    for (rest, words) in [
        (
            "&git_ref=r9",
            "unknown query parameter `git_ref`; known: app, environment, ref",
        ),
        ("&Ref=r9", "unknown query parameter `Ref`"),
        ("&ref=r9&ref=r8", "query parameter `ref` is given twice"),
        ("&ref=", "`ref` is empty"),
        ("&ref=%20", "`ref` is empty"),
    ] {
        let a = get(&t, &check(rest)).await;
        assert_error(&a, 400, words, rest);
    }
    let a = get(&t, &check("&ref=a/../b")).await;
    assert_error(&a, 422, "git refs cannot contain `..`", "");
    t.stop().await;
}
