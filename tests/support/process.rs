//! A `badger serve` run as a child process against the fake Slack; where it listens is read
//! from its stdout by `badger_process::listening`.

use super::badger_process::listening;
use tokio::process::Child;

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
