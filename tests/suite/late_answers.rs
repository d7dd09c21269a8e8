//! Slack's deadline over HTTP for button presses and events, as for slash commands
//! (deploy_flow's late command): with the database held, Slack still gets its 200 at once,
//! and the work is done afterwards, the presser told what came of it. badger is started
//! with a zero deadline and the database is held until Slack has had its answer, so the
//! work is late by construction, not by racing a timer.

use crate::support;

use badger::domain::deployment::State;
use sqlx::Connection;
use std::time::Duration;
use support::checks::deployment;
use support::db::{hold_env_lock, Backend};
use support::driver::TestApp;
use support::people::{ALICE, CAROL};
use support::versions::{open_home, wait_for_home};

/// Long enough for any answer that does not wait for the database; far shorter than a
/// held database (a PostgreSQL lock waits for ever, SQLite's busy timeout is 10 s).
const PROMPT: Duration = Duration::from_secs(5);

async fn a_late_press_is_acknowledged_then_answered(backend: Backend) {
    let t = TestApp::start_with_late_replies(backend).await;
    t.deploy(ALICE, "whitehall r1 to integration").await;
    let alert = t.wait_for_message("<@U0ALICE> started deploying").await;
    let id = TestApp::button_value(&alert, "deploy_done").expect("a Done button");

    // A stranger's press, then Alice's: each waits for the environment's lock, held here.
    for (who, action) in [(CAROL, "deploy_done"), (ALICE, "deploy_done")] {
        let held = hold_env_lock(&t.core().store, "integration").await;
        let status = tokio::time::timeout(PROMPT, t.press(who, action, &id)).await;
        drop(held);
        assert_eq!(status, Ok(200), "{who}'s press was answered in time");
    }
    // What each press says still reaches its presser, and Alice's took effect once.
    let why = t.wait_for_ephemeral(CAROL, "Only <@U0ALICE>").await;
    assert!(why.contains("Nothing was changed"), "{why}");
    t.wait_for_message(":white_check_mark: *whitehall* `r1` to *integration* succeeded")
        .await;
    let d = deployment(&t, id.parse().unwrap()).await;
    assert_eq!(d.state, State::Succeeded);
    t.stop().await;
}
on_both_backends!(a_late_press_is_acknowledged_then_answered);

async fn a_late_event_is_acknowledged_then_handled(backend: Backend) {
    let t = TestApp::start_with_late_replies(backend).await;
    // The database is held: the event's id is being written by another transaction, so
    // recording it waits (a row lock on PostgreSQL, the write lock on SQLite).
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&t.db.url)
        .await
        .expect("a connection of the test's own");
    let mut held = conn.begin().await.expect("begin");
    sqlx::query("INSERT INTO processed_events (event_id, received_at) VALUES ($1, 0)")
        .bind("Ev0LATE")
        .execute(&mut *held)
        .await
        .expect("hold the event's row");
    let status = tokio::time::timeout(PROMPT, open_home(&t, "Ev0LATE", ALICE, "home")).await;
    held.rollback().await.expect("let go");
    assert_eq!(status, Ok(200), "the event was acknowledged in time");
    // Handled all the same, once the database answers: Alice's Home tab is published.
    wait_for_home(&t, ALICE, 1).await;
    assert_eq!(t.count_rows("processed_events").await, 1);
    t.stop().await;
}
on_both_backends!(a_late_event_is_acknowledged_then_handled);
