//! Socket Mode end to end: badger (real server, real database) opens a connection through
//! the fake Slack's `apps.connections.open`, takes envelopes from a fake Socket Mode
//! server on loopback, acknowledges each, and reconnects when dropped or refreshed.

use crate::support;

use badger::app::{Application, RunOptions};
use badger::clock::ManualClock;
use badger::config::Settings;
use badger::slack::envelope::{handle_within, read_frame, Frame};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use support::db::{Backend, TestDb};
use support::driver::{tuesday_10am, CHANNEL, FORM, POLICY, SECRET};
use support::fake_slack::FakeSlack;
use support::fake_socket::{button_envelope, event_envelope, slash_envelope, Conn, FakeSocket};
use support::logs::Captured;
use support::metrics;
use support::slack_forms;

const ALICE: &str = "U0ALICE";
const BOB: &str = "U0BOB";
const APP_TOKEN: &str = "xapp-1-A0BADGER-0123-secretapptoken";

/// Everything badger logs in this file's tests, to check what it says and never says.
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| Captured::new("badger=debug"))
}

fn logged() -> String {
    logs().text()
}

/// As `on_both_backends!`, with each test's runtime logging into `logs()`.
macro_rules! on_both_backends_logged {
    ($name:ident, $body:ident) => {
        mod $name {
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
        let found = self
            .slack
            .wait_until(Duration::from_secs(15), |_| {
                self.slack
                    .messages(CHANNEL)
                    .iter()
                    .any(|m| m["text"].as_str().unwrap_or("").contains(needle))
            })
            .await;
        assert!(found, "no channel message containing {needle:?}");
        self.slack
            .messages(CHANNEL)
            .into_iter()
            .rev()
            .find(|m| m["text"].as_str().unwrap_or("").contains(needle))
            .expect("found above")
    }
}

/// Sends an envelope and returns the client's acknowledgement and how long it took.
async fn round_trip(conn: &mut Conn, envelope: &Value) -> (Value, Duration) {
    let sent = Instant::now();
    conn.send(envelope).await;
    let ack = conn.next_json().await;
    (ack, sent.elapsed())
}

fn button_value(message: &Value, action_id: &str) -> Option<String> {
    message["blocks"].as_array()?.iter().find_map(|b| {
        b["elements"].as_array()?.iter().find_map(|e| {
            (e["action_id"].as_str() == Some(action_id))
                .then(|| e["value"].as_str().unwrap_or("").to_owned())
        })
    })
}

async fn commands_buttons_events_then_reconnect(backend: Backend) {
    let mut t = start(backend, true).await;
    let mut latencies = Vec::new();

    // badger asks for a URL with the app token (never the bot token), then connects to it.
    let mut conn = t.socket.next_connection().await;
    assert_eq!(conn.path, "/link/?ticket=fake-ticket");
    let opens = t.slack.calls_to("apps.connections.open");
    assert_eq!(opens.len(), 1);
    assert_eq!(opens[0].token.as_deref(), Some(APP_TOKEN));
    assert!(opens[0].ok);
    conn.hello().await;

    // A slash command: acked with its envelope id, the ephemeral reply as the payload.
    let (ack, took) = round_trip(
        &mut conn,
        &slash_envelope(
            "env-1",
            ALICE,
            CHANNEL,
            "/deploy",
            "whitehall release_1 to integration",
        ),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack["envelope_id"], "env-1", "{ack}");
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    let text = ack["payload"]["text"].as_str().unwrap_or("");
    assert!(text.contains("You're deploying"), "{ack}");
    let status = t.get_json("/api/v1/status").await;
    let deploying = status["deploying"].as_array().expect("deploying");
    assert_eq!(deploying.len(), 1, "{status}");
    assert_eq!(deploying[0]["app"], "whitehall");
    assert_eq!(deploying[0]["requester"], ALICE);
    assert_eq!(deploying[0]["state"], "deploying");

    // A button press on the start alert: a bare ack, and the deployment finishes.
    let start = t
        .wait_for_message("<@U0ALICE> started deploying *whitehall* `release_1` to *integration*")
        .await;
    let id = button_value(&start, "deploy_done").expect("a Done button");
    let (ack, took) = round_trip(
        &mut conn,
        &button_envelope("env-2", ALICE, CHANNEL, "deploy_done", &id),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack, json!({"envelope_id": "env-2"}));
    t.wait_for_message(":white_check_mark: *whitehall* `release_1` to *integration* succeeded")
        .await;
    let status = t.get_json("/api/v1/status").await;
    assert_eq!(status["deploying"], json!([]), "{status}");

    // The ack of a command carries exactly what the HTTP route answers.
    let (ack, took) = round_trip(
        &mut conn,
        &slash_envelope("env-3", BOB, CHANNEL, "/deploy", "status integration"),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack["envelope_id"], "env-3");
    let over_http = t.http_slash(BOB, "/deploy", "status integration").await;
    assert_eq!(ack["payload"], over_http);
    assert!(
        over_http["text"].as_str().unwrap_or("").contains("free"),
        "{over_http}"
    );

    // An event: acked, handled once; Slack's retry of it is acked and ignored.
    let joined = json!({"type": "member_joined_channel", "user": "UBADGERBOT", "channel": CHANNEL, "channel_type": "C"});
    let (ack, took) = round_trip(
        &mut conn,
        &event_envelope("env-4", "Ev0SOCKET", joined.clone(), 0),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack, json!({"envelope_id": "env-4"}));
    let (ack, _) = round_trip(&mut conn, &event_envelope("env-5", "Ev0SOCKET", joined, 1)).await;
    assert_eq!(ack, json!({"envelope_id": "env-5"}));
    assert_eq!(t.metric("badger_slack_events_total").await, 1);
    assert_eq!(t.metric("badger_slack_events_duplicate_total").await, 1);

    // An envelope type badger does not handle is still acknowledged.
    let (ack, _) = round_trip(
        &mut conn,
        &json!({"envelope_id": "env-6", "type": "some_future_type", "payload": {}}),
    )
    .await;
    assert_eq!(ack, json!({"envelope_id": "env-6"}));

    // The network drops the connection: badger opens a new one and carries on there.
    conn.drop_abruptly();
    let mut conn = t.socket.next_connection().await;
    assert_eq!(t.opens(), 2);
    conn.hello().await;
    let (ack, took) = round_trip(
        &mut conn,
        &slash_envelope(
            "env-7",
            BOB,
            CHANNEL,
            "/hold",
            "whitehall migration running",
        ),
    )
    .await;
    latencies.push(took);
    assert_eq!(ack["envelope_id"], "env-7");
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("whitehall"),
        "{ack}"
    );
    let status = t.get_json("/api/v1/status").await;
    let holds = status["holds"].as_array().expect("holds");
    assert_eq!(holds.len(), 1, "{status}");
    assert!(
        holds[0].to_string().contains("migration running"),
        "{status}"
    );

    // Slack asks for a refresh: badger reconnects at once and serves the new connection.
    conn.send(&json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "applink-fake"}}))
        .await;
    let mut conn = t.socket.next_connection().await;
    assert_eq!(t.opens(), 3);
    conn.hello().await;
    let (ack, _) = round_trip(
        &mut conn,
        &slash_envelope("env-8", ALICE, CHANNEL, "/hold", "list"),
    )
    .await;
    assert_eq!(ack["envelope_id"], "env-8");
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("migration running"),
        "{ack}"
    );

    t.app.shutdown().await;
    let logs = logged();
    assert!(logs.contains("Socket Mode: connected"), "{logs}");
    assert!(
        logs.contains("Socket Mode: connection dropped; reconnecting"),
        "{logs}"
    );
    assert!(
        logs.contains("Socket Mode: Slack asked for a new connection"),
        "{logs}"
    );
    for secret in [APP_TOKEN, "fake-ticket", "xoxb-test-token", SECRET] {
        assert!(!logs.contains(secret), "{secret} was logged");
    }
    // A figure, not an assertion: how long acks took on this machine.
    eprintln!("socket mode ack round trips ({backend:?}): {latencies:?}");
}
on_both_backends_logged!(
    commands_buttons_events_then_reconnect,
    commands_buttons_events_then_reconnect
);

