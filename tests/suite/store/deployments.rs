//! Deployment rows: one active per environment, written with their audit lines, conditional
//! transitions, a person's recent ones; and what a transaction sees, and leaves when rolled back.

use super::*;

use badger::domain::deployment::{Credit, Deployment, Event};
use badger::domain::hold::Hold;
use badger::store::{AuditLine, Tx};
use chrono::TimeZone;
use support::db::{new_hold, post};

async fn the_database_allows_one_active_deployment_per_environment(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.insert_deployment(&new("a", "production", "U1", State::Deploying), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Bypassing every check in code, the unique index still says no.
    let mut tx = s.begin().await.unwrap();
    let e = tx
        .insert_deployment(&new("b", "production", "U2", State::Called), now)
        .await
        .unwrap_err();
    assert!(e.is_unique_violation(), "{e}");
    drop(tx);
    // Another environment, or a queued entry, is fine.
    let mut tx = s.begin().await.unwrap();
    insert(
        &mut tx,
        new("b", "integration", "U2", State::Deploying),
        now,
    )
    .await;
    insert(&mut tx, new("c", "production", "U3", State::Queued), now).await;
    tx.commit().await.unwrap();
    let live = s.live_deployments(Some("production")).await.unwrap();
    assert_eq!(
        live.iter().map(|d| d.state).collect::<Vec<_>>(),
        [State::Deploying, State::Queued]
    );
}
on_both_backends!(the_database_allows_one_active_deployment_per_environment);

async fn a_deployment_and_its_audit_line_are_written_together(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let line = AuditLine {
        actor: "U1",
        action: "deploy.request",
        detail: "a r1 to production; reason: it's <!channel> down",
    };
    let mut tx = s.begin_locked(&env_lock("production")).await.unwrap();
    let first = tx
        .insert_deployment_audited(&new("a", "production", "U1", State::Deploying), now, &line)
        .await
        .unwrap();
    let second = tx
        .insert_deployment_audited(&new("b", "production", "U2", State::Queued), now, &line)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let log = s.audit_log(10).await.unwrap();
    let subjects: Vec<&str> = log.iter().map(|a| a.subject.as_str()).collect();
    // Newest first, each naming its own deployment.
    assert_eq!(
        subjects,
        [
            format!("deployment #{}", second.id),
            format!("deployment #{}", first.id)
        ]
    );
    for a in &log {
        assert_eq!(
            (a.actor.as_str(), a.action.as_str()),
            ("U1", "deploy.request")
        );
        assert_eq!(a.detail, line.detail);
        assert_eq!(a.at, now);
    }
    // A refused insert writes no audit line either.
    let mut tx = s.begin_locked(&env_lock("production")).await.unwrap();
    let e = tx
        .insert_deployment_audited(&new("c", "production", "U3", State::Called), now, &line)
        .await
        .unwrap_err();
    assert!(e.is_unique_violation(), "{e}");
    drop(tx);
    assert_eq!(s.audit_log(10).await.unwrap().len(), 2);
}
on_both_backends!(a_deployment_and_its_audit_line_are_written_together);

async fn transitions_are_conditional(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    let d = insert(&mut tx, new("a", "production", "U1", State::Queued), now).await;
    let later = now + chrono::Duration::minutes(4);
    for (from, event, at, note, moves) in [
        (State::Queued, Event::Call, now, None, true),
        // The same transition again (a racing timeout or a second replica) does nothing.
        (State::Queued, Event::Call, now, None, false),
        (State::Called, Event::Start, now, None, true),
        (State::Deploying, Event::Succeed, later, Some("ok"), true),
        (State::Deploying, Event::Fail, later, None, false),
    ] {
        let moved = tx.transition(d.id, from, event, at, note, None).await;
        assert_eq!(moved.unwrap(), moves, "{event:?} from {from:?}");
    }
    // An impossible transition is an error, never a write.
    let e = tx
        .transition(d.id, State::Succeeded, Event::Start, later, None, None)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("a succeeded deployment cannot be started"),
        "{e}"
    );
    tx.commit().await.unwrap();
    let d = s.deployment(d.id).await.unwrap().unwrap();
    assert_eq!(d.state, State::Succeeded);
    assert_eq!(d.called_at, Some(now));
    assert_eq!(d.started_at, Some(now));
    assert_eq!(d.finished_at, Some(later));
    assert_eq!(d.outcome_note.as_deref(), Some("ok"));
    let v = s.versions(Some("a")).await.unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].git_ref, "r1");
}
on_both_backends!(transitions_are_conditional);

