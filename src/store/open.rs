//! Why the database could not be opened at start-up, worded for the operator: which
//! database (its URL from `DATABASE_URL`, password hidden) and the underlying reason, once.

use super::{StoreError, ACQUIRE_TIMEOUT};
use sqlx::any::AnyConnectOptions;
use sqlx::ConnectOptions;

/// What became of a database that would not open.
pub(super) enum Failed {
    /// It answers a direct connection now: open the pool again.
    AnswersNow,
    Error(StoreError),
}

/// Why a database would not open: `e` is the pool's. A pool that timed out (its connects
/// were retried for [`ACQUIRE_TIMEOUT`], as a database still starting is refused) hides
/// why; one more direct connection finds out, or finds the database up after all.
pub(super) async fn failed(url: &str, options: &AnyConnectOptions, e: sqlx::Error) -> Failed {
    let reason = match e {
        sqlx::Error::PoolTimedOut => {
            let waited = ACQUIRE_TIMEOUT.as_secs();
            match tokio::time::timeout(ACQUIRE_TIMEOUT, options.connect()).await {
                Ok(Err(e)) => format!("{}; retried for {waited} s", reason(&e)),
                Ok(Ok(conn)) => {
                    drop(conn);
                    return Failed::AnswersNow;
                }
                Err(_) => format!("no answer within {waited} s"),
            }
        }
        e => reason(&e),
    };
    Failed::Error(StoreError::Open {
        url: crate::config::redact_url(url),
        reason,
    })
}

/// sqlx's error without its generic prefix ("error communicating with database: ").
pub(super) fn reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.to_string(),
        e => e.to_string(),
    }
}
