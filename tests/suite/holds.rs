//! `/hold` end to end, through real HTTP: signed slash commands and button presses in,
//! slack-morphism's real client out to the fake Slack, whose channel topic starts with
//! what people wrote. Most tests are stepped: they deliver the outbox and move the clock
//! themselves and read every Slack call in order.

use crate::support;

use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;
use support::db::Backend;
use support::driver::{TestApp, ADMIN, CHANNEL};
use support::fake_slack::Failure;

const ALICE: &str = "U0ALICE";
const BOB: &str = "U0BOB";
const CAROL: &str = "U0CAROL";
const DAVE: &str = "U0DAVE";
const ERIN: &str = "U0ERIN";

/// What people had in the topic before badger did anything.
const PEOPLE: &str = "Deploy freeze from 20 Dec | on call: <@U0ONCALL>";

/// Waits for the outbox to drain and returns the channel topic.
async fn topic(t: &TestApp) -> String {
    t.settle().await;
    t.slack.topic(CHANNEL)
}

/// Every `text` of a message's blocks, joined: what Slack shows when blocks are present.
fn blocks_text(m: &Value) -> String {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::String(s)) = o.get("text") {
                    out.push(s.clone());
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&m["blocks"], &mut out);
    out.join("\n")
}

/// The id on a hold announcement's release button.
fn release_id(announcement: &Value) -> String {
    TestApp::button_value(announcement, "hold_release").expect("hold announcement has a button")
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

async fn check(t: &TestApp, app: &str, env: &str) -> (u16, Value) {
    let r = t
        .get(&format!("/api/v1/deploy-check?app={app}&environment={env}"))
        .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

// ---------------------------------------------------------------------------------------
// The topic, the announcement, binding and release from the button.

async fn hold_topic_refusal_and_button_release(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);

    // A hold: announced with a release button, added to the topic after people's text.
    let r = t.hold(ALICE, "whitehall db migration running").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["response_type"], "ephemeral");
    assert!(r.text().contains("is in place"), "{}", r.text());
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
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    let r = t.deploy(CAROL, "whitehall r2 to integration").await;
    let refusal = r.text();
    assert!(refusal.contains("can't be deployed"), "{refusal}");
    assert!(refusal.contains(&format!("(hold #{id})")), "{refusal}");
    assert!(refusal.contains("<@U0ALICE>"), "{refusal}");
    assert!(refusal.contains("db migration running"), "{refusal}");
    let live = t.core().store.live_deployments(None).await.unwrap();
    assert_eq!(live.len(), 1, "only publisher: {live:?}");
    assert_eq!(live[0].app, "publisher");
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying *publisher*");

    // A stranger's press changes nothing and is told why, privately.
    assert_eq!(t.press(CAROL, "hold_release", &id).await, 200);
    t.deliver_outbox().await;
    let why = t.expect_ephemeral(CAROL, "Only <@U0ALICE>");
    assert!(why.contains("Nothing was changed"), "{why}");
    assert_eq!(t.core().store.active_holds().await.unwrap().len(), 1);
    assert!(t
        .deploy(CAROL, "whitehall r2 to integration")
        .await
        .text()
        .contains("can't be deployed"));

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
    assert!(r.text().contains("number 1 in line"), "{}", r.text());

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
on_both_backends!(topic_and_button, hold_topic_refusal_and_button_release);

async fn a_hold_does_not_stop_what_is_deploying(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.hold(BOB, "whitehall wait for me").await;
    t.deliver_outbox().await;
    let start = t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0BOB> is holding");
    t.expect_topic_sync();
    let status = t.deploy(ALICE, "status integration").await.text();
    assert!(
        status.contains("<@U0ALICE> deploying whitehall"),
        "{status}"
    );
    // She can still finish it.
    let id = TestApp::button_value(&start, "deploy_done").unwrap();
    t.press(ALICE, "deploy_done", &id).await;
    t.deliver_outbox().await;
    t.expect_post(":white_check_mark: *whitehall* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.stop().await;
}
on_both_backends!(deploying_continues, a_hold_does_not_stop_what_is_deploying);

async fn all_and_environment_holds(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);

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
        assert!(r.text().contains("can't be deployed"), "{}", r.text());
        assert!(
            r.text().contains("all applications in integration"),
            "{}",
            r.text()
        );
    }
    let (status, body) = check(&t, "whitehall", "staging").await;
    assert_eq!(
        (status, &body["allowed"]),
        (200, &Value::Bool(true)),
        "{body}"
    );

    // `all` everywhere: every app, every environment.
    t.hold(CAROL, "all code freeze").await;
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0CAROL> is holding deployments of *all applications*");
    assert!(TestApp::button_value(&m, "hold_release").is_some());
    let now = t.expect_topic_sync();
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
    let r = t.hold(CAROL, "release all").await;
    assert!(r.text().contains("Released hold"), "{}", r.text());
    let r = t.hold(ALICE, &format!("release {env_id}")).await;
    assert!(
        r.text().contains(&format!("Released hold #{env_id}")),
        "{}",
        r.text()
    );
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    // The first release's topic sync is superseded by the second's.
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold");
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post("<@U0ALICE> released the hold");
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.expect_post("<@U0BOB> started deploying *whitehall*");
    t.stop().await;
}
on_both_backends!(all_holds, all_and_environment_holds);

