//! The GitHub worker: claims due jobs (leased, so two replicas never run one twice) and
//! runs them off every request path: dispatch a deployment's workflow, find its run,
//! compare refs. What a job decides is written back through the service layer.

mod compare;
mod dispatch;

use super::client::GithubClient;
use crate::service::Core;
use crate::store::{GithubJob, GithubJobRow};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Transient failures tried this many times before giving up.
const MAX_ATTEMPTS: i64 = 5;
/// On shutdown, how long jobs in flight may still take.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// How long GitHub is given to show a dispatched run (looked for every 3 s).
const FIND_RUN_ATTEMPTS: i64 = 40;

fn backoff(attempts: i64) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempts.clamp(0, 6)))
}

pub struct GithubWorker {
    pub core: Core,
    pub client: Arc<GithubClient>,
    pub worker_id: String,
    /// Longer than any one job (a compare makes up to ~25 calls, each bounded).
    pub lease: Duration,
    pub poll: Duration,
    /// Dispatch jobs GitHub accepted whose record failed (a database error), by job id:
    /// their retry only records them (`dispatch.rs`).
    pub sent: Mutex<HashMap<i64, Sent>>,
}

/// A dispatch GitHub accepted (or may have: it did not answer), not yet recorded.
#[derive(Debug, Clone)]
pub struct Sent {
    pub repo: String,
    pub workflow: String,
    /// When, by badger's clock and by the wall clock (GitHub stamps runs with real time).
    pub at: DateTime<Utc>,
    pub wall: DateTime<Utc>,
}

/// What became of a job.
enum Next {
    Done(Option<String>),
    Retry(Duration, String),
    /// Run again after the pause, for the reason given, without counting an attempt:
    /// nothing failed, the job waits (for GitHub to list a run).
    Wait(Duration, String),
    /// Finished already, in the transaction that recorded what it did (so it cannot be
    /// done again for want of its end being recorded).
    Finished,
}

/// What a job's handler returns: what became of the job, or a failure to retry later.
type Outcome = Result<Next, crate::service::ServiceError>;

impl Next {
    /// Done without doing it, for the reason given (shown on the deployment's job).
    fn given_up(why: impl Into<String>) -> Next {
        Next::Done(Some(why.into()))
    }
}

impl GithubWorker {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut last_prune: Option<tokio::time::Instant> = None;
        while !*stop.borrow() {
            if last_prune.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
                last_prune = Some(tokio::time::Instant::now());
                let week_ago = chrono::Utc::now() - chrono::Duration::days(7);
                if let Err(e) = me.core.store.prune_github_jobs(week_ago).await {
                    tracing::warn!(error = %e, "github: pruning finished jobs failed");
                }
            }
            let rows = match me.core.store.claim_github(&me.worker_id, me.lease, 4).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "github: cannot claim work");
                    vec![]
                }
            };
            if rows.is_empty() {
                tokio::select! {
                    _ = tokio::time::sleep(me.poll) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let mut set = tokio::task::JoinSet::new();
            for row in rows {
                let me = me.clone();
                set.spawn(async move { me.handle(row).await });
            }
            loop {
                tokio::select! {
                    done = set.join_next() => if done.is_none() { break },
                    _ = stop.changed() => {
                        // Shutting down: jobs in flight get a short grace, then their
                        // claims are given up so another replica or the next start runs them.
                        let grace = tokio::time::sleep(SHUTDOWN_GRACE);
                        tokio::pin!(grace);
                        loop {
                            tokio::select! {
                                done = set.join_next() => if done.is_none() { break },
                                _ = &mut grace => {
                                    set.abort_all();
                                    while set.join_next().await.is_some() {}
                                    break;
                                }
                            }
                        }
                        if let Err(e) = me.core.store.release_github_claims(&me.worker_id).await {
                            tracing::warn!(error = %e, "github: cannot release claims; they lapse after the lease");
                        }
                        return;
                    }
                }
            }
        }
    }

    async fn handle(&self, row: GithubJobRow) {
        let next = match &row.job {
            GithubJob::Dispatch { deployment_id } => self.dispatch(*deployment_id, &row).await,
            GithubJob::FindRun { deployment_id } => self.find_run(*deployment_id, &row).await,
            GithubJob::Compare { .. } => self.compare(&row).await,
        };
        let stored = match next {
            Ok(Next::Finished) => return,
            Ok(Next::Done(err)) => {
                self.core
                    .store
                    .github_done(row.id, &self.worker_id, err.as_deref())
                    .await
            }
            Ok(Next::Retry(after, why)) => {
                self.core
                    .store
                    .github_retry(row.id, &self.worker_id, after, &why)
                    .await
            }
            Ok(Next::Wait(after, why)) => {
                self.core
                    .store
                    .github_wait(row.id, &self.worker_id, after, &why)
                    .await
            }
            Err(e) => {
                tracing::error!(github_job = row.id, error = %e, "github: a job failed on the database; retrying");
                self.core
                    .store
                    .github_retry(
                        row.id,
                        &self.worker_id,
                        backoff(row.attempts),
                        &e.to_string(),
                    )
                    .await
            }
        };
        if let Err(e) = stored {
            tracing::error!(github_job = row.id, error = %e, "github: cannot record a job's result");
        }
    }
}

/// Starts the worker when the policy names repositories (nothing to do otherwise).
pub fn spawn(
    core: &Core,
    settings: &crate::config::Settings,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    if core.policy.github.repos.is_empty() {
        return Ok(None);
    }
    if settings.github.token.is_none() && core.policy.github.repos.values().any(|r| r.trigger) {
        tracing::warn!("apps are set to trigger GitHub workflows but GITHUB_TOKEN is not set: their starts will fail saying so");
    }
    let client = Arc::new(GithubClient::new(&settings.github)?);
    let worker = GithubWorker {
        core: core.clone(),
        client,
        worker_id: format!(
            "{}-github-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        ),
        // Longer than a compare's calls can take together (about 25, each bounded).
        lease: settings.github.timeout * 30,
        poll: Duration::from_millis(200),
        sent: Mutex::default(),
    };
    Ok(Some(tokio::spawn(worker.run(stop))))
}
