//! The hourly pruning, a task of its own beside the scheduler: old outbox rows and event
//! ids, and the ts of posted messages no edit can need. The posted messages go step by
//! step, so the scheduler's passes never wait for it and a shutdown waits one step at most.

use crate::service::Core;
use std::time::Duration;
use tokio::sync::watch;

/// How often the pruning runs (first right after start).
const EVERY: Duration = Duration::from_secs(3600);

pub(super) async fn run_pruner(core: Core, mut shutdown: watch::Receiver<bool>) {
    loop {
        // A pass runs as a task of its own: were it to panic, that pass is lost and
        // logged, not the pruning.
        if let Err(e) = tokio::spawn(prune_pass(core.clone(), shutdown.clone())).await {
            tracing::error!(error = %e, "pruning panicked; the next pass runs as usual");
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
    }
}

async fn prune_pass(core: Core, shutdown: watch::Receiver<bool>) {
    let stopping = || *shutdown.borrow();
    if stopping() {
        return;
    }
    let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
    let day_ago = core.now() - chrono::Duration::days(1);
    match core.store.prune(week_ago, day_ago).await {
        Ok(n) if n > 0 => tracing::info!(rows = n, "pruned old outbox rows and event ids"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "pruning failed"),
    }
    let ended = core.now() - chrono::Duration::days(crate::store::POSTED_KEPT_DAYS);
    let mut gone = 0;
    let mut after = String::new();
    while !stopping() {
        match core.store.prune_posted_step(ended, &after).await {
            Ok(step) => {
                gone += step.gone;
                match step.next {
                    Some(next) => after = next,
                    None => break,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "pruning posted messages failed");
                break;
            }
        }
    }
    if gone > 0 {
        tracing::info!(rows = gone, "pruned the ts of messages no edit can need");
    }
}