async fn app_hold_in_one_environment(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall staging smoke tests broken").await;
    t.deliver_outbox().await;
    t.expect_post("*whitehall* in *staging*");
    assert!(t
        .expect_topic_sync()
        .contains("whitehall/staging (<@U0ALICE>: smoke tests broken)"));
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.deploy(BOB, "done").await;
    let r = t.deploy(BOB, "whitehall r1 to staging").await;
    assert!(
        r.text().contains("can't be deployed to *staging*"),
        "{}",
        r.text()
    );
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying *whitehall*");
    t.expect_post("*whitehall* `r1` to *integration* succeeded");
    t.expect_update("<@U0BOB> started deploying *whitehall*");
    t.stop().await;
}
on_both_backends!(env_hold, app_hold_in_one_environment);

// ---------------------------------------------------------------------------------------
// Who holds what: updates, several owners, release by command, admins.

async fn same_person_twice_updates_the_hold(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall first reason").await;
    t.deliver_outbox().await;
    t.expect_post("Reason: first reason");
    assert!(t.expect_topic_sync().contains("(<@U0ALICE>: first reason)"));

    let r = t.hold(ALICE, "whitehall second reason --until 17:00").await;
    assert!(r.text().contains("updated"), "{}", r.text());
    // One hold, one announcement (edited in place, not posted again), reason changed
    // everywhere.
    t.deliver_outbox().await;
    let m = t.expect_update("Reason: second reason");
    assert!(
        m["text"]
            .as_str()
            .unwrap()
            .contains("Until: Tue 24 Nov 17:00 GMT"),
        "{m}"
    );
    assert!(TestApp::button_value(&m, "hold_release").is_some());
    let now = t.expect_topic_sync();
    assert!(now.contains("(<@U0ALICE>: second reason)"), "{now}");
    assert!(!now.contains("first reason"), "{now}");
    let holds = t.core().store.active_holds().await.unwrap();
    assert_eq!(holds.len(), 1, "{holds:?}");
    assert_eq!(holds[0].reason, "second reason");
    assert_eq!(holds[0].updated_by, ALICE);
    assert!(holds[0].until.is_some());
    let list = t.hold(BOB, "list").await.text();
    assert!(list.contains("*Holds* (1)"), "{list}");
    let audit = t.core().store.audit_log(50).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "hold.update"));
    t.stop().await;
}
on_both_backends!(same_person_twice, same_person_twice_updates_the_hold);

