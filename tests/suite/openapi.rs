//! The OpenAPI document (`GET /api/v1/openapi.json`) stays in step with the router: every
//! `/api/v1` route is documented and every documented operation answers. Then requests
//! generated from the document (typed values and junk, shaped and junk bodies, with and
//! without the token) never get a 5xx, every 4xx is JSON with an `error` string, every
//! status is one the document lists, and 2xx bodies match its schemas. Both backends.

use crate::support;

use badger::http::api::routes::API_ROUTES;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use support::ci::{answer, Answer};
use support::db::Backend;
use support::driver::TestApp;
use support::openapi::{any_request, operations, resolve, spec, validator, Request};

#[test]
fn every_route_is_documented_and_nothing_else() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = operations(&spec)
        .into_iter()
        .map(|o| (o.method, o.path))
        .collect();
    let routed: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(routed.len(), API_ROUTES.len(), "a route is listed twice");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "not in src/http/api/openapi.json: {undocumented:?}"
    );
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );

    // The table is the only way /api/v1 routes reach the router.
    let app =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/mod.rs")).unwrap();
    assert!(
        !app.contains(".route(\"/api/v1"),
        "src/http/mod.rs routes /api/v1 itself: add the route to API_ROUTES (src/http/api/routes.rs) and src/http/api/openapi.json"
    );
}

#[test]
fn every_operation_documents_its_answers() {
    let spec = spec();
    for o in operations(&spec) {
        let what = format!("{} {}", o.method, o.path);
        assert!(o.op["summary"].is_string(), "{what}: no summary");
        let responses = o.op["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{what}: no responses"));
        assert!(
            responses.keys().any(|k| k.starts_with('2')),
            "{what}: no success"
        );
        for (status, r) in responses {
            assert!(
                r["description"].is_string(),
                "{what} {status}: no description"
            );
            let schema = &r["content"]["application/json"]["schema"];
            // Every JSON error names its schema, and that schema has the `error` string.
            if status.starts_with('4') || status.starts_with('5') {
                let s = resolve(&spec, schema);
                assert_eq!(
                    s["properties"]["error"]["type"], "string",
                    "{what} {status}"
                );
                assert!(
                    s["required"]
                        .as_array()
                        .unwrap()
                        .contains(&Value::from("error")),
                    "{what} {status}: `error` is not required"
                );
            }
            if !schema.is_null() {
                validator(&spec, schema); // compiles: every $ref resolves
            }
        }
        if o.method == "POST" {
            assert!(o.op["security"].is_array(), "{what}: writes need the token");
            for s in ["400", "401", "403", "422"] {
                assert!(responses.contains_key(s), "{what}: {s} undocumented");
            }
        }
        for p in o.op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "path" {
                assert!(o
                    .path
                    .contains(&format!("{{{}}}", p["name"].as_str().unwrap())));
            }
        }
    }
}

async fn send(t: &TestApp, r: &Request) -> support::ci::Answer {
    let url = format!("{}{}", t.base, r.target);
    let mut req = match r.method.as_str() {
        "GET" => t.http.get(url),
        "POST" => t.http.post(url).header("content-type", "application/json"),
        other => panic!("no requests for {other}"),
    };
    if let Some(a) = r.authorization() {
        req = req.header("authorization", a);
    }
    if let Some(b) = &r.body {
        req = req.body(b.clone());
    }
    answer(req.send().await.expect("request")).await
}

async fn documented_operations_answer(backend: Backend) {
    let t = TestApp::start(backend).await;
    let served = support::ci::get(&t, "/api/v1/openapi.json").await;
    assert_eq!(served.status, 200);
    assert_eq!(
        served.json,
        spec(),
        "the served document is the checked-in one"
    );
    for o in operations(&spec()) {
        let r = Request {
            method: o.method.clone(),
            target: o.path.replace("{id}", "1"),
            body: (o.method == "POST").then(|| b"{}".to_vec()),
            auth: support::openapi::Auth::Valid,
            path: o.path.clone(),
        };
        let a = send(&t, &r).await;
        // An unrouted method gets a JSON 405; an unrouted path under /api/v1 gets "no such
        // API route"; a handler's 404 names what it did not find.
        assert_ne!(a.status, 405, "{} {}", o.method, o.path);
        assert!(
            a.status != 404 || !a.error().is_empty() && !a.error().starts_with("no such API route"),
            "{} {}: not routed: {:?}",
            o.method,
            o.path,
            a.json
        );
        assert!(
            o.op["responses"].get(a.status.to_string()).is_some(),
            "{} {}: {} is undocumented: {:?}",
            o.method,
            o.path,
            a.status,
            a.json
        );
    }
    // Other paths under /api/v1 get a JSON 404 too.
    for path in [
        "/api/v1/deployments/",
        "/api/v1/nothing",
        "/api/v1/deployments/1/x",
    ] {
        let a = support::ci::get(&t, path).await;
        assert_eq!(a.status, 404, "{path}");
        let said = a.error();
        assert!(said.starts_with("no such API route"), "{path}: {said}");
    }
    t.stop().await;
}
on_both_backends!(documented_operations_answer);

