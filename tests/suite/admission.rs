//! The one admission rule through every entry path, over real HTTP on both backends:
//! a person's `/deploy`, the your-turn call, the Start and Skip buttons, CI `started`
//! (report and event), deploy-check and the scheduler refuse and accept the same cases.

use crate::support;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{json, Value};
use support::ci::{event, get, report};
use support::db::Backend;
use support::driver::{TestApp, CHANNEL};

const ALICE: &str = "U0ALICE";
const BOB: &str = "U0BOB";
const CAROL: &str = "U0CAROL";
const DAVE: &str = "U0DAVE";

fn ci(app: &str, git_ref: &str, env: &str, status: &str) -> Value {
    json!({"app": app, "ref": git_ref, "environment": env, "status": status})
}

/// The deployment id a reply or message names as `(#N)`.
fn id_in(text: &str) -> i64 {
    let start = text.find("(#").expect("an id in the text") + 2;
    text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("digits")
}

async fn state_of(t: &TestApp, id: i64) -> String {
    t.core()
        .store
        .deployment(id)
        .await
        .unwrap()
        .unwrap()
        .state
        .as_str()
        .to_owned()
}

/// The your-turn messages in the channel that still have a Start button, by requester.
fn open_turns(t: &TestApp) -> Vec<String> {
    t.slack
        .messages(CHANNEL)
        .iter()
        .filter(|m| TestApp::button_value(m, "deploy_start").is_some())
        .map(|m| m["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn ci_obeys_the_rules_like_a_person(backend: Backend) {
    let t = TestApp::start(backend).await;
    // Tuesday 22:00: production's window is closed.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 24, 22, 0, 0).unwrap());

    // A ref never deployed to staging, started in production at night: refused, with both
    // reasons (this was accepted, unannounced as anything special, before the rule).
    let a = report(&t, ci("frontend", "r1", "production", "started")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["window_closed", "not_promoted"], "{:?}", a.json);
    assert!(
        a.error().contains("must succeed in staging"),
        "{:?}",
        a.json
    );
    // An emergency bypasses the window, never the promotion rule.
    let mut body = ci("frontend", "r1", "production", "started");
    body["emergency"] = json!("payments are down");
    let a = report(&t, body.clone()).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["not_promoted"], "{:?}", a.json);

    // Once r1 has passed staging, the emergency goes ahead and is announced as one.
    let a = report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let a = report(&t, body).await;
    assert_eq!(a.status, 201, "{:?}", a.json);
    let id = a.json["id"].as_i64().unwrap();
    let alert = t.wait_for_message("EMERGENCY deployment* started").await;
    assert!(
        alert["text"]
            .as_str()
            .unwrap()
            .contains("payments are down"),
        "{alert}"
    );
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
on_both_backends!(ci_obeys_the_rules, ci_obeys_the_rules_like_a_person);

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
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["busy"], "{:?}", a.json);
    assert!(a.error().contains(&format!("#{bob}")), "{:?}", a.json);

    // Staging fails frontend r1 meanwhile: the pipeline is refused by the promotion rule
    // too (CI `started` on a queued deployment used to check holds and busy only).
    report(&t, ci("frontend", "r1", "staging", "failed")).await;
    let a = event(&t, alice, json!({"status": "started"})).await;
    assert_eq!(a.codes(), ["not_promoted", "busy"], "{:?}", a.json);
    assert_eq!(state_of(&t, alice).await, "queued");
}
on_both_backends!(ci_started_event, ci_started_event_rechecks_the_rule);