async fn two_people_hold_one_app(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall migration").await;
    t.hold(BOB, "whitehall content freeze").await;
    let list = t.hold(CAROL, "list").await.text();
    assert!(list.contains("*Holds* (2)"), "{list}");
    assert!(list.contains("held by <@U0ALICE>: migration"), "{list}");
    assert!(list.contains("held by <@U0BOB>: content freeze"), "{list}");
    // Alice's topic sync is superseded by Bob's, already queued.
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding");
    t.expect_post("<@U0BOB> is holding");
    let now = t.expect_topic_sync();
    assert!(
        now.contains("whitehall (<@U0ALICE>: migration); whitehall (<@U0BOB>: content freeze)"),
        "{now}"
    );

    // Alice releases hers by app name: Bob's still binds.
    let r = t.hold(ALICE, "release whitehall").await;
    assert!(r.text().contains("Released hold"), "{}", r.text());
    let holds = t.core().store.active_holds().await.unwrap();
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0].owner, BOB);
    let r = t.deploy(CAROL, "whitehall r1 to integration").await;
    assert!(r.text().contains("<@U0BOB> is holding"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post("<@U0ALICE> released the hold on whitehall");
    assert!(!t.expect_topic_sync().contains("U0ALICE"));

    // Carol can't release Bob's by name; Bob can.
    let r = t.hold(CAROL, "release whitehall").await;
    assert!(r.text().contains("Only the owner"), "{}", r.text());
    assert!(r.text().contains("Nothing was changed"), "{}", r.text());
    assert_eq!(t.core().store.active_holds().await.unwrap().len(), 1);
    let r = t.hold(BOB, "release whitehall").await;
    assert!(r.text().contains("Released hold"), "{}", r.text());
    let r = t.deploy(CAROL, "whitehall r1 to integration").await;
    assert!(r.text().contains("You're deploying"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_update("<@U0BOB> is holding");
    t.expect_post("<@U0BOB> released the hold on whitehall");
    assert_eq!(t.expect_topic_sync(), "");
    t.expect_post("<@U0CAROL> started deploying");
    t.stop().await;
}
on_both_backends!(two_owners, two_people_hold_one_app);

async fn release_by_command(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    t.hold(ALICE, "whitehall one").await;
    t.hold(ALICE, "all two").await;
    t.hold(ALICE, "publisher three").await;
    // Three announcements; the first two topic syncs are superseded by the third.
    t.deliver_outbox().await;
    t.expect_post("*whitehall*");
    t.expect_post("*all applications*");
    let m = t.expect_post("*publisher*");
    let publisher = release_id(&m);
    t.expect_topic_sync();

    // By id: a stranger is refused; `#id` works for the owner.
    let r = t.hold(BOB, &format!("release {publisher}")).await;
    assert!(r.text().contains("Only <@U0ALICE>"), "{}", r.text());
    assert_eq!(t.core().store.active_holds().await.unwrap().len(), 3);
    let r = t.hold(ALICE, &format!("release #{publisher}")).await;
    assert!(
        r.text()
            .contains(&format!("Released hold #{publisher} on publisher")),
        "{}",
        r.text()
    );
    let r = t.hold(ALICE, &format!("release {publisher}")).await;
    assert!(r.text().contains("is not standing"), "{}", r.text());

    // By app, then all.
    let r = t.hold(ALICE, "release whitehall").await;
    assert!(r.text().contains("Released hold"), "{}", r.text());
    let r = t.hold(ALICE, "release whitehall").await;
    assert!(
        r.text().contains("No hold on whitehall stands"),
        "{}",
        r.text()
    );
    t.deliver_outbox().await;
    t.expect_update("*publisher*");
    t.expect_post("released the hold on publisher");
    t.expect_update("*whitehall*");
    t.expect_post("released the hold on whitehall");
    assert!(t.expect_topic_sync().contains("ALL apps (<@U0ALICE>: two)"));
    let r = t.hold(ALICE, "release all").await;
    assert!(r.text().contains("Released hold"), "{}", r.text());
    assert!(t.core().store.active_holds().await.unwrap().is_empty());
    t.deliver_outbox().await;
    t.expect_update("*all applications*");
    t.expect_post("released the hold on all applications");
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.stop().await;
}
on_both_backends!(release_command, release_by_command);

async fn admin_releases_anyones_hold(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall mine").await;
    t.hold(BOB, "publisher his").await;
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0ALICE> is holding");
    let id = release_id(&m);
    // Alice's topic sync is superseded by Bob's, already queued: one sync shows both.
    t.expect_post("<@U0BOB> is holding");
    let topic = t.expect_topic_sync();
    assert!(
        topic.contains("whitehall") && topic.contains("publisher"),
        "{topic}"
    );

    t.press(ADMIN, "hold_release", &id).await;
    t.deliver_outbox().await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post("<@U0ADMIN> released the hold on whitehall");
    t.expect_topic_sync();
    t.expect_ephemeral(ADMIN, &format!("Released hold #{id} on whitehall"));
    let r = t.hold(ADMIN, "release publisher").await;
    assert!(r.text().contains("Released hold"), "{}", r.text());
    t.deliver_outbox().await;
    t.expect_update("<@U0BOB> is holding");
    t.expect_post("<@U0ADMIN> released the hold on publisher");
    assert_eq!(t.expect_topic_sync(), "");
    assert!(t.core().store.active_holds().await.unwrap().is_empty());
    let audit = t.core().store.audit_log(50).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|a| a.action == "hold.release" && a.actor == ADMIN)
            .count(),
        2
    );
    t.stop().await;
}
on_both_backends!(admin_release, admin_releases_anyones_hold);

// ---------------------------------------------------------------------------------------
// Length and escaping.

async fn twenty_holds_fit_the_topic(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    let reason = "migrating the publishing database & reindexing search, please wait for the all-clear from the platform team before deploying";
    for i in 0..20 {
        let r = t
            .hold(&format!("U0P{i:02}"), &format!("app-{i:02} {reason}"))
            .await;
        assert!(r.text().contains("is in place"), "{}", r.text());
    }
    // Twenty announcements; one topic write (the earlier syncs are superseded), which
    // Slack accepts.
    t.deliver_outbox().await;
    for i in 0..20 {
        t.expect_post(&format!(
            "<@U0P{i:02}> is holding deployments of *app-{i:02}*"
        ));
    }
    let now = t.expect_topic_sync();
    assert!(chars(&now) <= 250, "{} chars: {now}", chars(&now));
    assert!(now.starts_with(PEOPLE), "{now}");
    assert!(now.contains("app-00 (<@U0P00>"), "{now}");
    assert!(now.contains(" more holds 🔒"), "{now}");
    assert!(t
        .slack
        .calls_to("conversations.setTopic")
        .iter()
        .all(|c| c.ok));

    // Every hold is in the list, in the text and in what Slack shows (the blocks).
    let r = t.hold(ALICE, "list").await;
    assert!(r.text().contains("*Holds* (20)"), "{}", r.text());
    let shown = blocks_text(&r.json);
    for i in 0..20 {
        let line = format!("app-{i:02} held by <@U0P{i:02}>");
        assert!(r.text().contains(&line), "{line}: {}", r.text());
        assert!(shown.contains(&line), "{line} not shown: {shown}");
    }
    let status = t.deploy(ALICE, "status").await;
    assert!(status.text().contains("*Holds* (20)"), "{}", status.text());
    let shown = blocks_text(&status.json);
    for i in 0..20 {
        assert!(shown.contains(&format!("app-{i:02} held by")), "{shown}");
    }

    // Releasing all twenty leaves people's text exactly.
    for i in 0..20 {
        t.hold(&format!("U0P{i:02}"), &format!("release app-{i:02}"))
            .await;
    }
    t.deliver_outbox().await;
    for i in 0..20 {
        t.expect_update(&format!("<@U0P{i:02}> is holding"));
        t.expect_post(&format!("released the hold on app-{i:02}"));
    }
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.stop().await;
}
on_both_backends!(twenty_holds, twenty_holds_fit_the_topic);

async fn reasons_reach_slack_escaped(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, "intro");
    let raw = "<!channel> <@U123> & <https://x|y>";
    let escaped = "&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://x|y&gt;";
    t.hold(ALICE, &format!("whitehall {raw}")).await;

    // The announcement: text and blocks.
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0ALICE> is holding");
    let text = m["text"].as_str().unwrap();
    assert!(text.contains(&format!("Reason: {escaped}")), "{text}");
    let shown = blocks_text(&m);
    assert!(shown.contains(escaped), "{shown}");
    // The topic.
    assert_eq!(
        t.expect_topic_sync(),
        format!("intro | 🔒 Held: whitehall (<@U0ALICE>: {escaped}) 🔒")
    );
    // Replies: the refusal, the list, the status.
    let refusal = t.deploy(DAVE, "whitehall r1 to integration").await;
    let list = t.hold(DAVE, "list").await;
    let status = t.deploy(DAVE, "status").await;
    for r in [&refusal, &list, &status] {
        assert!(r.text().contains(escaped), "{}", r.text());
        assert!(blocks_text(&r.json).contains(escaped), "{}", r.json);
    }

    // Nothing badger sent anywhere carries the raw sequences.
    t.hold(ALICE, "release whitehall").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post("<@U0ALICE> released the hold on whitehall");
    assert_eq!(t.expect_topic_sync(), "intro");
    for call in t.slack.calls() {
        let body = call.body.to_string();
        for bad in ["<!channel>", "<@U123>", "<https://x|y>", " & "] {
            assert!(!body.contains(bad), "{} sent {bad}: {body}", call.method);
        }
    }
    t.stop().await;
}
on_both_backends!(escaping, reasons_reach_slack_escaped);

