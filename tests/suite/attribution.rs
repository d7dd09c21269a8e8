//! Who did it, said so: an admin acting on someone else's deployment is named (as a
//! mention, never a raw id) beside the requester, and the requester is told.

use crate::support;

use serde_json::json;
use support::checks::assert_text_has;
use support::dashboard::part;
use support::db::Backend;
use support::driver::TestApp;
use support::openapi::get_valid;
use support::people::{ADMIN, ALICE, BOB, CAROL};

/// `people` in turn ask for their app's `r1` to integration (Alice's frontend, Bob's
/// whitehall, Carol's publisher): the first deploys, the others queue behind. Reads the
/// first's start alert.
async fn in_line(t: &TestApp, people: &[&str]) {
    for &who in people {
        let app = match who {
            ALICE => "frontend",
            BOB => "whitehall",
            _ => "publisher",
        };
        t.deploy(who, &format!("{app} r1 to integration")).await;
    }
    t.deliver_outbox().await;
    t.expect_post(&format!("<@{}> started deploying", people[0]));
}

/// An admin's `/deploy cancel N` of someone else's waiting entry: the admin is told they
/// took it out (not that they left a queue they were never in), the owner is told in the
/// channel who did, and a called turn's message names the admin as a mention.
async fn an_admin_taking_someone_out_of_the_queue_says_who(t: &TestApp) {
    in_line(t, &[ALICE, BOB, CAROL]).await;

    // A queued entry.
    let r = t.deploy(ADMIN, "cancel 2").await.text();
    assert_eq!(
        r,
        "You took <@U0BOB>'s *whitehall* `r1` to *integration* (#2) out of the queue; they have been told in the channel."
    );
    t.deliver_outbox().await;
    t.expect_post(
        ":no_entry_sign: <@U0ADMIN> took <@U0BOB>'s *whitehall* `r1` to *integration* (#2) out of the queue.",
    );

    // A called turn.
    t.press(ALICE, "deploy_done", "1").await;
    t.deliver_outbox().await;
    t.expect_ended(ALICE, "*frontend* `r1` to *integration*", "succeeded");
    t.expect_post("<@U0CAROL> it's your turn");
    let r = t.deploy(ADMIN, "cancel 3").await.text();
    assert!(r.starts_with("You took <@U0CAROL>'s"), "{r}");
    t.deliver_outbox().await;
    t.expect_update(
        "<@U0CAROL> turn for *publisher* `r1` to *integration*: cancelled by <@U0ADMIN>",
    );
    t.expect_post(":no_entry_sign: <@U0ADMIN> took <@U0CAROL>'s *publisher* `r1` to *integration* (#3) out of the queue.");

    // Leaving one's own place is still worded as leaving, and nothing else is said.
    t.deploy(BOB, "whitehall r2 to integration").await;
    t.deliver_outbox().await;
    t.expect_post("<@U0BOB> started deploying");
    t.deploy(CAROL, "publisher r2 to integration").await;
    let r = t.deploy(CAROL, "cancel").await.text();
    assert!(r.starts_with("You left the queue for"), "{r}");
    // The "Leave the queue" button pressed by an admin says the same as the command.
    t.deploy(ALICE, "frontend r2 to integration").await;
    assert_eq!(t.press(ADMIN, "deploy_cancel", "6").await, 200);
    t.deliver_outbox().await;
    t.expect_post(
        "<@U0ADMIN> took <@U0ALICE>'s *frontend* `r2` to *integration* (#6) out of the queue.",
    );
    t.expect_ephemeral(
        ADMIN,
        "You took <@U0ALICE>'s *frontend* `r2` to *integration* (#6) out of the queue",
    );
    assert!(t.slack.unread().is_empty(), "{:?}", t.slack.unread());
}
on_both_backends!(stepped an_admin_taking_someone_out_of_the_queue_says_who);

