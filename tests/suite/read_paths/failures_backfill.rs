//! `latest_failures`, its backfill and upkeep: with `current_versions` it gives each
//! version the failure after it exactly where the promotion rule's own query (the latest
//! finished deployment there) finds a failure, through the migration, CI reports,
//! transitions and rolled-back transactions.

use super::*;

use badger::domain::deployment::{Event, State};
use badger::store::env_lock;

/// The migration that added `latest_failures`.
const LATEST_FAILURES_MIGRATION: i64 = 20261202090000;

/// Each version as (app, env, its ref, the ref that failed after it), checked against the
/// promotion rule's read of the latest finished deployment there.
async fn versions_with_failures(s: &Store) -> Vec<(String, String, String, Option<String>)> {
    let mut out = Vec::new();
    for v in s.versions(None).await.unwrap() {
        let latest = s
            .latest_finished(&v.app, &v.environment)
            .await
            .unwrap()
            .expect("a version is a finished deployment");
        match &v.latest_failed {
            Some(f) => {
                assert_eq!(latest.state, State::Failed, "{v:?}");
                assert_eq!(
                    (&f.git_ref, Some(f.at), &f.by),
                    (&latest.git_ref, latest.finished_at, &latest.requester),
                    "{v:?}"
                );
            }
            None => {
                assert_eq!(latest.state, State::Succeeded, "{v:?}");
                assert_eq!(latest.git_ref, v.git_ref, "{v:?}");
            }
        }
        let failed = v.latest_failed.map(|f| f.git_ref);
        out.push((v.app, v.environment, v.git_ref, failed));
    }
    out
}

fn row(
    app: &str,
    env: &str,
    git_ref: &str,
    failed: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        app.into(),
        env.into(),
        git_ref.into(),
        failed.map(str::to_owned),
    )
}

async fn latest_failures_agree_with_the_promotion_rule(backend: Backend) {
    let (s, _db, _older) = store_before(backend, LATEST_FAILURES_MIGRATION).await;
    s.ensure_locks(&[env_lock("staging"), env_lock("production")])
        .await
        .unwrap();
    // Successes as the previous badger recorded them (keeping `current_versions`),
    // failures as rows it left. api staging: a2 failed after a1 succeeded (an earlier failure a0 does not count).
    // api production: a failure before the version, then a tie on finished_at that the
    // failure's larger id wins. web staging: only failures, so no version at all.
    for (app, env, git_ref, state, ms) in [
        ("api", "staging", "a0", "failed", 500),
        ("api", "staging", "a1", "succeeded", 1_000),
        ("api", "staging", "a2", "failed", 2_000),
        ("api", "production", "p0", "failed", 100),
        ("api", "production", "p1", "succeeded", 3_000),
        ("web", "production", "w1", "succeeded", 4_000),
        ("web", "production", "w2", "failed", 4_000),
        ("web", "staging", "w0", "failed", 4_000),
    ] {
        if state == "failed" {
            raw(&s, app, env, git_ref, state, Some(ms)).await;
        } else {
            let mut tx = s.begin().await.unwrap();
            report(&mut tx, &[(app, git_ref, env, State::Succeeded, ms)]).await;
            tx.commit().await.unwrap();
        }
    }
    s.migrate()
        .await
        .expect("the failures' migration backfills");
    assert_eq!(
        versions_with_failures(&s).await,
        [
            row("api", "production", "p1", None),
            row("api", "staging", "a1", Some("a2")),
            row("web", "production", "w1", Some("w2")),
        ]
    );

    // Every path to failed keeps it: a CI report, and a transition; a success after a
    // failure leaves it behind; a failure reported with a clock behind the version's
    // success is not after it, nor does one older than the failure recorded replace it.
    let mut tx = s.begin().await.unwrap();
    let reports = [
        ("api", "p2", "production", State::Failed, 5_000),
        ("api", "a3", "staging", State::Succeeded, 6_000),
        ("api", "late", "staging", State::Failed, 5_500),
        ("web", "old", "production", State::Failed, 3_500),
    ];
    report(&mut tx, &reports).await;
    let ended = [
        ("web", "w3", "staging", 6_000, Event::Succeed, 6_100),
        ("web", "w4", "staging", 7_000, Event::Fail, 7_100),
    ];
    report_and_end(&mut tx, &ended).await;
    tx.commit().await.unwrap();
    let after = [
        row("api", "production", "p1", Some("p2")),
        row("api", "staging", "a3", None),
        row("web", "production", "w1", Some("w2")),
        row("web", "staging", "w3", Some("w4")),
    ];
    assert_eq!(versions_with_failures(&s).await, after);
    let api = s.versions(Some("api")).await.unwrap();
    assert_eq!(api[0].latest_failed.as_ref().unwrap().git_ref, "p2");

    // A transaction that rolls back leaves them as they were.
    report_rolled_back(&s, ("api", "never", "staging", State::Failed, 99_000)).await;
    assert_eq!(versions_with_failures(&s).await, after);

    // The load generator's rebuild from the history gives the same.
    s.rebuild_current_versions().await.unwrap();
    assert_eq!(versions_with_failures(&s).await, after);
}
on_both_backends!(latest_failures_agree_with_the_promotion_rule);
