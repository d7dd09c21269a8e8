//! The scripted driver: starts the real badger (port 0, fresh database, real slack-morphism
//! client pointed at the fake Slack) and drives it the way Slack does.
//!
//! Started with [`TestApp::stepped`], badger's outbox worker and scheduler do not run by
//! themselves: the test delivers the outbox ([`TestApp::deliver_outbox`]), makes scheduler
//! passes ([`TestApp::tick`]) and moves the clock, then reads Slack's calls in order
//! ([`TestApp::expect_post`] and the like). Nothing is polled, and when the test's
//! `TestApp` is dropped it fails on an unread Slack call or a background task that died.

use super::db::{Backend, TestDb};
use super::fake_slack::FakeSlack;
use super::slack_forms::{command_form, press_form, signed_post};
use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use badger::slack::slash::REPLY_DEADLINE;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const SECRET: &str = "test-signing-secret";
pub const API_TOKEN: &str = "ci-token-0123456789abcdef";
pub const CHANNEL: &str = "C0DEPLOY";
pub const ADMIN: &str = "U0ADMIN";
/// The content type of Slack's slash commands and button presses.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The policy most tests use: GOV.UK defaults, one deploy channel, one admin.
pub const POLICY: &str = r#"
channel = "C0DEPLOY"
admins = ["U0ADMIN"]
[queue]
turn_timeout_minutes = 10
"#;

/// Tuesday 24 November 2026, 10:00 GMT: the window is open.
pub fn tuesday_10am() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
}

pub struct TestApp {
    pub app: Option<Application>,
    pub slack: FakeSlack,
    pub clock: ManualClock,
    pub db: Arc<TestDb>,
    pub base: String,
    pub http: reqwest::Client,
    policy_file: Arc<tempfile::NamedTempFile>,
    knobs: Knobs,
    /// Set when another `TestApp` took over the fake Slack (a restart): the end-of-test
    /// checks are that one's to make.
    handed_over: bool,
}

