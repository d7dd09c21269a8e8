//! `queue_counts`, which a new entry's position is read from, always agrees with the
//! queue itself, whatever moved the entries: inserts, calls, requeues, cancels, expiry,
//! emergencies jumping the queue, and a transaction rolled back. Both backends.

use crate::support;

use badger::domain::deployment::{Event, State};
use badger::domain::queue::InLine;
use badger::store::{AuditLine, Store, Tx};
use chrono::{DateTime, Utc};
use support::db::{new_deployment, Backend};

/// The kept counts, checked against the queue, as `environment/priority: n` in order.
async fn counts(s: &Store) -> String {
    let kept: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT environment, priority, n FROM queue_counts WHERE n <> 0 ORDER BY environment, priority",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    let real: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT environment, priority, COUNT(*) FROM deployments WHERE state = 'queued' \
         GROUP BY environment, priority ORDER BY environment, priority",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    assert_eq!(kept, real, "queue_counts drifted from the queue");
    let shown: Vec<String> = kept
        .iter()
        .map(|(env, priority, n)| format!("{env}/{priority}: {n}"))
        .collect();
    shown.join(", ")
}

/// Moves deployment `id` by `event` from state `from` at `now`, which must take.
async fn step(tx: &mut Tx, id: i64, (from, event): (State, Event), now: DateTime<Utc>) {
    let moved = tx.transition(id, from, event, now, None, None);
    assert!(moved.await.unwrap(), "#{id}: {event:?} from {from:?}");
}

async fn counts_follow_every_move(backend: Backend) {
    let (s, _db) = support::db::migrated_store(backend, &["integration", "staging"]).await;
    let now = Utc::now();
    let mut ids = Vec::new();
    let mut tx = s.begin().await.unwrap();
    for i in 0..6 {
        let env = if i % 2 == 0 { "integration" } else { "staging" };
        let (app, user) = (format!("a{i}"), format!("U{i}"));
        let d = tx
            .insert_deployment(&new_deployment(&app, "r", env, &user, State::Queued), now)
            .await
            .unwrap();
        ids.push(d.id);
    }
    tx.commit().await.unwrap();
    assert_eq!(counts(&s).await, "integration/0: 3, staging/0: 3");

    let mut tx = s.begin().await.unwrap();
    step(&mut tx, ids[0], (State::Queued, Event::Call), now).await;
    step(&mut tx, ids[1], (State::Queued, Event::Cancel), now).await;
    // An emergency jumps the queue: it moves to the higher priority.
    tx.set_queue_position(ids[2], 1, 1).await.unwrap();
    tx.commit().await.unwrap();
    let expected = "integration/0: 1, integration/1: 1, staging/0: 2";
    assert_eq!(counts(&s).await, expected);

    // Put back in the queue, then expired; a rolled-back move changes nothing.
    let mut tx = s.begin().await.unwrap();
    step(&mut tx, ids[0], (State::Called, Event::Requeue), now).await;
    step(&mut tx, ids[3], (State::Queued, Event::Expire), now).await;
    tx.commit().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    step(&mut tx, ids[5], (State::Queued, Event::Start), now).await;
    drop(tx);
    let expected = "integration/0: 2, integration/1: 1, staging/0: 1";
    assert_eq!(counts(&s).await, expected);

    // A newcomer's position is read from the counts: everyone of its priority or higher.
    let mut tx = s.begin().await.unwrap();
    let newcomer = new_deployment("new", "r", "integration", "U9", State::Queued);
    let d = tx.insert_deployment(&newcomer, now).await.unwrap();
    let (count, first) = tx.ahead_of_newest(&d, 10).await.unwrap();
    assert_eq!(count, 3);
    assert_eq!(first.len(), 3);
    assert_eq!(first[0].id, ids[2], "the emergency is first in line");
    // A walk cut short by its limit: the count comes from the counts, not the walk.
    let (count, first) = tx.ahead_of_newest(&d, 2).await.unwrap();
    assert_eq!((count, first.len()), (3, 2));
    let (count, first) = tx.ahead_of_newest(&d, 3).await.unwrap();
    assert_eq!((count, first.len()), (3, 3));

    // Queued with its place in the same call (one round trip): the same place
    // as asked for afterwards, cut short by `shown` or not, emergency or not, and with its
    // audit line.
    let line = AuditLine {
        actor: "U10",
        action: "deploy.request",
        detail: "queued",
    };
    let mut queued = Vec::new();
    for (app, emergency, shown, expected) in [
        // Text that JSON must escape, read back through the place's JSON by the next two.
        ("short \"quoted\" \\ ünï", None, 2, (4, 2)),
        ("long", None, 10, (5, 5)),
        ("urgent", Some("fire"), 10, (1, 1)),
    ] {
        let mut n = new_deployment(app, "r", "integration", "U10", State::Queued);
        n.emergency_reason = emergency;
        let (q, (count, first)) = tx.queue_audited(&n, now, &line, shown).await.unwrap();
        assert_eq!((q.app.as_str(), q.state), (app, State::Queued));
        assert_eq!((count, first.len()), expected, "{app}");
        let (asked, asked_first) = tx.ahead_of_newest(&q, shown).await.unwrap();
        assert_eq!(count, asked, "{app}");
        assert_eq!(first, asked_first, "{app}");
        // Each is what the reply names: who, what and where they stand, as stored.
        for ahead in &first {
            let stored = tx.deployment(ahead.id).await.unwrap().unwrap();
            assert_eq!(*ahead, InLine::from(&stored), "{app}");
        }
        queued.push(q.id);
    }
    tx.commit().await.unwrap();
    for id in queued {
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE subject = $1")
            .bind(format!("deployment #{id}"))
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(audited, 1, "deployment #{id} has its audit line");
    }
    counts(&s).await;
}
on_both_backends!(counts_follow_every_move);