async fn deploy_check_answers_the_promotion_rule_with_a_ref(backend: Backend) {
    let t = TestApp::start(backend).await;
    let check = |r: &str| format!("/api/v1/deploy-check?app=frontend&environment=production{r}");
    // Without a ref the promotion rule is not asked.
    assert_eq!(get(&t, &check("")).await.status, 200);
    let a = get(&t, &check("&ref=r1")).await;
    assert_eq!(a.status, 423, "{:?}", a.json);
    assert_eq!(a.codes(), ["not_promoted"]);
    assert!(
        a.json["reasons"][0]
            .as_str()
            .unwrap()
            .contains("frontend has never been deployed there"),
        "{:?}",
        a.json
    );
    report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
    let a = get(&t, &check("&ref=r1")).await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    assert_eq!(a.json, json!({"allowed": true}));
    let a = get(&t, &check("&ref=r2")).await;
    assert_eq!(a.codes(), ["not_promoted"]);
    assert!(
        a.json["reasons"][0]
            .as_str()
            .unwrap()
            .contains("the latest finished deployment there is r1"),
        "{:?}",
        a.json
    );
    // A ref that is not a ref is a bad request, not a guess.
    let a = get(&t, &check("&ref=..%2Fetc")).await;
    assert_eq!(a.status, 422, "{:?}", a.json);
}
on_both_backends!(
    deploy_check_ref,
    deploy_check_answers_the_promotion_rule_with_a_ref
);

async fn promotion_is_checked_again_when_a_turn_starts(backend: Backend) {
    let t = TestApp::start(backend).await;
    for app in ["frontend", "publisher", "router"] {
        report(&t, ci(app, "r1", "staging", "succeeded")).await;
    }
    let bob = id_in(&t.deploy(BOB, "publisher r1 to production").await.text());
    let alice = id_in(&t.deploy(ALICE, "frontend r1 to production").await.text());
    let carol = id_in(&t.deploy(CAROL, "router r1 to production").await.text());

    // Staging fails frontend r1 while Alice waits. When Bob finishes, her turn passes to
    // Carol; Alice is told why and keeps her place.
    report(&t, ci("frontend", "r1", "staging", "failed")).await;
    t.deploy(BOB, "done").await;
    let notice = t.wait_for_message(":fast_forward: <@U0ALICE>").await;
    let notice = notice["text"].as_str().unwrap();
    assert!(
        notice.contains("must succeed in *staging*") && notice.contains("keep your place"),
        "{notice}"
    );
    t.wait_for_message("<@U0CAROL> it's your turn").await;
    assert_eq!(state_of(&t, bob).await, "succeeded");
    assert_eq!(state_of(&t, alice).await, "queued");
    assert_eq!(state_of(&t, carol).await, "called");
    let status = get(&t, "/api/v1/status").await;
    assert!(
        status.json["queues"]["production"]
            .to_string()
            .contains(&format!("\"id\":{alice}")),
        "{:?}",
        status.json["queues"]
    );

    // Staging fails router r1 between Carol's call and her Start: the press is refused
    // with the reason, the turn passes on (to nobody who can go), and she keeps her place.
    report(&t, ci("router", "r1", "staging", "failed")).await;
    assert_eq!(
        t.press(CAROL, "deploy_start", &carol.to_string()).await,
        200
    );
    let told = t
        .wait_for_ephemeral(CAROL, "must succeed in *staging*")
        .await;
    assert!(told.contains("keep your place"), "{told}");
    assert_eq!(state_of(&t, carol).await, "queued");
    t.settle().await;
    assert!(
        !t.channel_texts()
            .iter()
            .any(|m| m.contains("started deploying *router*")),
        "{:#?}",
        t.channel_texts()
    );
    assert!(open_turns(&t).is_empty(), "{:#?}", open_turns(&t));

    // Frontend r1 passes staging again: the scheduler calls Alice by itself.
    report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
    t.wait_for_message("<@U0ALICE> it's your turn").await;
    assert_eq!(state_of(&t, alice).await, "called");
    // Each was told once: the notice is not repeated on every tick.
    t.settle().await;
    let notices = t
        .channel_texts()
        .iter()
        .filter(|m| m.starts_with(":fast_forward: <@U0ALICE>"))
        .count();
    assert_eq!(notices, 1, "{:#?}", t.channel_texts());
}
on_both_backends!(
    promotion_at_turn,
    promotion_is_checked_again_when_a_turn_starts
);