/// How badger is started, kept for restarts and replicas.
#[derive(Clone)]
struct Knobs {
    /// `BADGER_API_TOKEN` as given to badger; `None` leaves the variable unset.
    api_token: Option<&'static str>,
    /// How long a slash command may take before Slack gets an interim answer.
    slash_deadline: Duration,
    /// More environment variables for badger (e.g. `GITHUB_API_URL`).
    extra_vars: Vec<(&'static str, String)>,
    /// The test steps the outbox and the scheduler (see the module header).
    stepped: bool,
}

impl Knobs {
    fn usual() -> Knobs {
        Knobs {
            api_token: Some(API_TOKEN),
            slash_deadline: REPLY_DEADLINE,
            extra_vars: vec![],
            stepped: false,
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub json: Value,
}

impl Reply {
    pub fn text(&self) -> String {
        self.json["text"].as_str().unwrap_or("").to_owned()
    }
}

/// The policy text written to a file badger reads as `BADGER_CONFIG`.
fn policy_file(policy: &str) -> Arc<tempfile::NamedTempFile> {
    let mut file = tempfile::NamedTempFile::new().expect("policy file");
    std::io::Write::write_all(&mut file, policy.as_bytes()).expect("write policy");
    Arc::new(file)
}

impl TestApp {
    pub async fn start(backend: Backend) -> TestApp {
        Self::start_with(backend, POLICY).await
    }

    pub async fn start_with(backend: Backend, policy: &str) -> TestApp {
        Self::start_full(backend, policy, Knobs::usual()).await
    }

    /// Like [`TestApp::start`], but stepped: the outbox and the scheduler move only when
    /// the test says so, and the test must read every Slack call (see the module header).
    pub async fn stepped(backend: Backend) -> TestApp {
        Self::stepped_with(backend, POLICY).await
    }

    /// [`TestApp::stepped`] under `policy`.
    pub async fn stepped_with(backend: Backend, policy: &str) -> TestApp {
        let knobs = Knobs {
            stepped: true,
            ..Knobs::usual()
        };
        Self::start_full(backend, policy, knobs).await
    }

    /// Like [`TestApp::start`], but with `BADGER_API_TOKEN` unset: the CI write API is off.
    pub async fn start_without_api_token(backend: Backend) -> TestApp {
        let knobs = Knobs {
            api_token: None,
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// Like [`TestApp::start_with`], with more environment variables (GitHub's).
    pub async fn start_with_vars(
        backend: Backend,
        policy: &str,
        extra_vars: Vec<(&'static str, String)>,
    ) -> TestApp {
        let knobs = Knobs {
            extra_vars,
            ..Knobs::usual()
        };
        Self::start_full(backend, policy, knobs).await
    }

    /// Like [`TestApp::start`], but every slash command misses its deadline: Slack gets
    /// the interim answer and the real one follows as an ephemeral.
    pub async fn start_with_late_replies(backend: Backend) -> TestApp {
        let knobs = Knobs {
            slash_deadline: Duration::ZERO,
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// Like [`TestApp::start`], with `BADGER_PUBLIC_URL` set.
    pub async fn start_with_public_url(backend: Backend, url: &str) -> TestApp {
        let knobs = Knobs {
            extra_vars: vec![("BADGER_PUBLIC_URL", url.to_owned())],
            ..Knobs::usual()
        };
        Self::start_full(backend, POLICY, knobs).await
    }

    /// A fresh database, fake Slack and clock (Tuesday 10:00) under `policy`.
    async fn start_full(backend: Backend, policy: &str, knobs: Knobs) -> TestApp {
        let db = Arc::new(TestDb::fresh(backend).await);
        let slack = FakeSlack::start().await;
        let clock = ManualClock::new(tuesday_10am());
        let file = policy_file(policy);
        Self::boot(db, slack, clock, file, knobs).await
    }

    /// Starts badger (the usual policy and tokens) on a database the test made itself.
    pub async fn start_on_db(db: TestDb) -> TestApp {
        let slack = FakeSlack::start().await;
        let clock = ManualClock::new(tuesday_10am());
        let file = policy_file(POLICY);
        Self::boot(Arc::new(db), slack, clock, file, Knobs::usual()).await
    }

    fn logs() {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }

    async fn boot(
        db: Arc<TestDb>,
        slack: FakeSlack,
        clock: ManualClock,
        policy_file: Arc<tempfile::NamedTempFile>,
        knobs: Knobs,
    ) -> TestApp {
        Self::logs();
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("SLACK_BOT_TOKEN", "xoxb-test-token".to_owned()),
            ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
            ("SLACK_API_URL", slack.url()),
            ("DATABASE_URL", db.url.clone()),
            ("BADGER_BIND", "127.0.0.1:0".to_owned()),
            ("BADGER_CONFIG", policy_file.path().display().to_string()),
        ]);
        if let Some(token) = knobs.api_token {
            vars.insert("BADGER_API_TOKEN", token.to_owned());
        }
        vars.extend(knobs.extra_vars.iter().cloned());
        let settings = Settings::from_vars(|k| vars.get(k).cloned()).expect("test settings");
        let opts = RunOptions {
            tick: Duration::from_millis(100),
            lease: Duration::from_secs(5),
            slack_timeout: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(2),
            slash_deadline: knobs.slash_deadline,
            // Smoke checks retry quickly in tests (the app under test restarts at once).
            smoke_attempts: 3,
            smoke_spacing: Duration::from_millis(200),
            stepped: knobs.stepped,
        };
        let app = Application::build(settings, Arc::new(clock.clone()), opts)
            .await
            .expect("badger starts");
        let base = format!("http://{}", app.addr);
        TestApp {
            app: Some(app),
            slack,
            clock,
            db,
            base,
            http: reqwest::Client::new(),
            policy_file,
            knobs,
            handed_over: false,
        }
    }

    /// Stops badger gracefully and starts it again on the same database, Slack and clock.
    pub async fn restart(mut self) -> TestApp {
        self.shut_down().await;
        self.handed_over = true;
        Self::boot(
            self.db.clone(),
            self.slack.clone(),
            self.clock.clone(),
            self.policy_file.clone(),
            self.knobs.clone(),
        )
        .await
    }

    /// Another badger on the same database, Slack, clock, policy and variables: a replica.
    pub async fn replica(&self) -> TestApp {
        Self::boot(
            self.db.clone(),
            self.slack.clone(),
            self.clock.clone(),
            self.policy_file.clone(),
            self.knobs.clone(),
        )
        .await
    }

    /// Shuts badger down; fails if a background task panicked meanwhile. When stepped,
    /// dropping the `TestApp` then fails on unread Slack calls.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    async fn shut_down(&mut self) {
        if let Some(app) = self.app.take() {
            let failures = app.shutdown_reporting().await;
            assert!(
                failures.is_empty(),
                "badger's background tasks failed: {failures:#?}"
            );
        }
    }

    /// The waits below poll for the outbox worker, which a stepped badger does not run.
    fn assert_not_stepped(&self, wait: &str) {
        assert!(
            !self.knobs.stepped,
            "{wait} waits for the outbox worker, which a stepped TestApp does not run: deliver_outbox() and read the calls instead"
        );
    }

    fn running(&self) -> &Application {
        self.app.as_ref().expect("badger is running")
    }

    /// Fails the test if a background task has died (they all run until shutdown).
    fn assert_tasks_alive(&self) {
        if let Some(app) = &self.app {
            let ended = app.ended_tasks();
            assert!(
                ended.is_empty(),
                "background task(s) ended before shutdown (panicked; see the log above): {ended:?}"
            );
        }
    }

    /// Stepped: delivers every outbox row due now to the fake Slack, through the real
    /// worker and client; returns how many rows it handled. Rows waiting for a retry
    /// time stay (see [`TestApp::deliver_outbox_with_retries`]).
    pub async fn deliver_outbox(&self) -> usize {
        let n = self
            .running()
            .deliver_outbox()
            .await
            .expect("outbox delivery pass");
        self.assert_tasks_alive();
        n
    }

    /// Stepped: delivers until the outbox is empty, sleeping until each retry is due (a
    /// 429's Retry-After, a backoff: the outbox keeps those in wall-clock time).
    pub async fn deliver_outbox_with_retries(&self) {
        let store = &self.core().store;
        for _ in 0..1000 {
            self.deliver_outbox().await;
            if store.outbox_pending().await.expect("outbox count") == 0 {
                return;
            }
            let mut due = None;
            for lane in [badger::store::Lane::Person, badger::store::Lane::Channel] {
                if let Some(at) = store.outbox_next_due(lane).await.expect("next due") {
                    due = Some(due.map_or(at, |d: i64| d.min(at)));
                }
            }
            let wait = due.map_or(10, |at| at - Utc::now().timestamp_millis());
            let wait = u64::try_from(wait).unwrap_or(0).clamp(1, 5_000);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        panic!("the outbox never drained: {:#?}", self.slack.unread());
    }

    /// Stepped: one scheduler pass at the clock's now. Queues; does not deliver.
    pub async fn tick(&self) {
        self.running().tick().await.expect("scheduler pass");
        self.assert_tasks_alive();
    }

    /// Moves badger's clock on.
    pub fn advance_clock(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    /// Stepped: sets the clock, makes a scheduler pass and delivers what it queued.
    pub async fn at(&self, when: DateTime<Utc>) {
        self.clock.set(when);
        self.tick().await;
        self.deliver_outbox().await;
    }

    /// The next Slack call must post to the deploy channel a message containing
    /// `needle`; returns the call's body (`text`, `blocks`).
    pub fn expect_post(&self, needle: &str) -> Value {
        self.expect_post_in(CHANNEL, needle)
    }

    /// The next Slack call must post to `channel` a message containing `needle`.
    pub fn expect_post_in(&self, channel: &str, needle: &str) -> Value {
        let call = self.slack.expect_call("chat.postMessage");
        let body = call.body;
        assert_eq!(body["channel"], channel, "posted elsewhere: {body}");
        let text = body["text"].as_str().unwrap_or("");
        assert!(
            text.contains(needle),
            "wanted a post containing {needle:?}; got {text:?}"
        );
        body
    }

    /// The next Slack call must update a deploy channel message to one containing `needle`.
    pub fn expect_update(&self, needle: &str) -> Value {
        let body = self.slack.expect_call("chat.update").body;
        assert_eq!(body["channel"], CHANNEL, "updated elsewhere: {body}");
        let text = body["text"].as_str().unwrap_or("");
        assert!(
            text.contains(needle),
            "wanted an update containing {needle:?}; got {text:?}"
        );
        body
    }

    /// The next Slack call must be an ephemeral to `user` in the deploy channel containing
    /// `needle`; returns its text.
    pub fn expect_ephemeral(&self, user: &str, needle: &str) -> String {
        let body = self.slack.expect_call("chat.postEphemeral").body;
        assert_eq!(body["channel"], CHANNEL, "sent elsewhere: {body}");
        assert_eq!(body["user"], user, "sent to someone else: {body}");
        let text = body["text"].as_str().unwrap_or("").to_owned();
        assert!(
            text.contains(needle),
            "wanted an ephemeral containing {needle:?}; got {text:?}"
        );
        text
    }

    /// The next Slack calls must be a topic sync of the deploy channel: the topic is read,
    /// then set if it differs from what badger wants. Returns the topic as it was left.
    pub fn expect_topic_sync(&self) -> String {
        let read = self.slack.expect_call("conversations.info");
        assert_eq!(
            read.body["channel"], CHANNEL,
            "read elsewhere: {}",
            read.body
        );
        let next = self.slack.unread().into_iter().next();
        if next.is_some_and(|c| c.method == "conversations.setTopic") {
            let set = self.slack.next_call();
            assert_eq!(set.body["channel"], CHANNEL, "set elsewhere: {}", set.body);
            set.body["topic"].as_str().unwrap_or("").to_owned()
        } else {
            self.slack.topic(CHANNEL)
        }
    }

    pub fn core(&self) -> &badger::service::Core {
        &self.running().core
    }

    /// POSTs a body signed exactly as Slack signs it, at the badger clock's "now".
    pub async fn signed(&self, path: &str, content_type: &str, body: String) -> reqwest::Response {
        let url = format!("{}{path}", self.base);
        signed_post(&self.http, &url, content_type, body, self.clock_now())
            .send()
            .await
            .expect("request reaches badger")
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        badger::clock::Clock::now(&self.clock)
    }

    /// A signed `/deploy` request, built but not sent (for tests that send many at once).
    pub fn deploy_request(&self, user: &str, text: &str) -> reqwest::RequestBuilder {
        let url = format!("{}/slack/commands", self.base);
        let body = command_form(CHANNEL, user, "/deploy", text);
        signed_post(&self.http, &url, FORM, body, self.clock_now()).timeout(Duration::from_secs(20))
    }

    pub async fn slash(&self, command: &str, user: &str, text: &str) -> Reply {
        self.slash_in(CHANNEL, command, user, text).await
    }

    /// A slash command typed in `channel` (a DM with badger is a `D...` id).
    pub async fn slash_in(&self, channel: &str, command: &str, user: &str, text: &str) -> Reply {
        let body = command_form(channel, user, command, text);
        let r = self.signed("/slack/commands", FORM, body).await;
        let status = r.status().as_u16();
        let json = r.json().await.unwrap_or(Value::Null);
        Reply { status, json }
    }

    pub async fn deploy(&self, user: &str, text: &str) -> Reply {
        self.slash("/deploy", user, text).await
    }

    pub async fn hold(&self, user: &str, text: &str) -> Reply {
        self.slash("/hold", user, text).await
    }

    /// Presses a button as Slack reports it (block_actions with Slack's usual extra fields).
    pub async fn press(&self, user: &str, action_id: &str, value: &str) -> u16 {
        let body = press_form(user, action_id, value);
        self.signed("/slack/interactions", FORM, body)
            .await
            .status()
            .as_u16()
    }

    /// The value of an unlabelled Prometheus sample on `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        super::metrics::count(&super::metrics::scrape(&self.http, &self.base).await, name)
    }

    /// How many rows `table` holds.
    pub async fn count_rows(&self, table: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.core().store.pool())
            .await
            .expect("count rows")
    }

    /// Texts of the channel's messages as they stand now (after updates).
    pub fn channel_texts(&self) -> Vec<String> {
        self.slack
            .messages(CHANNEL)
            .iter()
            .map(|m| m["text"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    /// Waits until some channel message contains `needle`; returns its JSON.
    pub async fn wait_for_message(&self, needle: &str) -> Value {
        self.assert_not_stepped("wait_for_message");
        let ok = self
            .slack
            .wait_until(Duration::from_secs(15), |_| {
                self.slack
                    .messages(CHANNEL)
                    .iter()
                    .any(|m| m["text"].as_str().unwrap_or("").contains(needle))
            })
            .await;
        assert!(
            ok,
            "no channel message containing {needle:?}; messages: {:#?}",
            self.channel_texts()
        );
        self.slack
            .messages(CHANNEL)
            .into_iter()
            .rev()
            .find(|m| m["text"].as_str().unwrap_or("").contains(needle))
            .expect("found above")
    }

    /// Waits until `user` has been sent an ephemeral containing `needle`.
    pub async fn wait_for_ephemeral(&self, user: &str, needle: &str) -> String {
        self.assert_not_stepped("wait_for_ephemeral");
        let ok = self
            .slack
            .wait_until(Duration::from_secs(15), |_| {
                self.ephemeral_for(user, needle).is_some()
            })
            .await;
        assert!(
            ok,
            "no ephemeral for {user} containing {needle:?}; got {:#?}",
            self.slack.ephemerals(CHANNEL)
        );
        self.ephemeral_for(user, needle).expect("found above")
    }

    fn ephemeral_for(&self, user: &str, needle: &str) -> Option<String> {
        self.slack
            .ephemerals(CHANNEL)
            .iter()
            .filter(|e| e["user"].as_str() == Some(user))
            .filter_map(|e| e["text"].as_str().map(str::to_owned))
            .find(|t| t.contains(needle))
    }

    /// Waits until every outbox row is delivered (or given up on).
    pub async fn settle(&self) {
        self.settle_within(Duration::from_secs(10)).await
    }

    pub async fn settle_within(&self, limit: Duration) {
        self.assert_not_stepped("settle");
        super::poll::outbox_drained_within(&self.core().store, limit).await
    }

    /// The button with `action_id` on a message, and its value.
    pub fn button_value(message: &Value, action_id: &str) -> Option<String> {
        message["blocks"].as_array()?.iter().find_map(|b| {
            b["elements"].as_array()?.iter().find_map(|e| {
                (e["action_id"].as_str() == Some(action_id))
                    .then(|| e["value"].as_str().unwrap_or("").to_owned())
            })
        })
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }
}

/// The end of a stepped test: every Slack call must have been read and every background
/// task still be alive. Skipped while the test is already failing (a panic in a panic
/// would abort and hide the first message).
impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.knobs.stepped || self.handed_over || std::thread::panicking() {
            return;
        }
        self.assert_tasks_alive();
        self.slack.expect_no_more_calls();
    }
}
