//! `/deploy done ID` and `/deploy failed ID`: the start alert's Done and Failed, typed.
//! They finish deployment ID under the buttons' rules (the requester or an admin; a record
//! that moved on is said so), never the typist's own deployment with the ID as its note.

use crate::support;

use badger::domain::deployment::State;
use support::checks::{assert_text_has, deployment};
use support::driver::TestApp;
use support::people::{ADMIN, ALICE, BOB};

/// The state and outcome note of deployment `id`.
async fn state_of(t: &TestApp, id: i64) -> (State, Option<String>) {
    let d = deployment(t, id).await;
    (d.state, d.outcome_note)
}

/// An admin deploying their own while Alice deploys hers: `done N` finishes Alice's #N,
/// credited to the admin, and leaves the admin's own running; Bob (no admin) may not;
/// a second `done N` says it moved on; `failed #N` and the requester's own `done N` too.
async fn done_and_failed_with_an_id_finish_that_deployment(t: &TestApp) {
    // #1: integration first, so the admin may deploy to staging (#2).
    t.deployed(ADMIN, "whitehall r1 to integration").await;
    t.deploy(ADMIN, "whitehall r1 to staging")
        .await
        .assert_says("You're deploying");
    t.deploy(ALICE, "frontend r1 to integration").await;
    t.deliver_outbox().await;
    t.expect_ran(ADMIN, "*whitehall* `r1` to *integration*", "succeeded");
    t.expect_post("<@U0ADMIN> started deploying *whitehall* `r1` to *staging*");
    t.expect_post("<@U0ALICE> started deploying *frontend* `r1` to *integration*");

    // Someone else's, not an admin: refused as the Done button would be; nothing changes.
    for text in ["done 3", "failed #2"] {
        let r = t.deploy(BOB, text).await.text();
        assert!(r.starts_with("Only <@U0"), "{text}: {r}");
        assert!(r.contains("Nothing was changed."), "{text}: {r}");
    }
    assert_eq!(state_of(t, 2).await, (State::Deploying, None));
    assert_eq!(state_of(t, 3).await, (State::Deploying, None));

    // The admin's `done 3`: Alice's #3 succeeds, credited to the admin; the admin's #2 runs on.
    t.deploy(ADMIN, "done 3")
        .await
        .assert_is("Marked *frontend* `r1` to *integration* (#3) as succeeded.");
    assert_eq!(state_of(t, 3).await, (State::Succeeded, None));
    assert_eq!(state_of(t, 2).await, (State::Deploying, None));
    t.deliver_outbox().await;
    t.expect_ended(
        ALICE,
        "*frontend* `r1` to *integration*",
        "succeeded in 0s (<@U0ALICE>; marked done by <@U0ADMIN>)",
    );

    // Again, or failed: it has already moved on, as a late press is told.
    for text in ["done 3", "failed #3"] {
        let r = t.deploy(ADMIN, text).await.text();
        assert_eq!(
            r, "#3 has already succeeded; nothing was changed.",
            "{text}"
        );
    }
    // No such deployment.
    t.deploy(ADMIN, "done 99")
        .await
        .assert_is("There is no deployment #99.");

    // `failed #N` on Alice's next one, by the admin.
    t.deploy(ALICE, "frontend r2 to integration").await;
    t.deploy(ADMIN, "failed #4")
        .await
        .assert_is("Marked *frontend* `r2` to *integration* (#4) as failed.");
    assert_eq!(state_of(t, 4).await, (State::Failed, None));
    t.deliver_outbox().await;
    t.expect_ran(
        ALICE,
        "*frontend* `r2` to *integration*",
        "failed in 0s (<@U0ALICE>; marked failed by <@U0ADMIN>)",
    );

    // The requester's own, by ID: no credit. Then the admin's own.
    t.deploy(ALICE, "frontend r3 to integration").await;
    let r = t.deploy(ALICE, "done 5").await;
    r.assert_is("Marked *frontend* `r3` to *integration* (#5) as succeeded.");
    let r = t.deploy(ADMIN, "failed 2").await;
    r.assert_is("Marked *whitehall* `r1` to *staging* (#2) as failed.");
    assert_eq!(state_of(t, 2).await, (State::Failed, None));
    t.deliver_outbox().await;
    let m = t.expect_ran(ALICE, "*frontend* `r3` to *integration*", "succeeded");
    assert_text_has(&m, "succeeded in 0s (<@U0ALICE>)");
    assert!(!m["text"].as_str().unwrap().contains("marked"), "{m}");
    t.expect_ended(
        ADMIN,
        "*whitehall* `r1` to *staging*",
        "failed in 0s (<@U0ADMIN>)",
    );

    // A number among other words is still a note, as before: the typist's own deployment.
    t.deploy(BOB, "publisher r1 to integration").await;
    t.deploy(BOB, "done 42 tests pass")
        .await
        .assert_is("Marked *publisher* `r1` to *integration* (#6) as succeeded.");
    assert_eq!(
        state_of(t, 6).await,
        (State::Succeeded, Some("42 tests pass".into()))
    );
    t.deliver_outbox().await;
    t.expect_ran(BOB, "*publisher* `r1` to *integration*", "succeeded");
}
on_both_backends!(stepped done_and_failed_with_an_id_finish_that_deployment);

/// `done N` on a deployment still waiting is refused as a Done press on it would be.
async fn done_with_the_id_of_a_waiting_deployment_changes_nothing(t: &TestApp) {
    t.deploy(ALICE, "frontend r1 to integration").await;
    t.deploy(BOB, "whitehall r1 to integration").await;
    t.deploy(BOB, "done 2").await.assert_is(
        "#2 has not started yet, so there is nothing to finish; nothing was changed. \
         `/deploy cancel 2` takes it out of the queue.",
    );
    assert_eq!(state_of(t, 2).await, (State::Queued, None));
    assert_eq!(state_of(t, 1).await, (State::Deploying, None));
    t.deliver_outbox().await;
    t.expect_post("<@U0ALICE> started deploying *frontend* `r1`");
}
on_both_backends!(stepped done_with_the_id_of_a_waiting_deployment_changes_nothing);
