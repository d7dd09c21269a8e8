//! A `badger serve` run as a child process: where it listens, read from its stdout.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

/// Reads the child's stdout until badger says where it listens (within a minute) and
/// returns that base URL (`http://127.0.0.1:PORT`); then keeps draining stdout, so the
/// child never blocks on a full pipe.
pub async fn listening(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("the child's stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(addr) = line.strip_prefix("badger listening on ") {
                return addr.trim().to_owned();
            }
        }
        panic!("badger exited before saying where it listens");
    })
    .await
    .expect("badger says where it listens within a minute");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    base
}

/// Starts the built `badger serve` as a replica: the fake Slack at `slack_url`, signing
/// secret `secret`, database `db`, policy file `policy`, port 0, then `extra` (which may
/// override any of these, `RUST_LOG` included). Returns the child and where it listens.
pub async fn serve(
    db: &str,
    slack_url: &str,
    secret: &str,
    policy: &std::path::Path,
    extra: &[(&str, &str)],
) -> (Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg("serve")
        .env_clear()
        .env("SLACK_BOT_TOKEN", "xoxb-test")
        .env("SLACK_SIGNING_SECRET", secret)
        .env("SLACK_API_URL", slack_url)
        .env("DATABASE_URL", db)
        .env("BADGER_BIND", "127.0.0.1:0")
        .env("BADGER_CONFIG", policy)
        .env("RUST_LOG", "warn")
        .envs(extra.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("badger binary starts");
    let base = listening(&mut child).await;
    (child, base)
}
