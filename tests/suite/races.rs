//! Racing actors on one record resolve to one outcome with one announcement, and the
//! smaller /deploy answers (permissions, windows, versions, help) through real HTTP.

use crate::support;

use badger::domain::deployment::{Event, State};
use chrono::{Duration, TimeZone, Utc};
use support::checks::live_deployments;
use support::db::Backend;
use support::driver::{TestApp, API_TOKEN, POLICY};
use support::people::{ADMIN, ALICE, BOB};

async fn ci_event(t: &TestApp, id: &str, status: &str) -> u16 {
    t.http
        .post(format!("{}/api/v1/deployments/{id}/events", t.base))
        .header("authorization", format!("Bearer {API_TOKEN}"))
        .header("content-type", "application/json")
        .body(format!("{{\"status\":\"{status}\"}}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn finishers_race_to_one_outcome(backend: Backend) {
    let t = TestApp::start(backend).await;
    for round in 0..4 {
        t.deploy(ALICE, &format!("app{round} r1 to integration"))
            .await;
        let start = t
            .wait_for_message(&format!("started deploying *app{round}*"))
            .await;
        let id = TestApp::button_value(&start, "deploy_done").unwrap();
        // The requester's button, an admin's Failed, CI's event and the command, all at once.
        let (_, _, _, _) = tokio::join!(
            t.press(ALICE, "deploy_done", &id),
            t.press(ADMIN, "deploy_failed", &id),
            ci_event(&t, &id, "succeeded"),
            t.deploy(ALICE, "done"),
        );
        t.settle().await;
        let ends = t
            .channel_texts()
            .iter()
            .filter(|m| {
                m.contains(&format!("*app{round}*"))
                    && (m.contains("succeeded in") || m.contains("failed in"))
            })
            .count();
        assert_eq!(
            ends,
            1,
            "round {round}: one end alert: {:#?}",
            t.channel_texts()
        );
        let audit = t.core().store.audit_log(500).await.unwrap();
        let finishes = audit
            .iter()
            .filter(|a| {
                a.subject == format!("deployment #{id}")
                    && (a.action == "deploy.succeeded" || a.action == "deploy.failed")
            })
            .count();
        assert_eq!(finishes, 1, "round {round}");
    }
    t.stop().await;
}
on_both_backends!(finishers_race_to_one_outcome);

async fn a_start_press_racing_the_timeout_has_one_outcome(backend: Backend) {
    let t = TestApp::start(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r1 to integration").await;
    t.deploy(ALICE, "done").await;
    let call = t.wait_for_message("<@U0BOB> it's your turn").await;
    let id = TestApp::button_value(&call, "deploy_start").unwrap();
    // The turn times out just as Bob presses Start; the scheduler may get there first.
    t.clock.advance(Duration::minutes(10));
    let (_, tick) = tokio::join!(t.press(BOB, "deploy_start", &id), t.core().tick());
    tick.unwrap();
    t.core().tick().await.unwrap();
    t.settle().await;
    let texts = t.channel_texts();
    let started = texts
        .iter()
        .filter(|m| m.contains("<@U0BOB> started deploying"))
        .count();
    let expired = texts
        .iter()
        .filter(|m| m.contains("<@U0BOB>'s turn"))
        .count();
    assert_eq!(
        started + expired,
        1,
        "exactly one of started/expired: {texts:#?}"
    );
    t.stop().await;
}
on_both_backends!(a_start_press_racing_the_timeout_has_one_outcome);

async fn deployers_and_admins(backend: Backend) {
    let policy = format!(
        "{POLICY}\n[[environments]]\nname = \"integration\"\n[[environments]]\nname = \"staging\"\ndeployers = [\"U0ALICE\"]\n"
    );
    let t = TestApp::start_with(backend, &policy).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(ALICE, "done").await;
    let r = t.deploy(BOB, "whitehall r1 to staging").await;
    r.assert_says("not on the list of people who may deploy to *staging*");
    r.assert_says("<@U0ADMIN>");
    assert!(live_deployments(&t, Some("staging")).await.is_empty());
    // The admin may; so may Alice.
    t.answers_say(&[
        (ADMIN, "/deploy whitehall r1 to staging", "You're deploying"),
        (ALICE, "/deploy whitehall r1 staging", "number 1 in line"),
    ])
    .await;
    assert_eq!(live_deployments(&t, Some("staging")).await.len(), 2);
    t.stop().await;
}
on_both_backends!(deployers_and_admins);

async fn windows_versions_status_and_help(backend: Backend) {
    let t = TestApp::start(backend).await;
    // Friday 18 December 2026, 15:00 GMT.
    t.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 18, 15, 0, 0).unwrap());
    let w = t.deploy(ALICE, "windows").await.text();
    assert!(w.contains("open until Fri 18 Dec 16:00 GMT"), "{w}");
    assert!(w.contains("Mon 21 Dec 09:30 GMT"), "{w}");
    assert!(w.contains("Fri 25 Dec 2026 — Christmas Day"), "{w}");
    assert!(
        w.contains("Mon 28 Dec 2026 — Boxing Day (substitute day)"),
        "{w}"
    );
    assert!(w.contains("Always open: integration"), "{w}");

    t.deploy(ALICE, "whitehall release_5 to integration").await;
    t.deploy(ALICE, "done").await;
    t.deploy(ALICE, "whitehall release_5 to staging").await;
    t.deploy(ALICE, "done").await;
    let v = t.deploy(BOB, "versions whitehall").await.text();
    assert!(v.contains("*whitehall*: integration `release_5`"), "{v}");
    assert!(v.contains("staging `release_5`"), "{v}");
    assert!(v.contains("production —"), "{v}");
    let r = t.deploy(BOB, "versions nothing-here").await;
    r.assert_says("badger knows no app called *nothing-here*");

    let s = t.deploy(BOB, "status").await.text();
    assert!(
        s.contains("*staging*: free") && s.contains("No holds."),
        "{s}"
    );
    t.deploy(BOB, "help").await.assert_says("/deploy emergency");
    let e = t.deploy(BOB, "whitehall release_5 to stagin").await.text();
    assert!(e.contains("staging"), "did you mean: {e}");
    t.stop().await;
}
on_both_backends!(windows_versions_status_and_help);

/// Bob's `/deploy cancel` of his queued #2 (behind Alice's #1) reads the entry, then waits
/// for its environment's lock, which the test holds; meanwhile, as another replica would,
/// `moves` change the entries under that lock. Returns the cancel's answer and #2's state.
/// (PostgreSQL only: on SQLite a command runs whole inside the one write lock.)
async fn cancel_while_entries_move(moves: &[(i64, State, Event)]) -> Option<(String, State)> {
    if !support::db::postgres_enabled() {
        return None;
    }
    let t = TestApp::start(Backend::Postgres).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    t.deploy(BOB, "publisher r1 to integration").await;
    let mut held = support::db::hold_env_lock(&t.core().store, "integration").await;
    let move_meanwhile = async {
        // Long enough for the cancel to have read #2 and be waiting for the lock.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        for &(id, from, event) in moves {
            assert!(held
                .transition(id, from, event, Utc::now(), None, None)
                .await
                .unwrap());
        }
        held.commit().await.unwrap();
    };
    let (cancel, ()) = tokio::join!(t.deploy(BOB, "cancel"), move_meanwhile);
    let d = t.core().store.deployment(2).await.unwrap().unwrap();
    t.stop().await;
    Some((cancel.text(), d.state))
}

/// #2 is called meanwhile: the cancel acts on what the entry is once it has the lock, and
/// leaves the turn (the next is called) instead of saying "already moved on".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_waiting_for_the_lock_sees_the_call_made_meanwhile() {
    let moves = [
        (1, State::Deploying, Event::Succeed),
        (2, State::Queued, Event::Call),
    ];
    if let Some((text, state)) = cancel_while_entries_move(&moves).await {
        assert!(text.contains("You left the queue for"), "{text}");
        assert_eq!(state, State::Cancelled);
    }
}

/// #2 is called and started meanwhile: `/deploy cancel` (leave my queue) does not call off
/// a deployment that started while it waited; it says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_waiting_for_the_lock_does_not_call_off_what_started_meanwhile() {
    let moves = [
        (1, State::Deploying, Event::Succeed),
        (2, State::Queued, Event::Call),
        (2, State::Called, Event::Start),
    ];
    if let Some((text, state)) = cancel_while_entries_move(&moves).await {
        assert!(text.contains("#2 has already moved on"), "{text}");
        assert_eq!(state, State::Deploying);
    }
}