/// Who started a deployment and who ended it (when not its requester) are written with the
/// transition that stamps the time, read back as credits; a call or requeue names nobody.
async fn who_started_and_ended_it_is_written_with_the_transition(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let admin = Credit::Person("U0ADMIN".into());
    let mut tx = s.begin().await.unwrap();
    let a = insert(&mut tx, new("a", "production", "U1", State::Queued), now).await;
    let b = insert(&mut tx, new("b", "production", "U2", State::Queued), now).await;
    let step = |id, from, event, by| (id, from, event, by);
    for (id, from, event, by) in [
        // A call has no one to name: `by` is not written (nor bound).
        step(a.id, State::Queued, Event::Call, Some(&admin)),
        step(a.id, State::Called, Event::Start, Some(&admin)),
        step(a.id, State::Deploying, Event::Fail, Some(&Credit::Ci)),
        step(b.id, State::Queued, Event::Cancel, Some(&admin)),
    ] {
        assert!(tx.transition(id, from, event, now, None, by).await.unwrap());
    }
    tx.commit().await.unwrap();
    let a = s.deployment(a.id).await.unwrap().unwrap();
    assert_eq!(
        (a.started_by, a.ended_by),
        (Some(admin.clone()), Some(Credit::Ci))
    );
    let b = s.deployment(b.id).await.unwrap().unwrap();
    assert_eq!(
        (b.started_by, b.ended_by, b.outcome_note),
        (None, Some(admin), None)
    );
    // Its requester's own: nobody named.
    let mut tx = s.begin().await.unwrap();
    let c = insert(&mut tx, new("c", "production", "U3", State::Queued), now).await;
    tx.transition(c.id, State::Queued, Event::Start, now, None, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = s.deployment(c.id).await.unwrap().unwrap();
    assert_eq!(
        (c.started_at, c.started_by, c.ended_by),
        (Some(now), None, None)
    );
}
on_both_backends!(who_started_and_ended_it_is_written_with_the_transition);

async fn a_persons_recent_deployments_newest_first(backend: Backend) {
    let (s, _db) = store(backend).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    for (i, (app, user, state)) in [
        ("a", "U1", State::Succeeded),
        ("b", "U2", State::Succeeded),
        ("c", "U1", State::Failed),
        ("d", "U1", State::Queued),
        ("e", "U1", State::Succeeded),
    ]
    .into_iter()
    .enumerate()
    {
        tx.insert_deployment(
            &new(app, "integration", user, state),
            t0 + chrono::Duration::minutes(i as i64),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let apps: Vec<String> = s
        .recent_of("U1", 2)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.app)
        .collect();
    // Finished only (not the queued one), newest first, at most the limit.
    assert_eq!(apps, ["e", "c"]);
}
on_both_backends!(a_persons_recent_deployments_newest_first);

async fn rolled_back_work_leaves_nothing(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    tx.insert_deployment(&new("a", "production", "U1", State::Queued), Utc::now())
        .await
        .unwrap();
    tx.enqueue(&post("C1", "never"), Utc::now()).await.unwrap();
    tx.audit(Utc::now(), "U1", "x", "y", "z").await.unwrap();
    drop(tx);
    assert!(s.live_deployments(None).await.unwrap().is_empty());
    assert_eq!(s.outbox_pending().await.unwrap(), 0);
    assert!(s.audit_log(10).await.unwrap().is_empty());
}
on_both_backends!(rolled_back_work_leaves_nothing);

/// Every question `Store` and `Tx` both answer, asked of one side.
#[derive(Debug, PartialEq)]
struct Answers {
    deployment: Option<Deployment>,
    latest_finished: Option<Deployment>,
    live: Vec<Deployment>,
    live_integration: Vec<Deployment>,
    holds: Vec<Hold>,
}

async fn pool_answers(s: &Store, id: i64) -> Answers {
    Answers {
        deployment: s.deployment(id).await.unwrap(),
        latest_finished: s.latest_finished("a", "integration").await.unwrap(),
        live: s.live_deployments(None).await.unwrap(),
        live_integration: s.live_deployments(Some("integration")).await.unwrap(),
        holds: s.active_holds().await.unwrap(),
    }
}

async fn tx_answers(tx: &mut Tx, id: i64) -> Answers {
    Answers {
        deployment: tx.deployment(id).await.unwrap(),
        latest_finished: tx.latest_finished("a", "integration").await.unwrap(),
        live: tx.live_deployments(None).await.unwrap(),
        live_integration: tx.env_live("integration").await.unwrap(),
        holds: tx.active_holds().await.unwrap(),
    }
}

async fn pool_and_transaction_give_the_same_answers(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    let first = insert(
        &mut tx,
        new("a", "integration", "U1", State::Succeeded),
        now,
    )
    .await;
    insert(&mut tx, new("b", "production", "U2", State::Queued), now).await;
    tx.insert_hold(&new_hold("freeze"), now).await.unwrap();
    tx.commit().await.unwrap();
    let committed = pool_answers(&s, first.id).await;
    assert_eq!(committed.latest_finished.as_ref(), Some(&first));
    assert_eq!((committed.live.len(), committed.holds.len()), (1, 1));

    // Inside a transaction, before it commits: it sees its own writes, the pool does not.
    let later = now + chrono::Duration::minutes(5);
    let mut tx = s.begin().await.unwrap();
    let failed = insert(&mut tx, new("a", "integration", "U3", State::Failed), later).await;
    let queued = insert(&mut tx, new("c", "integration", "U3", State::Queued), later).await;
    tx.insert_hold(&new_hold("and another"), later)
        .await
        .unwrap();
    let inside = tx_answers(&mut tx, failed.id).await;
    assert_eq!(inside.deployment.as_ref(), Some(&failed));
    assert_eq!(inside.latest_finished.as_ref(), Some(&failed));
    assert_eq!(inside.live_integration, [queued]);
    assert_eq!(inside.live.len(), 2);
    assert_eq!(
        inside
            .holds
            .iter()
            .map(|h| h.reason.as_str())
            .collect::<Vec<_>>(),
        ["freeze", "and another"]
    );
    // The pool still answers from what is committed: on SQLite as on PostgreSQL.
    let outside = pool_answers(&s, failed.id).await;
    assert_eq!(outside.deployment, None);
    assert_eq!(outside.latest_finished, committed.latest_finished);
    assert_eq!(outside.live, committed.live);
    assert_eq!(outside.holds, committed.holds);
    tx.commit().await.unwrap();

    // Once committed, the pool and a new transaction agree on every question.
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx_answers(&mut tx, failed.id).await, inside);
    drop(tx);
    assert_eq!(pool_answers(&s, failed.id).await, inside);
}
on_both_backends!(pool_and_transaction_give_the_same_answers);
