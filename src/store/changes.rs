//! Following other replicas' changes on PostgreSQL: LISTEN on `badger_board` (notified by
//! triggers when deployments, holds or current versions change) and mark the status
//! snapshot stale on each notification, and on every (re)connect, since notifications
//! sent while not listening are lost. The snapshot's age limit covers the gaps.

use super::bump_generation;
use sqlx::postgres::PgListener;
use std::time::Duration;
use tokio::sync::watch;

/// The channel the migration `board_notify` notifies.
pub const BOARD_CHANNEL: &str = "badger_board";

/// How long to wait before connecting again after the listener lost its connection.
const RETRY: Duration = Duration::from_secs(1);

/// Listens until `stop` turns true (or its sender is gone).
pub async fn follow_changes(url: String, mut stop: watch::Receiver<bool>) {
    loop {
        match listen(&url).await {
            Ok(mut listener) => {
                // Whatever changed while nobody listened.
                bump_generation();
                loop {
                    tokio::select! {
                        _ = stop.wait_for(|s| *s) => return,
                        note = listener.try_recv() => match note {
                            Ok(Some(_)) => bump_generation(),
                            // The connection dropped; the next call reconnects, and anything
                            // notified in between is lost.
                            Ok(None) => bump_generation(),
                            Err(e) => {
                                tracing::warn!(error = %e, "board listener failed; reconnecting");
                                break;
                            }
                        },
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "board listener cannot connect; retrying"),
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}

async fn listen(url: &str) -> sqlx::Result<PgListener> {
    let mut l = PgListener::connect(url).await?;
    l.listen(BOARD_CHANNEL).await?;
    Ok(l)
}
