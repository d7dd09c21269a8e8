//! Storage behaviour, the same test code on SQLite and PostgreSQL.

use crate::support;

use badger::domain::deployment::Deployment;
use badger::domain::deployment::{Event, State};
use badger::domain::hold::Hold;
use badger::store::{
    env_lock, AuditLine, Body, Lane, NewDeployment, NewHold, Payload, Store, StoreError, Tx,
};
use chrono::{TimeZone, Utc};
use std::time::Duration;
use support::db::{post, Backend, TestDb};

async fn store(backend: Backend) -> (Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = Store::connect(&db.url).await.expect("connect");
    s.migrate().await.expect("migrate");
    s.ensure_locks(&[env_lock("integration"), env_lock("production")])
        .await
        .unwrap();
    (s, db)
}

fn new<'a>(app: &'a str, env: &'a str, user: &'a str, state: State) -> NewDeployment<'a> {
    NewDeployment {
        app,
        git_ref: "r1",
        environment: env,
        requester: user,
        channel: "C1",
        note: None,
        emergency_reason: None,
        source: "slack",
        state,
        ci_url: None,
    }
}

async fn migrations_are_idempotent_and_guarded(backend: Backend) {
    let (s, _db) = store(backend).await;
    s.migrate().await.expect("second migrate is a no-op");
    // A schema from a newer badger is refused, not silently used.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, $1, 0)",
    )
    .bind(vec![0u8; 48])
    .execute(s.pool())
    .await
    .expect("insert a future migration");
    match s.migrate().await {
        Err(StoreError::SchemaTooNew { db, .. }) => assert_eq!(db, 99990101000000),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}
on_both_backends!(migrations, migrations_are_idempotent_and_guarded);

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
    tx.insert_deployment(&new("b", "integration", "U2", State::Deploying), now)
        .await
        .unwrap();
    tx.insert_deployment(&new("c", "production", "U3", State::Queued), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let live = s.live_deployments(Some("production")).await.unwrap();
    assert_eq!(
        live.iter().map(|d| d.state).collect::<Vec<_>>(),
        [State::Deploying, State::Queued]
    );
}
on_both_backends!(
    one_active,
    the_database_allows_one_active_deployment_per_environment
);

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
on_both_backends!(
    audited_insert,
    a_deployment_and_its_audit_line_are_written_together
);

