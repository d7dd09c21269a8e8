//! Slack's deadline, one rule for everything it sends badger over HTTP (slash commands,
//! button presses, events): the work runs on a task of its own, Slack is answered within
//! the deadline whatever the database does, and work that is late carries on for a
//! bounded time afterwards, never cut short halfway.

use crate::service::Core;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinError;
use tracing::Instrument;

/// Slack waits 3 seconds for an answer; this leaves room for the trip back.
pub const REPLY_DEADLINE: Duration = Duration::from_millis(2500);

/// How long late work may still run after Slack was answered before it is given up (and
/// its transaction rolled back), so a database that never answers does not pile up work.
pub const LATE_LIMIT: Duration = Duration::from_secs(30);

/// What became of work by its deadline.
pub enum InTime<T> {
    Done(T),
    /// Its task panicked (logged and counted here).
    Failed(JoinError),
    /// Still running (logged and counted here): it finishes on its own, and what it says
    /// then is handed to the `late` of [`within_deadline`].
    Late,
}

/// Runs `work` on a task of its own, in the request's span (so what it learns is logged
/// with the request), and waits for it at most `deadline`. Late work is given
/// [`LATE_LIMIT`] more, then `late` gets its output; past that it is aborted. A zero
/// deadline makes all work late, however fast (tests use it to take the late path every
/// time; a timeout of zero may still see a fast task finished).
pub async fn within_deadline<T, W, L, LF>(
    core: &Core,
    what: &'static str,
    deadline: Duration,
    work: W,
    late: L,
) -> InTime<T>
where
    T: Send + 'static,
    W: Future<Output = T> + Send + 'static,
    L: FnOnce(T) -> LF + Send + 'static,
    LF: Future<Output = ()> + Send + 'static,
{
    let span = tracing::Span::current();
    let mut task = tokio::spawn(work.instrument(span.clone()));
    let in_time = if deadline.is_zero() {
        None
    } else {
        tokio::time::timeout(deadline, &mut task).await.ok()
    };
    match in_time {
        Some(Ok(out)) => InTime::Done(out),
        Some(Err(e)) => {
            core.metrics.internal_errors.inc();
            tracing::error!(error = %e, what, "a Slack request's task failed");
            InTime::Failed(e)
        }
        None => {
            core.metrics.internal_errors.inc();
            tracing::warn!(
                what,
                "a Slack request missed Slack's deadline; it is answered now and carries on"
            );
            let finish = async move {
                match tokio::time::timeout(LATE_LIMIT, &mut task).await {
                    Ok(Ok(out)) => late(out).await,
                    Ok(Err(e)) => tracing::error!(error = %e, what, "late work's task failed"),
                    Err(_) => {
                        task.abort();
                        tracing::error!(
                            what,
                            "late work was given up (the database did not answer)"
                        )
                    }
                }
            };
            tokio::spawn(finish.instrument(span));
            InTime::Late
        }
    }
}
