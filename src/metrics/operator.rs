//! The operator metrics beyond the plain counters of `mod.rs`: labelled counters, the
//! command latency histogram, the HTTP request counter's storage (counted by
//! `http::count_requests`) and the gauges read from the database at scrape time.

use crate::store::Gauges;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// A counter per combination of label values.
#[derive(Debug, Default)]
pub struct LabeledCounter(Mutex<BTreeMap<Vec<String>, u64>>);

impl LabeledCounter {
    pub fn inc(&self, labels: &[&str]) {
        let key = labels.iter().map(|l| (*l).to_owned()).collect();
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry(key).or_insert(0) += 1;
    }
    pub fn get(&self, labels: &[&str]) -> u64 {
        let key: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get(&key).copied().unwrap_or(0)
    }
    fn snapshot(&self) -> Vec<(Vec<String>, u64)> {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A Prometheus histogram of durations (cumulative buckets are summed when rendered).
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations per bucket (not cumulative); the last one is +Inf.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_micros: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }
}

#[derive(Debug, Default)]
pub struct OperatorMetrics {
    /// Labels: route, status.
    pub http_requests: LabeledCounter,
    pub command_duration: Histogram,
    /// Label: error (Slack's error code, or a coarse class).
    pub slack_delivery_failures: LabeledCounter,
    /// Labels: environment, outcome.
    pub smoke_checks: LabeledCounter,
}

fn label_value(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn labels(names: &[&str], values: &[String]) -> String {
    let parts: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}=\"{}\"", label_value(v)))
        .collect();
    parts.join(",")
}

fn counter(out: &mut String, name: &str, help: &str, names: &[&str], c: &LabeledCounter) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (values, v) in c.snapshot() {
        let _ = writeln!(out, "{name}{{{}}} {v}", labels(names, &values));
    }
}

fn gauge(out: &mut String, name: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

impl OperatorMetrics {
    /// The operator metrics; `environments` lists every configured environment, so an empty
    /// queue shows as 0 rather than vanishing.
    pub fn render(&self, gauges: Option<&Gauges>, environments: &[&str]) -> String {
        let mut out = String::new();
        counter(
            &mut out,
            "badger_http_requests_total",
            "HTTP requests by matched route and status",
            &["route", "status"],
            &self.http_requests,
        );
        let name = "badger_command_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to answer a slash command\n# TYPE {name} histogram"
        );
        let mut cumulative = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += self.command_duration.counts[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let count = self.command_duration.count();
        let sum = self.command_duration.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "{name}_bucket{{le=\"+Inf\"}} {count}\n{name}_sum {sum}\n{name}_count {count}"
        );
        counter(
            &mut out,
            "badger_slack_delivery_failures_total",
            "Failed Slack deliveries (each failed attempt) by Slack error",
            &["error"],
            &self.slack_delivery_failures,
        );
        counter(
            &mut out,
            "badger_smoke_checks_total",
            "Smoke checks finished, by environment and outcome (pass or fail)",
            &["environment", "outcome"],
            &self.smoke_checks,
        );
        // Without the database the gauges are left out rather than shown wrong.
        let Some(g) = gauges else {
            return out;
        };
        gauge(
            &mut out,
            "badger_outbox_oldest_age_seconds",
            "Age of the oldest Slack call waiting for delivery (0 if none)",
            g.outbox_oldest_age_secs,
        );
        let name = "badger_queue_length";
        let _ = writeln!(
            out,
            "# HELP {name} People waiting (queued or called) per environment\n# TYPE {name} gauge"
        );
        for env in environments {
            let n = g.queue_length.get(*env).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}{{environment=\"{}\"}} {n}", label_value(env));
        }
        gauge(
            &mut out,
            "badger_holds_active",
            "Holds in place",
            g.active_holds,
        );
        gauge(
            &mut out,
            "badger_smoke_checks_pending",
            "Smoke checks waiting to run or running",
            g.smoke_pending,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = OperatorMetrics::default();
        m.command_duration.observe(Duration::from_millis(3));
        m.command_duration.observe(Duration::from_millis(300));
        m.command_duration.observe(Duration::from_secs(60));
        m.http_requests.inc(&["/x", "200"]);
        let text = m.render(None, &[]);
        assert!(
            text.contains("badger_command_duration_seconds_bucket{le=\"0.005\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("badger_command_duration_seconds_bucket{le=\"0.5\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("badger_command_duration_seconds_bucket{le=\"+Inf\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("badger_command_duration_seconds_count 3\n"),
            "{text}"
        );
        assert!(
            text.contains("badger_http_requests_total{route=\"/x\",status=\"200\"} 1\n"),
            "{text}"
        );
        assert_eq!(m.http_requests.get(&["/x", "200"]), 1);
    }
}
