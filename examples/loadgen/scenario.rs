//! One throughput scenario: `connections` workers send one kind of request (or a bare
//! `GET /` to the bare axum endpoint, also started here) within its `Bounds`, and what it
//! measured.

use crate::probe::{self, Kind, Latencies};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one scenario measured.
pub struct Outcome {
    pub done: u64,
    pub wall: Duration,
    pub lat: Latencies,
    pub non_2xx: u64,
    pub refused: u64,
    pub errors: u64,
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.done as f64 / self.wall.as_secs_f64()
    }
}

/// How long a scenario runs: up to `requests`, `seconds`, or until `stop` turns true.
pub struct Bounds {
    pub requests: u64,
    pub seconds: u64,
    pub stop: Option<Arc<AtomicBool>>,
}

/// `connections` workers share one counter: the run ends at `requests`, at the deadline or
/// when told to stop.
pub async fn scenario(
    a: Bounds,
    connections: u64,
    http: &reqwest::Client,
    base: &str,
    now: chrono::DateTime<chrono::Utc>,
    kind: Option<Kind>,
    offset: u64,
) -> Outcome {
    let next = Arc::new(AtomicU64::new(0));
    let non_2xx = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.seconds);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (http, base) = (http.clone(), base.to_owned());
        let (next, non_2xx, errors) = (next.clone(), non_2xx.clone(), errors.clone());
        let refused = refused.clone();
        let limit = a.requests;
        let stop = a.stop.clone();
        set.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let stopped = stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
                if i >= limit || Instant::now() >= deadline || stopped {
                    return lat;
                }
                let answer = match kind {
                    Some(k) => probe::send(&http, &base, now, k, offset + i).await,
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
pub async fn bare_server() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(format!("http://{addr}"))
}
