//! Time, status and the CI gate: holds ending at their until-time, `/hold list` and status, and the
//! deploy-check endpoint's answers while holds stand.

use super::*;
use crate::support::checks::assert_text_has;
use chrono::{Duration, TimeZone, Utc};

async fn until_time_ends_the_hold(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (m, _) = hold_announced(&t, ALICE, "whitehall migration --until 11:00").await;
    assert_text_has(&m, "Until: Tue 24 Nov 11:00 GMT");
    t.hold(BOB, "list")
        .await
        .assert_says("until Tue 24 Nov 11:00 GMT");

    // Not before its time: at 10:59 the hold stands and a pass sends nothing.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 10, 59, 59).unwrap())
        .await;
    t.slack.expect_no_more_calls();
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    r.assert_says("can't be deployed");
    assert_eq!(check(&t, "whitehall", "integration").await.0, 423);

    // From 11:00 exactly it blocks nothing, even before the scheduler's next pass, and
    // neither `/hold list` nor status lists it.
    t.advance_clock(Duration::seconds(1));
    assert_eq!(check(&t, "whitehall", "integration").await.0, 200);
    t.answers_say(&[
        (BOB, "/hold list", "No holds stand"),
        (BOB, "/deploy status", "No holds."),
    ])
    .await;

    // The pass ends it: the announcement loses its button, the channel is told (Alice
    // mentioned), and the topic loses the hold.
    t.tick().await;
    t.deliver_outbox().await;
    let ended = t.expect_update("<@U0ALICE> is holding");
    assert!(
        ended.to_string().contains("Ended at its `--until` time"),
        "{ended}"
    );
    assert!(!ended.to_string().contains("hold_release"), "{ended}");
    t.expect_post(
        ":white_check_mark: <@U0ALICE>'s hold on whitehall (#1) ended at its `--until` time, Tue 24 Nov 11:00 GMT.",
    );
    t.expect_topic_sync();
    assert!(
        !t.slack.topic(CHANNEL).contains("whitehall"),
        "{}",
        t.slack.topic(CHANNEL)
    );
    assert!(standing(&t).await.is_empty());
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    r.assert_says("You're deploying");
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying *whitehall*");
    // Ended once: later passes send nothing more.
    t.advance_clock(Duration::hours(2));
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    t.stop().await;
}
on_both_backends!(until_time_ends_the_hold);

/// `--until` with a date alone: the hold ends at the start of that day (00:00 London), and
/// the answer says so exactly (with the year: it is next year's).
async fn until_a_date_ends_the_hold_at_its_start(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let gmt = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
    t.clock.set(gmt(2026, 12, 18, 14, 0, 0));
    let r = t
        .hold(ALICE, "all production christmas --until 2027-01-04")
        .await;
    assert_eq!(
        r.text(),
        "Hold #1 on all applications in production is in place and in the channel topic. \
         It ends at Mon 4 Jan 2027 00:00 GMT. Release it with `/hold release 1`."
    );
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0ALICE> is holding");
    assert_text_has(&m, "Until: Mon 4 Jan 2027 00:00 GMT");
    t.expect_topic_sync();

    // The last second of Sunday 3 Jan it stands; a pass sends nothing.
    t.at(gmt(2027, 1, 3, 23, 59, 59)).await;
    t.slack.expect_no_more_calls();
    let r = t.hold(BOB, "list").await;
    r.assert_says("until Mon 4 Jan 2027 00:00 GMT");
    assert_eq!(
        check(&t, "whitehall", "production").await.1["refusals"][0]["code"],
        "held"
    );

    // At 00:00 on the 4th it has ended: the pass ends it as any `--until` does (the notice
    // shows the end against the time it ended, so without the year).
    t.at(gmt(2027, 1, 4, 0, 0, 0)).await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post(
        ":white_check_mark: <@U0ALICE>'s hold on all applications in production (#1) ended at its `--until` time, Mon 4 Jan 00:00 GMT.",
    );
    t.expect_topic_sync();
    assert!(standing(&t).await.is_empty());
    t.hold(BOB, "list").await.assert_says("No holds stand");
    t.stop().await;
}
on_both_backends!(until_a_date_ends_the_hold_at_its_start);

/// Holding again once the `--until` has come (before the scheduler's pass ends the old
/// hold) places a new hold, which stands; the old one ends as usual.
async fn holding_again_after_the_until_places_a_new_hold(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    hold_announced(&t, ALICE, "whitehall migration --until 11:00").await;

    t.advance_clock(Duration::hours(1));
    let again = "/hold whitehall migration overran --until 12:00";
    let in_place = "Hold #2 on whitehall in every environment is in place";
    t.answers_say(&[
        (ALICE, again, in_place),
        (BOB, "/deploy whitehall r1 to integration", "(hold #2)"),
    ])
    .await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding");
    t.expect_topic_sync();

    t.tick().await;
    t.deliver_outbox().await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post("hold on whitehall (#1) ended at its `--until` time");
    t.expect_topic_sync();
    let ids: Vec<i64> = standing(&t).await.iter().map(|h| h.id).collect();
    assert_eq!(ids, [2]);
    assert!(t
        .slack
        .topic(CHANNEL)
        .contains("whitehall (<@U0ALICE>: migration overran)"));
    t.stop().await;
}
on_both_backends!(holding_again_after_the_until_places_a_new_hold);

