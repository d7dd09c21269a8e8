//! `run`: throughput with N concurrent connections, bounded in count and time, for badger's
//! hot paths and, in the same run, a bare axum endpoint answering 200 (the ceiling of this
//! machine, this client and this HTTP stack), which every badger figure is a ratio to.

use crate::probe::{self, Kind, Latencies};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// The database to serve; an empty one is created if the file does not exist.
    #[arg(long)]
    db: String,
    /// Concurrent connections.
    #[arg(long, default_value_t = 64)]
    connections: u64,
    /// At most this many requests per scenario.
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    /// At most this long per scenario, in seconds.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
}

/// What one scenario measured.
struct Outcome {
    done: u64,
    wall: Duration,
    lat: Latencies,
    non_2xx: u64,
    refused: u64,
    errors: u64,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.done as f64 / self.wall.as_secs_f64()
    }
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    if a.connections == 0 || a.requests == 0 {
        anyhow::bail!("--connections and --requests must be at least 1");
    }
    let bare = bare_server().await?;
    let b = crate::Badger::start(&a.db).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.connections as usize)
        .timeout(Duration::from_secs(30))
        .build()?;
    let now = badger::clock::Clock::now(&b.clock);
    println!(
        "{} connections, at most {} requests or {} s per scenario, {}\n",
        a.connections,
        a.requests,
        a.seconds,
        if a.db.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        }
    );
    println!("| scenario | requests | req/s | x bare | p50 ms | p90 ms | p99 ms | max ms | non-2xx | refused | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let ceiling = scenario(&a, &http, &bare, now, None).await;
    print_row("bare axum `GET /` (200)", &ceiling, ceiling.rate());
    for kind in [Kind::Status, Kind::Write, Kind::DeployCheck] {
        let o = scenario(&a, &http, &b.base, now, Some(kind)).await;
        print_row(kind.label(), &o, ceiling.rate());
    }
    b.app.shutdown().await;
    Ok(())
}

fn print_row(label: &str, o: &Outcome, ceiling: f64) {
    println!(
        "| {label} | {} | {:.0} | {:.3} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
        o.done,
        o.rate(),
        o.rate() / ceiling,
        o.lat.ms(0.5),
        o.lat.ms(0.9),
        o.lat.ms(0.99),
        o.lat.max_ms(),
        o.non_2xx,
        o.refused,
        o.errors
    );
}

/// `connections` workers share one counter: the run ends at `requests` or at the deadline.
async fn scenario(
    a: &Args,
    http: &reqwest::Client,
    base: &str,
    now: chrono::DateTime<chrono::Utc>,
    kind: Option<Kind>,
) -> Outcome {
    let next = Arc::new(AtomicU64::new(0));
    let non_2xx = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..a.connections {
        let (http, base) = (http.clone(), base.to_owned());
        let (next, non_2xx, errors) = (next.clone(), non_2xx.clone(), errors.clone());
        let refused = refused.clone();
        let limit = a.requests;
        set.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= limit || Instant::now() >= deadline {
                    return lat;
                }
                let answer = match kind {
                    Some(k) => probe::send(&http, &base, now, k, i).await,
                    None => bare_get(&http, &base).await,
                };
                match answer {
                    Ok(a) => {
                        lat.push(a.took);
                        if !(200..300).contains(&a.status) {
                            non_2xx.fetch_add(1, Ordering::Relaxed);
                        }
                        if a.refused {
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }
    let mut all = Vec::new();
    while let Some(r) = set.join_next().await {
        all.extend(r.unwrap_or_default());
    }
    let wall = started.elapsed();
    Outcome {
        done: all.len() as u64,
        wall,
        lat: Latencies::new(all),
        non_2xx: non_2xx.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
    }
}

async fn bare_get(http: &reqwest::Client, base: &str) -> Result<probe::Answer, reqwest::Error> {
    let t0 = Instant::now();
    let r = http.get(format!("{base}/")).send().await?;
    let status = r.status().as_u16();
    r.bytes().await?;
    Ok(probe::Answer {
        status,
        took: t0.elapsed(),
        refused: false,
    })
}

/// An axum server whose only route answers 200 at once.
async fn bare_server() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(format!("http://{addr}"))
}