// ---------------------------------------------------------------------------------------
// Queues: holds pass over the held, who keep their place.

async fn queued_for_a_held_app_is_skipped_and_keeps_their_place(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "appalice r1 to integration").await;
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    assert!(r.text().contains("number 1 in line"), "{}", r.text());
    t.deploy(DAVE, "frontend r1 to integration").await;
    t.hold(CAROL, "whitehall reindexing").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();

    // Alice finishes: Bob's turn is skipped (he's told, once), Dave is called.
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.expect_post(":pause_button: <@U0BOB> your turn for *whitehall* `r1` to *integration* is skipped while <@U0CAROL>'s hold on whitehall stands (reindexing)");
    let call = t.expect_post("<@U0DAVE> it's your turn");
    let status = t.deploy(BOB, "status integration").await.text();
    assert!(status.contains("queue: 1. <@U0BOB> whitehall"), "{status}");
    // The scheduler passing over him again does not tell him again.
    t.tick().await;
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);

    // Erin queues behind; the hold goes while Dave has the turn; when Dave is done, Bob
    // (not Erin) is next.
    t.deploy(ERIN, "collections r1 to integration").await;
    t.hold(CAROL, "release whitehall").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold on whitehall");
    t.expect_topic_sync();
    let dave = TestApp::button_value(&call, "deploy_start").unwrap();
    t.press(DAVE, "deploy_start", &dave).await;
    t.deploy(DAVE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0DAVE> started deploying");
    t.expect_update("<@U0DAVE> turn for *frontend*");
    t.expect_post("*frontend* `r1` to *integration* succeeded");
    t.expect_update("<@U0DAVE> started deploying");
    t.expect_post("<@U0BOB> it's your turn to deploy *whitehall*");
    let status = t.deploy(BOB, "status integration").await.text();
    assert!(
        status.contains("queue: 1. <@U0ERIN> collections"),
        "{status}"
    );
    t.stop().await;
}
on_both_backends!(
    queued_held,
    queued_for_a_held_app_is_skipped_and_keeps_their_place
);

