//! Placing a hold: its announcement and topic line, what it binds (one app, one
//! environment, `all`), what it leaves running, and release from its button.

use super::*;
use crate::support::checks::assert_text_has;

async fn hold_topic_refusal_and_button_release(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;

    // A hold: announced with a release button, added to the topic after people's text.
    let r = t.hold(ALICE, "whitehall db migration running").await;
    r.assert_private_says("is in place");
    t.deliver_outbox().await;
    let announcement =
        t.expect_post(":octagonal_sign: <@U0ALICE> is holding deployments of *whitehall*");
    let text = announcement["text"].as_str().unwrap();
    assert!(text.contains("Reason: db migration running"), "{text}");
    let id = release_id(&announcement);
    assert_eq!(
        t.expect_topic_sync(),
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: db migration running) 🔒")
    );

    // Another app deploys; the held one is refused, naming the hold, its owner and reason.
    let r = t.deploy(BOB, "publisher r1 to integration").await;
    r.assert_says("You're deploying");
    let r = t.deploy(CAROL, "whitehall r2 to integration").await;
    let refusal = r.assert_says("can't be deployed").text();
    assert!(refusal.contains(&format!("(hold #{id})")), "{refusal}");
    assert!(refusal.contains("<@U0ALICE>"), "{refusal}");
    assert!(refusal.contains("db migration running"), "{refusal}");
    let live = support::checks::live_deployments(&t, None).await;
    assert_eq!(live.len(), 1, "only publisher: {live:?}");
    assert_eq!(live[0].app, "publisher");
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying *publisher*");

    // A stranger's press changes nothing and is told why, privately.
    assert_eq!(t.press(CAROL, "hold_release", &id).await, 200);
    t.deliver_outbox().await;
    let why = t.expect_ephemeral(CAROL, "Only <@U0ALICE>");
    assert!(why.contains("Nothing was changed"), "{why}");
    assert_eq!(standing(&t).await.len(), 1);
    let r = t.deploy(CAROL, "whitehall r2 to integration").await;
    r.assert_says("can't be deployed");

    // The owner's press releases it: the announcement says who released it and when (and
    // loses its button), the channel is told, the topic is back to exactly what people wrote.
    assert_eq!(t.press(ALICE, "hold_release", &id).await, 200);
    t.deliver_outbox().await;
    let updated = t.expect_update(":octagonal_sign:");
    t.expect_post(&format!(
        ":white_check_mark: <@U0ALICE> released the hold on whitehall (#{id})"
    ));
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.expect_ephemeral(ALICE, &format!("Released hold #{id} on whitehall"));
    assert!(TestApp::button_value(&updated, "hold_release").is_none());
    let shown = blocks_text(&updated);
    assert!(
        shown.contains("Released by <@U0ALICE> at Tue 24 Nov 10:00 GMT"),
        "{shown}"
    );
    assert!(
        updated["text"]
            .as_str()
            .unwrap()
            .contains("Released by <@U0ALICE>"),
        "the plain-text fallback says so too: {updated}"
    );

    // The app may be deployed again (it queues behind publisher).
    let r = t.deploy(CAROL, "whitehall r2 to integration").await;
    r.assert_says("number 1 in line");

    // A second press changes nothing and says so: no second release, no topic write.
    t.press(ALICE, "hold_release", &id).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(ALICE, "Nothing was changed");

    // Who created and released it is stored, and audited.
    let audit = t.core().store.audit_log(50).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "hold.create" && a.actor == ALICE));
    assert!(audit
        .iter()
        .any(|a| a.action == "hold.release" && a.actor == ALICE));
    t.stop().await;
}
on_both_backends!(hold_topic_refusal_and_button_release);

async fn a_hold_does_not_stop_what_is_deploying(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deliver_outbox().await;
    let start = t.expect_post("<@U0ALICE> started deploying");
    hold_announced(&t, BOB, "whitehall wait for me").await;
    let r = t.deploy(ALICE, "status integration").await;
    r.assert_says("<@U0ALICE> deploying whitehall");
    // She can still finish it.
    let id = TestApp::button_value(&start, "deploy_done").unwrap();
    t.press(ALICE, "deploy_done", &id).await;
    t.deliver_outbox().await;
    t.expect_post(":white_check_mark: *whitehall* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.stop().await;
}
on_both_backends!(a_hold_does_not_stop_what_is_deploying);

async fn all_and_environment_holds(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;

    // `all` in one environment: that environment only, every app.
    t.hold(ALICE, "all integration broken cluster").await;
    t.deliver_outbox().await;
    let m = t.expect_post("is holding deployments of *all applications* in *integration*");
    let env_id = release_id(&m);
    assert!(t
        .expect_topic_sync()
        .ends_with(" | 🔒 Held: ALL apps in integration (<@U0ALICE>: broken cluster) 🔒"));
    for app in ["whitehall", "publisher"] {
        let r = t.deploy(BOB, &format!("{app} r1 to integration")).await;
        r.assert_says("can't be deployed");
        r.assert_says("all applications in integration");
    }
    let (status, body) = check(&t, "whitehall", "staging").await;
    assert_eq!(
        (status, &body["allowed"]),
        (200, &Value::Bool(true)),
        "{body}"
    );

    // `all` everywhere: every app, every environment.
    let (m, now) = hold_announced(&t, CAROL, "all code freeze").await;
    assert_text_has(
        &m,
        "<@U0CAROL> is holding deployments of *all applications*",
    );
    assert!(TestApp::button_value(&m, "hold_release").is_some());
    assert!(now.starts_with(PEOPLE), "{now}");
    assert!(now.contains("ALL apps (<@U0CAROL>: code freeze)"), "{now}");
    for env in ["staging", "production"] {
        let (status, body) = check(&t, "anything", env).await;
        assert_eq!(status, 423, "{body}");
        assert!(body["reasons"][0]
            .as_str()
            .unwrap()
            .contains("all applications by U0CAROL: code freeze"));
    }

    // Carol releases everything she holds on all with the command; Alice's by id.
    let by_id = format!("/hold release {env_id}");
    let released = format!("Released hold #{env_id}");
    let whitehall = "/deploy whitehall r1 to integration";
    t.answers_say(&[
        (CAROL, "/hold release all", "Released hold"),
        (ALICE, &by_id, &released),
        (BOB, whitehall, "You're deploying"),
    ])
    .await;
    // The first release's topic sync is superseded by the second's.
    t.deliver_outbox().await;
    expect_release(&t, CAROL, CAROL, "all applications");
    expect_release(&t, ALICE, ALICE, "all applications");
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.expect_post("<@U0BOB> started deploying *whitehall*");
    t.stop().await;
}
on_both_backends!(all_and_environment_holds);

async fn app_hold_in_one_environment(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let held = "whitehall staging smoke tests broken";
    let (m, topic) = hold_announced(&t, ALICE, held).await;
    assert_text_has(&m, "*whitehall* in *staging*");
    let line = "whitehall/staging (<@U0ALICE>: smoke tests broken)";
    assert!(topic.contains(line), "{topic}");
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    r.assert_says("You're deploying");
    t.deploy(BOB, "done").await;
    let r = t.deploy(BOB, "whitehall r1 to staging").await;
    r.assert_says("can't be deployed to *staging*");
    t.deliver_outbox().await;
    expect_deployed(&t, BOB, "whitehall");
    t.stop().await;
}
on_both_backends!(app_hold_in_one_environment);
