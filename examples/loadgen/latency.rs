//! `latency`: each path timed one request at a time, so the figure is the path's own cost.

use crate::probe::{self, Kind, Latencies};
use std::collections::BTreeMap;

#[derive(clap::Args)]
pub struct Args {
    /// The database to serve (filled by `fill`, or empty).
    #[arg(long)]
    db: String,
    /// Timed requests per path.
    #[arg(long, default_value_t = 30)]
    samples: u64,
    /// Untimed requests per path first (connections, caches, prepared statements).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
}

pub async fn latency(a: Args) -> anyhow::Result<()> {
    let b = crate::Badger::start(&a.db).await?;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deployments")
        .fetch_one(b.app.core.store.pool())
        .await?;
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .build()?;
    let now = badger::clock::Clock::now(&b.clock);
    println!(
        "{} with {rows} deployments; {} samples per path, one at a time\n",
        if a.db.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        },
        a.samples
    );
    println!("| path | p50 ms | p90 ms | max ms | answers |");
    println!("|---|---:|---:|---:|---|");
    let mut i = 0;
    for kind in [
        Kind::Status,
        Kind::Versions,
        Kind::ApiStatus,
        Kind::DeployCheck,
        Kind::Write,
        Kind::Dashboard,
    ] {
        let mut lat = Vec::new();
        let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
        let mut refused = 0;
        for n in 0..a.warmup + a.samples {
            i += 1;
            let answer = probe::send(&http, &b.base, now, kind, i).await?;
            if n >= a.warmup {
                lat.push(answer.took);
                *statuses.entry(answer.status).or_default() += 1;
                refused += u64::from(answer.refused);
            }
        }
        let l = Latencies::new(lat);
        let mut answers: Vec<String> = statuses.iter().map(|(s, n)| format!("{n}x {s}")).collect();
        if refused > 0 {
            answers.push(format!("{refused} refused"));
        }
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {} |",
            kind.label(),
            l.ms(0.5),
            l.ms(0.9),
            l.max_ms(),
            answers.join(", ")
        );
    }
    b.app.shutdown().await;
    Ok(())
}
