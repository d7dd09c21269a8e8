//! The history API as a client uses it: fetch a page, walk every page with the cursor,
//! and a history filled straight through the store (fast, and no Slack traffic).

use super::ci::{get, Answer};
use super::driver::TestApp;
use badger::domain::deployment::State;
use badger::store::NewDeployment;
use chrono::Duration;
use serde_json::Value;

/// A deployment as the fill made it, to compute what a filter should return.
#[derive(Debug, Clone)]
pub struct Filled {
    pub id: i64,
    pub app: String,
    pub environment: String,
    pub requester: String,
    pub state: State,
}

pub const APPS: [&str; 7] = ["a0", "a1", "a2", "a3", "a4", "a5", "a6"];
pub const ENVS: [&str; 3] = ["integration", "staging", "production"];
pub const REQUESTERS: [&str; 5] = ["U0", "U1", "U2", "U3", "ci"];

/// `n` finished deployments (succeeded or failed) spread over apps, environments and
/// requesters, one second apart, oldest first.
pub async fn fill(t: &TestApp, n: usize) -> Vec<Filled> {
    let store = &t.core().store;
    let start = t.clock_now();
    let mut out = Vec::with_capacity(n);
    let mut tx = store.begin().await.expect("begin");
    for i in 0..n {
        let state = if i % 5 == 2 {
            State::Failed
        } else {
            State::Succeeded
        };
        let git_ref = format!("r{i}");
        let d = tx
            .insert_deployment(
                &NewDeployment {
                    channel: "C0DEPLOY",
                    source: "ci",
                    ..super::db::new_deployment(
                        APPS[i % APPS.len()],
                        &git_ref,
                        ENVS[i % ENVS.len()],
                        REQUESTERS[i % REQUESTERS.len()],
                        state,
                    )
                },
                start + Duration::seconds(i as i64),
            )
            .await
            .expect("insert");
        out.push(Filled {
            id: d.id,
            app: d.app,
            environment: d.environment,
            requester: d.requester,
            state,
        });
    }
    tx.commit().await.expect("commit");
    out
}

pub async fn page(t: &TestApp, query: &str) -> Answer {
    get(t, &format!("/api/v1/deployments?{query}")).await
}

/// Every page of `query` at `limit` a page, following `next_before`: the ids in the
/// order served, and each page's size. Fails on any error or a page over the limit.
pub async fn walk(t: &TestApp, query: &str, limit: usize) -> (Vec<i64>, Vec<usize>) {
    walk_from(t, query, limit, None).await
}

/// [`walk`] from a cursor a client kept (`None`: from the newest).
pub async fn walk_from(
    t: &TestApp,
    query: &str,
    limit: usize,
    mut before: Option<String>,
) -> (Vec<i64>, Vec<usize>) {
    let mut ids = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let mut q = format!("{query}&limit={limit}");
        if let Some(b) = &before {
            q.push_str(&format!("&before={b}"));
        }
        let a = page(t, &q).await;
        assert_eq!(a.status, 200, "{q}: {:?}", a.json);
        let rows = a.json["deployments"].as_array().expect("deployments");
        assert!(rows.len() <= limit, "{q}: {} rows", rows.len());
        sizes.push(rows.len());
        ids.extend(rows.iter().map(|r| r["id"].as_i64().expect("id")));
        match &a.json["next_before"] {
            Value::String(b) => {
                assert!(sizes.len() <= 10_000, "the walk does not end");
                before = Some(b.clone());
            }
            Value::Null => return (ids, sizes),
            other => panic!("{q}: next_before = {other:?}"),
        }
    }
}
