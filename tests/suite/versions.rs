//! Versions and drift through real HTTP on both backends: `/deploy versions [APP]`,
//! `GET /api/v1/versions`, and the App Home tab (`app_home_opened` -> `views.publish`),
//! within Slack's Block Kit limits with 200 apps, nothing dropped silently.

use crate::support;

use chrono::Duration;
use serde_json::Value;
use support::ci;
use support::db::Backend;
use support::driver::{TestApp, POLICY};
use support::people::{ALICE, BOB};
use support::versions::{
    more_apps, open_home, seed, wait_for_home, within_limits, Done, MESSAGE_BLOCKS,
    MESSAGE_TEXT_CHARS, VIEW_BLOCKS,
};

/// Alice deploys `text` (`APP REF to ENV`), which must start at once.
async fn deploying(t: &TestApp, text: &str) {
    let r = t.deploy(ALICE, text).await;
    assert!(
        r.text().contains("You're deploying"),
        "{text}: {}",
        r.text()
    );
}

/// Alice deploys `text` and is done with it.
async fn deploy_done(t: &TestApp, text: &str) {
    deploying(t, text).await;
    let r = t.deploy(ALICE, "done").await;
    assert!(r.status == 200, "{}", r.text());
}

/// badger, with whitehall `release_5` deployed to integration (and done) by Alice.
async fn with_whitehall_release_5(backend: Backend) -> TestApp {
    let t = TestApp::start(backend).await;
    deploy_done(&t, "whitehall release_5 to integration").await;
    t
}

async fn drift_appears_and_clears(backend: Backend) {
    let t = TestApp::start(backend).await;
    for env in ["integration", "staging", "production"] {
        deploy_done(&t, &format!("whitehall release_40 to {env}")).await;
    }
    deploy_done(&t, "frontend release_7 to integration").await;
    t.deploy(BOB, "versions").await.assert_says_all(&[
        "2 apps, 1 drifted",
        "*whitehall*: integration `release_40` · staging `release_40` · production `release_40`",
    ]);

    // Staging moves ahead of production at 10:00; production lags from then on.
    deploy_done(&t, "whitehall release_42 to integration").await;
    deploy_done(&t, "whitehall release_42 to staging").await;
    let moved_at = t.clock_now();
    t.clock.advance(Duration::minutes(210));
    // Nothing in staging yet behind integration's frontend is drift too, listed before
    // the in-step apps (drifted first, then by name).
    t.deploy(BOB, "versions").await.assert_says_all(&[
        "2 apps, 2 drifted",
        ":warning: *whitehall*: integration `release_42` · staging `release_42` · production `release_40`",
        "production (`release_40`) is behind staging: `release_42` there for 3h 30m, since Tue 24 Nov 10:00 GMT",
        "staging (nothing yet) is behind integration: `release_7`",
    ]);
    let api = ci::get(&t, "/api/v1/versions?app=whitehall").await;
    assert_eq!(api.status, 200, "{}", api.json);
    let app = &api.json["apps"][0];
    assert_eq!(app["app"], "whitehall");
    assert_eq!(app["drift"].as_array().map(Vec::len), Some(1), "{app}");
    let d = &app["drift"][0];
    assert_eq!(d["env"], "production");
    assert_eq!(d["behind_env"], "staging");
    assert_eq!(d["ahead_ref"], "release_42");
    assert_eq!(d["behind_ref"], "release_40");
    assert_eq!(d["age_secs"], 210 * 60);
    let since: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(d["since"].clone()).expect("since is a time");
    assert_eq!(since, moved_at);

    // Production catches up: the drift clears.
    deploy_done(&t, "whitehall release_42 to production").await;
    t.deploy(BOB, "versions")
        .await
        .assert_says("2 apps, 1 drifted")
        .assert_never_says(":warning: *whitehall*");
    let api = ci::get(&t, "/api/v1/versions?app=whitehall").await;
    assert_eq!(api.json["apps"][0]["drift"], Value::Array(vec![]));
    t.stop().await;
}
on_both_backends!(drift_appears_and_clears);

