//! Who holds what: updating one's own hold, several owners of one app, release by
//! command (by id, app or `all`), and admins releasing anyone's hold.

use super::*;
use crate::support::checks::assert_text_has;
use crate::support::people::ADMIN;
use chrono::{Duration, TimeZone, Utc};

/// Stepped: Alice and Bob each hold (`alices` and `bobs` typed after `/hold`) and the outbox
/// is delivered: their announcements, then one topic sync (Alice's is superseded by Bob's,
/// already queued). Returns the ids on Alice's and Bob's release buttons, and the topic.
async fn alice_and_bob_hold(t: &TestApp, alices: &str, bobs: &str) -> (String, String, String) {
    t.hold(ALICE, alices).await;
    t.hold(BOB, bobs).await;
    t.deliver_outbox().await;
    let alice_id = release_id(&t.expect_post("<@U0ALICE> is holding"));
    let bob_id = release_id(&t.expect_post("<@U0BOB> is holding"));
    (alice_id, bob_id, t.expect_topic_sync())
}

async fn same_person_twice_updates_the_hold(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (m, topic) = hold_announced(&t, ALICE, "whitehall first reason").await;
    assert_text_has(&m, "Reason: first reason");
    assert!(topic.contains("(<@U0ALICE>: first reason)"), "{topic}");

    let r = t.hold(ALICE, "whitehall second reason --until 17:00").await;
    r.assert_says("updated");
    // One hold, one announcement (edited in place, not posted again), reason changed
    // everywhere.
    t.deliver_outbox().await;
    let m = t.expect_update("Reason: second reason");
    assert_text_has(&m, "Until: Tue 24 Nov 17:00 GMT");
    assert!(TestApp::button_value(&m, "hold_release").is_some());
    let now = t.expect_topic_sync();
    assert!(now.contains("(<@U0ALICE>: second reason)"), "{now}");
    assert!(!now.contains("first reason"), "{now}");
    let holds = standing(&t).await;
    assert_eq!(holds.len(), 1, "{holds:?}");
    assert_eq!(holds[0].reason, "second reason");
    assert_eq!(holds[0].updated_by, ALICE);
    assert!(holds[0].until.is_some());
    t.hold(BOB, "list").await.assert_says("*Holds* (1)");
    let audit = t.core().store.audit_log(50).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "hold.update"));

    // Saying more without `--until` keeps the hold's end rather than dropping it.
    let r = t.hold(ALICE, "whitehall third reason").await;
    r.assert_says("It ends at Tue 24 Nov 17:00 GMT.");
    t.deliver_outbox().await;
    let m = t.expect_update("Reason: third reason");
    assert!(m.to_string().contains("Until: Tue 24 Nov 17:00 GMT"), "{m}");
    assert!(t.expect_topic_sync().contains("third reason"));
    t.stop().await;
}
on_both_backends!(same_person_twice_updates_the_hold);

async fn two_people_hold_one_app(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (_, _, now) =
        alice_and_bob_hold(&t, "whitehall migration", "whitehall content freeze").await;
    assert!(
        now.contains("whitehall (<@U0ALICE>: migration); whitehall (<@U0BOB>: content freeze)"),
        "{now}"
    );
    t.hold(CAROL, "list").await.assert_says_all(&[
        "*Holds* (2)",
        "held by <@U0ALICE>: migration",
        "held by <@U0BOB>: content freeze",
    ]);

    // Alice releases hers by app name: Bob's still binds.
    let r = t.hold(ALICE, "release whitehall").await;
    r.assert_says("Released hold");
    let holds = standing(&t).await;
    assert_eq!(holds.len(), 1);
    assert_eq!(holds[0].owner, BOB);
    let r = t.deploy(CAROL, "whitehall r1 to integration").await;
    r.assert_says("<@U0BOB> is holding");
    t.deliver_outbox().await;
    expect_release(&t, ALICE, ALICE, "whitehall");
    assert!(!t.expect_topic_sync().contains("U0ALICE"));

    // Carol can't release Bob's by name; Bob can.
    let r = t.hold(CAROL, "release whitehall").await;
    r.assert_says("Only the owner");
    r.assert_says("Nothing was changed");
    assert_eq!(standing(&t).await.len(), 1);
    t.hold(BOB, "release whitehall")
        .await
        .assert_says("Released hold");
    let r = t.deploy(CAROL, "whitehall r1 to integration").await;
    r.assert_says("You're deploying");
    t.deliver_outbox().await;
    expect_release(&t, BOB, BOB, "whitehall");
    assert_eq!(t.expect_topic_sync(), "");
    t.expect_post("<@U0CAROL> started deploying");
    t.stop().await;
}
on_both_backends!(two_people_hold_one_app);

