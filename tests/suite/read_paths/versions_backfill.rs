//! The `current_versions` backfill and upkeep: they give what the old per-row versions
//! query gave, through CI reports, transitions and rolled-back transactions.

use super::*;

use badger::domain::deployment::{Event, State};
use badger::store::{env_lock, Version};

/// The versions query badger ran before `current_versions` (a correlated subquery per
/// row): the reference the new read must agree with.
async fn versions_the_old_way(s: &Store) -> Vec<(String, String, String, i64, String)> {
    sqlx::query_as(
        "SELECT d.app, d.environment, d.git_ref, d.finished_at, d.requester FROM deployments d \
         WHERE d.state = 'succeeded' AND d.id = ( \
           SELECT d2.id FROM deployments d2 WHERE d2.app = d.app AND d2.environment = d.environment \
           AND d2.state = 'succeeded' ORDER BY d2.finished_at DESC, d2.id DESC LIMIT 1) \
         ORDER BY d.app, d.environment",
    )
    .fetch_all(s.pool())
    .await
    .expect("old versions query")
}

fn flat(v: &[Version]) -> Vec<(String, String, String, i64, String)> {
    v.iter()
        .map(|v| {
            (
                v.app.clone(),
                v.environment.clone(),
                v.git_ref.clone(),
                v.deployed_at.timestamp_millis(),
                v.deployed_by.clone(),
            )
        })
        .collect()
}

async fn current_versions_agree_with_the_history(backend: Backend) {
    let (s, _db, _older) = store_before_read_paths(backend).await;
    // Ties on finished_at go to the larger id; a later id with an earlier time loses;
    // failed, cancelled and queued rows are never versions.
    raw(&s, "api", "staging", "a1", "succeeded", Some(1_000)).await;
    raw(&s, "api", "staging", "a2", "succeeded", Some(3_000)).await;
    raw(&s, "api", "staging", "a3", "succeeded", Some(2_000)).await;
    raw(&s, "api", "staging", "a4", "failed", Some(9_000)).await;
    raw(&s, "api", "production", "p1", "succeeded", Some(5_000)).await;
    raw(&s, "api", "production", "p2", "succeeded", Some(5_000)).await;
    raw(&s, "web", "staging", "w1", "cancelled", None).await;
    raw(&s, "web", "staging", "w2", "queued", None).await;
    raw(&s, "web", "production", "w3", "succeeded", Some(7_000)).await;
    let before = versions_the_old_way(&s).await;
    assert_eq!(before.len(), 3, "{before:?}");

    s.migrate().await.expect("read-path migration backfills");
    assert_eq!(flat(&s.versions(None).await.unwrap()), before);
    let api: Vec<_> = before.iter().filter(|v| v.0 == "api").cloned().collect();
    assert_eq!(flat(&s.versions(Some("api")).await.unwrap()), api);
    assert!(s.versions(Some("nothing")).await.unwrap().is_empty());

    // Every path to succeeded keeps it: a CI report, and a transition.
    s.ensure_locks(&[env_lock("staging"), env_lock("production")])
        .await
        .unwrap();
    let mut tx = s.begin().await.unwrap();
    // Reported with a clock behind the recorded success: not the latest, so not current.
    report(
        &mut tx,
        &[("api", "old", "staging", State::Succeeded, 2_500)],
    )
    .await;
    let reports = [
        ("web", "w4", "staging", State::Succeeded, 8_000),
        ("web", "w5", "production", State::Failed, 9_000),
    ];
    report(&mut tx, &reports).await;
    let ended = ("api", "p3", "production", 6_000, Event::Succeed, 6_500);
    report_and_end(&mut tx, &[ended]).await;
    tx.commit().await.unwrap();
    let after = versions_the_old_way(&s).await;
    assert_eq!(flat(&s.versions(None).await.unwrap()), after);
    let refs: Vec<&str> = after.iter().map(|v| v.2.as_str()).collect();
    assert_eq!(refs, ["p3", "a2", "w3", "w4"]);

    // A transaction that rolls back leaves the versions as they were.
    report_rolled_back(&s, ("web", "never", "staging", State::Succeeded, 99_000)).await;
    assert_eq!(flat(&s.versions(None).await.unwrap()), after);
}
on_both_backends!(current_versions_agree_with_the_history);
