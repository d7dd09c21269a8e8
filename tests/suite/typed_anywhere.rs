//! `/deploy` and `/hold` typed outside the deploy channel (a DM with badger, another
//! channel) work: the person is answered where they typed (the slash command's HTTP
//! response), announcements go to the configured deploy channel, and the answer says
//! where to look.

use crate::support;

use support::checks::live_deployments;
use support::db::Backend;
use support::driver::{TestApp, CHANNEL};
use support::people::{ALICE, BOB};

const ALICE_DM: &str = "D0ALICEDM";
const OTHER: &str = "C0OTHER";

async fn commands_typed_elsewhere_announce_in_the_deploy_channel(backend: Backend) {
    let t = TestApp::start(backend).await;

    // From a DM with badger: answered there, announced in the deploy channel.
    let r = t
        .slash_in(ALICE_DM, "/deploy", ALICE, "whitehall r1 to integration")
        .await;
    r.assert_private_says("You're deploying");
    r.assert_says("Follow it in <#C0DEPLOY>");
    let context = r.json["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .any(|b| b["type"] == "context" && b.to_string().contains("<#C0DEPLOY>"));
    assert!(context, "the note is in the blocks too: {}", r.json);
    t.wait_for_message("<@U0ALICE> started deploying *whitehall* `r1` to *integration*")
        .await;

    // From another channel: a hold, announced and put in the deploy channel's topic.
    let r = t
        .slash_in(OTHER, "/hold", BOB, "publisher fixing the database")
        .await;
    assert_eq!(r.status, 200);
    r.assert_says("Announced in <#C0DEPLOY>.");
    t.wait_for_message("fixing the database").await;
    t.settle().await;
    assert!(
        t.slack.topic(CHANNEL).contains("publisher"),
        "topic: {}",
        t.slack.topic(CHANNEL)
    );

    // Read-only answers need no pointer.
    let r = t.slash_in(ALICE_DM, "/deploy", ALICE, "status").await;
    r.assert_says("integration");
    r.assert_never_says("<#C0DEPLOY>");

    // Finishing from the DM: the end alert is in the deploy channel.
    let r = t.slash_in(ALICE_DM, "/deploy", ALICE, "done").await;
    r.assert_says("succeeded");
    r.assert_says("Announced in <#C0DEPLOY>.");
    t.wait_for_message(":white_check_mark: *whitehall* `r1` to *integration* succeeded")
        .await;

    // Typed in the deploy channel itself: no pointer to where the person already is.
    let r = t.deploy(BOB, "collections r2 to integration").await;
    r.assert_never_says("Announced in");
    r.assert_never_says("Follow it in");

    // Nothing was posted where the commands were typed.
    t.settle().await;
    assert!(t.slack.messages(ALICE_DM).is_empty());
    assert!(t.slack.messages(OTHER).is_empty());
    assert!(t.slack.ephemerals(ALICE_DM).is_empty());
    assert!(t.slack.topic(OTHER).is_empty());
    t.stop().await;
}
on_both_backends!(commands_typed_elsewhere_announce_in_the_deploy_channel);

/// With no deploy channel configured badger announces where a command is typed: a
/// direct message can't be that place, so changes are refused there (read-only commands
/// still answer), and nothing is stored.
async fn without_a_deploy_channel_a_dm_is_refused(backend: Backend) {
    let t = TestApp::start_with(backend, "admins = [\"U0ADMIN\"]\n").await;
    let refused = [
        ("/deploy", "whitehall r1 to integration"),
        ("/hold", "all a reason"),
    ];
    for (command, text) in refused {
        let r = t.slash_in(ALICE_DM, command, ALICE, text).await;
        assert_eq!(r.status, 200, "{command} {text}");
        let said = r.text();
        assert!(
            said.contains("no deploy channel configured"),
            "{command}: {said}"
        );
    }
    assert!(live_deployments(&t, None).await.is_empty());
    assert!(t.core().store.active_holds().await.unwrap().is_empty());
    let r = t.slash_in(ALICE_DM, "/deploy", ALICE, "status").await;
    r.assert_says("integration");

    // In a channel it works and announces right there, with no pointer.
    let r = t
        .slash_in(OTHER, "/deploy", ALICE, "whitehall r1 to integration")
        .await;
    r.assert_says("You're deploying");
    r.assert_never_says("Follow it in");
    let ok = t
        .slack
        .wait_until(std::time::Duration::from_secs(15), |_| {
            t.slack.messages(OTHER).iter().any(|m| {
                m["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("started deploying")
            })
        })
        .await;
    assert!(ok, "start alert in {OTHER}");
    t.stop().await;
}
on_both_backends!(without_a_deploy_channel_a_dm_is_refused);

/// With no deploy channel, an emergency asked in one channel while someone deploys from
/// another: the deployer is warned in their own deployment's channel (where they are), and
/// the emergency is announced where it was asked.
async fn without_a_deploy_channel_the_deployer_is_warned_where_they_deploy(backend: Backend) {
    let t = TestApp::stepped_with(backend, "admins = [\"U0ADMIN\"]\n").await;
    let (team_a, team_b) = ("C0TEAMA", "C0TEAMB");
    t.slash_in(team_a, "/deploy", ALICE, "frontend r1 to integration")
        .await;
    let r = t
        .slash_in(
            team_b,
            "/deploy",
            BOB,
            "emergency whitehall r1 to integration site down",
        )
        .await;
    r.assert_says("number 1 in line");
    t.deliver_outbox().await;
    t.expect_post_in(team_a, "<@U0ALICE> started deploying");
    let posts: Vec<(String, String)> = t
        .slack
        .read_all()
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .map(|c| {
            let text = c.body["text"].as_str().unwrap_or("").to_owned();
            (c.body["channel"].as_str().unwrap_or("").to_owned(), text)
        })
        .collect();
    let warning = "<@U0ALICE> an emergency is waiting behind you";
    let in_a: Vec<&String> = posts
        .iter()
        .filter(|p| p.0 == team_a)
        .map(|p| &p.1)
        .collect();
    let in_b: Vec<&String> = posts
        .iter()
        .filter(|p| p.0 == team_b)
        .map(|p| &p.1)
        .collect();
    assert!(
        matches!(in_a.as_slice(), [w] if w.contains("*EMERGENCY* <@U0BOB>") && w.contains(warning)),
        "{posts:?}"
    );
    assert!(
        matches!(in_b.as_slice(), [e] if e.contains("*EMERGENCY* <@U0BOB>") && !e.contains(warning)),
        "{posts:?}"
    );
    t.stop().await;
}
on_both_backends!(without_a_deploy_channel_the_deployer_is_warned_where_they_deploy);
