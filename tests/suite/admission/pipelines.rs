//! CI and the deploy-check API obey the rule like a person: the window, the promotion rule,
//! emergencies, a `started` event while another deploys, and a hold and its release.

use super::*;

use crate::support::ci::{event, get, report};
use crate::support::ci_steps::{assert_error, assert_first_reason, reported};
use crate::support::db::Backend;
use chrono::{TimeZone, Utc};

async fn ci_obeys_the_rules_like_a_person(backend: Backend) {
    let t = TestApp::start(backend).await;
    // Tuesday 22:00: production's window is closed.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 22, 0, 0).unwrap());

    // A ref never deployed to staging, started in production at night: refused, with both
    // reasons (this was accepted, unannounced as anything special, before the rule).
    let a = report(&t, ci("frontend", "r1", "production", "started")).await;
    assert_error(&a, 423, "must succeed in staging", "");
    assert_eq!(a.codes(), ["window_closed", "not_promoted"], "{:?}", a.json);
    // An emergency bypasses the window, never the promotion rule.
    let mut body = ci("frontend", "r1", "production", "started");
    body["emergency"] = json!("payments are down");
    let a = report(&t, body.clone()).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["not_promoted"], "{:?}", a.json);

    // Once r1 has passed staging, the emergency goes ahead and is announced as one.
    reported(&t, ci("frontend", "r1", "staging", "succeeded")).await;
    let id = reported(&t, body).await;
    let alert = t.wait_for_message("EMERGENCY deployment* started").await;
    let text = alert["text"].as_str().unwrap();
    assert!(text.contains("payments are down"), "{alert}");
    // Without the emergency, the same start at night is refused: the window.
    let a = event(&t, id, json!({"status": "succeeded"})).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let a = report(&t, ci("frontend", "r1", "production", "started")).await;
    assert_eq!(a.codes(), ["window_closed"], "{:?}", a.json);
    // `emergency` belongs with `started` only.
    let mut wrong = ci("frontend", "r1", "production", "succeeded");
    wrong["emergency"] = json!("x");
    assert_eq!(report(&t, wrong).await.status, 422);
}
on_both_backends!(ci_obeys_the_rules_like_a_person);

async fn ci_started_event_rechecks_the_rule(backend: Backend) {
    let t = TestApp::start(backend).await;
    for app in ["frontend", "publisher"] {
        report(&t, ci(app, "r1", "staging", "succeeded")).await;
    }
    // Bob deploys publisher to production; Alice queues frontend behind him.
    let r = t.deploy(BOB, "publisher r1 to production").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let bob = id_in(&r.text());
    let r = t.deploy(ALICE, "frontend r1 to production").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    let alice = id_in(&r.text());

    // While Bob deploys, Alice's pipeline may not start: busy (and says who).
    let a = event(&t, alice, json!({"status": "started"})).await;
    assert_error(&a, 423, &format!("#{bob}"), "");
    assert_eq!(a.codes(), ["busy"], "{:?}", a.json);

    // Staging fails frontend r1 meanwhile: the pipeline is refused by the promotion rule
    // too (CI `started` on a queued deployment used to check holds and busy only).
    report(&t, ci("frontend", "r1", "staging", "failed")).await;
    let a = event(&t, alice, json!({"status": "started"})).await;
    assert_eq!(a.codes(), ["not_promoted", "busy"], "{:?}", a.json);
    assert_eq!(deployment_state(&t, alice).await, "queued");
}
on_both_backends!(ci_started_event_rechecks_the_rule);

async fn deploy_check_answers_the_promotion_rule_with_a_ref(backend: Backend) {
    let t = TestApp::start(backend).await;
    let check = |r: &str| format!("/api/v1/deploy-check?app=frontend&environment=production{r}");
    // Without a ref the promotion rule is not asked.
    assert_eq!(get(&t, &check("")).await.status, 200);
    let a = get(&t, &check("&ref=r1")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["not_promoted"]);
    assert_first_reason(&a, "frontend has never been deployed there");
    report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
    let a = get(&t, &check("&ref=r1")).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"allowed": true}));
    let a = get(&t, &check("&ref=r2")).await;
    assert_eq!(a.codes(), ["not_promoted"]);
    assert_first_reason(&a, "the latest finished deployment there is r1");
    // A ref that is not a ref is a bad request, not a guess.
    let a = get(&t, &check("&ref=..%2Fetc")).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
}
on_both_backends!(deploy_check_answers_the_promotion_rule_with_a_ref);

/// The Release view's promise for pipelines: a deployment CI reports is refused while a
/// hold stands (and nothing is recorded), accepted once the hold is released, and then
/// shows in the history API and in versions.
async fn a_pipeline_is_refused_by_a_hold_and_accepted_after_release(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.hold(BOB, "whitehall integration data migration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let refused = report(&t, ci("whitehall", "r7", "integration", "started")).await;
    assert_error(&refused, 423, "data migration", "");
    assert_eq!(refused.codes(), vec!["held".to_owned()]);
    let page = get(&t, "/api/v1/deployments?app=whitehall").await;
    assert_eq!(page.json["deployments"].as_array().unwrap().len(), 0);

    let r = t.hold(BOB, "release whitehall").await;
    assert!(r.text().to_lowercase().contains("released"), "{}", r.text());
    let id = reported(&t, ci("whitehall", "r7", "integration", "started")).await;
    let done = event(&t, id, json!({"status": "succeeded"})).await;
    assert_eq!(done.status, 200, "{}", done.json);

    let page = get(&t, "/api/v1/deployments?app=whitehall").await;
    let rows = page.json["deployments"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{}", page.json);
    assert_eq!(rows[0]["state"], "succeeded");
    assert_eq!(rows[0]["git_ref"], "r7");
    let versions = get(&t, "/api/v1/versions?app=whitehall").await;
    assert_eq!(versions.status, 200, "{}", versions.json);
    assert_eq!(versions.json["apps"][0]["per_env"][0]["ref"], "r7");
}
on_both_backends!(a_pipeline_is_refused_by_a_hold_and_accepted_after_release);
