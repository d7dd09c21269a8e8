//! The history API through real HTTP on both backends: good and bad requests, paging a
//! long history with the cursor, filters combined, and a deployment's transitions as
//! Slack and CI make them.

use crate::support;

use chrono::Duration;
use serde_json::{json, Value};
use support::ci::{event, get, report};
use support::ci_steps::reported;
use support::db::Backend;
use support::driver::TestApp;
use support::history::{fill, page, walk, walk_from, Filled};
use support::people::{ALICE, BOB};

async fn bad_requests_get_json_errors(backend: Backend) {
    // Reads need no token, even with the write API off.
    let t = TestApp::start_without_api_token(backend).await;
    let filled = fill(&t, 3).await;

    let a = page(&t, "").await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["deployments"].as_array().unwrap().len(), 3);
    assert_eq!(a.json["next_before"], Value::Null);
    // Empty values are no filter.
    let a = page(&t, "app=&environment=&state=&requester=&before=&limit=").await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["deployments"].as_array().unwrap().len(), 3);

    let bad = [
        ("state=done", "unknown state `done`"),
        ("state=SUCCEEDED", "unknown state"),
        ("limit=0", "`limit`"),
        ("limit=201", "from 1 to 200"),
        ("limit=ten", "`limit`"),
        ("limit=-5", "`limit`"),
        ("limit=99999999999999999999", "`limit`"),
        ("before=abc", "not a cursor"),
        ("before=0", "not a cursor"),
        ("before=-3", "not a cursor"),
        ("before=1.5", "not a cursor"),
        ("environment=prod", "unknown environment `prod`"),
        ("app=Not%20An%20App", "not an application name"),
        ("colour=blue", "unknown query parameter `colour`"),
        ("app=a0&app=a1", "`app` is given twice"),
    ];
    for (query, needle) in bad {
        let a = page(&t, query).await;
        assert_eq!(a.status, 400, "{query}: {:?}", a.json);
        assert!(a.error().contains(needle), "{query}: {:?}", a.json);
    }

    let id = filled[0].id;
    let a = get(&t, &format!("/api/v1/deployments/{id}")).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json["id"], id);
    assert_eq!(a.json["app"], "a0");
    for path in ["999999", "0", "-1", "abc", "1e3", "99999999999999999999"] {
        let a = get(&t, &format!("/api/v1/deployments/{path}")).await;
        assert_eq!(a.status, 404, "{path}: {:?}", a.json);
        assert!(!a.error().is_empty(), "{path}: {:?}", a.json);
    }
    // The writes on the same paths still answer as before (off without a token).
    let a = report(&t, json!({})).await;
    assert_eq!(a.status, 403, "{:?}", a.json);
    t.stop().await;
}
on_both_backends!(bad_requests_get_json_errors);

async fn paging_a_thousand_deployments(backend: Backend) {
    let t = TestApp::start(backend).await;
    let filled = fill(&t, 1_000).await;
    let mut all: Vec<i64> = filled.iter().map(|d| d.id).collect();
    all.sort_unstable_by(|a, b| b.cmp(a));

    // Each deployment exactly once, newest first, no page over the limit.
    for limit in [37, 200] {
        let (ids, sizes) = walk(&t, "", limit).await;
        assert_eq!(ids, all, "limit {limit}");
        assert_eq!(sizes.len(), 1_000_usize.div_ceil(limit), "limit {limit}");
        assert!(sizes[..sizes.len() - 1].iter().all(|s| *s == limit));
    }
    // The default page is 50.
    let a = page(&t, "").await;
    assert_eq!(a.json["deployments"].as_array().unwrap().len(), 50);
    assert_eq!(a.json["next_before"], all[49].to_string());

    // A deployment added while a client walks does not disturb the pages it has not
    // read yet: the cursor is below it.
    let first = page(&t, "limit=10").await;
    fill(&t, 1).await;
    let before = first.json["next_before"].as_str().unwrap().to_owned();
    let (rest, _) = walk_from(&t, "", 100, Some(before)).await;
    assert_eq!(rest, all[10..].to_vec());
    t.stop().await;
}
on_both_backends!(paging_a_thousand_deployments);

fn expected(filled: &[Filled], keep: impl Fn(&Filled) -> bool) -> Vec<i64> {
    let mut ids: Vec<i64> = filled.iter().filter(|d| keep(d)).map(|d| d.id).collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids
}

async fn filters_combine(backend: Backend) {
    let t = TestApp::start(backend).await;
    let filled = fill(&t, 300).await;
    type Keep = Box<dyn Fn(&Filled) -> bool>;
    let cases: Vec<(&str, Keep)> = vec![
        ("app=a3", Box::new(|d| d.app == "a3")),
        (
            "environment=staging",
            Box::new(|d| d.environment == "staging"),
        ),
        ("state=failed", Box::new(|d| d.state.as_str() == "failed")),
        ("requester=ci", Box::new(|d| d.requester == "ci")),
        (
            "app=a3&environment=staging",
            Box::new(|d| d.app == "a3" && d.environment == "staging"),
        ),
        (
            "app=a1&state=succeeded&requester=U1",
            Box::new(|d| d.app == "a1" && d.state.as_str() == "succeeded" && d.requester == "U1"),
        ),
        (
            "environment=production&state=failed&requester=U2",
            Box::new(|d| {
                d.environment == "production" && d.state.as_str() == "failed" && d.requester == "U2"
            }),
        ),
        (
            "app=a2&environment=integration&state=failed&requester=U0",
            Box::new(|d| {
                d.app == "a2"
                    && d.environment == "integration"
                    && d.state.as_str() == "failed"
                    && d.requester == "U0"
            }),
        ),
        ("state=cancelled", Box::new(|_| false)),
        ("app=nothing", Box::new(|_| false)),
    ];
    for (query, keep) in cases {
        let want = expected(&filled, keep);
        let (ids, _) = walk(&t, query, 7).await;
        assert_eq!(ids, want, "{query}");
        // Every row served matches every filter it was asked for.
        let a = page(&t, &format!("{query}&limit=200")).await;
        for row in a.json["deployments"].as_array().unwrap() {
            for pair in query.split('&') {
                let (k, v) = pair.split_once('=').unwrap();
                assert_eq!(row[k].as_str(), Some(v), "{query}: {row}");
            }
        }
    }
    // Not every combination is empty: the filters are exercised.
    assert!(!expected(&filled, |d| d.app == "a1"
        && d.state.as_str() == "succeeded"
        && d.requester == "U1")
    .is_empty());
    t.stop().await;
}
on_both_backends!(filters_combine);

