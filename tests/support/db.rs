//! Fresh databases per test, on SQLite and (when configured) PostgreSQL.
//!
//! `BADGER_TEST_POSTGRES_URL` (e.g. postgres://postgres@127.0.0.1:5432/postgres) turns the
//! Postgres runs on; each test gets its own new database. `BADGER_REQUIRE_POSTGRES=1`
//! (set by .ci/run) makes a missing URL a failure instead of a skip.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test. The SQLite file lives in a temp dir removed on drop.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

/// Whether the PostgreSQL run of a test should happen: yes with a URL; a loud skip
/// without one; a failure without one when Postgres is required (CI).
pub fn postgres_enabled() -> bool {
    match std::env::var("BADGER_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => true,
        _ => {
            if std::env::var("BADGER_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("BADGER_REQUIRE_POSTGRES=1 but BADGER_TEST_POSTGRES_URL is not set");
            }
            skipped_notice();
            false
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);
static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Once per test process: drops the databases of earlier test processes that have ended
/// (named `badger_test_<pid>_...`, and no process `<pid>` runs), so runs on a shared
/// server do not pile up databases. A running process's databases are left alone.
async fn drop_leftovers(conn: &mut sqlx::AnyConnection) {
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'badger\\_test\\_%'",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).unwrap_or("");
        let ended = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
        });
        if ended {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            // Best effort: another process may be sweeping the same name.
            let _ = sqlx::Executor::execute(&mut *conn, drop.as_str()).await;
        }
    }
}

impl TestDb {
    pub async fn fresh(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("badger.db").display());
                TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin =
                    std::env::var("BADGER_TEST_POSTGRES_URL").expect("BADGER_TEST_POSTGRES_URL");
                let name = format!(
                    "badger_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    chrono::Utc::now().timestamp_micros()
                );
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .expect("connect to the Postgres admin URL");
                drop_leftovers(&mut conn).await;
                sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin).expect("admin URL");
                url.set_path(&format!("/{name}"));
                TestDb {
                    url: url.to_string(),
                    backend,
                    _dir: None,
                }
            }
        }
    }
}

/// Says once per test binary, past the test harness's output capture (which would hide an
/// `eprintln!` from a passing test), that the PostgreSQL runs were skipped.
fn skipped_notice() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        use std::os::fd::AsFd;
        // A File on fd 2 is not intercepted by the harness the way `stderr()` is.
        let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() else {
            return;
        };
        let _ = writeln!(
            std::fs::File::from(fd),
            "NOTE: BADGER_TEST_POSTGRES_URL is not set: the PostgreSQL runs in this test binary are SKIPPED \
             (set it, e.g. postgres://postgres@127.0.0.1:5432/postgres, to run them)"
        );
    });
}

impl TestDb {
    /// The same PostgreSQL database reached on another port (a fault-injecting proxy).
    pub fn via_port(&self, port: u16) -> TestDb {
        let mut url = url::Url::parse(&self.url).expect("database URL");
        url.set_port(Some(port)).expect("a port");
        TestDb {
            url: url.to_string(),
            backend: self.backend,
            _dir: None,
        }
    }
}

/// A deployment to insert straight into a store: channel `C1`, from Slack, no note,
/// emergency or CI URL (override fields with `..new_deployment(...)`).
pub fn new_deployment<'a>(
    app: &'a str,
    git_ref: &'a str,
    environment: &'a str,
    requester: &'a str,
    state: badger::domain::deployment::State,
) -> badger::store::NewDeployment<'a> {
    badger::store::NewDeployment {
        app,
        git_ref,
        environment,
        requester,
        channel: "C1",
        note: None,
        emergency_reason: None,
        source: "slack",
        state,
        ci_url: None,
    }
}

/// A plain outbox post of `text` to `channel` (no blocks, no message key).
pub fn post(channel: &str, text: &str) -> badger::store::Payload {
    badger::store::Payload::Post {
        channel: channel.into(),
        body: badger::store::Body::text(text, vec![]),
        key: None,
    }
}

/// A migrated store on a fresh database of `backend`, with the lock rows of `envs` (as
/// badger makes them at start-up for its environments).
pub async fn migrated_store(backend: Backend, envs: &[&str]) -> (badger::store::Store, TestDb) {
    let db = TestDb::fresh(backend).await;
    let s = badger::store::Store::connect(&db.url)
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    let locks: Vec<String> = envs.iter().copied().map(badger::store::env_lock).collect();
    s.ensure_locks(&locks).await.expect("ensure locks");
    (s, db)
}

/// A hold on every app everywhere with `reason`, by `U1` in `C1`, until lifted.
pub fn new_hold(reason: &str) -> badger::store::NewHold<'_> {
    badger::store::NewHold {
        scope: "*",
        environment: None,
        reason,
        owner: "U1",
        channel: "C1",
        until: None,
    }
}

/// Holds environment `env`'s lock (and on SQLite the one write lock) until the returned
/// transaction is dropped: a slow database, for tests of what happens while a command
/// waits, made certain rather than raced against a timer.
pub async fn hold_env_lock(store: &badger::store::Store, env: &str) -> badger::store::Tx {
    store
        .begin_locked(&badger::store::env_lock(env))
        .await
        .expect("take the environment's lock")
}
