//! Smoke checks as durable work: scheduled in the transaction that records a success,
//! claimed with a lease by one replica's worker, finished (results stored, the thread
//! reply queued) in one transaction; and the results, read back for history and status.
//!
//! Leases use the wall clock (`store::lease`); `checked_at` the injected clock.

use super::batch::Wait;
use super::lease::{Claim, Finish, Leased};
use super::{from_millis, millis, Payload, Result, Store, StoreError, Tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// A claimed smoke check: which deployment, and what to request.
#[derive(Debug, Clone)]
pub struct SmokeJob {
    pub deployment_id: i64,
    pub environment: String,
    pub urls: Vec<String>,
    pub timeout: Duration,
    /// How many times it has been claimed, this time included (more than one: a replica
    /// died or gave up mid-check).
    pub runs: i64,
}

/// How one URL fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmokeResult {
    pub deployment_id: i64,
    pub url: String,
    pub checked_at: DateTime<Utc>,
    /// The last HTTP status seen; none if nothing answered.
    pub status: Option<i64>,
    /// `pass` or `fail`.
    pub outcome: String,
    pub detail: String,
    pub attempts: i64,
}

/// A finished smoke check as status lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmokeCheck {
    pub deployment_id: i64,
    pub environment: String,
    pub outcome: String,
    pub results: Vec<SmokeResult>,
}

impl Tx {
    /// Schedules the smoke check of a deployment that has just succeeded (same transaction).
    pub async fn schedule_smoke(
        &mut self,
        deployment_id: i64,
        environment: &str,
        urls: &[String],
        timeout: Duration,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let json = serde_json::to_string(urls).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO smoke_checks (deployment_id, environment, urls, timeout_ms, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (deployment_id) DO NOTHING",
        )
        .bind(deployment_id)
        .bind(environment)
        .bind(json)
        .bind(i64::try_from(timeout.as_millis()).unwrap_or(300_000))
        .bind(millis(now))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

type JobRow = (i64, String, String, i64, i64);
type ResultRow = (i64, String, String, Option<i64>, String, i64, i64);
const RESULT_COLUMNS: &str = "deployment_id, url, outcome, status, detail, checked_at, attempts";

fn result(r: ResultRow) -> Result<SmokeResult> {
    let (deployment_id, url, outcome, status, detail, checked_at, attempts) = r;
    Ok(SmokeResult {
        deployment_id,
        url,
        outcome,
        status,
        detail,
        checked_at: from_millis(checked_at)?,
        attempts,
    })
}

/// Smoke checks as leased work: no retry times (a check retries its URLs itself), claimed
/// oldest first, finished once done.
const SMOKE_CHECKS: Leased = Leased {
    table: "smoke_checks",
    id: "deployment_id",
    open: "done_at IS NULL",
    retries: false,
    order: "created_at, deployment_id",
    claim_waits: Wait::Commit,
    finish_waits: Wait::Commit,
};

impl Store {
    /// Claims up to `limit` undone checks whose claim is free or lapsed, oldest first. A
    /// claim lasts `attempts` request timeouts plus `slack` (the pauses between tries and
    /// the database), so a live check is never taken over; across replicas one wins.
    pub async fn claim_smoke(
        &self,
        worker: &str,
        attempts: u32,
        slack: Duration,
        limit: i64,
    ) -> Result<Vec<SmokeJob>> {
        let claim = Claim {
            lease: "timeout_ms * $4 + $5",
            lease_binds: &[
                i64::from(attempts),
                i64::try_from(slack.as_millis()).unwrap_or(60_000),
            ],
            also_set: ", runs = runs + 1",
            first: "",
            only: "",
            open_by_key: None,
            returning: "deployment_id, environment, urls, timeout_ms, runs",
        };
        let rows: Vec<JobRow> = self
            .claim_leased(&SMOKE_CHECKS, worker, limit, claim)
            .await?;
        rows.into_iter()
            .map(|(deployment_id, environment, urls, timeout_ms, runs)| {
                Ok(SmokeJob {
                    deployment_id,
                    environment,
                    urls: serde_json::from_str(&urls)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    timeout: Duration::from_millis(timeout_ms.try_into().unwrap_or(10_000)),
                    runs,
                })
            })
            .collect()
    }

    /// Records a check's results and queues its report, if `worker` still holds the claim
    /// (false if another replica took it over: its run stands). True if it was recorded.
    pub async fn finish_smoke(
        &self,
        job: &SmokeJob,
        worker: &str,
        outcome: &str,
        results: &[SmokeResult],
        report: &Payload,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let how = Finish {
            stamp: "done_at",
            note: Some(("outcome", Some(outcome))),
        };
        if !SMOKE_CHECKS
            .finish_on(&mut *tx.inner, job.deployment_id, worker, how)
            .await?
        {
            return Ok(false);
        }
        for r in results {
            sqlx::query(&format!(
                "INSERT INTO smoke_results ({RESULT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ))
            .bind(r.deployment_id)
            .bind(&r.url)
            .bind(&r.outcome)
            .bind(r.status)
            .bind(&r.detail)
            .bind(millis(r.checked_at))
            .bind(r.attempts)
            .execute(&mut *tx.inner)
            .await?;
        }
        tx.enqueue(report, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Gives a claim back early (shutting down mid-check), so it runs again at once.
    pub async fn release_smoke(&self, deployment_id: i64, worker: &str) -> Result<()> {
        self.release_leased(&SMOKE_CHECKS, worker, Some(deployment_id))
            .await?;
        Ok(())
    }

    /// How many smoke checks wait to run or are running.
    pub async fn smoke_pending(&self) -> Result<i64> {
        self.open_leased(&SMOKE_CHECKS).await
    }

    /// One deployment's smoke results, in the order the URLs are listed.
    pub async fn smoke_results(&self, deployment_id: i64) -> Result<Vec<SmokeResult>> {
        Ok(self
            .smoke_results_for(&[deployment_id])
            .await?
            .remove(&deployment_id)
            .unwrap_or_default())
    }

    /// Smoke results of several deployments at once (history pages), by deployment id;
    /// a deployment without any is absent.
    pub async fn smoke_results_for(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<SmokeResult>>> {
        let mut out: HashMap<i64, Vec<SmokeResult>> = HashMap::new();
        // Bounded batches: a database caps the parameters of one statement.
        for chunk in ids.chunks(super::IN_LIST_MAX) {
            let sql = format!(
                "SELECT {RESULT_COLUMNS} FROM smoke_results WHERE deployment_id IN ({}) \
                 ORDER BY deployment_id, id",
                super::in_list(chunk.len())
            );
            let mut q = sqlx::query_as::<_, ResultRow>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                let r = result(row)?;
                out.entry(r.deployment_id).or_default().push(r);
            }
        }
        Ok(out)
    }

    /// The `limit` most recently finished smoke checks, newest first, with their results.
    pub async fn recent_smoke_checks(&self, limit: i64) -> Result<Vec<SmokeCheck>> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT deployment_id, environment, outcome FROM smoke_checks \
             WHERE done_at IS NOT NULL ORDER BY done_at DESC, deployment_id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut results = self.smoke_results_for(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|(deployment_id, environment, outcome)| SmokeCheck {
                deployment_id,
                environment,
                outcome: outcome.unwrap_or_default(),
                results: results.remove(&deployment_id).unwrap_or_default(),
            })
            .collect())
    }
}
