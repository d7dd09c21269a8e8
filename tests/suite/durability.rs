//! Durability under `kill -9`: the real `badger serve` binary takes 500 concurrent distinct
//! `/deploy` writes, is killed with SIGKILL and restarted on the same database; every
//! acknowledged deployment is still there and the queue positions people were told are
//! unique, gap-free and match the stored queue order. Then a second batch is cut off by a
//! SIGKILL halfway, and what was acknowledged before the kill is still there.

use crate::support;

use badger::domain::deployment::{Deployment, State};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::badger_process::BadgerProcess;
use support::db::{Backend, TestDb};
use support::fake_slack::FakeSlack;
use support::slack_forms;

const SECRET: &str = "durability-signing-secret";
const CHANNEL: &str = "C0DEPLOY";
const ENVS: [&str; 3] = ["integration", "staging", "production"];

/// One write: who asked for what where.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ask {
    app: String,
    git_ref: String,
    user: String,
    env: &'static str,
}

impl Ask {
    fn new(round: u32, i: usize) -> Ask {
        Ask {
            app: format!("app{}", i % 500),
            git_ref: format!("r{round}-{i}"),
            user: format!("U{round}{i:05}"),
            env: ENVS[i % ENVS.len()],
        }
    }

    fn of(d: &Deployment) -> (String, String, String, String) {
        (
            d.app.clone(),
            d.git_ref.clone(),
            d.requester.clone(),
            d.environment.clone(),
        )
    }

    fn key(&self) -> (String, String, String, String) {
        (
            self.app.clone(),
            self.git_ref.clone(),
            self.user.clone(),
            self.env.to_owned(),
        )
    }
}

/// What badger told the person: it started, or they are number N in line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ack {
    Started,
    Queued(usize),
}

/// An acknowledgement in a reply's text, if it is one.
fn ack_in(text: &str) -> Option<Ack> {
    if text.contains("You're deploying") {
        return Some(Ack::Started);
    }
    let rest = text.split("you are number ").nth(1)?;
    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
    n.parse().ok().map(Ack::Queued)
}

struct Run {
    slack: FakeSlack,
    db: TestDb,
    policy: tempfile::NamedTempFile,
    cwd: tempfile::TempDir,
}

impl Run {
    async fn start(&self) -> BadgerProcess {
        let vars = [
            ("SLACK_BOT_TOKEN", "xoxb-durability".to_owned()),
            ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
            ("SLACK_API_URL", self.slack.url()),
            ("DATABASE_URL", self.db.url.clone()),
            ("BADGER_BIND", "127.0.0.1:0".to_owned()),
            ("BADGER_CONFIG", self.policy.path().display().to_string()),
        ];
        let p = BadgerProcess::spawn(
            Path::new(env!("CARGO_BIN_EXE_badger")),
            &vars,
            self.cwd.path(),
        )
        .await;
        let ready = reqwest::get(format!("{}/readyz", p.base))
            .await
            .expect("readyz answers");
        assert_eq!(ready.status(), 200, "the restarted badger is ready");
        p
    }

    /// Replies that came late, as ephemerals at the fake Slack: user -> acknowledgement.
    fn late_acks(&self) -> HashMap<String, Ack> {
        self.slack
            .ephemerals(CHANNEL)
            .iter()
            .filter_map(|e| {
                let user = e["user"].as_str()?.to_owned();
                Some((user, ack_in(e["text"].as_str()?)?))
            })
            .collect()
    }
}

/// Fires `asks` at once; each finished request bumps `answered`. Returns each ask with the
/// reply's text (None: no answer, e.g. the process was killed).
fn fire(
    base: &str,
    asks: &[Ask],
    answered: Arc<AtomicUsize>,
) -> tokio::task::JoinSet<(Ask, Option<String>)> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let mut set = tokio::task::JoinSet::new();
    for ask in asks.iter().cloned() {
        let (http, base, answered) = (http.clone(), base.to_owned(), answered.clone());
        set.spawn(async move {
            let text = format!("{} {} to {}", ask.app, ask.git_ref, ask.env);
            let body = slack_forms::command_form(CHANNEL, &ask.user, "/deploy", &text);
            let url = format!("{base}/slack/commands");
            let r = slack_forms::signed_form_now(&http, &url, SECRET, body)
                .send()
                .await;
            let text = match r {
                Ok(r) if r.status() == 200 => r
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .map(|j| j["text"].as_str().unwrap_or("").to_owned()),
                _ => None,
            };
            answered.fetch_add(1, Ordering::SeqCst);
            (ask, text)
        });
    }
    set
}

/// Acknowledgements: the immediate reply's, else the late ephemeral's.
fn acks(replies: &[(Ask, Option<String>)], late: &HashMap<String, Ack>) -> BTreeMap<Ask, Ack> {
    replies
        .iter()
        .filter_map(|(ask, text)| {
            let ack = text
                .as_deref()
                .and_then(ack_in)
                .or_else(|| late.get(&ask.user).copied())?;
            Some((ask.clone(), ack))
        })
        .collect()
}

/// The queue positions told to the asks for `env` ("you are number k"), in order.
fn told_positions(acked: &BTreeMap<Ask, Ack>, env: &str) -> Vec<usize> {
    let mut told: Vec<usize> = acked
        .iter()
        .filter(|(a, _)| a.env == env)
        .filter_map(|(_, a)| match a {
            Ack::Queued(k) => Some(*k),
            Ack::Started => None,
        })
        .collect();
    told.sort_unstable();
    told
}