async fn skip_always_gives_the_turn_to_someone_else(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.deploy(BOB, "publisher r1 to integration").await;
    let alice = id_in(
        &t.deploy(
            ALICE,
            "emergency frontend r1 to integration the site is down",
        )
        .await
        .text(),
    );
    let carol = id_in(&t.deploy(CAROL, "router r1 to integration").await.text());
    t.deploy(BOB, "done").await;
    t.wait_for_message("<@U0ALICE> it's your turn").await;

    // Alice's emergency lets the next go first: Carol is called, not Alice again.
    assert_eq!(t.press(ALICE, "deploy_skip", &alice.to_string()).await, 200);
    t.wait_for_message("<@U0CAROL> it's your turn").await;
    t.wait_for_ephemeral(ALICE, "You let <@U0CAROL> go first")
        .await;
    assert_eq!(state_of(&t, carol).await, "called");
    assert_eq!(state_of(&t, alice).await, "queued");
    // ...and Alice is next after Carol.
    assert_eq!(
        t.press(CAROL, "deploy_start", &carol.to_string()).await,
        200
    );
    t.deploy(CAROL, "done").await;
    t.settle().await;
    assert_eq!(state_of(&t, alice).await, "called");
}
on_both_backends!(skip_emergency, skip_always_gives_the_turn_to_someone_else);

