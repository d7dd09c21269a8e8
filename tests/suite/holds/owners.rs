//! Who holds what: updating one's own hold, several owners of one app, release by
//! command (by id, app or `all`), and admins releasing anyone's hold.

use super::*;
use crate::support::checks::assert_text_has;
use crate::support::people::ADMIN;
use chrono::{Duration, TimeZone, Utc};

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
    assert_text_has(&m, "Until: Tue 24 Nov 17:00 GMT");
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

    // Saying more without `--until` keeps the hold's end rather than dropping it.
    let r = t.hold(ALICE, "whitehall third reason").await;
    assert!(
        r.text().contains("It ends at Tue 24 Nov 17:00 GMT."),
        "{}",
        r.text()
    );
    t.deliver_outbox().await;
    let m = t.expect_update("Reason: third reason");
    assert!(m.to_string().contains("Until: Tue 24 Nov 17:00 GMT"), "{m}");
    assert!(t.expect_topic_sync().contains("third reason"));
    t.stop().await;
}
on_both_backends!(same_person_twice_updates_the_hold);

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
on_both_backends!(two_people_hold_one_app);

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
    assert!(
        r.text().contains(&format!(
            "Hold #{publisher} was already released by <@U0ALICE> at Tue 24 Nov 10:00 GMT."
        )),
        "{}",
        r.text()
    );

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
on_both_backends!(release_by_command);

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
on_both_backends!(admin_releases_anyones_hold);

/// Release pressed on a hold that has ended says who ended it and when: an admin, or its
/// own `--until` time. The command by id says the same; an id no hold has is said so.
async fn release_on_an_ended_hold_says_how_it_ended(backend: Backend) {
    let t = TestApp::stepped(backend).await;
    t.hold(ALICE, "whitehall migration").await;
    t.hold(BOB, "publisher reindex --until 11:00").await;
    t.deliver_outbox().await;
    let alices = release_id(&t.expect_post("<@U0ALICE> is holding"));
    let bobs = release_id(&t.expect_post("<@U0BOB> is holding"));
    t.expect_topic_sync();

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
    assert!(t
        .hold(BOB, &format!("release {bobs}"))
        .await
        .text()
        .contains(&ended));
    let r = t.hold(BOB, "release 999").await;
    assert!(r.text().contains("There is no hold #999"), "{}", r.text());
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
    let holds = t.core().store.active_holds().await.unwrap();
    assert_eq!(holds.iter().map(|h| h.id).collect::<Vec<_>>(), [1]);
    let r = t.hold(ADMIN, "release whitehall").await.text();
    assert_eq!(r, "Released hold #1.");
    t.deliver_outbox().await;
    t.slack.read_all();
    t.stop().await;
}
on_both_backends!(an_admin_releasing_their_own_hears_what_still_stands);