async fn called_for_a_held_app_gives_the_turn_back(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "appalice r1 to integration").await;
    t.deploy(BOB, "whitehall r1 to integration").await;
    t.deploy(ERIN, "collections r1 to integration").await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    let call = t.expect_post("<@U0BOB> it's your turn");
    let bob = TestApp::button_value(&call, "deploy_start").unwrap();

    // The hold comes while it's Bob's turn: he's told, his call loses its buttons, Erin goes.
    t.hold(CAROL, "whitehall reindexing").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();
    let old = t.expect_update("<@U0BOB> turn for");
    assert!(
        TestApp::button_value(&old, "deploy_start").is_none(),
        "{old}"
    );
    t.expect_post(":pause_button: <@U0BOB> your turn");
    let erin_call = t.expect_post("<@U0ERIN> it's your turn");
    // His old Start button changes nothing.
    t.press(BOB, "deploy_start", &bob).await;
    t.deliver_outbox().await;
    t.expect_ephemeral(BOB, "nothing was changed");
    let status = t.deploy(BOB, "status integration").await.text();
    assert!(status.contains("queue: 1. <@U0BOB> whitehall"), "{status}");

    // Released, and Erin done: Bob is called again.
    t.hold(CAROL, "release whitehall").await;
    let erin = TestApp::button_value(&erin_call, "deploy_start").unwrap();
    t.press(ERIN, "deploy_start", &erin).await;
    t.deploy(ERIN, "done").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold on whitehall");
    t.expect_topic_sync();
    t.expect_post("<@U0ERIN> started deploying");
    t.expect_update("<@U0ERIN> turn for");
    t.expect_post("*collections* `r1` to *integration* succeeded");
    t.expect_update("<@U0ERIN> started deploying");
    t.expect_post("<@U0BOB> it's your turn");
    let live = t
        .core()
        .store
        .live_deployments(Some("integration"))
        .await
        .unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].requester, BOB);
    assert_eq!(live[0].state.as_str(), "called");
    t.stop().await;
}
on_both_backends!(called_held, called_for_a_held_app_gives_the_turn_back);

