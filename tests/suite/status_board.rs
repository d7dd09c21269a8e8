//! The status board served from the in-memory snapshot: a change shows at once in the replica
//! that made it (read-your-own-writes, even with the snapshot already built), Slack's
//! `/deploy status`, `GET /api/v1/status`, the dashboard and deploy-check agree, and on
//! PostgreSQL a second badger process sees a write made through the first.

use crate::support;

use serde_json::Value;
use std::time::Duration;
use support::checks::{self, slash, ReplicaRig};
use support::ci::get;
use support::db::{postgres_enabled, Backend};
use support::driver::TestApp;
use support::people::{ALICE, BOB, CAROL};

async fn status_text(t: &TestApp) -> String {
    let r = t.deploy(CAROL, "status").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

async fn api_status(t: &TestApp) -> Value {
    let r = get(t, "/api/v1/status").await;
    assert_eq!(r.status, 200, "{:?}", r.json);
    r.json
}

/// The ids of an environment's queue in the API answer.
fn api_queue(v: &Value, env: &str) -> Vec<i64> {
    let e = v["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == env)
        .unwrap_or_else(|| panic!("no {env} in {v}"));
    e["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}

/// The `(#id)` of each queued deployment on `env`'s line of Slack's status, in order.
fn slack_queue(text: &str, env: &str) -> Vec<i64> {
    let start = text
        .find(&format!("*{env}*"))
        .unwrap_or_else(|| panic!("no {env} in {text}"));
    let rest = &text[start..];
    // The environment's entry ends where the next one (or the holds) begins.
    let end = rest[1..]
        .find("\n*")
        .or_else(|| rest.find("No holds."))
        .unwrap_or(rest.len());
    rest[..end]
        .split("(#")
        .skip(1)
        .map(|s| s.split(')').next().unwrap().parse().unwrap())
        .collect()
}

async fn a_change_shows_at_once_in_the_replica_that_made_it(backend: Backend) {
    let t = TestApp::start(backend).await;
    // Build the snapshot first, so what follows must make it stale.
    let before = status_text(&t).await;
    assert!(
        before.contains("*integration* (always open): free"),
        "{before}"
    );
    assert!(before.contains("No holds."), "{before}");
    assert_eq!(
        api_queue(&api_status(&t).await, "integration"),
        Vec::<i64>::new()
    );

    let r = t.deploy(ALICE, "whitehall r1 to integration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let now = status_text(&t).await;
    assert!(
        now.contains("<@U0ALICE> deploying whitehall `r1`"),
        "the status right after the /deploy shows it:\n{now}"
    );

    let r = t.deploy(BOB, "publisher p1 to integration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let api = api_status(&t).await;
    let queued = api_queue(&api, "integration");
    assert_eq!(queued.len(), 1, "{api}");
    assert_eq!(api["environments"][0]["active"]["app"], "whitehall");
    assert_eq!(api["queues"]["integration"][0]["app"], "publisher");

    let r = t.hold(BOB, "whitehall production database migration").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let now = status_text(&t).await;
    assert!(now.contains("*Holds* (1):"), "{now}");
    assert!(now.contains("database migration"), "{now}");
    let api = api_status(&t).await;
    assert_eq!(api["holds"].as_array().unwrap().len(), 1, "{api}");

    // deploy-check sees the same hold at once.
    let r = get(
        &t,
        "/api/v1/deploy-check?app=whitehall&environment=production",
    )
    .await;
    assert_eq!(r.status, 423, "{:?}", r.json);
    assert!(r.codes().contains(&"held".to_owned()), "{:?}", r.json);

    // Finishing shows at once too: the environment is handed to the next in line, and the
    // version appears.
    let r = t.deploy(ALICE, "done").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let api = api_status(&t).await;
    assert_ne!(
        api["environments"][0]["active"]["app"], "whitehall",
        "{api}"
    );
    let versions = api["versions"].as_array().unwrap();
    assert!(
        versions
            .iter()
            .any(|v| v["app"] == "whitehall" && v["git_ref"] == "r1"),
        "{api}"
    );
    t.deploy(CAROL, "versions whitehall")
        .await
        .assert_says("r1");
}
on_both_backends!(a_change_shows_at_once_in_the_replica_that_made_it);

/// After an environment is removed from the policy, `versions` no longer lists what ran
/// there, as `environments` no longer lists the environment.
async fn versions_follow_the_policys_environments(backend: Backend) {
    let with_training = format!(
        "{}{}",
        support::driver::POLICY,
        "[[environments]]\nname = \"integration\"\n[[environments]]\nname = \"training\"\n\
         requires_previous = false\n[[environments]]\nname = \"staging\"\n\
         [[environments]]\nname = \"production\"\n"
    );
    let t = TestApp::start_with(backend, &with_training).await;
    for env in ["integration", "training"] {
        let body = serde_json::json!({"app": "whitehall", "ref": "r1",
            "environment": env, "status": "succeeded"});
        assert_eq!(support::ci::report(&t, body).await.status, 201, "{env}");
    }
    let envs_of = |s: &Value, key: &str, field: &str| -> Vec<String> {
        let list = s[key].as_array().unwrap_or_else(|| panic!("{key}: {s}"));
        list.iter()
            .map(|v| v[field].as_str().unwrap().to_owned())
            .collect()
    };
    let s = api_status(&t).await;
    assert_eq!(
        envs_of(&s, "versions", "environment"),
        ["integration", "training"]
    );

    let t = t.restart_with(support::driver::POLICY).await;
    let s = api_status(&t).await;
    assert_eq!(
        envs_of(&s, "environments", "name"),
        ["integration", "staging", "production"]
    );
    assert_eq!(
        envs_of(&s, "versions", "environment"),
        ["integration"],
        "{s}"
    );
    assert_eq!(s["versions"][0]["git_ref"], "r1", "{s}");
    t.stop().await;
}
on_both_backends!(versions_follow_the_policys_environments);

async fn slack_the_api_and_the_dashboard_agree(backend: Backend) {
    let t = TestApp::start(backend).await;
    for (who, what) in [
        (ALICE, "whitehall r1 to integration"),
        (BOB, "publisher p1 to integration"),
        (CAROL, "frontend f1 to integration"),
    ] {
        let r = t.deploy(who, what).await;
        assert_eq!(r.status, 200, "{what}: {}", r.text());
    }
    let r = t.hold(BOB, "all production quiet period").await;
    assert_eq!(r.status, 200, "{}", r.text());

    let text = status_text(&t).await;
    let api = api_status(&t).await;
    for env in ["integration", "staging", "production"] {
        assert_eq!(
            slack_queue(&text, env),
            api_queue(&api, env),
            "{env}: the same queue in the same order\n{text}\n{api}"
        );
        let e = api["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == env)
            .unwrap();
        match e["active"].as_object() {
            Some(d) => {
                let shown = format!(
                    "<@{}> deploying {} `{}`",
                    d["requester"].as_str().unwrap(),
                    d["app"].as_str().unwrap(),
                    d["git_ref"].as_str().unwrap()
                );
                assert!(text.contains(&shown), "{env}: {shown} in\n{text}");
            }
            None => assert!(text.contains(&format!("*{env}*")), "{text}"),
        }
    }
    assert_eq!(slack_queue(&text, "integration").len(), 2, "{text}");
    let holds = api["holds"].as_array().unwrap();
    assert!(
        text.contains(&format!("*Holds* ({}):", holds.len())),
        "{text}"
    );
    assert!(text.contains("quiet period"), "{text}");
    // The window, in the API's and Slack's words.
    assert_eq!(api["window"]["open"], true);
    assert!(text.contains("The deploy window is open until"), "{text}");
    // Everything deploying, across environments.
    let deploying: Vec<&str> = api["deploying"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["environment"].as_str().unwrap())
        .collect();
    assert_eq!(deploying, ["integration"]);

    // The dashboard draws the same queue.
    let html = t.get("/dashboard").await.text().await.unwrap();
    for id in api_queue(&api, "integration") {
        assert!(
            html.contains(&format!("<li data-id=\"{id}\">")),
            "#{id} on the dashboard"
        );
    }
    assert!(html.contains("quiet period"));
}
on_both_backends!(slack_the_api_and_the_dashboard_agree);

/// Two badger processes on one PostgreSQL database: B has built its snapshot, A takes a
/// deployment, and B's status shows it (notified, or at worst after the snapshot's age
/// limit). Polled with a generous bound; nothing here asserts how fast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_in_one_replica_is_seen_in_the_other() {
    if !postgres_enabled() {
        return;
    }
    let rig = ReplicaRig::start(Backend::Postgres, "channel = \"C0DEPLOY\"\n").await;
    // One after the other, so they do not race on the first migration.
    let a = rig.spawn(&[]).await;
    let b = rig.spawn(&[]).await;
    let http = reqwest::Client::new();

    let before = slash(&http, &b.base, CAROL, "status").await;
    assert!(
        before.contains("*integration* (always open): free"),
        "{before}"
    );

    let reply = slash(&http, &a.base, ALICE, "whitehall r1 to integration").await;
    assert!(reply.contains("You're deploying"), "{reply}");
    // A sees it at once: its own write.
    let in_a = slash(&http, &a.base, CAROL, "status").await;
    assert!(in_a.contains("deploying whitehall `r1`"), "{in_a}");

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let in_b = slash(&http, &b.base, CAROL, "status").await;
        let api = checks::api_status(&http, &b.base).await;
        if in_b.contains("deploying whitehall `r1`")
            && api["environments"][0]["active"]["app"] == "whitehall"
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "replica B never showed A's deployment:\n{in_b}\n{api}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
