//! `fill`: bulk history in a handful of statements, so a million rows take seconds.

use badger::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// sqlite://PATH or postgres://... (must hold no deployments yet).
    #[arg(long)]
    db: String,
    /// Finished deployments (mostly succeeded; every 7th failed, some cancelled).
    #[arg(long, default_value_t = 1_000_000)]
    finished: i64,
    /// Apps they are spread over (across integration, staging and production).
    #[arg(long, default_value_t = 500)]
    apps: i64,
    /// Entries waiting in integration's queue (behind one deploying).
    #[arg(long, default_value_t = 1_000)]
    queued: i64,
}

const BATCH: i64 = 100_000;

pub async fn fill(a: Args) -> anyhow::Result<()> {
    if a.apps < 1 || a.finished < 0 || a.queued < 0 {
        anyhow::bail!("--apps must be at least 1; --finished and --queued at least 0");
    }
    let db = with_create(&a.db);
    let s = Store::connect(&db).await?;
    s.migrate().await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deployments")
        .fetch_one(s.pool())
        .await?;
    if existing > 0 {
        anyhow::bail!(
            "{} already holds {existing} deployments; fill wants an empty database",
            a.db
        );
    }
    let sqlite = db.starts_with("sqlite:");
    let started = std::time::Instant::now();
    // Ten seconds apart, ending before the clock the latency run uses.
    let end = badger::store::millis(crate::start_time()) - 60_000;
    let t0 = end - a.finished * 10_000;
    let mut from = 1;
    while from <= a.finished {
        let to = (from + BATCH - 1).min(a.finished);
        sqlx::query(&insert(sqlite, a.apps, t0, from, to))
            .execute(s.pool())
            .await?;
        from = to + 1;
    }
    if a.queued > 0 {
        // One deploying, so the scheduler leaves the queue waiting, then the queue itself.
        sqlx::query(
            "INSERT INTO deployments (app, git_ref, environment, requester, channel, source, state, \
             queue_key, requested_at, started_at, updated_at) \
             VALUES ('app0', 'busy', 'integration', 'UACTIVE', 'C0DEPLOY', 'slack', 'deploying', $1, $2, $2, $2)",
        )
        .bind((a.finished + 1) * 1024)
        .bind(end)
        .execute(s.pool())
        .await?;
        sqlx::query(&format!(
            "INSERT INTO deployments (app, git_ref, environment, requester, channel, source, state, \
             queue_key, requested_at, updated_at) \
             SELECT 'app' || (i % {apps}), 'q' || i, 'integration', 'UQ' || i, 'C0DEPLOY', 'slack', 'queued', \
             ({f} + 1 + i) * 1024, {end}, {end} FROM ({src}) AS n",
            apps = a.apps,
            f = a.finished,
            src = series(sqlite, 1, a.queued)
        ))
        .execute(s.pool())
        .await?;
    }
    s.rebuild_current_versions().await?;
    if !sqlite {
        // What autovacuum would soon do on a real server.
        sqlx::query("ANALYZE").execute(s.pool()).await?;
    }
    println!(
        "filled {}: {} finished, {} apps, {} queued in {:.1} s",
        a.db,
        a.finished,
        a.apps,
        a.queued,
        started.elapsed().as_secs_f64()
    );
    s.close().await;
    Ok(())
}

/// Numbers `from..=to` as a row source, in each backend's dialect.
fn series(sqlite: bool, from: i64, to: i64) -> String {
    if sqlite {
        format!("WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) SELECT i FROM n")
    } else {
        format!(
            "SELECT i FROM generate_series(CAST({from} AS BIGINT), CAST({to} AS BIGINT)) AS g(i)"
        )
    }
}

fn insert(sqlite: bool, apps: i64, t0: i64, from: i64, to: i64) -> String {
    format!(
        "INSERT INTO deployments (app, git_ref, environment, requester, channel, source, state, \
         queue_key, requested_at, started_at, finished_at, ended_at, updated_at) \
         SELECT 'app' || (i % {apps}), 'r' || i, \
           CASE i % 3 WHEN 0 THEN 'integration' WHEN 1 THEN 'staging' ELSE 'production' END, \
           'U' || (i % 200), 'C0DEPLOY', CASE WHEN i % 2 = 0 THEN 'ci' ELSE 'slack' END, \
           CASE WHEN i % 7 = 0 THEN 'failed' WHEN i % 7 = 3 THEN 'cancelled' ELSE 'succeeded' END, \
           i * 1024, {t0} + i * 10000, {t0} + i * 10000, \
           CASE WHEN i % 7 = 3 THEN NULL ELSE {t0} + i * 10000 + 5000 END, \
           CASE WHEN i % 7 = 3 THEN {t0} + i * 10000 + 5000 ELSE NULL END, \
           {t0} + i * 10000 + 5000 \
         FROM ({}) AS n",
        series(sqlite, from, to)
    )
}

/// SQLite files are created on first use; `Store::connect` adds `mode=rwc` itself.
fn with_create(db: &str) -> String {
    if let Some(path) = db.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    db.to_owned()
}
