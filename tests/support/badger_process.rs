//! `badger serve` as a child process with exactly the environment the caller gives it: where
//! it listens, `kill -9`, and what /proc says of its memory. Self-contained (no `super::`),
//! so both the tests and `examples/loadgen` can include it with `#[path]`.
#![allow(dead_code)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

pub struct BadgerProcess {
    pub child: tokio::process::Child,
    /// `http://127.0.0.1:PORT`, as the child said where it listens.
    pub base: String,
    pub pid: u32,
}

impl BadgerProcess {
    /// Starts `bin serve` in `cwd` with only `vars` (and `RUST_LOG=warn` unless given), and
    /// waits (up to a minute) until it says where it listens.
    pub async fn spawn(bin: &Path, vars: &[(&str, String)], cwd: &Path) -> BadgerProcess {
        let mut cmd = tokio::process::Command::new(bin);
        cmd.arg("serve")
            .env_clear()
            .env("RUST_LOG", "warn")
            .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("badger starts");
        let pid = child.id().expect("a running child has a pid");
        let base = listening(&mut child).await;
        BadgerProcess { child, base, pid }
    }

    /// SIGKILL (`kill -9`): no shutdown path runs; returns once the process is gone.
    pub async fn kill9(mut self) {
        self.child.start_kill().expect("SIGKILL sent");
        let status = self.child.wait().await.expect("the child is reaped");
        assert!(!status.success(), "killed, not exited: {status:?}");
    }

    /// A `kB` field of /proc/PID/status (`VmRSS`, `VmHWM`), in kB; None off Linux.
    pub fn status_kb(&self, field: &str) -> Option<u64> {
        proc_status_kb(self.pid, field)
    }
}

/// Reads the child's stdout until badger says where it listens (within a minute) and
/// returns that base URL (`http://127.0.0.1:PORT`); then keeps draining stdout, so the
/// child never blocks on a full pipe.
pub async fn listening(child: &mut tokio::process::Child) -> String {
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

/// A `kB` field of /proc/PID/status, in kB.
pub fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
