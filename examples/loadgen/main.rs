//! Load generator: fills a database with history, measures latency per read and write path
//! over real HTTP, and measures throughput beside a bare axum endpoint.
//!
//!     cargo run --release --example loadgen -- fill --db sqlite://bench/n1m.db --finished 1000000 --apps 500 --queued 1000
//!     cargo run --release --example loadgen -- latency --db sqlite://bench/n1m.db --samples 30
//!     cargo run --release --example loadgen -- run --db sqlite://bench/run.db --connections 64 --requests 20000 --seconds 20
//!
//! badger runs in this process on 127.0.0.1 (port 0) with the fake Slack of the tests; every
//! Slack request is signed as Slack signs it. Loopback only: nothing leaves the machine.

#[path = "../../tests/support/fake_slack.rs"]
mod fake_slack;
mod fill;
mod latency;
mod probe;
mod run;

use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use chrono::TimeZone;
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bulk-insert finished deployments (and a queue) into an empty database.
    Fill(fill::Args),
    /// Latency of each read and write path, one request at a time.
    Latency(latency::Args),
    /// Throughput with N concurrent connections, beside a bare axum endpoint.
    Run(run::Args),
}

/// The secret the generated requests are signed with.
pub const SECRET: &str = "loadgen-secret";
/// The bearer token for the CI API.
pub const TOKEN: &str = "loadgen-token-0123456789";

/// A Tuesday morning in November, inside the deploy window.
pub fn start_time() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 24, 10, 0, 0)
        .unwrap()
}

/// badger on loopback against `db`, with the fake Slack and a clock that stands still.
pub struct Badger {
    pub app: Application,
    pub base: String,
    pub clock: ManualClock,
    _slack: fake_slack::FakeSlack,
}

impl Badger {
    pub async fn start(db: &str) -> anyhow::Result<Badger> {
        let slack = fake_slack::FakeSlack::start().await;
        let vars: HashMap<&str, String> = HashMap::from([
            ("SLACK_BOT_TOKEN", "xoxb-loadgen".to_owned()),
            ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
            ("SLACK_API_URL", slack.url()),
            ("DATABASE_URL", db.to_owned()),
            ("BADGER_BIND", "127.0.0.1:0".to_owned()),
            ("BADGER_API_TOKEN", TOKEN.to_owned()),
        ]);
        let settings = Settings::from_vars(|k| vars.get(k).cloned())?;
        let clock = ManualClock::new(start_time());
        let app =
            Application::build(settings, Arc::new(clock.clone()), RunOptions::default()).await?;
        let base = format!("http://{}", app.addr);
        Ok(Badger {
            app,
            base,
            clock,
            _slack: slack,
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Fill(a) => fill::fill(a).await,
        Command::Latency(a) => latency::latency(a).await,
        Command::Run(a) => run::run(a).await,
    }
}
