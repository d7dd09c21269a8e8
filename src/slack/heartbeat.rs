//! The outbox worker's heartbeat: it renews the claims of the calls in flight, and only
//! those, so another replica never takes over a call still running, and a claim whose
//! result was lost (say with a failed commit) lapses and the row is delivered again.

use crate::store::{Lane, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::Id;

/// The deliveries in flight, kept by the worker: each task's lane and outbox row.
pub(super) type Rows = Arc<std::sync::Mutex<HashMap<Id, (Lane, i64)>>>;

/// Renews this worker's claims on the rows in flight every third of the lease, so a call in
/// flight (at most the Slack timeout, which is shorter than the lease) is never taken over
/// by another replica.
pub(super) async fn heartbeat(
    store: Store,
    worker: String,
    lease: Duration,
    rows: Rows,
    mut stop: watch::Receiver<bool>,
) {
    let every = lease / 3;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
        let in_flight: Vec<i64> = {
            let rows = rows.lock().unwrap_or_else(|e| e.into_inner());
            rows.values().map(|(_, row)| *row).collect()
        };
        if let Err(e) = store.renew_claims(&worker, lease, &in_flight).await {
            tracing::warn!(error = %e, "outbox: cannot renew claims; retrying at the next beat");
        }
    }
}
