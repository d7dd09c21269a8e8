//! Socket Mode end to end: badger (real server, real database) opens a connection through
//! the fake Slack's `apps.connections.open`, takes envelopes from a fake Socket Mode
//! server on loopback, acknowledges each, and reconnects when dropped or refreshed.
//! The shared set-up here (badger against both fakes, logs captured); the tests in one
//! module per topic.

use crate::support;

use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use support::db::{Backend, TestDb};
use support::driver::{tuesday_10am, CHANNEL, FORM, POLICY, SECRET};
use support::fake_slack::FakeSlack;
use support::fake_socket::{Conn, FakeSocket};
use support::logs::Captured;
use support::metrics;
use support::people::{ALICE, BOB};
use support::slack_forms;

const APP_TOKEN: &str = "xapp-1-A0BADGER-0123-secretapptoken";

/// Everything badger logs in this module's tests, to check what it says and never says.
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| Captured::new("badger=debug"))
}

fn logged() -> String {
    logs().text()
}

/// As `on_both_backends!`, with each test's runtime logging into `logs()`.
macro_rules! on_both_backends_logged {
    ($body:ident) => {
        // A module and a function may share a name: they live in different namespaces.
        mod $body {
            #[test]
            fn sqlite() {
                super::logs().block_on(super::$body(crate::support::db::Backend::Sqlite))
            }
            #[test]
            fn postgres() {
                if crate::support::db::postgres_enabled() {
                    super::logs().block_on(super::$body(crate::support::db::Backend::Postgres))
                }
            }
        }
    };
}

// Declared after the macro above, which their tests use.
mod app_token;
mod round_trips;

struct Socketed {
    app: Application,
    slack: FakeSlack,
    socket: FakeSocket,
    base: String,
    http: reqwest::Client,
    clock: ManualClock,
    _db: TestDb,
    _policy: tempfile::NamedTempFile,
}

/// badger with a bot token, a signing secret and an app token, against both fakes.
async fn start(backend: Backend, answer_socket_url: bool) -> Socketed {
    let db = TestDb::fresh(backend).await;
    let slack = FakeSlack::start().await;
    let socket = FakeSocket::start().await;
    if answer_socket_url {
        slack.set_socket_url(&socket.url());
    }
    let mut policy = tempfile::NamedTempFile::new().expect("policy file");
    std::io::Write::write_all(&mut policy, POLICY.as_bytes()).expect("write policy");
    let vars: HashMap<&str, String> = HashMap::from([
        ("SLACK_BOT_TOKEN", "xoxb-test-token".to_owned()),
        ("SLACK_SIGNING_SECRET", SECRET.to_owned()),
        ("SLACK_APP_TOKEN", APP_TOKEN.to_owned()),
        ("SLACK_API_URL", slack.url()),
        ("DATABASE_URL", db.url.clone()),
        ("BADGER_BIND", "127.0.0.1:0".to_owned()),
        ("BADGER_CONFIG", policy.path().display().to_string()),
    ]);
    let settings = Settings::from_vars(|k| vars.get(k).cloned()).expect("settings");
    let clock = ManualClock::new(tuesday_10am());
    let opts = RunOptions {
        tick: Duration::from_millis(100),
        lease: Duration::from_secs(5),
        slack_timeout: Duration::from_secs(2),
        ..RunOptions::default()
    };
    let app = Application::build(settings, Arc::new(clock.clone()), opts)
        .await
        .expect("badger starts");
    Socketed {
        base: format!("http://{}", app.addr),
        app,
        slack,
        socket,
        http: reqwest::Client::new(),
        clock,
        _db: db,
        _policy: policy,
    }
}

impl Socketed {
    async fn get_json(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON")
    }

    async fn metric(&self, name: &str) -> u64 {
        metrics::count(&metrics::scrape(&self.http, &self.base).await, name)
    }

    /// The same slash command through the HTTP route, signed as Slack signs it.
    async fn http_slash(&self, user: &str, command: &str, text: &str) -> Value {
        let body = slack_forms::command_form(CHANNEL, user, command, text);
        let url = format!("{}/slack/commands", self.base);
        let now = badger::clock::Clock::now(&self.clock);
        slack_forms::signed_post(&self.http, &url, FORM, body, now)
            .send()
            .await
            .expect("POST")
            .json()
            .await
            .expect("JSON")
    }

    fn opens(&self) -> usize {
        self.slack.calls_to("apps.connections.open").len()
    }

    async fn wait_for_message(&self, needle: &str) -> Value {
        self.slack.wait_for_message(CHANNEL, needle).await
    }
}

/// Sends an envelope and returns the client's acknowledgement and how long it took.
async fn round_trip(conn: &mut Conn, envelope: &Value) -> (Value, Duration) {
    let sent = Instant::now();
    conn.send(envelope).await;
    let ack = conn.next_json().await;
    (ack, sent.elapsed())
}

/// Sends the slash command `(user, command, text)` in `CHANNEL` as envelope `id`: the
/// acknowledgement (checked to name `id`) and how long it took.
async fn slash_round_trip(
    conn: &mut Conn,
    id: &str,
    (user, command, text): (&str, &str, &str),
) -> (Value, Duration) {
    let envelope = support::fake_socket::slash_envelope(id, user, CHANNEL, command, text);
    let (ack, took) = round_trip(conn, &envelope).await;
    assert_eq!(ack["envelope_id"], id, "{ack}");
    (ack, took)
}

/// The text of the reply an acknowledgement carries ("" if none).
fn reply_text(ack: &Value) -> &str {
    ack["payload"]["text"].as_str().unwrap_or("")
}
