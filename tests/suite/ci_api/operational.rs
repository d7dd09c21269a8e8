//! The operational endpoints: `/api/v1/status`, `/healthz`, `/readyz`, `/metrics` and the
//! HTML dashboard.

use super::*;

async fn status_json(backend: Backend) {
    let t = TestApp::start(backend).await;
    // whitehall r1 reaches integration through CI; Alice deploys publisher, Bob waits;
    // a hold on everything in production.
    let id = reported(&t, started("whitehall", "r1", "integration")).await;
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
on_both_backends!(status_json);

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
    let id = reported(&t, started("router", "v1", "staging")).await;
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
on_both_backends!(health_and_metrics);

/// Without its database every read under /api/v1 answers 503 with the JSON error (the
/// caller may retry), not a 500.
async fn reads_without_the_database_answer_503(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.core().store.close().await;
    for path in [
        "/api/v1/status",
        "/api/v1/versions",
        "/api/v1/deployments",
        "/api/v1/deployments/1",
        "/api/v1/deploy-check?app=whitehall&environment=integration",
    ] {
        let a = get(&t, path).await;
        assert_error(&a, 503, "can't reach its database", path);
    }
    t.stop().await;
}
on_both_backends!(reads_without_the_database_answer_503);

/// A finished CI deployment's run is linked in the history too (the dashboard's and its
/// app's page), by the same rule as a live one's: only an http(s) URL becomes a link.
async fn history_links_ci_runs(backend: Backend) {
    let t = TestApp::start(backend).await;
    let mut ids = Vec::new();
    for (app, outcome) in [("whitehall", "succeeded"), ("publisher", "failed")] {
        let mut body = started(app, "r1", "integration");
        body["url"] = json!(format!("https://ci.example/{app}?run=1&try=2"));
        let id = reported(&t, body).await;
        assert_eq!(event(&t, id, json!({"status": outcome})).await.status, 200);
        ids.push(id);
    }
    // A URL the API would refuse today, as an older row might hold: no link.
    sqlx::query("UPDATE deployments SET ci_url = $1 WHERE id = $2")
        .bind("javascript:alert(1)")
        .bind(ids[1])
        .execute(t.core().store.pool())
        .await
        .unwrap();
    for path in ["/dashboard", "/apps/whitehall"] {
        let html = t.get(path).await.text().await.unwrap();
        let row = support::dashboard::part(&html, &format!("<tr data-id=\"{}\"", ids[0]), "</tr>");
        assert!(
            row.contains(r#"<a class="ci" href="https://ci.example/whitehall?run=1&amp;try=2" rel="noopener noreferrer">CI run</a>"#),
            "{path}: {row}"
        );
    }
    let html = t.get("/dashboard").await.text().await.unwrap();
    let row = support::dashboard::part(&html, &format!("<tr data-id=\"{}\"", ids[1]), "</tr>");
    assert!(row.contains(">publisher</a>"), "{row}");
    assert!(!row.contains("class=\"ci\""), "{row}");
    assert!(!html.contains("javascript:"), "{html}");
    t.stop().await;
}
on_both_backends!(history_links_ci_runs);

async fn dashboard_lists_versions_and_escapes(backend: Backend) {
    let t = TestApp::start(backend).await;
    let id = reported(&t, started("whitehall", "release_42", "integration")).await;
    let note = json!({"status": "succeeded", "note": "<script>alert('note')</script>"});
    event(&t, id, note).await;
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
    for escaped in [
        "&lt;script&gt;alert('hold')&lt;/script&gt; &amp; more",
        "&lt;script&gt;alert('note')&lt;/script&gt;",
        "&lt;b&gt;bold&lt;/b&gt;",
    ] {
        assert!(html.contains(escaped), "{escaped:?} in {html}");
    }
    t.stop().await;
}
on_both_backends!(dashboard_lists_versions_and_escapes);
