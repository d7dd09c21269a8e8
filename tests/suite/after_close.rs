//! The word after the deploy window closes: whoever is still deploying in an office-hours
//! environment is told once (whichever replica ticks, across restarts) that nothing else can
//! deploy there until they say done or failed; an emergency, a deployment in an always-open
//! environment, a pipeline's run and one that ended before the close are not.

use crate::support;

use chrono::{DateTime, TimeZone, Utc};
use support::checks::{assert_text_has, live_deployments};
use support::db::Backend;
use support::driver::{tuesday_at as tuesday, TestApp};
use support::people::{ALICE, BOB, CAROL};

/// Wednesday 25 November 2026 at 08:00 GMT: still closed, before the next opening.
fn wednesday_8am() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()
}

/// How the word after the close begins, after the person's mention.
const CLOSED: &str = "the deploy window closed at Tue 24 Nov 17:00 GMT, and your deployment of";

/// `who` deploys `app` r1 to integration and then staging, each ended at once, so it may go
/// on to production; what that posts is read and set aside.
async fn promote(t: &TestApp, who: &str, app: &str) {
    for env in ["integration", "staging"] {
        t.deployed(who, &format!("{app} r1 to {env}")).await;
    }
    t.deliver_unchecked().await;
}

/// `who` deploys `app` r1 to `env` (free, and passed the environment before it) and it
/// starts: its start alert is read.
async fn start(t: &TestApp, who: &str, app: &str, env: &str) {
    let alert = t.starts(who, &format!("{app} r1 to {env}")).await;
    assert_text_has(
        &alert,
        &format!("started deploying *{app}* `r1` to *{env}*"),
    );
}

/// Bob's publisher r1 may go on to production, and Alice's whitehall r1 starts in staging
/// at 16:40, twenty minutes before the close: where the last two tests begin.
async fn alice_in_staging_at_16_40(t: &TestApp) {
    promote(t, BOB, "publisher").await;
    t.deployed(ALICE, "whitehall r1 to integration").await;
    t.deliver_unchecked().await;
    t.clock.set(tuesday(16, 40));
    start(t, ALICE, "whitehall", "staging").await;
}

/// The texts of the Slack calls not read yet, now read: none may be the word after the close.
fn none_is_the_word_after_the_close(t: &TestApp) {
    for call in t.slack.read_all() {
        let text = call.body["text"].as_str().unwrap_or("").to_owned();
        assert!(!text.contains(CLOSED), "told after the close: {text}");
    }
}

/// Alice, still deploying at 17:00, is reminded at 16:46 and told at the close, once: not
/// on later ticks, not by a replica's tick, not after a restart.
async fn told_once_after_the_close(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    promote(&t, ALICE, "whitehall").await;
    t.at(tuesday(16, 40)).await;
    start(&t, ALICE, "whitehall", "production").await;
    t.at(tuesday(16, 46)).await;
    t.expect_post(":alarm_clock: <@U0ALICE> the deploy window closes at");
    t.at(tuesday(16, 59)).await;
    t.at(tuesday(17, 0)).await;
    let told = t.expect_post(&format!("<@U0ALICE> {CLOSED}"));
    let text = told["text"].as_str().unwrap();
    for part in [
        "*whitehall* `r1` to *production* is still marked as deploying (for 20m 0s)",
        "When it ends, say `/deploy done` or `/deploy failed`",
        "nothing else can deploy to *production* until then",
    ] {
        assert!(text.contains(part), "{part:?} not in {text:?}");
    }
    assert!(
        told.get("thread_ts").is_none(),
        "posted as the reminder is: {told}"
    );
    let live = live_deployments(&t, Some("production")).await;
    assert_eq!(live[0].after_close_reminded_at, Some(tuesday(17, 0)));
    // Later ticks, here and on a replica, and after a restart: nothing more.
    t.at(tuesday(17, 1)).await;
    let replica = t.replica().await;
    replica.tick().await;
    replica.deliver_outbox().await;
    replica.stop().await;
    let t = t.restart().await;
    t.at(tuesday(18, 0)).await;
    t.at(wednesday_8am()).await;
    t.slack.expect_no_more_calls();
    t.stop().await;
}
on_both_backends!(told_once_after_the_close);

