//! Checks several suite modules share: what a test app has stored right now, and badger
//! replica processes on one database, asked over HTTP as Slack and operators ask them.

use super::db::{Backend, TestDb};
use super::driver::{TestApp, CHANNEL, SECRET};
use super::fake_slack::FakeSlack;
use super::slack_forms;
use badger::domain::deployment::Deployment;
use serde_json::Value;

/// The live (queued, called or deploying) deployments in the test app's store, on one
/// environment or all, active first.
pub async fn live_deployments(t: &TestApp, env: Option<&str>) -> Vec<Deployment> {
    t.core()
        .store
        .live_deployments(env)
        .await
        .expect("read live deployments")
}

/// Deployment `id` as stored now.
pub async fn deployment(t: &TestApp, id: i64) -> Deployment {
    let stored = t
        .core()
        .store
        .deployment(id)
        .await
        .expect("read a deployment");
    stored.unwrap_or_else(|| panic!("no deployment #{id}"))
}

/// The state (`queued`, `deploying`, `succeeded`, …) of deployment `id` as stored now.
pub async fn deployment_state(t: &TestApp, id: i64) -> String {
    deployment(t, id).await.state.as_str().to_owned()
}

/// What badger replica processes share: a fresh database, a fake Slack, a policy file
/// (dropped in that order reversed, so the database goes last).
pub struct ReplicaRig {
    pub policy: tempfile::NamedTempFile,
    pub slack: FakeSlack,
    pub db: TestDb,
}

/// One `badger serve` process of a [`ReplicaRig`] and where it listens.
pub struct Replica {
    pub child: tokio::process::Child,
    pub base: String,
}

impl ReplicaRig {
    /// A fresh database on `backend`, a fake Slack and a policy file holding `policy`.
    pub async fn start(backend: Backend, policy: &str) -> ReplicaRig {
        let db = TestDb::fresh(backend).await;
        let slack = FakeSlack::start().await;
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, policy.as_bytes()).unwrap();
        ReplicaRig {
            policy: file,
            slack,
            db,
        }
    }

    /// Starts one more replica on the rig, with `extra` environment on top. Start them one
    /// after the other, so they do not race on the first migration.
    pub async fn spawn(&self, extra: &[(&str, &str)]) -> Replica {
        let (child, base) = super::process::serve(
            &self.db.url,
            &self.slack.url(),
            SECRET,
            self.policy.path(),
            extra,
        )
        .await;
        Replica { child, base }
    }
}

/// `/deploy TEXT` from `user` in the deploy channel to a replica at `base`, signed as Slack
/// signs it now; checks the 200 and returns the reply's text.
pub async fn slash(http: &reqwest::Client, base: &str, user: &str, text: &str) -> String {
    let body = slack_forms::command_form(CHANNEL, user, "/deploy", text);
    let r = slack_forms::signed_form_now(http, &format!("{base}/slack/commands"), SECRET, body)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json reply");
    v["text"].as_str().unwrap_or("").to_owned()
}

/// `GET /api/v1/status` from a replica at `base`, as JSON.
pub async fn api_status(http: &reqwest::Client, base: &str) -> Value {
    http.get(format!("{base}/api/v1/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Asserts that message `m`'s plain `text` holds `needle`, showing the whole message if not.
#[track_caller]
pub fn assert_text_has(m: &Value, needle: &str) {
    let text = m["text"].as_str().unwrap_or_default();
    assert!(text.contains(needle), "{needle:?} not in {m}");
}