/// An admin pressing Start, Done or Cancel on someone's deployment, or CI reporting its
/// end: the alerts credit the requester and say who did it.
async fn alerts_say_who_started_or_ended_someone_elses_deployment(t: &TestApp) {
    in_line(t, &[ALICE, BOB]).await;

    // An admin's Done: credited beside Alice. Bob is called.
    t.press(ADMIN, "deploy_done", "1").await;
    t.deliver_outbox().await;
    t.expect_ended(
        ALICE,
        "*frontend* `r1` to *integration*",
        "succeeded in 0s (<@U0ALICE>; marked done by <@U0ADMIN>)",
    );
    t.expect_post("<@U0BOB> it's your turn");

    // An admin's Start on Bob's turn.
    t.press(ADMIN, "deploy_start", "2").await;
    t.deliver_outbox().await;
    let m = t.expect_post("<@U0BOB> started deploying *whitehall* `r1` to *integration*");
    assert_text_has(&m, "\nStarted by <@U0ADMIN>.");
    t.expect_update("<@U0BOB> turn for *whitehall* `r1` to *integration*: started");
    let audit = t.core().store.audit_log(50).await.unwrap();
    let start = audit
        .iter()
        .find(|a| a.action == "deploy.start" && a.subject == "deployment #2");
    assert_eq!(start.map(|a| a.actor.as_str()), Some(ADMIN), "{audit:?}");

    // An admin's Cancel on the start alert.
    t.press(ADMIN, "deploy_cancel", "2").await;
    t.deliver_outbox().await;
    t.expect_ended(
        BOB,
        "*whitehall* `r1` to *integration*",
        "was called off in 0s (<@U0BOB>; called off by <@U0ADMIN>)",
    );

    // CI reporting the end of a person's deployment; the requester's own Done adds nothing.
    t.deploy(CAROL, "publisher r1 to integration").await;
    let r = support::ci::event(t, 3, json!({"status": "failed"})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    t.deployed(CAROL, "publisher r2 to integration").await;
    t.deliver_outbox().await;
    t.expect_ran(
        CAROL,
        "*publisher* `r1` to *integration*",
        "failed in 0s (<@U0CAROL>; reported by CI)",
    );
    let m = t.expect_post("<@U0CAROL> started deploying *publisher* `r2`");
    assert!(!m["text"].as_str().unwrap().contains("Started by"), "{m}");
    let m = t.expect_ended(CAROL, "*publisher* `r2` to *integration*", "succeeded");
    let credit = "succeeded in 0s (<@U0CAROL>)";
    assert!(m["text"].as_str().unwrap().ends_with(credit), "{m}");
}
on_both_backends!(stepped alerts_say_who_started_or_ended_someone_elses_deployment);

/// Who started or took out someone's deployment stays on its row: an admin's Start on
/// Alice's turn is still credited when her Done closes the start alert, and the history
/// (API and dashboard) names who started Alice's and who took Bob's out of the queue, as a
/// field and the way it shows people, never as a raw id in the note.
async fn who_started_or_took_out_someones_deployment_stays_on_record(t: &TestApp) {
    in_line(t, &[CAROL, ALICE, BOB]).await;

    // An admin takes Bob's waiting entry out of the queue.
    let r = t.deploy(ADMIN, "cancel 3").await.text();
    assert!(r.starts_with("You took <@U0BOB>'s"), "{r}");
    t.deliver_outbox().await;
    t.expect_post(
        "<@U0ADMIN> took <@U0BOB>'s *whitehall* `r1` to *integration* (#3) out of the queue.",
    );

    // Carol is done; an admin starts Alice's turn; Alice presses Done herself.
    t.hands_over(CAROL, "*publisher* `r1` to *integration*", ALICE)
        .await;
    t.press(ADMIN, "deploy_start", "2").await;
    t.deliver_outbox().await;
    t.expect_post(
        "<@U0ALICE> started deploying *frontend* `r1` to *integration*\nStarted by <@U0ADMIN>.",
    );
    t.expect_update("<@U0ALICE> turn for *frontend* `r1` to *integration*: started");
    // While it runs, the dashboard says who started it too.
    let html = t.get("/dashboard").await.text().await.unwrap();
    let live = part(&html, r#"<p class="deploying" data-id="2">"#, "</p>");
    assert!(
        live.contains(r#"deploying by U0ALICE (<span class="credit">started by U0ADMIN</span>)"#),
        "{live}"
    );
    t.press(ALICE, "deploy_done", "2").await;
    t.deliver_outbox().await;
    let m = t.expect_post("*frontend* `r1` to *integration* succeeded in 0s");
    assert!(m["text"].as_str().unwrap().ends_with("(<@U0ALICE>)"), "{m}");
    let m = t.expect_update(
        "<@U0ALICE> started deploying *frontend* `r1` to *integration*\nStarted by <@U0ADMIN>.",
    );
    assert!(
        !m.to_string().contains("deploy_done"),
        "no buttons once closed: {m}"
    );
    assert!(t.slack.unread().is_empty(), "{:?}", t.slack.unread());

    // The history API: who, as fields; null when the requester did it.
    let entry = |id: i64| async move {
        get_valid(t, &format!("/api/v1/deployments/{id}"), "HistoryEntry").await
    };
    let carol = entry(1).await;
    assert_eq!(
        (&carol["started_by"], &carol["ended_by"]),
        (&json!(null), &json!(null))
    );
    let alice = entry(2).await;
    assert_eq!(alice["started_by"], ADMIN, "{alice}");
    assert_eq!(alice["ended_by"], json!(null), "{alice}");
    let bob = entry(3).await;
    assert_eq!(bob["state"], "cancelled", "{bob}");
    assert_eq!(bob["ended_by"], ADMIN, "{bob}");
    assert_eq!(bob["outcome_note"], json!(null), "{bob}");
    let page = get_valid(t, "/api/v1/deployments?requester=U0BOB", "HistoryPage").await;
    assert_eq!(page["deployments"][0]["ended_by"], ADMIN, "{page}");

    // The dashboard's history: people as it shows people, beside the requester.
    let html = t.get("/dashboard").await.text().await.unwrap();
    let row = |id: &str| part(&html, &format!(r#"<tr data-id="{id}">"#), "</tr>").to_owned();
    let (alice, bob) = (row("2"), row("3"));
    assert!(
        alice.contains(r#"<span class="muted credit">started by U0ADMIN</span>"#),
        "{alice}"
    );
    assert!(
        bob.contains(r#"<span class="muted credit">cancelled by U0ADMIN</span>"#),
        "{bob}"
    );
    assert!(!bob.contains("<q>"), "no note: {bob}");
    assert!(!row("1").contains("credit"), "{}", row("1"));

    // Alice's and Bob's Home tabs list their own deployments with who else acted.
    for (who, event, line) in [
        (ALICE, "Ev0HOMEA", "*frontend* `r1` to *integration*: succeeded (#2), Tue 24 Nov 10:00 GMT; started by <@U0ADMIN>"),
        (BOB, "Ev0HOMEB", "*whitehall* `r1` to *integration*: cancelled (#3), Tue 24 Nov 10:00 GMT; cancelled by <@U0ADMIN>"),
    ] {
        support::versions::open_home(t, event, who, "home").await;
        t.deliver_outbox().await;
        let home = t.slack.expect_call("views.publish").body.to_string();
        assert!(home.contains(line), "{home}");
    }
}
on_both_backends!(stepped who_started_or_took_out_someones_deployment_stays_on_record);

/// Only Alice may deploy to production and there are no admins: Bob, refused, is told to
/// ask Alice (not an admin, as there is none).
async fn refused_with_no_admins_names_who_may_deploy(backend: Backend) {
    let policy = r#"
channel = "C0DEPLOY"
environments = [
    { name = "integration" },
    { name = "production", requires_previous = false, deployers = ["U0ALICE", "U0CAROL"] },
]
"#;
    let t = TestApp::stepped_with(backend, policy).await;
    let r = t.deploy(BOB, "frontend r1 to production").await.text();
    assert_eq!(
        r,
        "You are not on the list of people who may deploy to *production*, and badger has no admins to add you. Ask one of those who may to deploy for you: <@U0ALICE>, <@U0CAROL>."
    );
    t.stop().await;
}
on_both_backends!(refused_with_no_admins_names_who_may_deploy);
