//! `run`: throughput with N concurrent connections, bounded in count and time, for badger's
//! hot paths and, in the same run, a bare axum endpoint answering 200 (the ceiling of this
//! machine, this client and this HTTP stack), which every badger figure is a ratio to; then
//! the hand-over time, idle and under write load. With `--bin`, badger is the real binary
//! in its own process, and its start-up time, memory and size are reported too.
use crate::badger_process::BadgerProcess;
use crate::fake_slack::FakeSlack;
use crate::probe::Kind;
use crate::scenario::{bare_server, scenario, Bounds, Outcome};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Hand-overs to time in each hand-over walk.
    #[arg(long, default_value_t = 200)]
    handovers: u64,
    /// Run this badger binary (e.g. target/release/badger) as its own process instead of
    /// badger in this process; adds start-up time, RSS and binary size.
    #[arg(long)]
    bin: Option<PathBuf>,
}

/// badger under load: in this process, or the real binary as a child.
enum Target {
    InProcess(crate::Badger),
    Child {
        p: BadgerProcess,
        slack: FakeSlack,
        _cwd: tempfile::TempDir,
    },
}

impl Target {
    fn base(&self) -> &str {
        match self {
            Target::InProcess(b) => &b.base,
            Target::Child { p, .. } => &p.base,
        }
    }

    fn slack(&self) -> &FakeSlack {
        match self {
            Target::InProcess(b) => &b.slack,
            Target::Child { slack, .. } => slack,
        }
    }

    /// The time requests are signed at: the in-process clock, or the real one.
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match self {
            Target::InProcess(b) => badger::clock::Clock::now(&b.clock),
            Target::Child { .. } => chrono::Utc::now(),
        }
    }

    fn rss_kb(&self, field: &str) -> Option<u64> {
        match self {
            Target::InProcess(_) => None,
            Target::Child { p, .. } => p.status_kb(field),
        }
    }

    async fn stop(self) {
        match self {
            Target::InProcess(b) => b.app.shutdown().await,
            Target::Child { p, .. } => p.kill9().await,
        }
    }
}

