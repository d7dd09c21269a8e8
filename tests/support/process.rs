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
