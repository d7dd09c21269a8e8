//! Load generator: fills a database with history, measures latency per read and write path
//! over real HTTP, and measures throughput beside a bare axum endpoint.
//!
//!     cargo run --release --example loadgen -- fill --db sqlite://bench/n1m.db --finished 1000000 --apps 500 --queued 1000
//!     cargo run --release --example loadgen -- latency --db sqlite://bench/n1m.db --samples 30
//!     cargo run --release --example loadgen -- run --db sqlite://bench/run.db --connections 64 --requests 20000 --seconds 20
//!     cargo run --release --example loadgen -- run --db sqlite://bench/run.db --bin target/release/badger
//!
//! badger runs in this process on 127.0.0.1 (port 0) with the fake Slack of the tests (or,
//! with `run --bin`, as its own process pointed at that fake Slack, which also gives its
//! start-up time and memory); every Slack request is signed as Slack signs it. Loopback
//! only: nothing leaves the machine. `bench/run` builds the release and runs the whole set.

#[path = "../../tests/support/badger_process.rs"]
mod badger_process;
#[path = "../../tests/support/fake_slack/mod.rs"]
mod fake_slack;
mod fill;
mod handover;
mod latency;
#[path = "../../tests/support/open_policy.rs"]
mod open_policy;
mod probe;
mod run;
mod scenario;

use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use chrono::TimeZone;
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

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

/// The deploy channel of [`RUN_POLICY`], where buttons are pressed.
pub const CHANNEL: &str = "C0DEPLOY";

/// The environments `run` spreads writes, CI reports and checks over.
pub const RUN_ENVS: [&str; 3] = ["integration", "staging", "production"];

/// The environment whose one queue the hand-over scenario walks, kept apart from the
/// others so its queue is only as long as the scenario makes it.
pub const HANDOVER_ENV: &str = "handover";

/// `run`'s policy: every environment ([`RUN_ENVS`], [`HANDOVER_ENV`]) always open and
/// without the promotion rule, so a write anywhere queues or starts (nothing is refused
/// for the time of day, which matters for `--bin`, whose clock is the real one), and one
/// deploy channel.
pub static RUN_POLICY: LazyLock<String> = LazyLock::new(|| {
    let envs = [RUN_ENVS.as_slice(), &[HANDOVER_ENV]].concat();
    open_policy::always_open(CHANNEL, &envs)
});

/// The variables badger is given: the fake Slack, `db`, a free loopback port, the CI token
/// and, if given, a policy file.
pub fn badger_vars(
    slack: &str,
    db: &str,
    policy: Option<&std::path::Path>,
) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("SLACK_BOT_TOKEN", "xoxb-loadgen".to_owned()),
        ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
        ("SLACK_API_URL", slack.to_owned()),
        ("DATABASE_URL", db.to_owned()),
        ("BADGER_BIND", "127.0.0.1:0".to_owned()),
        ("BADGER_API_TOKEN", TOKEN.to_owned()),
    ];
    if let Some(p) = policy {
        vars.push(("BADGER_CONFIG", p.display().to_string()));
    }
    vars
}

/// badger on loopback against `db`, with the fake Slack and a clock that stands still.
pub struct Badger {
    pub app: Application,
    pub base: String,
    pub clock: ManualClock,
    pub slack: fake_slack::FakeSlack,
}

impl Badger {
    /// Under the built-in GOV.UK policy.
    pub async fn start(db: &str) -> anyhow::Result<Badger> {
        Self::start_with(db, None).await
    }

    /// Under the policy file `policy`, if given.
    pub async fn start_with(db: &str, policy: Option<&std::path::Path>) -> anyhow::Result<Badger> {
        let slack = fake_slack::FakeSlack::start().await;
        let vars: HashMap<&str, String> =
            badger_vars(&slack.url(), db, policy).into_iter().collect();
        let settings = Settings::from_vars(|k| vars.get(k).cloned())?;
        let clock = ManualClock::new(start_time());
        let app =
            Application::build(settings, Arc::new(clock.clone()), RunOptions::default()).await?;
        let base = format!("http://{}", app.addr);
        Ok(Badger {
            app,
            base,
            clock,
            slack,
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