/// Start-up of the child: from spawn to the first 200 from `/healthz`.
async fn spawn_child(
    bin: &std::path::Path,
    db: &str,
    policy: &std::path::Path,
    http: &reqwest::Client,
) -> anyhow::Result<(Target, Duration)> {
    // The child runs in an empty directory of its own, so a relative path would miss.
    let bin = std::fs::canonicalize(bin)?;
    let slack = FakeSlack::start().await;
    let cwd = tempfile::tempdir()?;
    let vars = crate::badger_vars(&slack.url(), db, Some(policy));
    let t0 = Instant::now();
    let p = BadgerProcess::spawn(&bin, &vars, cwd.path()).await;
    loop {
        let ok = http
            .get(format!("{}/healthz", p.base))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        if ok {
            break;
        }
        if t0.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("/healthz did not answer 200 within a minute");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let took = t0.elapsed();
    Ok((
        Target::Child {
            p,
            slack,
            _cwd: cwd,
        },
        took,
    ))
}

pub async fn run(a: Args) -> anyhow::Result<()> {
    if a.connections == 0 || a.requests == 0 {
        anyhow::bail!("--connections and --requests must be at least 1");
    }
    let mut policy = tempfile::NamedTempFile::new()?;
    std::io::Write::write_all(&mut policy, crate::RUN_POLICY.as_bytes())?;
    let bare = bare_server().await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.connections as usize)
        .timeout(Duration::from_secs(30))
        .build()?;
    let (target, startup) = match &a.bin {
        Some(bin) => {
            let (t, took) = spawn_child(bin, &a.db, policy.path(), &http).await?;
            (t, Some(took))
        }
        None => (
            Target::InProcess(crate::Badger::start_with(&a.db, Some(policy.path())).await?),
            None,
        ),
    };
    // Idle: started, migrated, nothing asked yet but the health check.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_rss = target.rss_kb("VmRSS");
    println!(
        "{} connections, at most {} requests or {} s per scenario, {}, badger {}\n",
        a.connections,
        a.requests,
        a.seconds,
        if a.db.starts_with("sqlite:") {
            "SQLite"
        } else {
            "PostgreSQL"
        },
        match &a.bin {
            Some(b) => format!("as its own process ({})", b.display()),
            None => "in the load generator's process".to_owned(),
        }
    );
    println!("| scenario | requests | req/s | x bare | p50 ms | p90 ms | p99 ms | max ms | p50 x bare | p99 x bare | non-2xx | refused | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let base = target.base().to_owned();
    let ceiling = scenario(
        Bounds::of(&a),
        a.connections,
        &http,
        &bare,
        target.now(),
        None,
        0,
    )
    .await;
    print_row("bare axum `GET /` (200)", &ceiling, &ceiling);
    // One at a time: the bare figure the hand-over (one press at a time) is compared to.
    let single = scenario(Bounds::of(&a), 1, &http, &bare, target.now(), None, 0).await;
    print_row("bare axum `GET /`, one connection", &single, &single);
    // One of badger's scenarios at full concurrency, within the run's bounds.
    let measured = |kind: Kind| {
        let bounds = Bounds::of(&a);
        scenario(
            bounds,
            a.connections,
            &http,
            &base,
            target.now(),
            Some(kind),
            0,
        )
    };
    for kind in [Kind::Status, Kind::DeployCheck] {
        let o = measured(kind).await;
        print_row(kind.label(), &o, &ceiling);
    }

    // The hand-over walks come before the CI reports: each report queues an announcement,
    // and a your-turn call goes out behind those (in order per channel).
    let tag = format!("{}", chrono::Utc::now().timestamp() % 100_000);
    let now = || target.now();
    let (idle_tag, loaded_tag) = (format!("i{tag}"), format!("l{tag}"));
    let idle =
        crate::handover::walk(&http, &base, target.slack(), now, a.handovers, &idle_tag).await?;
    // The writes go on until the walk ends, so every hand-over it times is under load
    // (capped at 20,000 writes they used to end first, and most hand-overs ran idle).
    let walked = Arc::new(AtomicBool::new(false));
    let walk = async {
        let w = crate::handover::walk(&http, &base, target.slack(), now, a.handovers, &loaded_tag)
            .await;
        walked.store(true, Ordering::Relaxed);
        w
    };
    let until_walked = Bounds {
        requests: u64::MAX,
        seconds: WALK_LIMIT_SECS,
        stop: Some(walked.clone()),
    };
    let (loaded, under) = tokio::join!(
        walk,
        // Numbered after the later writes scenario's, so none is a duplicate of those.
        scenario(
            until_walked,
            a.connections,
            &http,
            &base,
            target.now(),
            Some(Kind::WriteSpread),
            LOADED_OFFSET
        )
    );
    let loaded = loaded?;
    print_row(
        &format!("{}, beside the hand-over walk", Kind::WriteSpread.label()),
        &under,
        &ceiling,
    );
    let mut writes = under.done - under.refused - under.non_2xx;
    for kind in [Kind::CiReport, Kind::WriteSpread, Kind::Status] {
        let o = measured(kind).await;
        let label = if kind == Kind::Status {
            format!("{} with {writes} queued", kind.label())
        } else {
            kind.label().to_owned()
        };
        print_row(&label, &o, &ceiling);
        if kind == Kind::WriteSpread {
            writes += o.done - o.refused - o.non_2xx;
        }
    }

    // How fast the announcements the scenarios queued (CI reports' end alerts) go out:
    // one channel, delivered in order.
    let store = badger::store::Store::connect(&a.db).await?;
    let waiting = store.outbox_pending().await?;
    let t0 = Instant::now();
    while store.outbox_pending().await? > 0 && t0.elapsed() < Duration::from_secs(60) {
        // Not more often: each count reads every unfinished row, and at 100 a second the
        // counting took a third of PostgreSQL's CPU from the delivery it measures.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = store.outbox_pending().await?;
    println!(
        "\nOutbox: {waiting} Slack calls waiting after the scenarios, {left} left after {:.1} s ({:.0} calls/s delivered).",
        t0.elapsed().as_secs_f64(),
        (waiting - left) as f64 / t0.elapsed().as_secs_f64()
    );

    println!("\nHand-over: Done pressed -> the next person's your-turn call answered by the fake Slack; x bare: over the bare endpoint one connection at a time.\n");
    println!("| hand-over | hand-overs | p50 ms | p90 ms | p99 ms | max ms | p50 x bare | p99 x bare | non-2xx | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    print_walk("idle (nothing else running)", &idle, &single);
    print_walk(
        &format!(
            "under write load ({} connections of distinct `/deploy` writes: {} at {:.0}/s)",
            a.connections,
            under.done,
            under.rate()
        ),
        &loaded,
        &single,
    );

    if let Some(bin) = &a.bin {
        let kb =
            |v: Option<u64>| v.map_or("n/a".to_owned(), |k| format!("{:.1} MB", k as f64 / 1024.0));
        println!("\n| resource | figure |\n|---|---:|");
        if let Some(t) = startup {
            println!(
                "| start-up to a 200 from `/healthz` (spawn, migrations, bind) | {:.0} ms |",
                t.as_secs_f64() * 1e3
            );
        }
        println!("| idle RSS (2 s after start) | {} |", kb(idle_rss));
        println!(
            "| loaded RSS (after every scenario) | {} |",
            kb(target.rss_kb("VmRSS"))
        );
        println!("| peak RSS (VmHWM) | {} |", kb(target.rss_kb("VmHWM")));
        let size = std::fs::metadata(bin)?.len();
        println!(
            "| binary size (`{}`) | {:.1} MB |",
            bin.display(),
            size as f64 / 1_048_576.0
        );
    }
    target.stop().await;
    Ok(())
}

fn print_walk(label: &str, w: &crate::handover::Walk, single: &Outcome) {
    println!(
        "| {label} | {} | {} | {} | {} |",
        w.lat.len(),
        w.lat.cells_against(&single.lat),
        w.non_2xx,
        w.errors
    );
}

/// A row; `x bare` is the throughput over the bare endpoint's, the latency ratios are
/// badger's over the bare endpoint's (more is slower).
fn print_row(label: &str, o: &Outcome, bare: &Outcome) {
    println!(
        "| {label} | {} | {:.0} | {:.3} | {} | {} | {} | {} |",
        o.done,
        o.rate(),
        o.rate() / bare.rate(),
        o.lat.cells_against(&bare.lat),
        o.non_2xx,
        o.refused,
        o.errors
    );
}

/// Where the request numbers of the writes beside the loaded hand-over start.
const LOADED_OFFSET: u64 = 100_000_000;

/// A scenario's bounds as the command line sets them.
impl Bounds {
    fn of(a: &Args) -> Bounds {
        Bounds {
            requests: a.requests,
            seconds: a.seconds,
            stop: None,
        }
    }
}

/// The longest the writes beside the loaded walk may run (the walk normally ends first).
const WALK_LIMIT_SECS: u64 = 300;
