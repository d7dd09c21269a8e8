//! The binary as an operator runs it: check-config, bad configuration, migrate, SIGTERM.

use crate::support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use support::db::{Backend, TestDb};
use support::serve::serve_command;

fn badger() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_badger"));
    c.env_clear().env("RUST_LOG", "warn");
    c
}

/// Runs `badger <command>` with `vars` set, to its end.
fn run(command: &str, vars: &[(&str, &str)]) -> Output {
    badger()
        .arg(command)
        .envs(vars.iter().copied())
        .output()
        .expect("runs")
}

/// `badger check-config` with the policy file at `policy`.
pub(crate) fn check_config(policy: &Path) -> Output {
    run("check-config", &[("BADGER_CONFIG", path_str(policy))])
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Asks `child` to stop, as an orchestrator does: SIGTERM.
fn sigterm(child: &tokio::process::Child) {
    let pid = child.id().expect("pid").to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
}

#[test]
fn check_config_prints_policy_and_next_openings() {
    let out = run("check-config", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("policy: built-in GOV.UK defaults"), "{text}");
    assert!(text.contains("mode: local (no SLACK_BOT_TOKEN)"), "{text}");
    assert!(text.contains("friday: 09:30-16:00"), "{text}");
    assert!(text.contains("bank holidays: england-and-wales"), "{text}");
    assert!(text.contains("closed dates: (none)\n"), "{text}");
    assert!(text.contains("database: sqlite://badger.db\n"), "{text}");
    assert!(text.contains("listen: 127.0.0.1:3000\n"), "{text}");
    // The database is shown without its password.
    let out = run(
        "check-config",
        &[("DATABASE_URL", "postgres://u:s3cret@db/badger")],
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("database: postgres://u:redacted@db/badger"),
        "{shown}"
    );
    assert!(!shown.contains("s3cret"), "{shown}");
    let openings: Vec<&str> = text.lines().filter(|l| l.contains("(UTC ")).collect();
    assert_eq!(openings.len(), 5, "{text}");
}

#[test]
fn a_bad_policy_stops_start_up_naming_the_key() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, b"[window]\nfriday = \"16:00-09:30\"\n").unwrap();
    let out = run("serve", &[("BADGER_CONFIG", path_str(f.path()))]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`window.friday`"), "{err}");

    let out = run("serve", &[("SLACK_BOT_TOKEN", "xoxb-1")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SLACK_SIGNING_SECRET"));

    for (vars, named) in [
        (
            &[("BADGER_SLACK_TIMEOUT_SECS", "0")][..],
            "BADGER_SLACK_TIMEOUT_SECS",
        ),
        (
            &[
                ("BADGER_SLACK_TIMEOUT_SECS", "30"),
                ("BADGER_OUTBOX_LEASE_SECS", "20"),
            ][..],
            "must be longer than BADGER_SLACK_TIMEOUT_SECS",
        ),
    ] {
        let out = run("serve", vars);
        assert_eq!(out.status.code(), Some(2), "{vars:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{err}");
    }
}

#[tokio::test]
async fn migrate_then_serve_then_sigterm_finishes_in_flight_work() {
    let db = TestDb::fresh(Backend::Sqlite).await;
    let out = run("migrate", &[("DATABASE_URL", &db.url)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));

    // Local mode (no token): serve, take requests, stop with SIGTERM.
    let mut child = serve_command(&db.url)
        .env("SLACK_SIGNING_SECRET", support::driver::SECRET)
        .spawn()
        .unwrap();
    let base = support::badger_process::listening(&mut child).await;
    let http = reqwest::Client::new();
    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            http.get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "{path}"
        );
    }

    // Requests in flight while SIGTERM arrives are answered; each acknowledged one is stored.
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..40 {
        let http = http.clone();
        let base = base.clone();
        let answered = answered.clone();
        set.spawn(async move {
            let body = format!(
                "command=%2Fdeploy&text=app{i}+r1+to+integration&user_id=U{i:04}&channel_id=C1"
            );
            let r = support::slack_forms::signed_form_now(
                &http,
                &format!("{base}/slack/commands"),
                support::driver::SECRET,
                body,
            )
            .send()
            .await
            .map(|r| r.status().as_u16());
            answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            r
        });
    }
    // Signal once some have been answered, with the rest still in flight or not yet sent.
    for _ in 0..2000 {
        if answered.load(std::sync::atomic::Ordering::SeqCst) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    sigterm(&child);
    let mut acknowledged = 0;
    while let Some(r) = set.join_next().await {
        if let Ok(Ok(200)) = r {
            acknowledged += 1;
        }
    }
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits")
        .unwrap();
    assert!(status.success(), "graceful exit: {status:?}");

    let store = badger::store::Store::connect(&db.url).await.unwrap();
    let stored = store
        .live_deployments(Some("integration"))
        .await
        .unwrap()
        .len();
    assert_eq!(
        stored, acknowledged,
        "every acknowledged request is stored, nothing else"
    );
    assert!(acknowledged > 0);
}

/// The first date at least `days_ahead` days from today that falls on `weekday`.
pub(crate) fn upcoming(weekday: chrono::Weekday, days_ahead: i64) -> chrono::NaiveDate {
    use chrono::Datelike;
    let mut d = chrono::Utc::now().date_naive() + chrono::Duration::days(days_ahead);
    while d.weekday() != weekday {
        d = d.succ_opt().expect("a later date");
    }
    d
}

#[test]
fn check_config_reports_where_each_closed_day_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    // Dates relative to today, so the test means the same whenever it runs: a made-up
    // proclaimed holiday from the file and an extra closed date, both on weekdays.
    let proclaimed = upcoming(chrono::Weekday::Tue, 14);
    let extra = upcoming(chrono::Weekday::Wed, 14);
    let json = format!(
        r#"{{"england-and-wales": {{"division": "england-and-wales", "events": [
            {{"title": "Proclaimed holiday", "date": "{proclaimed}", "notes": "", "bunting": true}}]}},
            "scotland": {{"division": "scotland", "events": []}},
            "northern-ireland": {{"division": "northern-ireland", "events": []}}}}"#
    );
    std::fs::write(dir.path().join("holidays.json"), json).unwrap();
    let policy = dir.path().join("badger.toml");
    std::fs::write(
        &policy,
        format!("[window]\nbank_holidays_file = \"holidays.json\"\nclosed_dates = [\"{extra}\"]\n"),
    )
    .unwrap();
    let out = check_config(&policy);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("holidays.json (1 holiday(s) for england-and-wales)"),
        "{text}"
    );
    let line = |date: chrono::NaiveDate| {
        text.lines()
            .filter(|l| l.contains("(from: "))
            .find(|l| l.contains(&date.format("%Y-%m-%d").to_string()))
            .unwrap_or_else(|| panic!("no line for {date}: {text}"))
            .to_owned()
    };
    assert!(
        line(proclaimed).contains("Proclaimed holiday  (from: file)"),
        "{text}"
    );
    assert!(
        line(extra).contains("closed by policy  (from: closed_dates)"),
        "{text}"
    );
    // Every twelve months hold computed bank holidays on weekdays.
    assert!(text.contains("(from: computed"), "{text}");
}

