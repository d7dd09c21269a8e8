//! Fault injection at the Slack edge, through real HTTP, the real slack-morphism client
//! and the real badger binary: a Slack that never answers one channel, answers slowly to
//! two replicas, resets connections, or rate-limits while replicas race; and SIGTERM while
//! Slack hangs. Every message goes out once and in order per channel, and one stuck call
//! never holds up the others.
//!
//! Times are measured and printed (`FAULTS ...` lines), never asserted beyond hang guards.
//!
//! This module holds the replicas, the fake Slack's policy and the outbox helpers the
//! tests share.

use crate::support;

use badger::store::{Payload, Store};
use support::db::{Backend, TestDb};
use support::driver::SECRET;
use support::fake_slack::FakeSlack;

mod one_replica;
mod two_replicas;

const POLICY: &str = "channel = \"C0DEPLOY\"\n";

struct Replica {
    child: tokio::process::Child,
    base: String,
}

impl Replica {
    fn pid(&self) -> String {
        self.child.id().expect("running").to_string()
    }
}

fn policy_file() -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("policy file");
    std::io::Write::write_all(&mut f, POLICY.as_bytes()).expect("write policy");
    f
}

/// Starts `badger serve` against the fake Slack with a small timeout and lease.
async fn replica(
    db: &str,
    slack: &FakeSlack,
    policy: &std::path::Path,
    timeout_secs: u64,
    lease_secs: u64,
) -> Replica {
    let (timeout, lease) = (timeout_secs.to_string(), lease_secs.to_string());
    let extra = [
        ("BADGER_SLACK_TIMEOUT_SECS", timeout.as_str()),
        ("BADGER_OUTBOX_LEASE_SECS", lease.as_str()),
        ("RUST_LOG", "error"),
    ];
    let (child, base) = support::process::serve(db, &slack.url(), SECRET, policy, &extra).await;
    Replica { child, base }
}

fn ephemeral(channel: &str, user: &str, text: &str) -> Payload {
    Payload::Ephemeral {
        channel: channel.into(),
        user: user.into(),
        body: badger::store::Body::text(text, vec![]),
    }
}

/// Queues Slack calls the way a request does: in one committed transaction.
async fn enqueue(store: &Store, payloads: &[Payload]) {
    let mut tx = store.begin().await.expect("begin");
    for p in payloads {
        tx.enqueue(p, chrono::Utc::now()).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
}

fn texts(messages: &[serde_json::Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A database badger has migrated, and a store on it for the test.
async fn started(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::fresh(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    (db, store)
}
