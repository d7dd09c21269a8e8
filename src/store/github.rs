//! GitHub's durable work: jobs (dispatch a workflow, find its run, compare refs) written in
//! the same transaction as the start they belong to and claimed with a lease; and the
//! runs badger dispatched.
//!
//! Retry times and leases use the wall clock (`store::lease`); deadlines people see
//! (when a run is overdue, when to remind) use the injected domain clock.

use super::batch::Wait;
use super::lease::{lease_millis, Attempt, Claim, Finish, Leased, FIXED_LEASE};
use super::stamp::Once;
use super::{millis, Result, Store, Tx};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where the answer to a compare goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum CompareReply {
    /// Only `user` sees it (`/deploy diff`).
    Ephemeral { channel: String, user: String },
    /// In the thread of the message posted under `parent_key` (the start alert).
    Thread { channel: String, parent_key: String },
}

/// One piece of GitHub work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GithubJob {
    /// Run the app's deploy workflow for a deployment that has started.
    Dispatch { deployment_id: i64 },
    /// Find the run a dispatch created, to link it from the start alert.
    FindRun { deployment_id: i64 },
    /// What `to` adds over `from` (the ref deployed there now; none: nothing deployed yet).
    Compare {
        app: String,
        environment: String,
        from: Option<String>,
        to: String,
        reply: CompareReply,
    },
}