async fn versions_of_one_app(backend: Backend) {
    let t = with_whitehall_release_5(backend).await;
    let r = t.deploy(BOB, "versions whitehall").await;
    r.assert_says("*whitehall*: integration `release_5` · staging — · production —");
    r.assert_says("• *integration*: `release_5`, deployed Tue 24 Nov 10:00 GMT by <@U0ALICE>");
    r.assert_says("• *production*: nothing deployed yet");
    within_limits(r.json["blocks"].as_array().unwrap(), MESSAGE_BLOCKS);
    // An app badger never knew is said so, as the API's 404 does; a typo gets a guess.
    let v = t.deploy(BOB, "versions nothing-here").await.text();
    assert!(
        v.contains("badger knows no app called *nothing-here*") && !v.contains("Did you mean"),
        "{v}"
    );
    let typo = "/deploy versions whitehal";
    t.answers_say(&[
        (BOB, typo, "Did you mean *whitehall*?"),
        (BOB, "/deploy versions Whitehall", "not an application name"),
    ])
    .await;
    t.stop().await;
}
on_both_backends!(versions_of_one_app);

async fn api_good_and_bad_requests(backend: Backend) {
    // `apps` is a top-level key: before the [queue] table.
    let policy = POLICY.replace(
        "[queue]",
        "apps = [\"whitehall\", \"listed-only\"]\n[queue]",
    );
    let t = TestApp::start_with(backend, &policy).await;
    deploy_done(&t, "whitehall release_5 to integration").await;

    let all = ci::get(&t, "/api/v1/versions").await;
    assert_eq!(all.status, 200, "{}", all.json);
    assert_eq!(
        all.json["environments"],
        serde_json::json!(["integration", "staging", "production"])
    );
    let apps = all.json["apps"].as_array().unwrap();
    let names: Vec<_> = apps.iter().map(|a| a["app"].as_str().unwrap()).collect();
    // Drifted first: whitehall (staging lags integration); then the listed app.
    assert_eq!(names, ["whitehall", "listed-only"]);
    assert_eq!(apps[0]["per_env"][0]["ref"], "release_5");
    assert_eq!(apps[0]["per_env"][0]["by"], ALICE);
    assert_eq!(apps[0]["per_env"][1], Value::Null);

    // Listed in the policy but never deployed: known, empty.
    let listed = ci::get(&t, "/api/v1/versions?app=listed-only").await;
    assert_eq!(listed.status, 200, "{}", listed.json);
    assert_eq!(
        listed.json["apps"][0]["per_env"],
        serde_json::json!([null, null, null])
    );

    for (query, status, words) in [
        ("?app=nothing-here", 404, "no app `nothing-here`"),
        ("?app=Bad%21", 400, "not an application name"),
        (
            "?environment=staging",
            400,
            "unknown query parameter `environment`",
        ),
        ("?app=whitehall&app=x", 400, "at most once"),
    ] {
        let r = ci::get(&t, &format!("/api/v1/versions{query}")).await;
        assert_eq!(r.status, status, "{query}: {}", r.json);
        assert!(r.error().contains(words), "{query}: {}", r.json);
    }
    t.stop().await;
}
on_both_backends!(api_good_and_bad_requests);

/// An app badger knows that runs nowhere (only a failed deployment, or one still live) has
/// empty cells, as its dashboard page shows it; only an app it knows nothing of is a 404.
async fn known_apps_running_nowhere_have_empty_cells(backend: Backend) {
    let t = TestApp::start(backend).await;
    let failed = serde_json::json!({"app": "failed-only", "ref": "r1",
        "environment": "integration", "status": "failed"});
    assert_eq!(ci::report(&t, failed).await.status, 201);
    deploying(&t, "live-only r1 to integration").await;
    for app in ["failed-only", "live-only"] {
        assert_eq!(t.get(&format!("/apps/{app}")).await.status(), 200, "{app}");
        let a = ci::get(&t, &format!("/api/v1/versions?app={app}")).await;
        assert_eq!(a.status, 200, "{app}: {}", a.json);
        let app_row = &a.json["apps"][0];
        assert_eq!(app_row["app"], app);
        assert_eq!(app_row["per_env"], serde_json::json!([null, null, null]));
        assert_eq!(app_row["drift"], serde_json::json!([]));
        // The live one is going out: said, though nothing of it runs yet.
        let going: Vec<_> = app_row["deploying"]
            .as_array()
            .expect("deploying")
            .iter()
            .map(|u| (u["env"].as_str(), u["ref"].as_str()))
            .collect();
        let expected = if app == "live-only" {
            vec![(Some("integration"), Some("r1"))]
        } else {
            vec![]
        };
        assert_eq!(going, expected, "{app}");
    }
    assert_eq!(t.get("/apps/nothing-here").await.status(), 404);
    let a = ci::get(&t, "/api/v1/versions?app=nothing-here").await;
    assert_eq!(a.status, 404, "{}", a.json);
    assert!(a.error().contains("no app `nothing-here`"), "{}", a.json);
    t.stop().await;
}
on_both_backends!(known_apps_running_nowhere_have_empty_cells);

