//! Latency of `/deploy` through the real HTTP server, the real signature check and the real
//! database: N signed requests, C at a time, each a new deployment joining one queue.
//!
//!     cargo run --release --example bench_deploy -- [N] [C]
//!
//! SQLite by default (a temp file); `BENCH_DATABASE_URL=postgres://...` for PostgreSQL
//! (it must name an empty database). Slack is a fake on loopback.

#[path = "../tests/support/fake_slack/mod.rs"]
mod fake_slack;

use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use chrono::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let c: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50);
    let dir = tempfile::tempdir().unwrap();
    let db = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let slack = fake_slack::FakeSlack::start().await;
    let vars: HashMap<&str, String> = HashMap::from([
        ("SLACK_BOT_TOKEN", "xoxb-bench".to_owned()),
        ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
        ("SLACK_API_URL", slack.url()),
        ("DATABASE_URL", db.clone()),
        ("BADGER_BIND", "127.0.0.1:0".to_owned()),
    ]);
    let settings = Settings::from_vars(|k| vars.get(k).cloned()).unwrap();
    let clock = ManualClock::new(
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
            .unwrap(),
    );
    let app = Application::build(settings, Arc::new(clock.clone()), RunOptions::default())
        .await
        .unwrap();
    let base = format!("http://{}", app.addr);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(c)
        .build()
        .unwrap();

    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..c {
        let (http, base, next, clock) = (http.clone(), base.clone(), next.clone(), clock.clone());
        set.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return lat;
                }
                let body = format!(
                    "command=%2Fdeploy&text=app{i}+r{i}+to+integration&user_id=U{i:06}&channel_id=C0DEPLOY&team_id=T1"
                );
                let ts = badger::clock::Clock::now(&clock).timestamp().to_string();
                let sig = badger::slack::verify::sign(SECRET, &ts, body.as_bytes());
                let t0 = Instant::now();
                let r = http
                    .post(format!("{base}/slack/commands"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-slack-request-timestamp", ts)
                    .header("x-slack-signature", sig)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let text = r.text().await.unwrap();
                lat.push(t0.elapsed());
                assert!(text.contains("in line") || text.contains("You're deploying"), "{text}");
            }
        });
    }
    let mut all: Vec<Duration> = Vec::new();
    while let Some(r) = set.join_next().await {
        all.extend(r.unwrap());
    }
    let wall = started.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1];
    let backend = if db.starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    println!(
        "{backend}: {n} signed /deploy requests, {c} at a time: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} req/s",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.90).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3,
        n as f64 / wall.as_secs_f64()
    );
    app.shutdown().await;
}
