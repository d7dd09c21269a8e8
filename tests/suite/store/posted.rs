//! Pruning where posted messages are (`slack_messages`): the ts of a message whose record
//! ended long ago goes; a recent one's, and one whose record is still open, stays.

use super::*;

use badger::domain::deployment::Event;
use badger::store::PRUNE_BATCH;
use chrono::Duration;

/// Remembers each of `keys` as posted in `C1`.
async fn posted(s: &Store, keys: &[String]) {
    for key in keys {
        s.remember_message(key, "C1", "1.0001").await.unwrap();
    }
}

/// `n` finished deployments (succeeded at `at`), each with its start alert remembered:
/// one statement, so a batch's worth is quick to make.
async fn many_finished(s: &Store, n: i64, at: chrono::DateTime<Utc>) {
    let mut tx = s.begin().await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..n {
        let d = tx
            .insert_deployment(&new("app", "integration", "U1", State::Succeeded), at)
            .await
            .unwrap();
        ids.push(d.id);
    }
    tx.commit().await.unwrap();
    let values: Vec<String> = ids
        .iter()
        .map(|id| format!("('start:{id}', 'C1', '1.0001')"))
        .collect();
    let sql = format!(
        "INSERT INTO slack_messages (msg_key, channel, ts) VALUES {}",
        values.join(", ")
    );
    sqlx::query(&sql).execute(s.pool()).await.unwrap();
}

/// A hold placed at `placed`, and released at `released` if that is given.
async fn hold(
    tx: &mut badger::store::Tx,
    reason: &str,
    placed: chrono::DateTime<Utc>,
    released: Option<chrono::DateTime<Utc>>,
) -> i64 {
    let id = tx
        .insert_hold(&support::db::new_hold(reason), placed)
        .await
        .unwrap();
    if let Some(at) = released {
        assert!(tx.release_hold(id, "U1", at).await.unwrap(), "{reason}");
    }
    id
}

async fn known(s: &Store, key: &str) -> bool {
    s.message_ts(key).await.unwrap().is_some()
}

async fn ended_records_lose_their_posted_messages(backend: Backend) {
    let (s, _db) = store(backend).await;
    let now = Utc::now();
    let long_ago = now - Duration::days(40);
    let lately = now - Duration::days(5);
    let cutoff = now - Duration::days(badger::store::POSTED_KEPT_DAYS);

    let mut tx = s.begin().await.unwrap();
    let mut ids = Vec::new();
    for (app, env, user, state, at) in [
        ("a", "integration", "U1", State::Succeeded, long_ago),
        ("b", "integration", "U1", State::Succeeded, lately),
        // Started long ago and still deploying: its alert is edited when it ends.
        ("c", "production", "U1", State::Deploying, long_ago),
        ("d", "integration", "U2", State::Queued, long_ago),
    ] {
        ids.push(insert(&mut tx, new(app, env, user, state), at).await.id);
    }
    let [done_long_ago, done_lately, deploying, cancelled] = ids[..] else {
        unreachable!("four deployments inserted")
    };
    assert!(tx
        .transition(
            cancelled,
            State::Queued,
            Event::Cancel,
            long_ago,
            None,
            None
        )
        .await
        .unwrap());
    for (id, reminded) in [(done_long_ago, long_ago), (done_lately, lately)] {
        tx.insert_stay_check(id, "C1", "U1", reminded)
            .await
            .unwrap();
        assert!(tx.mark_stay_reminded(id, reminded).await.unwrap());
    }
    let released_long_ago = hold(&mut tx, "old", long_ago, Some(long_ago)).await;
    let released_lately = hold(&mut tx, "recent", long_ago, Some(lately)).await;
    // Placed long ago and still standing: its announcement is edited when it is released.
    let standing = hold(&mut tx, "standing", long_ago, None).await;
    tx.commit().await.unwrap();

    let gone = [
        format!("turn:{done_long_ago}"),
        format!("start:{done_long_ago}"),
        format!("end:{done_long_ago}"),
        format!("stay:{done_long_ago}"),
        format!("turn:{cancelled}"),
        format!("hold:{released_long_ago}"),
    ];
    let kept = [
        format!("start:{done_lately}"),
        format!("end:{done_lately}"),
        format!("stay:{done_lately}"),
        format!("turn:{deploying}"),
        format!("start:{deploying}"),
        format!("hold:{released_lately}"),
        format!("hold:{standing}"),
        // Keys of no known shape (an id as badger never writes one), or of no record,
        // are left alone.
        "smoke:1".to_owned(),
        format!("start:0{done_long_ago}"),
        "start:999999".to_owned(),
    ];
    posted(&s, &gone).await;
    posted(&s, &kept).await;
    // More than one batch of ended records.
    let many = PRUNE_BATCH + 20;
    many_finished(&s, many, long_ago).await;

    let n = s.prune_posted(cutoff).await.unwrap();
    assert_eq!(n, gone.len() as u64 + many as u64);
    for key in &gone {
        assert!(!known(&s, key).await, "{key} should have gone");
    }
    for key in &kept {
        assert!(known(&s, key).await, "{key} should have stayed");
    }
    // Pruned already: nothing more goes.
    assert_eq!(s.prune_posted(cutoff).await.unwrap(), 0);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM slack_messages")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(left, kept.len() as i64);
}
on_both_backends!(ended_records_lose_their_posted_messages);