impl GithubJob {
    pub fn kind(&self) -> &'static str {
        match self {
            GithubJob::Dispatch { .. } => "dispatch",
            GithubJob::FindRun { .. } => "find_run",
            GithubJob::Compare { .. } => "compare",
        }
    }
    fn deployment_id(&self) -> Option<i64> {
        match self {
            GithubJob::Dispatch { deployment_id } | GithubJob::FindRun { deployment_id } => {
                Some(*deployment_id)
            }
            GithubJob::Compare { .. } => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GithubJobRow {
    pub id: i64,
    pub job: GithubJob,
    pub attempts: i64,
    /// A dispatch job only: when an earlier attempt was about to ask GitHub (wall clock)
    /// and its outcome was never recorded, so GitHub may have started the run.
    pub dispatching_at: Option<DateTime<Utc>>,
}

/// A job as tests and operators see it.
#[derive(Debug, Clone)]
pub struct GithubJobEntry {
    pub job: GithubJob,
    pub attempts: i64,
    pub done: bool,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRun {
    pub deployment_id: i64,
    pub dispatched_at: DateTime<Utc>,
    /// When it was dispatched by the wall clock (GitHub stamps runs with real time).
    pub dispatched_wall: DateTime<Utc>,
    pub repo: String,
    pub workflow: String,
    pub run_url: Option<String>,
}

impl Tx {
    /// The run GitHub started for `deployment_id`'s dispatch (a run matches one
    /// deployment only: the unique index refuses a second).
    pub async fn set_github_run(
        &mut self,
        deployment_id: i64,
        run_id: i64,
        url: &str,
    ) -> Result<()> {
        let update = sqlx::query(
            "UPDATE github_runs SET run_id = $1, run_url = $2 WHERE deployment_id = $3",
        );
        self.exec(update.bind(run_id).bind(url).bind(deployment_id))
            .await
    }

    /// The ref `app` runs in `env` now (its latest success), if any.
    pub async fn current_ref(&mut self, app: &str, env: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT git_ref FROM current_versions WHERE app = $1 AND environment = $2",
        )
        .bind(app)
        .bind(env)
        .fetch_optional(&mut *self.inner)
        .await?)
    }

    pub async fn enqueue_github(&mut self, job: &GithubJob, now: DateTime<Utc>) -> Result<()> {
        let key = ("deployment_id", job.deployment_id());
        self.enqueue_leased(&GITHUB_JOBS, key, job.kind(), job, now)
            .await
    }

    /// Finishes job `id` in this transaction, with what it did, if `worker` still holds it:
    /// a job whose effect is committed is committed done, so it never runs again.
    pub async fn finish_github(&mut self, id: i64, worker: &str) -> Result<bool> {
        let how = Finish {
            stamp: "done_at",
            note: Some(("last_error", None)),
        };
        GITHUB_JOBS
            .finish_on(&mut *self.inner, id, worker, how)
            .await
    }

    /// Records a workflow GitHub was asked to run for `deployment_id` (`wall`: when, by
    /// the wall clock); false if one was recorded already.
    pub async fn record_github_run(
        &mut self,
        deployment_id: i64,
        repo: &str,
        workflow: &str,
        at: DateTime<Utc>,
        wall: DateTime<Utc>,
    ) -> Result<bool> {
        let sql = "INSERT INTO github_runs \
                   (deployment_id, repo, workflow, dispatched_at, dispatched_wall) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (deployment_id) DO NOTHING";
        let q = sqlx::query(sql)
            .bind(deployment_id)
            .bind(repo)
            .bind(workflow)
            .bind(millis(at))
            .bind(millis(wall));
        Ok(q.execute(&mut *self.inner).await?.rows_affected() == 1)
    }

    /// Records that the deployer was told the run has not reported; false if already told.
    pub async fn flag_run(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        self.stamp_once(
            Once::new("github_runs", "deployment_id", id, "flagged_at"),
            now,
        )
        .await
    }
}

/// GitHub jobs as leased work: a job is finished once done (with or without an error).
const GITHUB_JOBS: Leased = Leased {
    table: "github_jobs",
    id: "id",
    open: "done_at IS NULL",
    retries: true,
    order: "id",
    claim_waits: Wait::Commit,
    finish_waits: Wait::Commit,
};

impl Store {
    /// Claims up to `limit` due jobs, oldest first (checked and claimed in one statement,
    /// as the outbox does: [`Store::claim_leased`]).
    pub async fn claim_github(
        &self,
        worker: &str,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<GithubJobRow>> {
        let claim = Claim {
            lease: FIXED_LEASE,
            lease_binds: &[lease_millis(lease)],
            also_set: "",
            first: "",
            only: "",
            open_by_key: None,
            returning: "id, payload, attempts, dispatching_at",
        };
        let rows: Vec<(i64, String, i64, Option<i64>)> = self
            .claim_leased(&GITHUB_JOBS, worker, limit, claim)
            .await?;
        let rows = rows
            .into_iter()
            .map(|(id, payload, attempts, asked)| (id, payload, (attempts, asked)))
            .collect();
        let job_row = |id, job, (attempts, asked): (i64, Option<i64>)| GithubJobRow {
            id,
            job,
            attempts,
            // A time out of range still says GitHub may have been asked: long ago.
            dispatching_at: asked.map(|ms| DateTime::from_timestamp_millis(ms).unwrap_or_default()),
        };
        self.decode_claimed(&GITHUB_JOBS, worker, rows, "done_at", job_row)
            .await
    }

    /// Notes that `worker`'s attempt of dispatch job `id` is about to ask GitHub (`wall`:
    /// now, by the wall clock), committed before it does, so that whichever replica runs
    /// the job next knows GitHub may have started the run. False if `worker` no longer
    /// holds the job (then it must not ask).
    pub async fn github_dispatching(
        &self,
        id: i64,
        worker: &str,
        wall: DateTime<Utc>,
    ) -> Result<bool> {
        self.set_dispatching(id, worker, Some(millis(wall))).await
    }

    /// Clears [`Store::github_dispatching`]: GitHub certainly started nothing (it was not
    /// reached, or refused with a 4xx), so the next attempt may dispatch without looking
    /// for a run first. Never after a 5xx: GitHub may have started the run all the same.
    pub async fn github_not_dispatched(&self, id: i64, worker: &str) -> Result<bool> {
        self.set_dispatching(id, worker, None).await
    }

    async fn set_dispatching(&self, id: i64, worker: &str, at: Option<i64>) -> Result<bool> {
        let q = sqlx::query(
            "UPDATE github_jobs SET dispatching_at = $1 WHERE id = $2 AND claimed_by = $3 \
             AND claim_until IS NOT NULL AND done_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .bind(worker);
        Ok(self.write_outside(q).await? == 1)
    }

    /// Finishes a job (with the error that ended it, if any), if `worker` holds it.
    pub async fn github_done(&self, id: i64, worker: &str, error: Option<&str>) -> Result<bool> {
        let how = Finish {
            stamp: "done_at",
            note: Some(("last_error", error)),
        };
        self.finish_leased(&GITHUB_JOBS, id, worker, how).await
    }

    /// Deletes jobs finished before `before` (their effects are in the history).
    pub async fn prune_github_jobs(&self, before: DateTime<Utc>) -> Result<u64> {
        let q = sqlx::query("DELETE FROM github_jobs WHERE done_at IS NOT NULL AND done_at < $1")
            .bind(millis(before));
        self.write_outside(q).await
    }

    /// Gives up `worker`'s unfinished claims at once (shutting down).
    pub async fn release_github_claims(&self, worker: &str) -> Result<u64> {
        self.release_leased(&GITHUB_JOBS, worker, None).await
    }

    /// Tries a job again after `after`, if `worker` holds it.
    pub async fn github_retry(
        &self,
        id: i64,
        worker: &str,
        after: std::time::Duration,
        error: &str,
    ) -> Result<bool> {
        self.retry_leased(&GITHUB_JOBS, id, worker, after, error)
            .await
    }

    /// Runs a job again after `after`, if `worker` holds it, without counting an attempt:
    /// it waited (for GitHub to list a run), nothing failed.
    pub async fn github_wait(
        &self,
        id: i64,
        worker: &str,
        after: std::time::Duration,
        why: &str,
    ) -> Result<bool> {
        self.reschedule_leased(&GITHUB_JOBS, (id, worker), after, why, Attempt::NotCounted)
            .await
    }

    /// Every job, oldest first (for tests and diagnosis).
    pub async fn github_jobs(&self) -> Result<Vec<GithubJobEntry>> {
        let rows: Vec<(String, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT payload, attempts, done_at, last_error FROM github_jobs ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(payload, attempts, done, last_error)| {
                Ok(GithubJobEntry {
                    job: serde_json::from_str(&payload)
                        .map_err(|e| super::StoreError::Corrupt(e.to_string()))?,
                    attempts,
                    done: done.is_some(),
                    last_error,
                })
            })
            .collect()
    }

    pub async fn github_run(&self, deployment_id: i64) -> Result<Option<GithubRun>> {
        let row: Option<(i64, String, String, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT deployment_id, repo, workflow, dispatched_at, dispatched_wall, run_url \
             FROM github_runs WHERE deployment_id = $1",
        )
        .bind(deployment_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(GithubRun {
                deployment_id: r.0,
                repo: r.1,
                workflow: r.2,
                dispatched_at: super::from_millis(r.3)?,
                dispatched_wall: super::from_millis(r.4)?,
                run_url: r.5,
            })
        })
        .transpose()
    }

    /// Runs already matched to a deployment (so two dispatches never claim the same run).
    pub async fn matched_run_ids(&self, repo: &str) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT run_id FROM github_runs WHERE repo = $1 AND run_id IS NOT NULL",
        )
        .bind(repo)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Deployments still deploying whose dispatched run has not reported by `before`, and
    /// whose deployer has not been told yet.
    pub async fn overdue_runs(&self, before: DateTime<Utc>) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT r.deployment_id FROM github_runs r JOIN deployments d ON d.id = r.deployment_id \
             WHERE r.flagged_at IS NULL AND r.dispatched_at <= $1 AND d.state = 'deploying' \
             ORDER BY r.deployment_id",
        )
        .bind(millis(before))
        .fetch_all(&self.pool)
        .await?)
    }
}