/// Started at 16:59 with no tick before the close, so the reminder never came: the word
/// after the close still does, once.
async fn told_after_the_close_without_the_reminder(t: &TestApp) {
    promote(t, ALICE, "whitehall").await;
    t.clock.set(tuesday(16, 59));
    start(t, ALICE, "whitehall", "production").await;
    t.at(tuesday(17, 0)).await;
    let told = t.expect_post(&format!("<@U0ALICE> {CLOSED}"));
    assert_text_has(&told, "still marked as deploying (for 1m 0s)");
    t.at(tuesday(17, 30)).await;
    t.at(wednesday_8am()).await;
}
on_both_backends!(stepped told_after_the_close_without_the_reminder);

/// Emergencies are exempt, whether started before the close (Bob's, still deploying at
/// 17:00) or after it (Carol's at 17:30); Alice's ordinary deployment beside them is told.
async fn not_for_an_emergency(t: &TestApp) {
    promote(t, BOB, "publisher").await;
    promote(t, CAROL, "frontend").await;
    t.at(tuesday(16, 30)).await;
    t.deploy(BOB, "emergency publisher r1 to production login is broken")
        .await;
    t.deliver_unchecked().await;
    t.deployed(ALICE, "whitehall r1 to integration").await;
    t.deliver_unchecked().await;
    start(t, ALICE, "whitehall", "staging").await;
    t.at(tuesday(16, 46)).await;
    t.expect_post(":alarm_clock: <@U0ALICE> the deploy window closes at");
    t.at(tuesday(17, 0)).await;
    t.expect_post(&format!("<@U0ALICE> {CLOSED}"));
    t.at(tuesday(17, 10)).await;
    // Bob ends his; Carol's emergency starts after the close.
    t.deploy(BOB, "done").await;
    t.clock.set(tuesday(17, 30));
    t.deploy(CAROL, "emergency frontend r1 to production pages are blank")
        .await
        .assert_says("You're deploying");
    t.deliver_outbox().await;
    none_is_the_word_after_the_close(t);
    t.at(tuesday(18, 0)).await;
    t.at(wednesday_8am()).await;
}
on_both_backends!(stepped not_for_an_emergency);

/// Alice's deployment ended at 16:55 and Carol's runs in integration (always open): neither
/// is told at the close; Bob, still deploying in production, is.
async fn not_once_ended_nor_where_always_open(t: &TestApp) {
    alice_in_staging_at_16_40(t).await;
    start(t, BOB, "publisher", "production").await;
    start(t, CAROL, "frontend", "integration").await;
    t.at(tuesday(16, 46)).await;
    t.slack.read_all();
    t.clock.set(tuesday(16, 55));
    t.deploy(ALICE, "done").await;
    t.deliver_unchecked().await;
    t.at(tuesday(17, 0)).await;
    t.expect_post(&format!(
        "<@U0BOB> {CLOSED} *publisher* `r1` to *production*"
    ));
    t.at(tuesday(17, 30)).await;
    t.at(wednesday_8am()).await;
}
on_both_backends!(stepped not_once_ended_nor_where_always_open);

/// A pipeline's run is ended by its pipeline (nobody in Slack can say done for it): it gets
/// neither the reminder before the close nor the word after; Alice's beside it gets both.
async fn not_for_a_pipelines_run(t: &TestApp) {
    alice_in_staging_at_16_40(t).await;
    let body = serde_json::json!({"app": "publisher", "ref": "r1",
        "environment": "production", "status": "started"});
    let r = support::ci::report(t, body).await;
    assert_eq!(r.status, 201, "{:?}", r.json);
    t.deliver_unchecked().await;
    for (at, said) in [
        (tuesday(16, 46), "the deploy window closes at"),
        (tuesday(17, 0), CLOSED),
    ] {
        t.at(at).await;
        let told: Vec<String> = t
            .slack
            .read_all()
            .iter()
            .filter_map(|c| c.body["text"].as_str().map(str::to_owned))
            .filter(|text| text.contains(said))
            .collect();
        assert_eq!(told.len(), 1, "{told:#?}");
        assert!(told[0].contains("<@U0ALICE>"), "{told:#?}");
    }
}
on_both_backends!(stepped not_for_a_pipelines_run);