async fn release_by_command(backend: Backend) {
    let t = stepped_with_topic(backend, PEOPLE).await;
    for held in ["whitehall one", "all two", "publisher three"] {
        t.hold(ALICE, held).await;
    }
    // Three announcements; the first two topic syncs are superseded by the third.
    t.deliver_outbox().await;
    t.expect_post("*whitehall*");
    t.expect_post("*all applications*");
    let publisher = release_id(&t.expect_post("*publisher*"));
    t.expect_topic_sync();

    // By id: a stranger is refused; `#id` works for the owner.
    let r = t.hold(BOB, &format!("release {publisher}")).await;
    r.assert_says("Only <@U0ALICE>");
    assert_eq!(standing(&t).await.len(), 3);
    let r = t.hold(ALICE, &format!("release #{publisher}")).await;
    r.assert_says(&format!("Released hold #{publisher} on publisher"));
    let r = t.hold(ALICE, &format!("release {publisher}")).await;
    r.assert_says(&format!(
        "Hold #{publisher} was already released by <@U0ALICE> at Tue 24 Nov 10:00 GMT."
    ));

    // By app, then all.
    let release = "/hold release whitehall";
    t.answers_say(&[
        (ALICE, release, "Released hold"),
        (ALICE, release, "No hold on whitehall stands"),
    ])
    .await;
    t.deliver_outbox().await;
    expect_release(&t, ALICE, ALICE, "publisher");
    expect_release(&t, ALICE, ALICE, "whitehall");
    assert!(t.expect_topic_sync().contains("ALL apps (<@U0ALICE>: two)"));
    t.hold(ALICE, "release all")
        .await
        .assert_says("Released hold");
    assert!(standing(&t).await.is_empty());
    t.deliver_outbox().await;
    expect_release(&t, ALICE, ALICE, "all applications");
    assert_eq!(t.expect_topic_sync(), PEOPLE);
    t.stop().await;
}
on_both_backends!(release_by_command);

async fn admin_releases_anyones_hold(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let (id, _, topic) = alice_and_bob_hold(&t, "whitehall mine", "publisher his").await;
    // One topic sync shows both.
    assert!(
        topic.contains("whitehall") && topic.contains("publisher"),
        "{topic}"
    );

    t.press(ADMIN, "hold_release", &id).await;
    t.deliver_outbox().await;
    expect_release(&t, ALICE, ADMIN, "whitehall");
    t.expect_topic_sync();
    t.expect_ephemeral(ADMIN, &format!("Released hold #{id} on whitehall"));
    let r = t.hold(ADMIN, "release publisher").await;
    r.assert_says("Released hold");
    t.deliver_outbox().await;
    expect_release(&t, BOB, ADMIN, "publisher");
    assert_eq!(t.expect_topic_sync(), "");
    assert!(standing(&t).await.is_empty());
    let audit = t.core().store.audit_log(50).await.unwrap();
    let by_admin = audit
        .iter()
        .filter(|a| a.action == "hold.release" && a.actor == ADMIN);
    assert_eq!(by_admin.count(), 2);
    t.stop().await;
}
on_both_backends!(admin_releases_anyones_hold);

/// Release pressed on a hold that has ended says who ended it and when: an admin, or its
/// own `--until` time. The command by id says the same; an id no hold has is said so.
async fn release_on_an_ended_hold_says_how_it_ended(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    let until_11 = "publisher reindex --until 11:00";
    let (alices, bobs, _) = alice_and_bob_hold(&t, "whitehall migration", until_11).await;

    // An admin releases Alice's at 10:05; her press afterwards says who, and when.
    t.advance_clock(Duration::minutes(5));
    t.press(ADMIN, "hold_release", &alices).await;
    t.deliver_outbox().await;
    t.slack.read_all();
    t.advance_clock(Duration::minutes(3));
    t.press(ALICE, "hold_release", &alices).await;
    t.deliver_outbox().await;
    let why = t.expect_ephemeral(ALICE, "");
    assert_eq!(
        why,
        format!("Hold #{alices} was already released by <@U0ADMIN> at Tue 24 Nov 10:05 GMT. Nothing was changed.")
    );

    // Bob's ends at its `--until` time; his press a little later says so.
    t.at(Utc.with_ymd_and_hms(2026, 11, 24, 11, 0, 0).unwrap())
        .await;
    t.slack.read_all();
    t.advance_clock(Duration::minutes(2));
    t.press(BOB, "hold_release", &bobs).await;
    t.deliver_outbox().await;
    let ended = format!(
        "Hold #{bobs} already ended at its `--until` time, Tue 24 Nov 11:00 GMT. Nothing was changed."
    );
    assert_eq!(t.expect_ephemeral(BOB, ""), ended);
    let by_id = format!("/hold release {bobs}");
    t.answers_say(&[
        (BOB, &by_id, &ended),
        (BOB, "/hold release 999", "There is no hold #999"),
    ])
    .await;
    t.stop().await;
}
on_both_backends!(release_on_an_ended_hold_says_how_it_ended);

/// An admin who owns one of an app's holds releases theirs by the app's name, as anyone
/// would, and is told which still stand (Alice's): another's hold goes only by its number.
async fn an_admin_releasing_their_own_hears_what_still_stands(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall migration").await;
    t.hold(ADMIN, "whitehall admin's own").await;
    let r = t.hold(ADMIN, "release whitehall").await.text();
    assert_eq!(
        r,
        "Released hold #2.\nStill standing (1), held by others: their owner or an admin can release each with `/hold release ID`.\n• #1 whitehall held by <@U0ALICE>: migration"
    );
    let ids: Vec<i64> = standing(&t).await.iter().map(|h| h.id).collect();
    assert_eq!(ids, [1]);
    let r = t.hold(ADMIN, "release whitehall").await.text();
    assert_eq!(r, "Released hold #1.");
    t.deliver_outbox().await;
    t.slack.read_all();
    t.stop().await;
}
on_both_backends!(an_admin_releasing_their_own_hears_what_still_stands);