/// `r` (to `what`) must be the API's JSON error with `status`; its headers and answer.
async fn json_error(what: &str, r: reqwest::Response, status: u16) -> (HeaderMap, Answer) {
    let headers = r.headers().clone();
    let a = answer(r).await;
    assert_eq!(a.status, status, "{what}");
    assert_eq!(headers["content-type"], "application/json", "{what}");
    assert!(!a.error().is_empty(), "{what}: {:?}", a.json);
    (headers, a)
}

/// What axum itself answers under /api/v1 (a method a path does not have, a body over the
/// limit) is the API's JSON error too, with its status (and a 405's `Allow`) kept.
async fn router_errors_are_json(backend: Backend) {
    let t = TestApp::start(backend).await;
    for (method, path, allow) in [
        ("DELETE", "/api/v1/deployments/1", "GET"),
        ("PUT", "/api/v1/status", "GET"),
        ("PATCH", "/api/v1/deployments", "GET,POST"),
        ("GET", "/api/v1/deployments/1/events", "POST"),
    ] {
        let what = format!("{method} {path}");
        let named = format!("method {method} is not allowed on {path}; it takes ");
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let r = t
            .http
            .request(method, format!("{}{path}", t.base))
            .send()
            .await
            .unwrap();
        let (headers, a) = json_error(&what, r, 405).await;
        assert!(a.error().starts_with(&named), "{what}: {:?}", a.json);
        let mut allowed: Vec<_> = headers["allow"].to_str().unwrap().split(',').collect();
        allowed.retain(|m| *m != "HEAD");
        allowed.sort_unstable();
        assert_eq!(allowed.join(","), allow, "{what}");
    }
    let big = serde_json::json!({"app": "whitehall", "ref": "r1", "environment": "integration",
        "status": "started", "note": "x".repeat(badger::http::slack::BODY_LIMIT)})
    .to_string();
    for path in ["/api/v1/deployments", "/api/v1/deployments/1/events"] {
        let r = t
            .http
            .post(format!("{}{path}", t.base))
            .header("content-type", "application/json")
            .header("authorization", support::ci::bearer())
            .body(big.clone())
            .send()
            .await
            .unwrap();
        let (_, a) = json_error(path, r, 413).await;
        assert!(a.error().contains("64 KiB"), "{path}: {:?}", a.json);
    }
    assert_eq!(t.count_rows("deployments").await, 0);
    t.stop().await;
}
on_both_backends!(router_errors_are_json);

/// Generated requests per backend: `BADGER_OPENAPI_CASES`, default 300.
fn cases() -> u32 {
    std::env::var("BADGER_OPENAPI_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(300)
}

fn generated_requests(backend: Backend) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t = rt.block_on(TestApp::start(backend));
    // Some history to find, so ids 1..5 exist.
    rt.block_on(support::history::fill(&t, 5));
    let spec = spec();
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    // How each operation answered, to show the generators reach past the first error.
    let tally: Mutex<BTreeMap<(String, u16), u32>> = Mutex::default();
    let result = runner.run(&any_request(&spec), |r| {
        let a = rt.block_on(send(&t, &r));
        *tally
            .lock()
            .unwrap()
            .entry((format!("{} {}", r.method, r.path), a.status))
            .or_default() += 1;
        let what = format!("{} {} ({:?})", r.method, r.target, r.auth);
        if a.status >= 500 {
            return Err(TestCaseError::fail(format!(
                "{what}: {} {:?}",
                a.status, a.json
            )));
        }
        let op = &spec["paths"][&r.path][r.method.to_lowercase()];
        let documented = &op["responses"][a.status.to_string()];
        if documented.is_null() {
            return Err(TestCaseError::fail(format!(
                "{what}: {} is undocumented: {:?}",
                a.status, a.json
            )));
        }
        if (400..500).contains(&a.status) && !a.json["error"].is_string() {
            return Err(TestCaseError::fail(format!(
                "{what}: {} without a JSON error: {:?}",
                a.status, a.json
            )));
        }
        let schema = &documented["content"]["application/json"]["schema"];
        if !schema.is_null() && !validator(&spec, schema).is_valid(&a.json) {
            return Err(TestCaseError::fail(format!(
                "{what}: {} does not match its schema: {:?}",
                a.status, a.json
            )));
        }
        Ok(())
    });
    rt.block_on(t.stop());
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner().unwrap();
    println!("{backend:?}: {tally:#?}");
    // Every operation was reached, and most were answered both ways.
    for o in operations(&spec) {
        let what = format!("{} {}", o.method, o.path);
        let n = |ok: bool| -> u32 {
            tally
                .iter()
                .filter(|((w, s), _)| *w == what && (*s < 300) == ok)
                .map(|(_, n)| n)
                .sum()
        };
        assert!(
            n(true) + n(false) > 0,
            "{what} was never requested: {tally:?}"
        );
    }
}

#[test]
fn generated_requests_sqlite() {
    generated_requests(Backend::Sqlite);
}

#[test]
fn generated_requests_postgres() {
    if support::db::postgres_enabled() {
        generated_requests(Backend::Postgres);
    }
}