/// A long app name and ref, so 200 apps cannot all fit in one message.
fn long_app(i: usize) -> String {
    format!("app-{i:03}-{}", "x".repeat(52))
}
fn long_ref(gen: usize) -> String {
    format!("release-{gen:03}-{}", "r".repeat(88))
}

/// 200 apps, 40 of them drifted, each with a history of older releases in every
/// environment; refs and names at their longest.
async fn seed_many(t: &TestApp) -> Vec<String> {
    let apps: Vec<String> = (0..200).map(long_app).collect();
    let refs: Vec<String> = (0..6).map(long_ref).collect();
    let base = t.clock_now() - Duration::days(30);
    let mut done = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        for (gen, r) in refs.iter().enumerate().take(5) {
            for (k, env) in ["integration", "staging", "production"].iter().enumerate() {
                done.push(Done {
                    app,
                    env,
                    git_ref: r,
                    by: ALICE,
                    at: base + Duration::hours((gen * 24 + k) as i64),
                });
            }
        }
        if i % 5 == 0 {
            // Staging moves ahead of production: drift.
            for env in ["integration", "staging"] {
                done.push(Done {
                    app,
                    env,
                    git_ref: &refs[5],
                    by: BOB,
                    at: base + Duration::days(20),
                });
            }
        }
    }
    seed(t, &done).await;
    apps
}

/// Every app is either shown (by name) or counted in "+N more apps"; drifted apps first.
fn all_accounted(text: &str, apps: &[String]) -> usize {
    let shown: Vec<usize> = (0..apps.len())
        .filter(|i| text.contains(&format!("*{}*:", apps[*i])))
        .collect();
    let (more, more_drifted) = more_apps(text);
    assert_eq!(
        shown.len() + more,
        apps.len(),
        "shown {shown:?}, +{more} more"
    );
    let drifted_shown = shown.iter().filter(|i| *i % 5 == 0).count();
    assert_eq!(drifted_shown + more_drifted, 40, "drifted: {text}");
    if more > 0 {
        assert_eq!(more_drifted, 0, "drifted apps come first");
    }
    shown.len()
}

async fn two_hundred_apps_within_block_kit_limits(backend: Backend) {
    let t = TestApp::start_with_public_url(backend, "https://badger.example.com/").await;
    let apps = seed_many(&t).await;

    let r = t.deploy(BOB, "versions").await;
    let blocks = r.json["blocks"].as_array().expect("blocks").clone();
    let shown_text = within_limits(&blocks, MESSAGE_BLOCKS);
    let text = r.text();
    assert!(text.chars().count() <= MESSAGE_TEXT_CHARS);
    assert!(text.contains("200 apps, 40 drifted"), "{text}");
    let shown = all_accounted(&text, &apps);
    assert_eq!(all_accounted(&shown_text, &apps), shown);
    assert!(shown < 200 && shown > 40, "{shown} shown");
    assert!(
        text.contains("see <https://badger.example.com/|the dashboard>"),
        "{text}"
    );
    assert!(blocks.len() > 1, "split across sections");

    let status = open_home(&t, "Ev0HOME1", ALICE, "home").await;
    assert_eq!(status, 200);
    let view = wait_for_home(&t, ALICE, 1).await;
    let blocks = view["blocks"].as_array().unwrap();
    let home = within_limits(blocks, VIEW_BLOCKS);
    let shown = all_accounted(&home, &apps);
    assert!(shown > 40, "{shown} shown");
    assert!(home.contains("Versions: 200 apps, 40 drifted"), "{home}");
    t.stop().await;
}
on_both_backends!(two_hundred_apps_within_block_kit_limits);

