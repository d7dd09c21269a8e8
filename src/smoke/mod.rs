//! Smoke checks after a successful deployment: a background worker claims the durable
//! `smoke_checks` rows (one replica runs each), requests the environment's `smoke_urls`
//! with retries, stores the results and queues the report in the end alert's thread.
//! Nothing here runs inside a request: replies and the queue never wait for it.

pub mod probe;

use crate::clock::SharedClock;
use crate::domain::notice::{CheckedUrl, Notice};
use crate::metrics::Metrics;
use crate::store::{Body, Payload, SmokeJob, SmokeResult, Store};
use probe::Probe;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

/// Checks run at once per replica.
const SLOTS: usize = 4;
/// A check cut short this many times (replicas dying mid-check) is reported as failed
/// without another try, so it cannot come back for ever.
const MAX_RUNS: i64 = 5;

/// The message key of a deployment's end alert, whose thread the report goes in.
pub use crate::service::end_key;

pub struct SmokeWorker {
    pub store: Store,
    pub probe: Arc<Probe>,
    pub metrics: Arc<Metrics>,
    pub outbox_wake: Arc<Notify>,
    pub clock: SharedClock,
    pub worker_id: String,
    /// Requests per URL before it fails.
    pub attempts: u32,
    /// The pause between them.
    pub spacing: Duration,
    /// How often to look for new checks.
    pub poll: Duration,
}

impl SmokeWorker {
    /// Runs checks until `stop`; checks in flight then are abandoned and their claims given
    /// back, so they run again on the next start (or another replica).
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let me = Arc::new(self);
        let mut tasks: JoinSet<()> = JoinSet::new();
        let mut running: HashMap<tokio::task::Id, i64> = HashMap::new();
        while !*stop.borrow() {
            while let Some(done) = tasks.try_join_next_with_id() {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                running.remove(&id);
            }
            let free = SLOTS.saturating_sub(tasks.len());
            if free > 0 {
                // The claim covers every try: timeouts plus the pauses, with a margin.
                let margin = me.spacing * me.attempts + Duration::from_secs(30);
                match me
                    .store
                    .claim_smoke(&me.worker_id, me.attempts, margin, free as i64)
                    .await
                {
                    Ok(jobs) => {
                        for job in jobs {
                            let id = job.deployment_id;
                            let worker = me.clone();
                            let span =
                                tracing::info_span!("job", job = "smoke_check", deployment = id);
                            let handle = tasks.spawn(tracing::Instrument::instrument(
                                async move { worker.run_one(job).await },
                                span,
                            ));
                            running.insert(handle.id(), id);
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "smoke checks: cannot claim work"),
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(me.poll) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        for id in running.values() {
            if let Err(e) = me.store.release_smoke(*id, &me.worker_id).await {
                tracing::warn!(deployment = id, error = %e, "smoke checks: cannot release a claim; it lapses after the lease");
            }
        }
    }

    async fn run_one(&self, job: SmokeJob) {
        let d = match self.store.deployment(job.deployment_id).await {
            Ok(Some(d)) => d,
            Ok(None) => {
                tracing::error!(
                    deployment = job.deployment_id,
                    "smoke check for a deployment that does not exist"
                );
                return;
            }
            Err(e) => {
                tracing::warn!(deployment = job.deployment_id, error = %e, "smoke check: cannot read the deployment; retrying after the lease");
                return;
            }
        };
        let answers = if job.runs > MAX_RUNS {
            let cut = probe::Answer {
                pass: false,
                status: None,
                detail: format!("not checked: the check was cut short {MAX_RUNS} times"),
                attempts: 0,
            };
            vec![cut; job.urls.len()]
        } else {
            futures_util::future::join_all(job.urls.iter().map(|url| {
                self.probe
                    .check(url, job.timeout, self.attempts, self.spacing)
            }))
            .await
        };
        let now = self.clock.now();
        let results: Vec<SmokeResult> = job
            .urls
            .iter()
            .zip(answers)
            .map(|(url, a)| SmokeResult {
                deployment_id: d.id,
                url: url.clone(),
                outcome: if a.pass { "pass" } else { "fail" }.to_owned(),
                status: a.status.map(i64::from),
                detail: a.detail,
                checked_at: now,
                attempts: i64::from(a.attempts),
            })
            .collect();
        let outcome = if results.iter().all(|r| r.outcome == "pass") {
            "pass"
        } else {
            "fail"
        };
        let reply = Payload::Reply {
            channel: d.channel.clone(),
            thread_key: end_key(d.id),
            body: Body::say(Notice::SmokeReport {
                checks: results
                    .iter()
                    .map(|r| CheckedUrl {
                        url: r.url.clone(),
                        passed: r.outcome == "pass",
                        detail: r.detail.clone(),
                        attempts: r.attempts,
                    })
                    .collect(),
                deployment: d.clone(),
            }),
        };
        match self
            .store
            .finish_smoke(&job, &self.worker_id, outcome, &results, &reply, now)
            .await
        {
            Ok(true) => {
                self.metrics
                    .operator
                    .smoke_checks
                    .inc(&[&job.environment, outcome]);
                self.outbox_wake.notify_one();
                tracing::info!(deployment = d.id, outcome, "smoke check done");
            }
            Ok(false) => tracing::warn!(
                deployment = d.id,
                "smoke check: another replica took this check over; its result stands"
            ),
            Err(e) => {
                tracing::error!(deployment = d.id, error = %e, "smoke check: cannot record the result; it runs again after the lease")
            }
        }
    }
}