async fn status_and_list_show_holds(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.answers_say(&[
        (ALICE, "/hold list", "No holds"),
        (ALICE, "/deploy status", "No holds."),
    ])
    .await;
    t.hold(
        ALICE,
        "whitehall production migration --until 2026-11-25 09:00",
    )
    .await;
    t.hold(BOB, "all code freeze").await;
    let list = t.hold(CAROL, "list").await.text();
    let status = t.deploy(CAROL, "status").await.text();
    for shown in [&list, &status] {
        assert!(shown.contains("*Holds* (2)"), "{shown}");
        assert!(
            shown.contains(
                "whitehall in production held by <@U0ALICE>: migration, until Wed 25 Nov 09:00 GMT"
            ),
            "{shown}"
        );
        assert!(
            shown.contains("all applications held by <@U0BOB>: code freeze"),
            "{shown}"
        );
    }
    // One environment's status lists the holds that bind there, and counts the others.
    t.deploy(CAROL, "status staging")
        .await
        .assert_says_all(&[
            "*Holds* (1)",
            "1 more hold in other environments: `status` without an environment lists them.",
        ])
        .assert_never_says("whitehall in production");
    let production = t.deploy(CAROL, "status production").await.text();
    assert!(production.contains("*Holds* (2)"), "{production}");
    assert!(!production.contains("other environments"), "{production}");
    let api: Value = t.get("/api/v1/status").await.json().await.unwrap();
    assert_eq!(api["holds"].as_array().map(Vec::len), Some(2), "{api}");
    t.hold(CAROL, "help").await.assert_says("release");
    // Asking sends nothing; the two holds were announced, with one topic write.
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding deployments of *whitehall* in *production*");
    t.expect_post("<@U0BOB> is holding deployments of *all applications*");
    t.expect_topic_sync();
    t.stop().await;
}
on_both_backends!(status_and_list_show_holds);

async fn deploy_check_endpoint(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (status, body) = check(&t, "whitehall", "integration").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"allowed": true}));

    // A hold.
    t.hold(ALICE, "whitehall db migration").await;
    let id = standing(&t).await[0].id;
    let (status, body) = check(&t, "whitehall", "integration").await;
    assert_eq!(status, 423);
    assert_eq!(body["allowed"], false);
    let reasons = body["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{body}");
    let reason = reasons[0].as_str().unwrap();
    assert!(reason.contains(&format!("hold #{id}")), "{reason}");
    assert!(reason.contains("U0ALICE"), "{reason}");
    assert!(reason.contains("db migration"), "{reason}");
    assert_eq!(check(&t, "publisher", "integration").await.0, 200);
    t.hold(ALICE, "release whitehall").await;
    assert_eq!(check(&t, "whitehall", "integration").await.0, 200);

    // An environment busy with someone else's deployment; the app being deployed itself
    // is what its own pipeline asks about, and may go.
    t.deploy(BOB, "publisher r1 to integration").await;
    let (status, body) = check(&t, "whitehall", "integration").await;
    assert_eq!(status, 423, "{body}");
    assert!(
        body["reasons"][0]
            .as_str()
            .unwrap()
            .contains("integration is busy"),
        "{body}"
    );
    assert_eq!(check(&t, "publisher", "integration").await.0, 200);
    assert_eq!(check(&t, "whitehall", "staging").await.0, 200);
    t.deploy(BOB, "done").await;

    // A closed window (Saturday), with a hold too: every reason is given.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 28, 11, 0, 0).unwrap());
    t.hold(ALICE, "all weekend").await;
    let (status, body) = check(&t, "whitehall", "staging").await;
    assert_eq!(status, 423);
    let reasons: Vec<&str> = body["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].contains("all applications by U0ALICE: weekend"));
    assert!(
        reasons[1].contains(
            "the deploy window for staging is closed; it next opens Mon 30 Nov 09:30 GMT"
        ),
        "{reasons:?}"
    );
    t.hold(ALICE, "release all").await;
    let (status, body) = check(&t, "whitehall", "staging").await;
    assert_eq!(status, 423);
    assert_eq!(body["reasons"].as_array().unwrap().len(), 1);
    assert_eq!(check(&t, "whitehall", "integration").await.0, 200);

    // Bad questions.
    assert_eq!(
        t.get("/api/v1/deploy-check?app=whitehall")
            .await
            .status()
            .as_u16(),
        400
    );
    assert_eq!(check(&t, "whitehall", "nowhere").await.0, 422);
    assert_eq!(check(&t, "Whitehall", "staging").await.0, 422);

    // What went to Slack meanwhile, in order; every topic sync but the last superseded.
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding deployments of *whitehall*");
    t.expect_update("<@U0ALICE> is holding deployments of *whitehall*");
    t.expect_post("released the hold on whitehall");
    expect_deployed(&t, BOB, "publisher");
    t.expect_post("is holding deployments of *all applications*");
    t.expect_update("is holding deployments of *all applications*");
    t.expect_post("released the hold on all applications");
    assert_eq!(t.expect_topic_sync(), "");
    t.stop().await;
}
on_both_backends!(deploy_check_endpoint);