async fn a_new_hold_tells_the_held_again(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.deploy(ALICE, "appalice r1 to integration").await;
    t.deploy(BOB, "whitehall r1 to integration").await;
    t.deploy(DAVE, "frontend r1 to integration").await;
    t.deploy(ERIN, "collections r1 to integration").await;
    t.hold(CAROL, "whitehall first").await;
    t.deploy(ALICE, "done").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying");
    t.expect_post("<@U0CAROL> is holding");
    t.expect_topic_sync();
    t.expect_post("*appalice* `r1` to *integration* succeeded");
    t.expect_update("<@U0ALICE> started deploying");
    t.expect_post(":pause_button: <@U0BOB>");
    let call = t.expect_post("<@U0DAVE> it's your turn");

    // Carol's hold goes while Dave has the turn, and a new one comes before Bob's turn:
    // Bob is told again, naming the new hold.
    t.hold(CAROL, "release whitehall").await;
    t.hold(CAROL, "whitehall second").await;
    let dave = TestApp::button_value(&call, "deploy_start").unwrap();
    t.press(DAVE, "deploy_start", &dave).await;
    t.deploy(DAVE, "done").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0CAROL> is holding");
    t.expect_post("<@U0CAROL> released the hold on whitehall");
    // The release's topic sync is superseded by the new hold's.
    t.expect_post("<@U0CAROL> is holding deployments of *whitehall*");
    t.expect_topic_sync();
    t.expect_post("<@U0DAVE> started deploying");
    t.expect_update("<@U0DAVE> turn for");
    t.expect_post("*frontend* `r1` to *integration* succeeded");
    t.expect_update("<@U0DAVE> started deploying");
    t.expect_post(":pause_button: <@U0BOB> your turn for *whitehall* `r1` to *integration* is skipped while <@U0CAROL>'s hold on whitehall stands (second)");
    t.expect_post("<@U0ERIN> it's your turn");
    t.stop().await;
}
on_both_backends!(held_again, a_new_hold_tells_the_held_again);

// ---------------------------------------------------------------------------------------
// Time, status, the CI gate.

async fn until_time_reminds_the_owner_once(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall migration --until 11:00").await;
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0ALICE> is holding");
    assert!(
        m["text"]
            .as_str()
            .unwrap()
            .contains("Until: Tue 24 Nov 11:00 GMT"),
        "{m}"
    );
    t.expect_topic_sync();
    let list = t.hold(BOB, "list").await.text();
    assert!(list.contains("until Tue 24 Nov 11:00 GMT"), "{list}");

    // Not before its time: a pass at 10:59 sends nothing.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 10, 59, 0).unwrap())
        .await;
    t.slack.expect_no_more_calls();

    // When it passes: one reminder mentioning her, in the channel; the hold stands.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 11, 0, 0).unwrap())
        .await;
    let r = t.expect_post(":alarm_clock: <@U0ALICE> your hold on whitehall");
    assert!(r["text"]
        .as_str()
        .unwrap()
        .contains("until Tue 24 Nov 11:00 GMT"));
    t.advance_clock(Duration::hours(2));
    t.tick().await;
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0, "reminded once only");
    assert_eq!(t.core().store.active_holds().await.unwrap().len(), 1);
    assert!(t
        .slack
        .topic(CHANNEL)
        .contains("whitehall (<@U0ALICE>: migration)"));
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    assert!(r.text().contains("can't be deployed"), "{}", r.text());

    // A new until-time (same person, same scope) is reminded again when it passes.
    t.hold(ALICE, "whitehall migration --until 15:00").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_topic_sync();
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 15, 0, 0).unwrap())
        .await;
    t.expect_post(":alarm_clock: <@U0ALICE> your hold on whitehall");
    t.stop().await;
}
on_both_backends!(until_reminder, until_time_reminds_the_owner_once);

