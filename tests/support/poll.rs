//! Bounded waits for tests that let badger's background workers run by themselves (not
//! stepped): one place that polls, and fails saying what it waited for. The bound only
//! guards against a hang; nothing asserts on how long a wait took.

use badger::store::Store;
use std::time::Duration;
use tokio::time::Instant;

/// How long a wait may take before the test fails as hung.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// Polls every few milliseconds until `pred` holds; fails naming `what` after
/// [`HANG_GUARD`].
pub async fn until(what: &str, pred: impl Fn() -> bool) {
    let deadline = Instant::now() + HANG_GUARD;
    while !pred() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls every few milliseconds until `find` finds something, which it returns; after
/// `limit`, fails with what `missing` says (what there was instead, say).
pub async fn find_within<T>(
    limit: Duration,
    find: impl Fn() -> Option<T>,
    missing: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = find() {
            return found;
        }
        assert!(Instant::now() < deadline, "{}", missing());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until every outbox row is delivered (or given up on), for at most `limit`.
pub async fn outbox_drained_within(store: &Store, limit: Duration) {
    let deadline = Instant::now() + limit;
    while store.outbox_pending().await.expect("outbox count") > 0 {
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts the outbox comes to hold exactly `n` rows not yet delivered, waiting (up to the
/// hang guard) for the outbox worker's marks: they are saved with the batch they joined,
/// which commits within its age limit, and a read on another connection sees them then.
pub async fn outbox_pending_becomes(store: &Store, n: i64) {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let pending = store.outbox_pending().await.expect("outbox count");
        if pending == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox holds {pending} rows not yet delivered, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// [`outbox_drained_within`] the hang guard.
pub async fn outbox_drained(store: &Store) {
    outbox_drained_within(store, HANG_GUARD).await
}