async fn a_refused_token_is_retried_and_http_keeps_serving(backend: Backend) {
    // No URL configured: the fake answers invalid_auth, as Slack does for a revoked token.
    let mut t = start(backend, false).await;
    let refused = t
        .slack
        .wait_until(Duration::from_secs(15), |calls| {
            calls
                .iter()
                .filter(|c| c.method == "apps.connections.open" && !c.ok)
                .count()
                >= 2
        })
        .await;
    assert!(refused, "badger retries apps.connections.open");
    let health = t
        .http
        .get(format!("{}/healthz", t.base))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(health.status(), 200);

    // Once Slack takes the token again, badger connects.
    t.slack.set_socket_url(&t.socket.url());
    let mut conn = t.socket.next_connection().await;
    conn.hello().await;
    let (ack, _) = round_trip(
        &mut conn,
        &slash_envelope("env-1", ALICE, CHANNEL, "/deploy", "help"),
    )
    .await;
    assert_eq!(ack["envelope_id"], "env-1");
    t.app.shutdown().await;
    assert!(
        logged().contains("Slack refused SLACK_APP_TOKEN"),
        "the refusal is logged"
    );
}
on_both_backends_logged!(
    refused_token,
    a_refused_token_is_retried_and_http_keeps_serving
);

async fn a_late_command_is_acked_then_answered_privately(backend: Backend) {
    let t = start(backend, false).await;
    let (acks, mut sent) = tokio::sync::mpsc::unbounded_channel();
    let frame = slash_envelope(
        "env-late",
        ALICE,
        CHANNEL,
        "/deploy",
        "whitehall r9 to integration",
    );
    let Frame::Envelope(env) = read_frame(&frame.to_string()) else {
        panic!("an envelope")
    };
    // A zero deadline: the command cannot be done in time, as if the database were slow.
    handle_within(&t.app.core, env, &acks, Duration::ZERO).await;
    let ack: Value = serde_json::from_str(&sent.try_recv().expect("acked")).expect("JSON");
    assert_eq!(
        ack,
        json!({"envelope_id": "env-late"}),
        "a bare ack, in time"
    );
    assert!(sent.try_recv().is_err(), "one ack only");
    // The reply still reaches the person, privately, and the command took effect.
    let told = t
        .slack
        .wait_until(Duration::from_secs(15), |_| {
            t.slack.ephemerals(CHANNEL).iter().any(|e| {
                e["user"] == ALICE
                    && e["text"]
                        .as_str()
                        .unwrap_or("")
                        .contains("You're deploying")
            })
        })
        .await;
    assert!(told, "{:#?}", t.slack.ephemerals(CHANNEL));
    let status = t.get_json("/api/v1/status").await;
    assert_eq!(status["deploying"][0]["git_ref"], "r9", "{status}");
    t.app.shutdown().await;
}
on_both_backends_logged!(
    late_command,
    a_late_command_is_acked_then_answered_privately
);

