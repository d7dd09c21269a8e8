//! Several badger processes on one database: a burst of concurrent /deploy requests
//! spread across replicas, then one replica killed (SIGKILL, not a graceful stop).

use crate::support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use support::checks::{api_status, slash, ReplicaRig};
use support::db::{postgres_enabled, Backend};
use support::fake_slack::FakeSlack;

const POLICY: &str = "channel = \"C0DEPLOY\"\n";

async fn outbox_pending(http: &reqwest::Client, base: &str) -> i64 {
    let text = support::metrics::scrape(http, base).await;
    support::metrics::sample(&text, "badger_outbox_pending").map_or(-1, |n| n as i64)
}

async fn wait_drained(http: &reqwest::Client, base: &str) {
    for _ in 0..600 {
        if outbox_pending(http, base).await == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("outbox did not drain");
}

/// How many posts delivered to Slack contain `words`.
fn posts_containing(slack: &FakeSlack, words: &str) -> usize {
    slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.ok && c.body["text"].as_str().unwrap_or("").contains(words))
        .count()
}

fn position(reply: &str) -> Option<usize> {
    let rest = reply.split("you are number ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

/// A command that misses Slack's deadline is told so at once and answered later by an
/// ephemeral message: swaps each such interim reply for that later answer.
async fn answers_of_late_commands(
    slack: &FakeSlack,
    replies: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let late: Vec<String> = replies
        .iter()
        .filter(|(_, r)| r.contains("still being worked on"))
        .map(|(u, _)| u.clone())
        .collect();
    if late.is_empty() {
        return replies;
    }
    eprintln!(
        "{} of {} answers came late, as ephemerals",
        late.len(),
        replies.len()
    );
    let answered = |calls: &[support::fake_slack::Call], user: &str| {
        calls.iter().rev().find_map(|c| {
            (c.ok && c.method == "chat.postEphemeral" && c.body["user"] == user)
                .then(|| c.body["text"].as_str().unwrap_or("").to_owned())
        })
    };
    let all_answered = slack
        .wait_until(Duration::from_secs(60), |calls| {
            late.iter().all(|u| answered(calls, u).is_some())
        })
        .await;
    assert!(
        all_answered,
        "every late command is answered by an ephemeral"
    );
    let calls = slack.calls();
    replies
        .into_iter()
        .map(|(u, r)| match answered(&calls, &u) {
            Some(later) if late.contains(&u) => (u, later),
            _ => (u, r),
        })
        .collect()
}

/// Sends `n` concurrent signed requests, spread round-robin over `bases`, and checks
/// every requester got a unique answer: one starts, the rest get positions 1..n-1.
async fn burst(
    http: &reqwest::Client,
    slack: &FakeSlack,
    bases: &[String],
    n: usize,
) -> (Duration, Vec<(String, String)>) {
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let http = http.clone();
        let base = bases[i % bases.len()].clone();
        set.spawn(async move {
            let user = format!("U{i:05}");
            let reply = slash(&http, &base, &user, &format!("app{i} r1 to integration")).await;
            (user, reply)
        });
    }
    let mut replies = Vec::new();
    while let Some(r) = set.join_next().await {
        replies.push(r.expect("task"));
    }
    let took = started.elapsed();
    let replies = answers_of_late_commands(slack, replies).await;
    let starters: Vec<_> = replies
        .iter()
        .filter(|(_, r)| r.contains("You're deploying"))
        .collect();
    assert_eq!(starters.len(), 1, "exactly one starts: {replies:#?}");
    let positions: BTreeSet<usize> = replies.iter().filter_map(|(_, r)| position(r)).collect();
    assert_eq!(
        positions.len(),
        n - 1,
        "every queued requester has a unique position"
    );
    assert_eq!(positions, (1..n).collect::<BTreeSet<_>>());
    (took, replies)
}

/// Replicas sharing a fresh PostgreSQL database, under `POLICY`; `None` where PostgreSQL
/// is not enabled.
async fn postgres_rig() -> Option<ReplicaRig> {
    if !postgres_enabled() {
        return None;
    }
    Some(ReplicaRig::start(Backend::Postgres, POLICY).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_one_postgres_then_one_killed() {
    let Some(rig) = postgres_rig().await else {
        return;
    };
    let slack = &rig.slack;
    // Start them one after the other so both don't race on the first migration.
    let mut a = rig.spawn(&[]).await;
    let b = rig.spawn(&[]).await;
    let http = reqwest::Client::new();
    let bases = vec![a.base.clone(), b.base.clone()];

    let (took, replies) = burst(&http, slack, &bases, 200).await;
    eprintln!(
        "BURST postgres, 2 replicas: 200 concurrent /deploy requests in {} ms",
        took.as_millis()
    );

    wait_drained(&http, &a.base).await;
    assert_eq!(
        posts_containing(slack, "started deploying"),
        1,
        "exactly one start alert"
    );

    // Both replicas report the same queue.
    let queue = |v: Value| -> Vec<i64> {
        v["environments"][0]["queue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect()
    };
    let qa = queue(api_status(&http, &a.base).await);
    let qb = queue(api_status(&http, &b.base).await);
    assert_eq!(qa.len(), 199);
    assert_eq!(qa, qb);

    // Kill replica A for real, then finish the deployment through B.
    a.child.kill().await.expect("kill -9 replica A");
    let deployer = &replies
        .iter()
        .find(|(_, r)| r.contains("You're deploying"))
        .unwrap()
        .0;
    let first_in_line = &replies
        .iter()
        .find(|(_, r)| position(r) == Some(1))
        .unwrap()
        .0;
    let reply = slash(&http, &b.base, deployer, "done").await;
    assert!(reply.contains("succeeded"), "{reply}");
    let called = format!("<@{first_in_line}> it's your turn");
    assert!(
        slack
            .wait_until(Duration::from_secs(30), |calls| calls.iter().any(
                |c| c.ok && c.body["text"].as_str().unwrap_or("").contains(&called)
            ))
            .await,
        "the next in line is called"
    );
    wait_drained(&http, &b.base).await;
    // Give B's scheduler a couple of ticks to do anything it (wrongly) might.
    tokio::time::sleep(Duration::from_secs(6)).await;
    wait_drained(&http, &b.base).await;
    assert_eq!(
        posts_containing(slack, "it's your turn"),
        1,
        "the next person is called exactly once"
    );
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_on_sqlite_single_process() {
    let rig = ReplicaRig::start(Backend::Sqlite, POLICY).await;
    let slack = &rig.slack;
    let a = rig.spawn(&[]).await;
    let http = reqwest::Client::new();
    let (took, _) = burst(&http, slack, std::slice::from_ref(&a.base), 200).await;
    eprintln!(
        "BURST sqlite, 1 process: 200 concurrent /deploy requests in {} ms",
        took.as_millis()
    );
    wait_drained(&http, &a.base).await;
    assert_eq!(posts_containing(slack, "started deploying"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_delivery_loses_its_claim_and_another_delivers() {
    let Some(rig) = postgres_rig().await else {
        return;
    };
    let slack = &rig.slack;
    // The paused call must not time out before the victim is killed (timeout < lease).
    let lease = [
        ("BADGER_OUTBOX_LEASE_SECS", "10"),
        ("BADGER_SLACK_TIMEOUT_SECS", "8"),
    ];
    let mut a = rig.spawn(&lease).await;
    let mut b = rig.spawn(&lease).await;
    let http = reqwest::Client::new();

    // Hold every post in flight at Slack, then make one.
    slack.pause("chat.postMessage");
    let reply = slash(&http, &a.base, "U0ALICE", "whitehall r1 to integration").await;
    assert!(reply.contains("You're deploying"), "{reply}");
    for _ in 0..400 {
        if slack.waiting() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(slack.waiting(), 1, "one replica is mid-delivery");

    // Find which replica holds the claim (worker ids start with the pid) and kill it.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&rig.db.url).await.unwrap();
    let holder: String =
        sqlx::query_scalar("SELECT claimed_by FROM outbox WHERE delivered_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    let pid_a = a.child.id().unwrap().to_string();
    let pid_b = b.child.id().unwrap().to_string();
    let (victim, survivor, survivor_pid) = if holder.starts_with(&format!("{pid_a}-")) {
        (&mut a, &b, pid_b)
    } else {
        assert!(
            holder.starts_with(&format!("{pid_b}-")),
            "claimed by {holder}"
        );
        (&mut b, &a, pid_a)
    };
    victim.child.kill().await.unwrap();
    slack.resume("chat.postMessage");

    // After the lease the survivor delivers it: once, since the dead one's call never landed.
    let delivered = slack
        .wait_until(Duration::from_secs(30), |calls| {
            calls.iter().any(|c| {
                c.ok && c.body["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("started deploying")
            })
        })
        .await;
    assert!(delivered, "the survivor delivered the start alert");
    wait_drained(&http, &survivor.base).await;
    assert_eq!(posts_containing(slack, "started deploying"), 1);
    let holder: String = sqlx::query_scalar("SELECT claimed_by FROM outbox ORDER BY id LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        holder.starts_with(&format!("{survivor_pid}-")),
        "delivered by the survivor, not {holder}"
    );
}
