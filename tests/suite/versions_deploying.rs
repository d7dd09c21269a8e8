//! What is deploying now, in the versions view, through real HTTP on both backends: the
//! cell keeps the version that runs and says what is going out, in `/deploy versions`,
//! `GET /api/v1/versions`, App Home and the dashboard, until the deployment ends.

use crate::support;

use support::ci;
use support::db::Backend;
use support::driver::TestApp;
use support::people::{ALICE, BOB};
use support::versions::{open_home, wait_for_home, within_limits, VIEW_BLOCKS};

async fn the_deployment_going_out_shows_beside_the_version_it_replaces(backend: Backend) {
    let t = TestApp::start(backend).await;
    assert!(t
        .deploy(ALICE, "whitehall r1 to integration")
        .await
        .text()
        .contains("You're deploying"));
    assert_eq!(t.deploy(ALICE, "done").await.status, 200);
    let r = t.deploy(ALICE, "whitehall r2 to integration").await;
    r.assert_says("You're deploying");
    // Bob's first deployment of another app waits behind it: queued is not going out.
    let r = t.deploy(BOB, "fresh r9 to integration").await;
    r.assert_never_says("You're deploying");

    let v = t.deploy(BOB, "versions").await.text();
    assert!(
        v.contains("*whitehall*: integration `r1` (deploying `r2`) · staging — · production —"),
        "{v}"
    );
    assert!(!v.contains("fresh"), "{v}");
    t.deploy(BOB, "versions whitehall").await.assert_says(
        "• *integration*: `r1`, deployed Tue 24 Nov 10:00 GMT by <@U0ALICE>; `r2` \
             deploying since Tue 24 Nov 10:00 GMT for <@U0ALICE>",
    );

    let api = ci::get(&t, "/api/v1/versions?app=whitehall").await;
    assert_eq!(api.status, 200, "{}", api.json);
    let app = &api.json["apps"][0];
    assert_eq!(app["per_env"][0]["ref"], "r1", "{app}");
    let going = app["deploying"].as_array().expect("deploying");
    assert_eq!(going.len(), 1, "{app}");
    assert_eq!(going[0]["env"], "integration");
    assert_eq!(going[0]["ref"], "r2");
    assert_eq!(going[0]["by"], ALICE);

    let page = t.get("/dashboard").await.text().await.expect("dashboard");
    assert!(page.contains("deploying r2"), "{page}");

    open_home(&t, "Ev0GOING", BOB, "home").await;
    let view = wait_for_home(&t, BOB, 1).await;
    let home = within_limits(view["blocks"].as_array().unwrap(), VIEW_BLOCKS);
    assert!(home.contains("integration `r1` (deploying `r2`)"), "{home}");

    // Done: the cell takes the new version and nothing is going out any more.
    assert_eq!(t.deploy(ALICE, "done").await.status, 200);
    let v = t.deploy(BOB, "versions whitehall").await.text();
    assert!(v.contains("*whitehall*: integration `r2` · staging"), "{v}");
    assert!(!v.contains("deploying"), "{v}");
    let api = ci::get(&t, "/api/v1/versions?app=whitehall").await;
    assert_eq!(api.json["apps"][0]["deploying"], serde_json::json!([]));
    t.stop().await;
}
on_both_backends!(the_deployment_going_out_shows_beside_the_version_it_replaces);

/// Nothing runs anywhere, but a first deployment is going out: `/deploy versions` shows it
/// rather than "Nothing has been deployed yet".
async fn a_first_deployment_is_not_nothing(backend: Backend) {
    let t = TestApp::start(backend).await;
    let going = "*fresh*: integration — (deploying `r9`)";
    let nothing_yet = "• *integration*: nothing deployed yet; `r9` deploying since";
    t.answers_say(&[
        (ALICE, "/deploy fresh r9 to integration", "You're deploying"),
        (BOB, "/deploy versions", going),
        (BOB, "/deploy versions fresh", nothing_yet),
    ])
    .await;
    t.stop().await;
}
on_both_backends!(a_first_deployment_is_not_nothing);
