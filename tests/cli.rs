//! The binary as an operator runs it: check-config, bad configuration, migrate, SIGTERM.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;
use support::db::{Backend, TestDb};

fn badger() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_badger"));
    c.env_clear().env("RUST_LOG", "warn");
    c
}

#[test]
fn check_config_prints_policy_and_next_openings() {
    let out = badger().arg("check-config").output().expect("runs");
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
    let openings: Vec<&str> = text.lines().filter(|l| l.contains("(UTC ")).collect();
    assert_eq!(openings.len(), 5, "{text}");
}

#[test]
fn a_bad_policy_stops_start_up_naming_the_key() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, b"[window]\nfriday = \"16:00-09:30\"\n").unwrap();
    let out = badger()
        .arg("serve")
        .env("BADGER_CONFIG", f.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`window.friday`"), "{err}");

    let out = badger()
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        .output()
        .expect("runs");
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
        let out = badger()
            .arg("serve")
            .envs(vars.iter().copied())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{vars:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{err}");
    }
}

#[tokio::test]
async fn migrate_then_serve_then_sigterm_finishes_in_flight_work() {
    let db = TestDb::fresh(Backend::Sqlite).await;
    let out = badger()
        .arg("migrate")
        .env("DATABASE_URL", &db.url)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrations applied"));

    // Local mode (no token): serve, take requests, stop with SIGTERM.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg("serve")
        .env_clear()
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", &db.url)
        .env("BADGER_BIND", "127.0.0.1:0")
        .env("SLACK_SIGNING_SECRET", support::driver::SECRET)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let base = loop {
        let line = lines.next_line().await.unwrap().expect("listening line");
        if let Some(a) = line.strip_prefix("badger listening on ") {
            break a.trim().to_owned();
        }
    };
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

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
            let ts = chrono::Utc::now().timestamp().to_string();
            let sig = badger::slack::verify::sign(support::driver::SECRET, &ts, body.as_bytes());
            let r = http
                .post(format!("{base}/slack/commands"))
                .header("x-slack-request-timestamp", ts)
                .header("x-slack-signature", sig)
                .body(body)
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
    let pid = child.id().expect("pid").to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
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