async fn transitions_are_conditional(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap();
    let mut tx = s.begin().await.unwrap();
    let d = tx
        .insert_deployment(&new("a", "production", "U1", State::Queued), now)
        .await
        .unwrap();
    assert!(tx
        .transition(d.id, State::Queued, Event::Call, now, None)
        .await
        .unwrap());
    // The same transition again (a racing timeout or a second replica) does nothing.
    assert!(!tx
        .transition(d.id, State::Queued, Event::Call, now, None)
        .await
        .unwrap());
    assert!(tx
        .transition(d.id, State::Called, Event::Start, now, None)
        .await
        .unwrap());
    let later = now + chrono::Duration::minutes(4);
    assert!(tx
        .transition(d.id, State::Deploying, Event::Succeed, later, Some("ok"))
        .await
        .unwrap());
    assert!(!tx
        .transition(d.id, State::Deploying, Event::Fail, later, None)
        .await
        .unwrap());
    // An impossible transition is an error, never a write.
    let e = tx
        .transition(d.id, State::Succeeded, Event::Start, later, None)
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
on_both_backends!(transitions, transitions_are_conditional);

async fn outbox_delivers_in_order_per_channel_with_leases(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc::now();
    let mut tx = s.begin().await.unwrap();
    for p in [post("C1", "one"), post("C2", "two"), post("C1", "three")] {
        tx.enqueue(&p, now).await.unwrap();
    }
    tx.commit().await.unwrap();
    let lease = Duration::from_millis(300);
    // Only the head of each channel is deliverable.
    let first = s.claim_outbox("w1", lease, 10).await.unwrap();
    let texts: Vec<_> = first
        .iter()
        .map(|r| match &r.payload {
            Payload::Post {
                body: Body::Rendered { text, .. },
                ..
            } => text.clone(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(texts, ["one", "two"]);
    // Another worker gets nothing while the claims are live.
    assert!(s.claim_outbox("w2", lease, 10).await.unwrap().is_empty());
    // w1 "dies" holding the claim on "one"; after the lease another worker takes it.
    assert!(s.outbox_delivered(first[1].id, "w1").await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = s.claim_outbox("w2", lease, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert!(s.outbox_delivered(again[0].id, "w2").await.unwrap());
    let last = s.claim_outbox("w2", lease, 10).await.unwrap();
    assert!(
        matches!(&last[0].payload, Payload::Post { body: Body::Rendered { text, .. }, .. } if text == "three")
    );
    // A retry scheduled later is not due yet.
    s.outbox_retry(last[0].id, "w2", Duration::from_secs(60), "HTTP 500")
        .await
        .unwrap();
    assert!(s.claim_outbox("w2", lease, 10).await.unwrap().is_empty());
    assert_eq!(s.outbox_pending().await.unwrap(), 1);
}
on_both_backends!(
    outbox_order,
    outbox_delivers_in_order_per_channel_with_leases
);

async fn concurrent_claims_never_overlap(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    for i in 0..60 {
        tx.enqueue(&post(&format!("C{i}"), "x"), Utc::now())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..4 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            // Until a look finds nothing: a worker whose picks were all taken by a rival stops,
            // but the rival goes on, so together they claim everything.
            loop {
                let rows = s
                    .claim_outbox(&format!("w{w}"), Duration::from_secs(60), 5)
                    .await
                    .unwrap();
                if rows.is_empty() {
                    break;
                }
                got.extend(rows.iter().map(|r| r.id));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "a row was claimed twice");
    assert_eq!(n, 60);
}
on_both_backends!(claims, concurrent_claims_never_overlap);

/// A result is saved only by the replica holding the claim; the heartbeat keeps a claim
/// alive past its first lease; releasing frees it at once; lanes keep people's rows apart.
async fn claims_are_renewed_released_and_checked_on_save(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    tx.enqueue(&post("C1", "slow"), Utc::now()).await.unwrap();
    tx.enqueue(&post("C2", "lapsed"), Utc::now()).await.unwrap();
    tx.enqueue(
        &Payload::Ephemeral {
            channel: "C1".into(),
            user: "U1".into(),
            body: Body::text("for you", vec![]),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let lease = Duration::from_millis(300);
    let people = s.claim_lane("a", lease, 10, Lane::Person).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].ordering_key, "ephemeral:U1");
    let channels = s.claim_lane("a", lease, 10, Lane::Channel).await.unwrap();
    assert_eq!(channels.len(), 2);
    let (slow, lapsed) = (channels[0].id, channels[1].id);
    let in_flight = [people[0].id, slow, lapsed];

    // Renewed twice over the lease: nobody else can take the slow row.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(s.renew_claims("a", lease, &in_flight).await.unwrap(), 3);
    }
    assert!(s.claim_outbox("b", lease, 10).await.unwrap().is_empty());

    // A claim that lapsed and was taken over: the old holder's result is not saved.
    sqlx::query("UPDATE outbox SET claim_until = 0 WHERE id = $1")
        .bind(lapsed)
        .execute(s.pool())
        .await
        .unwrap();
    let taken = s.claim_outbox("b", lease, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].id, lapsed);
    assert!(!s.outbox_delivered(lapsed, "a").await.unwrap());
    assert!(!s
        .outbox_retry(lapsed, "a", Duration::ZERO, "x")
        .await
        .unwrap());
    assert!(!s.outbox_dead(lapsed, "a", "x").await.unwrap());
    assert_eq!(
        s.renew_claims("a", lease, &in_flight).await.unwrap(),
        2,
        "not b's row"
    );
    assert!(s.outbox_delivered(lapsed, "b").await.unwrap());
    assert!(s.outbox_delivered(slow, "a").await.unwrap());

    // Shutting down: the ephemeral's claim is given back and another replica takes it.
    assert_eq!(s.release_claims("a").await.unwrap(), 1);
    let again = s
        .claim_outbox("b", Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, people[0].id);
    assert_eq!(s.outbox_pending().await.unwrap(), 1);
}
on_both_backends!(
    claim_holders,
    claims_are_renewed_released_and_checked_on_save
);

/// A claim takes only rows that are due: a 429's Retry-After holds the row back.
async fn a_claim_waits_for_retry_after(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    tx.enqueue(&post("C1", "limited"), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rows = s
        .claim_outbox("a", Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(s
        .outbox_retry(rows[0].id, "a", Duration::from_millis(400), "ratelimited")
        .await
        .unwrap());
    assert!(s
        .claim_outbox("b", Duration::from_secs(60), 10)
        .await
        .unwrap()
        .is_empty());
    let due = s.outbox_next_due(Lane::Channel).await.unwrap().unwrap();
    assert!(due > Utc::now().timestamp_millis(), "due after Retry-After");
    assert_eq!(s.outbox_next_due(Lane::Person).await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        s.claim_outbox("b", Duration::from_secs(60), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
on_both_backends!(retry_after, a_claim_waits_for_retry_after);

async fn topic_syncs_are_superseded(backend: Backend) {
    let (s, _db) = store(backend).await;
    let topic = |c: &str| Payload::Topic {
        channel: c.into(),
        notify: None,
    };
    // Every change queues its own sync (merging into a waiting one raced with the worker
    // claiming it before the change committed); each but the newest is superseded.
    let mut tx = s.begin().await.unwrap();
    for _ in 0..3 {
        tx.enqueue(&topic("C1"), Utc::now()).await.unwrap();
    }
    tx.enqueue(&topic("C2"), Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.outbox_pending().await.unwrap(), 4);
    let rows = s
        .claim_outbox("w", Duration::from_secs(60), 10)
        .await
        .unwrap();
    // One row per channel is claimed at a time: the oldest of each.
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        let superseded = s.newer_topic_pending(r.id, &r.ordering_key).await.unwrap();
        assert_eq!(superseded, r.ordering_key.contains("C1"), "{r:?}");
    }
}
on_both_backends!(topic_superseded, topic_syncs_are_superseded);

async fn home_tabs_go_in_the_person_lane_and_only_the_newest_is_published(backend: Backend) {
    let (s, _db) = store(backend).await;
    let home = |user: &str, n: i64| Payload::Home {
        user: user.into(),
        body: Body::text("", vec![serde_json::json!({"n": n})]),
    };
    let mut tx = s.begin().await.unwrap();
    tx.enqueue(&home("U1", 1), Utc::now()).await.unwrap();
    tx.enqueue(&home("U1", 2), Utc::now()).await.unwrap();
    tx.enqueue(&home("U2", 1), Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(Lane::of_key("home:U1"), Lane::Person);
    let channel_rows = s
        .claim_lane("w", Duration::from_secs(60), 10, Lane::Channel)
        .await
        .unwrap();
    assert!(channel_rows.is_empty(), "{channel_rows:?}");
    let rows = s
        .claim_lane("w", Duration::from_secs(60), 10, Lane::Person)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        let superseded = s.newer_home_pending(r.id, &r.ordering_key).await.unwrap();
        assert_eq!(superseded, r.ordering_key == "home:U1", "{r:?}");
    }
}
on_both_backends!(
    home_superseded,
    home_tabs_go_in_the_person_lane_and_only_the_newest_is_published
);

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
on_both_backends!(recent_of, a_persons_recent_deployments_newest_first);

async fn events_are_seen_once(backend: Backend) {
    let (s, _db) = store(backend).await;
    assert!(s.first_sighting("Ev1", Utc::now()).await.unwrap());
    assert!(!s.first_sighting("Ev1", Utc::now()).await.unwrap());
    assert!(s.first_sighting("Ev2", Utc::now()).await.unwrap());
}
on_both_backends!(events, events_are_seen_once);

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
on_both_backends!(rollback, rolled_back_work_leaves_nothing);

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
    let hold = |reason| NewHold {
        scope: "*",
        environment: None,
        reason,
        owner: "U1",
        channel: "C1",
        until: None,
    };
    let mut tx = s.begin().await.unwrap();
    let first = tx
        .insert_deployment(&new("a", "integration", "U1", State::Succeeded), now)
        .await
        .unwrap();
    tx.insert_deployment(&new("b", "production", "U2", State::Queued), now)
        .await
        .unwrap();
    tx.insert_hold(&hold("freeze"), now).await.unwrap();
    tx.commit().await.unwrap();
    let committed = pool_answers(&s, first.id).await;
    assert_eq!(committed.latest_finished.as_ref(), Some(&first));
    assert_eq!((committed.live.len(), committed.holds.len()), (1, 1));

    // Inside a transaction, before it commits: it sees its own writes, the pool does not.
    let later = now + chrono::Duration::minutes(5);
    let mut tx = s.begin().await.unwrap();
    let failed = tx
        .insert_deployment(&new("a", "integration", "U3", State::Failed), later)
        .await
        .unwrap();
    let queued = tx
        .insert_deployment(&new("c", "integration", "U3", State::Queued), later)
        .await
        .unwrap();
    tx.insert_hold(&hold("and another"), later).await.unwrap();
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
on_both_backends!(
    pool_and_transaction,
    pool_and_transaction_give_the_same_answers
);

/// Both backends must know the same migrations, or one of them silently lags behind.
#[test]
fn migrations_exist_for_both_backends() {
    let names = |b: &str| -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(b);
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations folder")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

async fn pruning_keeps_what_is_pending(backend: Backend) {
    let (s, _db) = store(backend).await;
    let mut tx = s.begin().await.unwrap();
    tx.enqueue(&post("C1", "delivered"), Utc::now())
        .await
        .unwrap();
    tx.enqueue(&post("C2", "pending"), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rows = s
        .claim_outbox("w", Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert!(s.outbox_delivered(rows[0].id, "w").await.unwrap());
    s.first_sighting("Ev1", Utc::now() - chrono::Duration::days(2))
        .await
        .unwrap();
    s.first_sighting("Ev2", Utc::now()).await.unwrap();
    let future = Utc::now() + chrono::Duration::seconds(1);
    let n = s
        .prune(future, Utc::now() - chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(n, 2, "the delivered row and the old event id");
    let log = s.outbox_log().await.unwrap();
    assert_eq!(log.len(), 1);
    assert!(!log[0].delivered);
    assert!(!s.first_sighting("Ev2", Utc::now()).await.unwrap());
}
on_both_backends!(prune, pruning_keeps_what_is_pending);