/// Checks the stored live deployments against the acknowledgements: every acknowledged
/// one is stored; per environment the one told it started is the active one, and the one
/// told "number k" is k-th in the stored queue; queue keys are unique. Returns the stored
/// rows (app, ref, user, env).
async fn check(
    db: &TestDb,
    acked: &BTreeMap<Ask, Ack>,
) -> HashSet<(String, String, String, String)> {
    let store = badger::store::Store::connect(&db.url).await.expect("store");
    let live = store
        .live_deployments(None)
        .await
        .expect("live deployments");
    let stored: HashSet<_> = live.iter().map(Ask::of).collect();
    for (ask, ack) in acked {
        assert!(
            stored.contains(&ask.key()),
            "acknowledged ({ack:?}) but lost after kill -9: {ask:?}"
        );
    }
    for env in ENVS {
        let rows: Vec<&Deployment> = live.iter().filter(|d| d.environment == env).collect();
        let active: Vec<&Deployment> = rows
            .iter()
            .copied()
            .filter(|d| d.state != State::Queued)
            .collect();
        let queued: Vec<&Deployment> = rows
            .iter()
            .copied()
            .filter(|d| d.state == State::Queued)
            .collect();
        assert!(active.len() <= 1, "{env}: one at a time, got {active:#?}");
        let keys: HashSet<i64> = queued.iter().map(|d| d.queue_key).collect();
        assert_eq!(keys.len(), queued.len(), "{env}: queue keys are unique");
        for (ask, ack) in acked.iter().filter(|(a, _)| a.env == env) {
            match *ack {
                Ack::Started => assert_eq!(
                    active.first().map(|d| Ask::of(d)),
                    Some(ask.key()),
                    "{env}: the one told it started is the one deploying"
                ),
                Ack::Queued(k) => {
                    assert!(
                        k >= 1 && k <= queued.len(),
                        "{env}: position {k} of {}",
                        queued.len()
                    );
                    assert_eq!(
                        Ask::of(queued[k - 1]),
                        ask.key(),
                        "{env}: the one told number {k} is {k}-th in the stored queue"
                    );
                }
            }
        }
        // Positions told are unique (two people told "number 3" would show above as a
        // mismatch for one of them; this names it plainly).
        let mut told = told_positions(acked, env);
        let before = told.len();
        told.dedup();
        assert_eq!(before, told.len(), "{env}: no position told twice");
    }
    stored
}

async fn durable_under_kill9(backend: Backend) {
    // Every environment always open: the binary runs on the real clock, so the test must
    // mean the same at any time of day, and a write must only ever queue or start.
    let policy_text = support::open_policy::always_open(CHANNEL, &ENVS);
    let mut policy = tempfile::NamedTempFile::new().expect("policy file");
    std::io::Write::write_all(&mut policy, policy_text.as_bytes()).expect("write policy");
    let run = Run {
        slack: FakeSlack::start().await,
        db: TestDb::fresh(backend).await,
        policy,
        cwd: tempfile::tempdir().expect("temp dir"),
    };

    // Round 1: 500 concurrent distinct writes, every one answered, then kill -9.
    let p = run.start().await;
    let asks: Vec<Ask> = (0..500).map(|i| Ask::new(1, i)).collect();
    let mut set = fire(&p.base, &asks, Arc::new(AtomicUsize::new(0)));
    let mut replies = Vec::new();
    while let Some(r) = set.join_next().await {
        replies.push(r.expect("request task"));
    }
    // A reply that missed Slack's deadline follows as an ephemeral: wait for all of them.
    let pending = |late: &HashMap<String, Ack>| acks(&replies, late).len() < asks.len();
    for _ in 0..6000 {
        if !pending(&run.late_acks()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let acked = acks(&replies, &run.late_acks());
    let unanswered: Vec<_> = replies
        .iter()
        .filter(|(a, _)| !acked.contains_key(a))
        .take(5)
        .collect();
    assert!(
        unanswered.is_empty(),
        "every distinct write is acknowledged (queued or started); first not: {unanswered:#?}"
    );
    for env in ENVS {
        let told = told_positions(&acked, env);
        let n = told.len();
        assert_eq!(told, (1..=n).collect::<Vec<_>>(), "{env}: positions 1..{n}");
        let started = acked
            .iter()
            .filter(|(a, k)| a.env == env && **k == Ack::Started)
            .count();
        assert_eq!(started, 1, "{env}: the first one started");
    }
    p.kill9().await;

    let p = run.start().await;
    let stored = check(&run.db, &acked).await;
    assert_eq!(stored.len(), 500, "nothing but the 500 acknowledged ones");

    // Round 2: 300 more, and kill -9 once a third are answered, the rest in flight.
    let answered = Arc::new(AtomicUsize::new(0));
    let asks2: Vec<Ask> = (0..300).map(|i| Ask::new(2, i)).collect();
    let mut set = fire(&p.base, &asks2, answered.clone());
    while answered.load(Ordering::SeqCst) < 100 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    p.kill9().await;
    let mut replies2 = Vec::new();
    while let Some(r) = set.join_next().await {
        replies2.push(r.expect("request task"));
    }
    let acked2 = acks(&replies2, &run.late_acks());
    assert!(
        !acked2.is_empty(),
        "some of the answers before the kill acknowledge"
    );

    eprintln!(
        "{backend:?}: round 1 acknowledged {} of 500 ({} late); round 2 acknowledged {} of 300 before kill -9",
        acked.len(),
        replies.iter().filter(|(_, t)| t.as_deref().and_then(ack_in).is_none()).count(),
        acked2.len()
    );
    let p = run.start().await;
    let mut all = acked.clone();
    all.extend(acked2);
    let stored = check(&run.db, &all).await;
    // Stored rows are the first round's and second-round asks; nothing else appeared.
    let asked: HashSet<_> = asks.iter().chain(&asks2).map(Ask::key).collect();
    assert!(stored.is_subset(&asked), "no row nobody asked for");
    p.kill9().await;
}

on_both_backends!(durable_under_kill9);