async fn status_and_list_show_holds(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    assert!(t.hold(ALICE, "list").await.text().contains("No holds"));
    assert!(t.deploy(ALICE, "status").await.text().contains("No holds."));
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
    let api: Value = t.get("/api/v1/status").await.json().await.unwrap();
    assert_eq!(api["holds"].as_array().map(Vec::len), Some(2), "{api}");
    let help = t.hold(CAROL, "help").await.text();
    assert!(help.contains("release"), "{help}");
    // Asking sends nothing; the two holds were announced, with one topic write.
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding deployments of *whitehall* in *production*");
    t.expect_post("<@U0BOB> is holding deployments of *all applications*");
    t.expect_topic_sync();
    t.stop().await;
}
on_both_backends!(status_list, status_and_list_show_holds);

async fn deploy_check_endpoint(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (status, body) = check(&t, "whitehall", "integration").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"allowed": true}));

    // A hold.
    t.hold(ALICE, "whitehall db migration").await;
    let id = t.core().store.active_holds().await.unwrap()[0].id;
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
    t.expect_post("<@U0BOB> started deploying *publisher*");
    t.expect_post("*publisher* `r1` to *integration* succeeded");
    t.expect_update("<@U0BOB> started deploying");
    t.expect_post("is holding deployments of *all applications*");
    t.expect_update("is holding deployments of *all applications*");
    t.expect_post("released the hold on all applications");
    assert_eq!(t.expect_topic_sync(), "");
    t.stop().await;
}
on_both_backends!(deploy_check, deploy_check_endpoint);

// ---------------------------------------------------------------------------------------
// Topic writes: coalescing, people's edits, Slack saying no.

async fn topic_writes_coalesce(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    // Hold the first topic write in the middle of its read, then make ten changes.
    t.slack.pause("conversations.info");
    let apps = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"];
    for app in apps {
        t.hold(ALICE, &format!("{app} r")).await;
    }
    t.hold(ALICE, "release a10").await;
    t.hold(ALICE, "a1 changed").await;
    assert!(
        t.slack
            .wait_until(std::time::Duration::from_secs(15), |_| t.slack.waiting()
                == 1)
            .await
    );
    t.slack.resume("conversations.info");
    let now = topic(&t).await;
    let expected: Vec<String> = std::iter::once("a1 (<@U0ALICE>: changed)".to_owned())
        .chain(apps[1..9].iter().map(|a| format!("{a} (<@U0ALICE>: r)")))
        .collect();
    assert_eq!(
        now,
        format!("{PEOPLE} | 🔒 Held: {} 🔒", expected.join("; "))
    );
    let writes = t.slack.calls_to("conversations.setTopic").len();
    assert!(
        (1..=2).contains(&writes),
        "{writes} topic writes for 12 changes"
    );
    assert!(t.slack.calls_to("conversations.info").len() <= 2);
    t.stop().await;
}
on_both_backends!(coalescing, topic_writes_coalesce);

async fn people_edits_between_writes_survive(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, "Intro");
    t.hold(ALICE, "whitehall migration").await;
    let ours = "🔒 Held: whitehall (<@U0ALICE>: migration) 🔒";
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding");
    assert_eq!(t.expect_topic_sync(), format!("Intro | {ours}"));

    // Someone rewrites the intro and adds text after badger's segment.
    t.slack.set_topic(
        CHANNEL,
        &format!("New intro | {ours} | on call: <@U0ONCALL>"),
    );
    t.hold(BOB, "publisher release").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> is holding");
    assert_eq!(
        t.expect_topic_sync(),
        "New intro | 🔒 Held: whitehall (<@U0ALICE>: migration); publisher (<@U0BOB>: release) 🔒 | on call: <@U0ONCALL>"
    );
    // Someone removes badger's segment by hand: the next write puts it back, at the end.
    t.slack.set_topic(CHANNEL, "Hands off");
    t.hold(ALICE, "release whitehall").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0ALICE> is holding");
    t.expect_post("<@U0ALICE> released the hold on whitehall");
    assert_eq!(
        t.expect_topic_sync(),
        "Hands off | 🔒 Held: publisher (<@U0BOB>: release) 🔒"
    );
    t.hold(BOB, "release publisher").await;
    t.deliver_outbox().await;
    t.expect_update("<@U0BOB> is holding");
    t.expect_post("<@U0BOB> released the hold on publisher");
    assert_eq!(t.expect_topic_sync(), "Hands off");
    t.stop().await;
}
on_both_backends!(people_edits, people_edits_between_writes_survive);

