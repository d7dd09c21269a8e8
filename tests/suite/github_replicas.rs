//! GitHub with two replicas on one PostgreSQL database: each start is dispatched exactly
//! once, and each deployment links its own run, however the work spreads across replicas.

use crate::support;

use support::db::Backend;
use support::driver::TestApp;
use support::fake_github::FakeGithub;
use support::github::{eventually, github_vars, GITHUB_TOKEN};
use support::people::ALICE;

async fn fake_github() -> FakeGithub {
    let gh = FakeGithub::start().await;
    gh.add_repo("alphagov/whitehall", "main", &["deploy.yml"]);
    gh.declare_input("alphagov/whitehall", "deploy.yml", "badgerDeploymentId");
    gh.add_refs("alphagov/whitehall", &["release_2"]);
    gh
}

/// Five environments, none waiting for another, so five deployments start at once.
const FIVE: &str = r#"
channel = "C0DEPLOY"
[[environments]]
name = "e1"
[[environments]]
name = "e2"
requires_previous = false
window = "always"
[[environments]]
name = "e3"
requires_previous = false
window = "always"
[[environments]]
name = "e4"
requires_previous = false
window = "always"
[[environments]]
name = "e5"
requires_previous = false
window = "always"
[github.repos]
whitehall = { repo = "alphagov/whitehall", trigger = true, deployment_input = "badgerDeploymentId" }
"#;

async fn two_replicas_dispatch_each_start_once(backend: Backend) {
    let gh = fake_github().await;
    let a = TestApp::start_with_vars(backend, FIVE, github_vars(&gh, GITHUB_TOKEN)).await;
    let b = a.replica().await;
    for (i, env) in ["e1", "e2", "e3", "e4", "e5"].iter().enumerate() {
        let replica = if i % 2 == 0 { &a } else { &b };
        let r = replica
            .deploy(ALICE, &format!("whitehall release_2 to {env}"))
            .await;
        assert!(r.text().contains("You're deploying"), "{}", r.text());
    }
    // Every start's run is linked (each to its own run), and each was dispatched once.
    assert!(
        eventually(|| a
            .slack
            .messages("C0DEPLOY")
            .iter()
            .filter(|m| m.to_string().contains("actions/runs/"))
            .count()
            == 5)
        .await
    );
    a.settle().await;
    let d = gh.dispatches();
    assert_eq!(d.len(), 5, "{d:?}");
    let ids: std::collections::BTreeSet<String> = d
        .iter()
        .map(|x| {
            x.body["inputs"]["badgerDeploymentId"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 5, "one dispatch per deployment: {ids:?}");
    let runs: std::collections::BTreeSet<String> = a
        .slack
        .messages("C0DEPLOY")
        .iter()
        .filter_map(|m| {
            let s = m.to_string();
            let at = s.find("actions/runs/")?;
            Some(s[at..at + 17].to_owned())
        })
        .collect();
    assert_eq!(runs.len(), 5, "each start links its own run: {runs:?}");
    b.stop().await;
    a.stop().await;
}
/// Replicas share PostgreSQL (SQLite is for one process).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_dispatch_each_start_once() {
    if support::db::postgres_enabled() {
        two_replicas_dispatch_each_start_once(Backend::Postgres).await
    }
}