fn states(d: &Value) -> Vec<(String, String)> {
    d["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .map(|x| {
            (
                x["state"].as_str().unwrap().to_owned(),
                x["at"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The deployment's transitions must be `want`: each state, and when, in minutes after
/// Tuesday 10:00.
fn assert_steps(d: &Value, want: &[(&str, i64)]) {
    let at = |minutes: i64| {
        (support::driver::tuesday_10am() + Duration::minutes(minutes))
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    };
    let want: Vec<_> = want.iter().map(|&(s, m)| (s.to_owned(), at(m))).collect();
    assert_eq!(states(d), want, "{d}");
}

async fn one(t: &TestApp, id: &str) -> Value {
    let a = get(t, &format!("/api/v1/deployments/{id}")).await;
    assert_eq!(a.status, 200, "{id}: {:?}", a.json);
    a.json
}

async fn transitions_as_slack_and_ci_make_them(backend: Backend) {
    let t = TestApp::start(backend).await;

    // Alice deploys; Bob queues behind her, is called when she is done, starts two minutes
    // later and finishes five minutes after that.
    t.deploy(ALICE, "whitehall release_1 to integration").await;
    let start = t.wait_for_message("<@U0ALICE> started deploying").await;
    let alice = TestApp::button_value(&start, "deploy_done").unwrap();
    t.deploy(
        BOB,
        "publisher release_7 integration --note after the migration",
    )
    .await;
    t.clock.advance(Duration::minutes(1));
    t.press(ALICE, "deploy_done", &alice).await;
    let call = t.wait_for_message("<@U0BOB> it's your turn").await;
    let bob = TestApp::button_value(&call, "deploy_start").unwrap();
    t.clock.advance(Duration::minutes(2));
    t.press(BOB, "deploy_start", &bob).await;
    t.wait_for_message("<@U0BOB> started deploying").await;
    t.clock.advance(Duration::minutes(5));
    t.deploy(BOB, "done all good").await;
    t.wait_for_message("*publisher* `release_7` to *integration* succeeded")
        .await;

    let d = one(&t, &bob).await;
    assert_steps(
        &d,
        &[
            ("queued", 0),
            ("called", 1),
            ("deploying", 3),
            ("succeeded", 8),
        ],
    );
    assert_eq!(d["duration_seconds"], 300);
    assert_eq!(d["state"], "succeeded");
    assert_eq!(d["requester"], BOB);
    assert_eq!(d["note"], "after the migration");
    assert_eq!(d["outcome_note"], "all good");
    assert_eq!(d["emergency_reason"], Value::Null);
    let d = one(&t, &alice).await;
    assert_steps(&d, &[("queued", 0), ("deploying", 0), ("succeeded", 1)]);
    assert_eq!(d["duration_seconds"], 60);

    // An emergency, with its reason.
    t.deploy(
        ALICE,
        "emergency whitehall hotfix_1 integration the site is down",
    )
    .await;
    t.wait_for_message("EMERGENCY").await;
    let a = page(&t, "app=whitehall&state=deploying").await;
    let rows = a.json["deployments"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{:?}", a.json);
    assert_eq!(rows[0]["emergency_reason"], "the site is down");
    assert_eq!(rows[0]["duration_seconds"], Value::Null);
    let emergency = rows[0]["id"].as_i64().unwrap();
    t.deploy(ALICE, "done").await;

    // CI: started with its URL, then failed with a note; no queued step.
    t.clock.advance(Duration::minutes(1));
    let body = json!({"app": "router", "ref": "v2", "environment": "integration", "status": "started",
                      "url": "https://ci.example/runs/42", "note": "nightly"});
    let ci = reported(&t, body).await;
    t.clock.advance(Duration::minutes(4));
    let red = json!({"status": "failed", "note": "smoke tests red"});
    let r = event(&t, ci, red).await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    let d = one(&t, &ci.to_string()).await;
    assert_steps(&d, &[("deploying", 9), ("failed", 13)]);
    assert_eq!(d["ci_url"], "https://ci.example/runs/42");
    assert_eq!(d["note"], "nightly");
    assert_eq!(d["outcome_note"], "smoke tests red");
    assert_eq!(d["requester"], "ci");
    assert_eq!(d["source"], "ci");
    assert_eq!(d["duration_seconds"], 240);

    // The list shows the same entries, newest first.
    let a = page(&t, "environment=integration").await;
    let ids: Vec<i64> = a.json["deployments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    let bob: i64 = bob.parse().unwrap();
    let alice: i64 = alice.parse().unwrap();
    assert_eq!(ids, [ci, emergency, bob, alice]);
    t.stop().await;
}
on_both_backends!(transitions_as_slack_and_ci_make_them);