#[test]
fn a_bad_app_token_stops_start_up_naming_it() {
    let run = |vars: &[(&str, &str)]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_badger"))
            .arg("serve")
            .env_clear()
            .env("RUST_LOG", "warn")
            .envs(vars.iter().copied())
            .output()
            .expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[
        ("SLACK_BOT_TOKEN", "xoxb-1"),
        ("SLACK_SIGNING_SECRET", "s"),
        ("SLACK_APP_TOKEN", "xoxb-a-bot-token-by-mistake"),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SLACK_APP_TOKEN"), "{err}");
    assert!(err.contains("xapp-"), "{err}");
    assert!(!err.contains("xoxb-a-bot-token-by-mistake"), "{err}");

    // An app token alone cannot answer anyone: said at start-up, not discovered later.
    let (code, err) = run(&[("SLACK_APP_TOKEN", "xapp-1-A0-x")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SLACK_APP_TOKEN"), "{err}");
    assert!(err.contains("SLACK_BOT_TOKEN"), "{err}");
}

#[test]
fn check_config_says_socket_mode_is_on() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_badger"))
        .arg("check-config")
        .env_clear()
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        .env("SLACK_SIGNING_SECRET", "s")
        .env("SLACK_APP_TOKEN", APP_TOKEN)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("mode: Slack, over HTTP and Socket Mode (SLACK_APP_TOKEN)"),
        "{text}"
    );
    assert!(!text.contains(APP_TOKEN), "{text}");
}

/// `app_home_opened` over Socket Mode goes through the same handler as over HTTP: the
/// Home tab is published once, however often Slack delivers the event.
async fn app_home_over_socket_mode(backend: Backend) {
    let mut t = start(backend, true).await;
    let mut conn = t.socket.next_connection().await;
    conn.hello().await;
    let opened = json!({"type": "app_home_opened", "user": ALICE, "channel": "D0BADGER", "tab": "home", "event_ts": "1700000000.000100"});
    for (envelope, retry) in [("env-1", 0), ("env-2", 1)] {
        let (ack, _) = round_trip(
            &mut conn,
            &event_envelope(envelope, "Ev0HOMESOCK", opened.clone(), retry),
        )
        .await;
        assert_eq!(ack, json!({"envelope_id": envelope}));
    }
    let published = t
        .slack
        .wait_until(Duration::from_secs(15), |_| {
            !t.slack.home_views(ALICE).is_empty()
        })
        .await;
    assert!(published, "the Home tab was published");
    // Everything queued is delivered: a second publish would show now.
    for _ in 0..500 {
        if t.app.core.store.outbox_pending().await.expect("outbox") == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let views = t.slack.home_views(ALICE);
    assert_eq!(views.len(), 1, "{views:?}");
    assert!(views[0]["blocks"].as_array().is_some_and(|b| !b.is_empty()));
    assert_eq!(t.metric("badger_slack_events_duplicate_total").await, 1);
    t.app.shutdown().await;
}
on_both_backends_logged!(app_home_socket, app_home_over_socket_mode);