async fn skip_passes_over_whoever_is_held(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.deploy(BOB, "publisher r1 to integration").await;
    let alice = id_in(&t.deploy(ALICE, "frontend r1 to integration").await.text());
    let dave = id_in(&t.deploy(DAVE, "whitehall r1 to integration").await.text());
    let r = t.hold(BOB, "whitehall integration data migration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    t.deploy(BOB, "done").await;
    t.wait_for_message("<@U0ALICE> it's your turn").await;

    // The only other one waiting is held: nobody else can go, so the turn stays Alice's.
    assert_eq!(t.press(ALICE, "deploy_skip", &alice.to_string()).await, 200);
    t.wait_for_ephemeral(ALICE, "Nobody else in the queue can go now")
        .await;
    assert_eq!(state_of(&t, alice).await, "called");

    // With Carol behind the held one, skipping calls Carol (it used to call Alice again).
    let carol = id_in(&t.deploy(CAROL, "router r1 to integration").await.text());
    assert_eq!(t.press(ALICE, "deploy_skip", &alice.to_string()).await, 200);
    t.wait_for_message("<@U0CAROL> it's your turn").await;
    assert_eq!(state_of(&t, carol).await, "called");
    assert_eq!(state_of(&t, alice).await, "queued");
    assert_eq!(state_of(&t, dave).await, "queued");
}
on_both_backends!(skip_held, skip_passes_over_whoever_is_held);

async fn a_deployment_called_off_after_it_started_has_a_duration(backend: Backend) {
    let t = TestApp::start(backend).await;
    let id = id_in(&t.deploy(ALICE, "frontend r1 to integration").await.text());
    t.clock.advance(Duration::minutes(5));
    let r = t.deploy(ALICE, &format!("cancel {id}")).await;
    assert!(r.text().contains("Called off"), "{}", r.text());
    let end = t.wait_for_message("was called off").await;
    assert!(
        end["text"]
            .as_str()
            .unwrap()
            .contains("was called off in 5m 0s"),
        "{end}"
    );
}
on_both_backends!(
    cancelled_duration,
    a_deployment_called_off_after_it_started_has_a_duration
);

/// One case of the rule, asked through every entry path.
struct Case {
    name: &'static str,
    /// Slack text of a person's refusal, and the CI/deploy-check code, when refused.
    refused: Option<(&'static str, &'static str)>,
    emergency: bool,
}

async fn every_path_agrees(backend: Backend) {
    let cases = [
        Case {
            name: "held",
            refused: Some((":no_entry:", "held")),
            emergency: false,
        },
        Case {
            name: "closed",
            refused: Some((":lock:", "window_closed")),
            emergency: false,
        },
        Case {
            name: "not promoted",
            refused: Some((":arrow_right:", "not_promoted")),
            emergency: false,
        },
        Case {
            name: "emergency when closed",
            refused: None,
            emergency: true,
        },
        Case {
            name: "open and promoted",
            refused: None,
            emergency: false,
        },
    ];
    for case in cases {
        let t = TestApp::start(backend).await;
        let git_ref = if case.name == "not promoted" {
            "r2"
        } else {
            "r1"
        };
        report(&t, ci("frontend", "r1", "staging", "succeeded")).await;
        if case.name == "held" {
            t.hold(BOB, "frontend production incident").await;
        }
        if case.name.contains("closed") {
            // Saturday: production's window is closed.
            t.clock
                .set(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap());
        }
        let name = case.name;
        let slack = if case.emergency {
            format!("emergency frontend {git_ref} to production the site is down")
        } else {
            format!("frontend {git_ref} to production")
        };
        let mut body = ci("frontend", git_ref, "production", "started");
        if case.emergency {
            body["emergency"] = json!("the site is down");
        }
        let check = get(
            &t,
            &format!("/api/v1/deploy-check?app=frontend&environment=production&ref={git_ref}"),
        )
        .await;
        match case.refused {
            Some((slack_marker, code)) => {
                let r = t.deploy(ALICE, &slack).await;
                assert!(r.text().starts_with(slack_marker), "{name}: {}", r.text());
                let a = report(&t, body).await;
                assert_eq!(a.status, 423, "{name}: {:?}", a.json);
                assert_eq!(a.codes(), [code], "{name}");
                assert_eq!(check.status, 423, "{name}: {:?}", check.json);
                assert_eq!(check.codes(), [code], "{name}");
                let stored: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM deployments WHERE environment = 'production'",
                )
                .fetch_one(t.core().store.pool())
                .await
                .unwrap();
                assert_eq!(stored, 0, "{name}: a refusal stored nothing");
            }
            None => {
                let r = t.deploy(ALICE, &slack).await;
                assert!(
                    r.text().contains("You're deploying"),
                    "{name}: {}",
                    r.text()
                );
                t.deploy(ALICE, "done").await;
                let a = report(&t, body).await;
                assert_eq!(a.status, 201, "{name}: {:?}", a.json);
                if !case.emergency {
                    assert_eq!(check.status, 200, "{name}: {:?}", check.json);
                }
            }
        }
        t.stop().await;
    }
}
on_both_backends!(every_path, every_path_agrees);

/// The Release view's promise for pipelines: a deployment CI reports is refused while a
/// hold stands (and nothing is recorded), accepted once the hold is released, and then
/// shows in the history API and in versions.
async fn a_pipeline_is_refused_by_a_hold_and_accepted_after_release(backend: Backend) {
    let t = TestApp::start(backend).await;
    let r = t.hold(BOB, "whitehall integration data migration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let refused = report(&t, ci("whitehall", "r7", "integration", "started")).await;
    assert_eq!(refused.status, 423, "{}", refused.json);
    assert_eq!(refused.codes(), vec!["held".to_owned()]);
    assert!(
        refused.error().contains("data migration"),
        "{}",
        refused.json
    );
    let page = get(&t, "/api/v1/deployments?app=whitehall").await;
    assert_eq!(page.json["deployments"].as_array().unwrap().len(), 0);

    let r = t.hold(BOB, "release whitehall").await;
    assert!(r.text().to_lowercase().contains("released"), "{}", r.text());
    let accepted = report(&t, ci("whitehall", "r7", "integration", "started")).await;
    assert_eq!(accepted.status, 201, "{}", accepted.json);
    let id = accepted.json["id"].as_i64().expect("an id");
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
on_both_backends!(
    pipeline_hold_then_release,
    a_pipeline_is_refused_by_a_hold_and_accepted_after_release
);
