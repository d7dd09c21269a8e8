//! Counters for `GET /metrics` (Prometheus text format).

pub mod operator;

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub slack_requests: Counter,
    pub slack_rejected: Counter,
    pub slack_events: Counter,
    pub slack_duplicate_events: Counter,
    pub requests: Counter,
    pub started: Counter,
    pub succeeded: Counter,
    pub failed: Counter,
    pub expired: Counter,
    pub holds: Counter,
    pub refused_presses: Counter,
    pub internal_errors: Counter,
    /// Ephemerals dropped undelivered as too old (`crate::slack::expiry`).
    pub slack_ephemerals_expired: Counter,
    /// Labelled counters and the latency histogram (`operator.rs`).
    pub operator: operator::OperatorMetrics,
}

impl Metrics {
    pub fn render(&self, outbox_pending: i64) -> String {
        let mut out = String::new();
        let rows: [(&str, &str, u64); 13] = [
            (
                "badger_slack_requests_total",
                "Verified requests from Slack",
                self.slack_requests.get(),
            ),
            (
                "badger_slack_rejected_total",
                "Requests refused for a bad or stale signature",
                self.slack_rejected.get(),
            ),
            (
                "badger_slack_events_total",
                "Events API deliveries handled (first delivery of each event id)",
                self.slack_events.get(),
            ),
            (
                "badger_slack_events_duplicate_total",
                "Events API deliveries ignored as repeats of an event id already handled",
                self.slack_duplicate_events.get(),
            ),
            (
                "badger_deploy_requests_total",
                "Deployments requested",
                self.requests.get(),
            ),
            (
                "badger_deployments_started_total",
                "Deployments started",
                self.started.get(),
            ),
            (
                "badger_deployments_succeeded_total",
                "Deployments that succeeded",
                self.succeeded.get(),
            ),
            (
                "badger_deployments_failed_total",
                "Deployments that failed",
                self.failed.get(),
            ),
            (
                "badger_turns_expired_total",
                "Queue entries expired (turn timeout or window close)",
                self.expired.get(),
            ),
            (
                "badger_holds_created_total",
                "Holds placed",
                self.holds.get(),
            ),
            (
                "badger_refused_presses_total",
                "Button presses refused to someone not allowed",
                self.refused_presses.get(),
            ),
            (
                "badger_internal_errors_total",
                "Internal errors",
                self.internal_errors.get(),
            ),
            (
                "badger_slack_ephemerals_expired_total",
                "Answers to one person dropped because Slack could not take them within 30 minutes",
                self.slack_ephemerals_expired.get(),
            ),
        ];
        for (name, help, v) in rows {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP badger_outbox_pending Slack calls waiting for delivery\n# TYPE badger_outbox_pending gauge\nbadger_outbox_pending {outbox_pending}"
        );
        out
    }
}