/// 200 short apps fit in one answer, split across sections; without BADGER_PUBLIC_URL a
/// summary names the dashboard without a link.
async fn short_apps_split_and_unlinked_summary(backend: Backend) {
    let t = TestApp::start(backend).await;
    let at = t.clock_now() - Duration::days(1);
    let names: Vec<String> = (0..200).map(|i| format!("app-{i:03}")).collect();
    let done: Vec<Done> = names
        .iter()
        .map(|app| Done {
            app,
            env: "integration",
            git_ref: "r1",
            by: ALICE,
            at,
        })
        .collect();
    seed(&t, &done).await;
    let r = t.deploy(BOB, "versions").await;
    let blocks = r.json["blocks"].as_array().unwrap();
    within_limits(blocks, MESSAGE_BLOCKS);
    assert!(blocks.len() > 1, "one section cannot hold 200 apps");
    let text = r.text();
    for n in &names {
        assert!(text.contains(&format!("*{n}*:")), "{n} missing");
    }
    assert!(!text.contains("more app"), "{text}");

    // 200 more apps, long and drifted: the answer summarises, naming the dashboard
    // without a link (no BADGER_PUBLIC_URL).
    let long: Vec<String> = (0..200).map(long_app).collect();
    let r100 = long_ref(1);
    let done: Vec<Done> = long
        .iter()
        .map(|app| Done {
            app,
            env: "integration",
            git_ref: &r100,
            by: ALICE,
            at,
        })
        .collect();
    seed(&t, &done).await;
    let r = t.deploy(BOB, "versions").await;
    let text = r.text();
    within_limits(r.json["blocks"].as_array().unwrap(), MESSAGE_BLOCKS);
    assert!(text.contains("400 apps, 400 drifted"), "{text}");
    let (more, more_drifted) = more_apps(&text);
    let shown = long
        .iter()
        .chain(&names)
        .filter(|n| text.contains(&format!("*{n}*:")))
        .count();
    assert_eq!(shown + more, 400);
    assert_eq!(more_drifted, more, "all 400 are drifted");
    assert!(text.contains("see the dashboard"), "{text}");
    assert!(!text.contains("<http"), "{text}");
    t.stop().await;
}
on_both_backends!(short_apps_split_and_unlinked_summary);

async fn app_home_once_per_event_with_my_deployments_first(backend: Backend) {
    let t = with_whitehall_release_5(backend).await;
    // Alice's live one: deploying in staging.
    deploying(&t, "whitehall release_5 to staging").await;

    assert_eq!(open_home(&t, "Ev0DUP", ALICE, "home").await, 200);
    // Slack delivers the same event again (a retry): published once.
    assert_eq!(open_home(&t, "Ev0DUP", ALICE, "home").await, 200);
    // The Messages tab is not the Home tab: nothing to publish.
    assert_eq!(open_home(&t, "Ev0MSGS", ALICE, "messages").await, 200);
    let view = wait_for_home(&t, ALICE, 1).await;
    t.settle().await;
    assert_eq!(t.slack.home_views(ALICE).len(), 1);
    assert_eq!(t.slack.calls_to("views.publish").len(), 1);
    assert!(t.slack.calls_to("views.publish")[0].ok);
    // Delivered once: slack-morphism understood Slack's answer (else the row is dead).
    let homes: Vec<_> = t
        .core()
        .store
        .outbox_log()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.ordering_key == format!("home:{ALICE}"))
        .collect();
    assert_eq!(homes.len(), 1);
    assert!(homes[0].delivered && !homes[0].dead && homes[0].attempts == 0);

    let home = within_limits(view["blocks"].as_array().unwrap(), VIEW_BLOCKS);
    let mine = home.find("Your deployments").expect("my section");
    let live = home
        .find("*whitehall* `release_5` to *staging*: deploying")
        .expect("my live deployment");
    let recent = home
        .find("*whitehall* `release_5` to *integration*: succeeded")
        .expect("my recent deployment");
    let versions = home.find("Versions: 1 app,").expect("versions");
    assert!(mine < live && live < recent && recent < versions, "{home}");

    // Bob has nothing of his own; a new event publishes his tab.
    open_home(&t, "Ev0BOB", BOB, "home").await;
    let view = wait_for_home(&t, BOB, 1).await;
    let home = within_limits(view["blocks"].as_array().unwrap(), VIEW_BLOCKS);
    assert!(
        home.contains("Nothing of yours is queued or deploying."),
        "{home}"
    );
    t.stop().await;
}
on_both_backends!(app_home_once_per_event_with_my_deployments_first);
