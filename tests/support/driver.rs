//! The scripted driver: starts the real badger (port 0, fresh database, real slack-morphism
//! client pointed at the fake Slack) and drives it the way Slack does.

use super::db::{Backend, TestDb};
use super::fake_slack::FakeSlack;
use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use badger::service::REPLY_DEADLINE;
use badger::slack::verify::sign;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const SECRET: &str = "test-signing-secret";
pub const API_TOKEN: &str = "ci-token-0123456789abcdef";
pub const CHANNEL: &str = "C0DEPLOY";
pub const ADMIN: &str = "U0ADMIN";

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
    /// `BADGER_API_TOKEN` as given to badger; `None` leaves the variable unset.
    api_token: Option<&'static str>,
    /// How long a slash command may take before Slack gets an interim answer.
    slash_deadline: Duration,
    /// More environment variables for badger (e.g. `GITHUB_API_URL`).
    extra_vars: Vec<(&'static str, String)>,
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
        Self::start_full(backend, policy, Some(API_TOKEN), REPLY_DEADLINE, vec![]).await
    }

    /// Like [`TestApp::start`], but with `BADGER_API_TOKEN` unset: the CI write API is off.
    pub async fn start_without_api_token(backend: Backend) -> TestApp {
        Self::start_full(backend, POLICY, None, REPLY_DEADLINE, vec![]).await
    }

    /// Like [`TestApp::start_with`], with more environment variables (GitHub's).
    pub async fn start_with_vars(
        backend: Backend,
        policy: &str,
        extra_vars: Vec<(&'static str, String)>,
    ) -> TestApp {
        Self::start_full(backend, policy, Some(API_TOKEN), REPLY_DEADLINE, extra_vars).await
    }

    /// Like [`TestApp::start`], but every slash command misses its deadline: Slack gets
    /// the interim answer and the real one follows as an ephemeral.
    pub async fn start_with_late_replies(backend: Backend) -> TestApp {
        Self::start_full(backend, POLICY, Some(API_TOKEN), Duration::ZERO, vec![]).await
    }

    /// Like [`TestApp::start`], with `BADGER_PUBLIC_URL` set.
    pub async fn start_with_public_url(backend: Backend, url: &str) -> TestApp {
        let vars = vec![("BADGER_PUBLIC_URL", url.to_owned())];
        Self::start_full(backend, POLICY, Some(API_TOKEN), REPLY_DEADLINE, vars).await
    }

    /// A fresh database, fake Slack and clock (Tuesday 10:00) under `policy`.
    async fn start_full(
        backend: Backend,
        policy: &str,
        api_token: Option<&'static str>,
        slash_deadline: Duration,
        extra_vars: Vec<(&'static str, String)>,
    ) -> TestApp {
        let db = Arc::new(TestDb::fresh(backend).await);
        let slack = FakeSlack::start().await;
        let clock = ManualClock::new(tuesday_10am());
        let file = policy_file(policy);
        Self::boot(
            db,
            slack,
            clock,
            file,
            api_token,
            slash_deadline,
            extra_vars,
        )
        .await
    }

    /// Starts badger (the usual policy and tokens) on a database the test made itself.
    pub async fn start_on_db(db: TestDb) -> TestApp {
        let slack = FakeSlack::start().await;
        let clock = ManualClock::new(tuesday_10am());
        let file = policy_file(POLICY);
        let db = Arc::new(db);
        Self::boot(
            db,
            slack,
            clock,
            file,
            Some(API_TOKEN),
            REPLY_DEADLINE,
            vec![],
        )
        .await
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
        api_token: Option<&'static str>,
        slash_deadline: Duration,
        extra_vars: Vec<(&'static str, String)>,
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
        if let Some(token) = api_token {
            vars.insert("BADGER_API_TOKEN", token.to_owned());
        }
        vars.extend(extra_vars.iter().cloned());
        let settings = Settings::from_vars(|k| vars.get(k).cloned()).expect("test settings");
        let opts = RunOptions {
            tick: Duration::from_millis(100),
            lease: Duration::from_secs(5),
            slack_timeout: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(2),
            slash_deadline,
            // Smoke checks retry quickly in tests (the app under test restarts at once).
            smoke_attempts: 3,
            smoke_spacing: Duration::from_millis(200),
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
            api_token,
            slash_deadline,
            extra_vars,
        }
    }

    /// Stops badger gracefully and starts it again on the same database, Slack and clock.
    pub async fn restart(mut self) -> TestApp {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
        Self::boot(
            self.db.clone(),
            self.slack.clone(),
            self.clock.clone(),
            self.policy_file.clone(),
            self.api_token,
            self.slash_deadline,
            self.extra_vars.clone(),
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
            self.api_token,
            self.slash_deadline,
            self.extra_vars.clone(),
        )
        .await
    }

    pub async fn stop(mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }

    pub fn core(&self) -> &badger::service::Core {
        &self.app.as_ref().expect("running").core
    }

    /// POSTs a body signed exactly as Slack signs it, at the badger clock's "now".
    pub async fn signed(&self, path: &str, content_type: &str, body: String) -> reqwest::Response {
        let ts = self.clock_now().timestamp().to_string();
        let sig = sign(SECRET, &ts, body.as_bytes());
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", sig)
            .body(body)
            .send()
            .await
            .expect("request reaches badger")
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        badger::clock::Clock::now(&self.clock)
    }

    /// A signed `/deploy` request, built but not sent (for tests that send many at once).
    pub fn deploy_request(&self, user: &str, text: &str) -> reqwest::RequestBuilder {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("team_id", "T1")
            .append_pair("channel_id", CHANNEL)
            .append_pair("user_id", user)
            .append_pair("command", "/deploy")
            .append_pair("text", text)
            .append_pair("response_url", "https://hooks.slack.invalid/commands/1")
            .append_pair("trigger_id", "1.2.3")
            .finish();
        let ts = self.clock_now().timestamp().to_string();
        let sig = sign(SECRET, &ts, body.as_bytes());
        self.http
            .post(format!("{}/slack/commands", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts)
            .header("x-slack-signature", sig)
            .timeout(Duration::from_secs(20))
            .body(body)
    }

    pub async fn slash(&self, command: &str, user: &str, text: &str) -> Reply {
        self.slash_in(CHANNEL, command, user, text).await
    }

    /// A slash command typed in `channel` (a DM with badger is a `D...` id).
    pub async fn slash_in(&self, channel: &str, command: &str, user: &str, text: &str) -> Reply {
        let channel_name = if channel == CHANNEL {
            "govuk-deploy".to_owned()
        } else if channel.starts_with('D') {
            "directmessage".to_owned()
        } else {
            channel.to_lowercase()
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", "legacy")
            .append_pair("team_id", "T1")
            .append_pair("channel_id", channel)
            .append_pair("channel_name", &channel_name)
            .append_pair("user_id", user)
            .append_pair("user_name", &user.to_lowercase())
            .append_pair("command", command)
            .append_pair("text", text)
            .append_pair("response_url", "https://hooks.slack.invalid/commands/1")
            .append_pair("trigger_id", "1.2.3")
            .finish();
        let r = self
            .signed("/slack/commands", "application/x-www-form-urlencoded", body)
            .await;
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
        let payload = serde_json::json!({
            "type": "block_actions",
            "user": {"id": user, "username": user.to_lowercase(), "team_id": "T1"},
            "api_app_id": "A1",
            "token": "legacy",
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": CHANNEL, "is_ephemeral": false},
            "trigger_id": "1.2.3",
            "team": {"id": "T1", "domain": "gds"},
            "channel": {"id": CHANNEL, "name": "govuk-deploy"},
            "message": {"type": "message", "ts": "1700000000.000100", "blocks": [{"type": "a_block_type_from_the_future"}]},
            "response_url": "https://hooks.slack.invalid/actions/1",
            "actions": [{"action_id": action_id, "block_id": "b1", "text": {"type": "plain_text", "text": "x"}, "value": value, "type": "button", "action_ts": "1700000001.000000"}]
        });
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish();
        self.signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await
        .status()
        .as_u16()
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
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            if self
                .core()
                .store
                .outbox_pending()
                .await
                .expect("outbox count")
                == 0
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the outbox did not drain within {limit:?}");
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