#[test]
fn a_bad_bank_holidays_file_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("badger.toml");
    std::fs::write(dir.path().join("bad.json"), "{\"scotland\": 1").unwrap();
    for (file, what) in [
        ("missing.json", "cannot read"),
        ("bad.json", "gov.uk's bank-holidays.json format"),
    ] {
        std::fs::write(
            &policy,
            format!("[window]\nbank_holidays_file = \"{file}\"\n"),
        )
        .unwrap();
        for command in ["serve", "check-config"] {
            let vars = [
                ("BADGER_CONFIG", path_str(&policy)),
                ("BADGER_BIND", "127.0.0.1:0"),
            ];
            let out = run(command, &vars);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{command} {file}: {err}");
            assert!(err.contains("`window.bank_holidays_file`"), "{err}");
            assert!(err.contains(file) && err.contains(what), "{err}");
        }
    }

    // The vendored sample in gov.uk's format loads.
    let sample =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bank-holidays.json");
    std::fs::write(
        &policy,
        format!(
            "[window]\nbank_holidays = \"scotland\"\nbank_holidays_file = \"{}\"\n",
            sample.display()
        ),
    )
    .unwrap();
    let out = check_config(&policy);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(1 holiday(s) for scotland)"), "{text}");
}

/// The container's HEALTHCHECK: `badger healthcheck` asks /healthz at BADGER_BIND (an
/// all-interfaces address means loopback) and exits 0 only when it answers 200.
#[tokio::test]
async fn healthcheck_subcommand_reports_a_running_badger() {
    let db = TestDb::fresh(Backend::Sqlite).await;
    let mut child = serve_command(&db.url).spawn().unwrap();
    let base = support::badger_process::listening(&mut child).await;
    let addr = base
        .strip_prefix("http://")
        .expect("badger listens on http://")
        .to_owned();
    let port = addr.rsplit(':').next().unwrap().to_owned();
    for bind in [addr.clone(), format!("0.0.0.0:{port}")] {
        let out = run("healthcheck", &[("BADGER_BIND", &bind)]);
        assert!(
            out.status.success(),
            "{bind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    child.kill().await.unwrap();
    let _ = child.wait().await;
    // Nothing listens there any more.
    let out = run("healthcheck", &[("BADGER_BIND", &addr)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhealthy"));
}

/// SIGTERM the moment badger says it is listening (as an orchestrator may, right after a
/// start): the handler is already in place, so the exit is clean, never death by signal.
#[tokio::test]
async fn sigterm_right_after_listening_is_a_clean_exit() {
    let db = TestDb::fresh(Backend::Sqlite).await;
    for _ in 0..3 {
        let mut child = serve_command(&db.url).spawn().unwrap();
        support::badger_process::listening(&mut child).await;
        sigterm(&child);
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("exits")
            .unwrap();
        assert_eq!(status.code(), Some(0), "a clean exit: {status:?}");
    }
}

/// A port another program holds: the message names the address and BADGER_BIND and
/// suggests the next port, and nothing starts (no database is made).
#[test]
fn a_port_in_use_names_the_address_and_nothing_starts() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("badger.db");
    let out = badger()
        .arg("serve")
        .current_dir(dir.path())
        .env("BADGER_BIND", addr.to_string())
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let next = format!("127.0.0.1:{}", addr.port() + 1);
    assert!(
        err.contains(&format!(
            "cannot listen on {addr} (BADGER_BIND): address already in use; stop the other program or set BADGER_BIND={next}"
        )),
        "{err}"
    );
    assert!(!db.exists(), "nothing started, not even the database");
}

/// A database that will not open: the message names DATABASE_URL and the database (its
/// password hidden) and gives the reason once, for `serve` and `migrate` alike. PostgreSQL
/// refusing is retried for ten seconds (a replica may start before its database), then the
/// real reason is given, not the pool's timeout.
#[test]
fn a_database_that_will_not_open_is_named_with_its_reason_once() {
    let sqlite = "sqlite:///nonexistent/dir/badger.db";
    // A port nobody listens on and nobody else can take for the ten seconds of retries
    // (a port merely freed was seen taken by another test's proxy): the local end of a
    // live connection, bound without SO_REUSEADDR, refuses new connections.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let held = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let _accepted = listener.accept().unwrap();
    let port = held.local_addr().unwrap().port();
    let postgres = format!("postgres://badger:hunter2@127.0.0.1:{port}/x");
    for (command, url, reason) in [
        ("serve", sqlite.to_owned(), "unable to open database file"),
        ("migrate", sqlite.to_owned(), "unable to open database file"),
        ("serve", postgres, "onnection refused"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = badger()
            .arg(command)
            .current_dir(dir.path())
            .env("BADGER_BIND", "127.0.0.1:0")
            .env("DATABASE_URL", &url)
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        let shown = badger::config::redact_url(&url);
        assert!(
            err.contains(&format!(
                "cannot open the database {shown} (DATABASE_URL): "
            )),
            "{err}"
        );
        assert_eq!(err.matches(reason).count(), 1, "{err}");
        assert!(
            !err.contains("hunter2") && !err.contains("timed out"),
            "{err}"
        );
    }
}