async fn not_in_channel_is_told_once_and_not_retried(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    t.slack.set_not_in_channel(CHANNEL, true);
    let r = t.hold(ALICE, "whitehall migration").await;
    assert!(r.text().contains("is in place"), "{}", r.text());
    t.deliver_outbox().await;
    // Slack refuses the announcement and the topic read; Alice is told once, and as an
    // ephemeral can't reach her there, by direct message.
    assert!(!t.slack.expect_call("chat.postMessage").ok);
    assert!(!t.slack.expect_call("conversations.info").ok);
    assert!(!t.slack.expect_call("chat.postEphemeral").ok);
    let dm = t.expect_post_in(ALICE, "not a member of this channel");
    assert!(dm["text"].as_str().unwrap().contains("/invite"), "{dm}");
    // The hold binds all the same.
    let r = t.deploy(BOB, "whitehall r1 to integration").await;
    assert!(r.text().contains("can't be deployed"), "{}", r.text());
    // Nothing is retried.
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    assert_eq!(t.slack.topic(CHANNEL), PEOPLE);

    // When badger is invited, Slack says so and the topic catches up by itself.
    t.slack.set_not_in_channel(CHANNEL, false);
    let joined = serde_json::json!({
        "type": "event_callback", "event_id": "Ev0JOINED", "team_id": "T1",
        "event": {"type": "member_joined_channel", "user": "UBADGERBOT", "channel": CHANNEL, "channel_type": "C"}
    });
    let r = t
        .signed("/slack/events", "application/json", joined.to_string())
        .await;
    assert_eq!(r.status(), 200);
    t.deliver_outbox().await;
    assert_eq!(
        t.expect_topic_sync(),
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: migration) 🔒")
    );
    // And later changes keep it up to date, telling nobody anything privately.
    t.hold(BOB, "publisher release").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> is holding");
    assert_eq!(
        t.expect_topic_sync(),
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: migration); publisher (<@U0BOB>: release) 🔒")
    );
    t.stop().await;
}
on_both_backends!(not_in_channel, not_in_channel_is_told_once_and_not_retried);

async fn too_long_is_told_once_and_not_retried(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    t.slack
        .fail_next("conversations.setTopic", 1, Failure::SlackError("too_long"));
    t.hold(ALICE, "whitehall migration").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> is holding");
    t.slack.expect_call("conversations.info");
    assert!(!t.slack.expect_call("conversations.setTopic").ok);
    let told = t.expect_ephemeral(ALICE, "couldn't update the channel topic");
    assert!(told.contains("too long"), "{told}");
    assert!(told.contains("/hold list"), "{told}");
    // Not retried.
    t.tick().await;
    assert_eq!(t.deliver_outbox().await, 0);
    assert_eq!(t.slack.topic(CHANNEL), PEOPLE);
    // The hold stands and binds; the next change writes the topic.
    assert_eq!(t.core().store.active_holds().await.unwrap().len(), 1);
    t.hold(BOB, "publisher release").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> is holding");
    assert!(t
        .expect_topic_sync()
        .contains("whitehall (<@U0ALICE>: migration); publisher"));
    t.stop().await;
}
on_both_backends!(too_long, too_long_is_told_once_and_not_retried);

async fn topic_survives_rate_limits_and_errors(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.slack.set_topic(CHANNEL, PEOPLE);
    t.slack.fail_next(
        "conversations.info",
        1,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    t.slack
        .fail_next("conversations.setTopic", 1, Failure::ServerError);
    t.hold(ALICE, "whitehall migration").await;
    // The retries wait for Retry-After and the backoff, in real time.
    t.deliver_outbox_with_retries().await;
    t.expect_post("<@U0ALICE> is holding");
    assert_eq!(t.slack.expect_call("conversations.info").answered, 429);
    t.slack.expect_call("conversations.info");
    assert_eq!(t.slack.expect_call("conversations.setTopic").answered, 500);
    // Nobody is told of a failure that a retry mended.
    assert_eq!(
        t.expect_topic_sync(),
        format!("{PEOPLE} | 🔒 Held: whitehall (<@U0ALICE>: migration) 🔒")
    );
    t.stop().await;
}
on_both_backends!(topic_retries, topic_survives_rate_limits_and_errors);
