//! A fake Slack Socket Mode server on loopback: accepts websocket connections, lets the
//! test send hello, envelopes and disconnects on each, read the client's acks, and drop
//! the connection. Pair it with [`super::fake_slack::FakeSlack::set_socket_url`].

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// How long the fake waits for the client before failing the test (a hang guard only).
const PATIENCE: Duration = Duration::from_secs(20);

pub struct FakeSocket {
    url: String,
    connections: mpsc::UnboundedReceiver<Conn>,
    server: tokio::task::AbortHandle,
}

impl Drop for FakeSocket {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One client connection.
pub struct Conn {
    /// The request path, e.g. `/link/?ticket=1`.
    pub path: String,
    ws: WebSocketStream<TcpStream>,
}

impl FakeSocket {
    pub async fn start() -> FakeSocket {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake socket: bind");
        let addr = listener.local_addr().expect("fake socket: addr");
        let (tx, connections) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let tx = tx.clone();
                tokio::spawn(async move {
                    let mut path = String::new();
                    // The signature is tungstenite's handshake callback, large error and all.
                    #[allow(clippy::result_large_err)]
                    let record =
                        |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
                            path = req.uri().to_string();
                            Ok(resp)
                        };
                    if let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, record).await {
                        let _ = tx.send(Conn { path, ws });
                    }
                });
            }
        });
        FakeSocket {
            url: format!("ws://{addr}/link/?ticket=fake-ticket"),
            connections,
            server: task.abort_handle(),
        }
    }

    /// The URL `apps.connections.open` should answer.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Waits for the client's next connection.
    pub async fn next_connection(&mut self) -> Conn {
        tokio::time::timeout(PATIENCE, self.connections.recv())
            .await
            .expect("badger connects to the fake Socket Mode server")
            .expect("fake socket server running")
    }
}

impl Conn {
    pub async fn send(&mut self, v: &Value) {
        self.ws
            .send(Message::text(v.to_string()))
            .await
            .expect("fake socket: send");
    }

    pub async fn hello(&mut self) {
        self.send(&json!({
            "type": "hello", "num_connections": 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "ABADGERAPP"}
        }))
        .await;
    }

    /// The next text frame from the client, as JSON (pings and pongs are skipped).
    pub async fn next_json(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("badger sends a frame")
                .expect("connection open")
                .expect("readable frame");
            if let Message::Text(t) = frame {
                return serde_json::from_str(t.as_str()).expect("acks are JSON");
            }
        }
    }

    /// Drops the TCP connection without a close frame, as a network failure would.
    pub fn drop_abruptly(self) {
        drop(self.ws);
    }
}

/// A `slash_commands` envelope, with the fields Slack puts in its payload.
pub fn slash_envelope(id: &str, user: &str, channel: &str, command: &str, text: &str) -> Value {
    json!({
        "envelope_id": id, "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "token": "legacy", "team_id": "T1", "team_domain": "gds", "channel_id": channel,
            "channel_name": "govuk-deploy", "user_id": user, "user_name": user.to_lowercase(),
            "command": command, "text": text, "api_app_id": "ABADGERAPP", "is_enterprise_install": "false",
            "response_url": "https://hooks.slack.invalid/commands/1", "trigger_id": "1.2.3"
        }
    })
}

/// An `interactive` envelope: a button press (block_actions) on a channel message.
pub fn button_envelope(id: &str, user: &str, channel: &str, action_id: &str, value: &str) -> Value {
    json!({
        "envelope_id": id, "type": "interactive", "accepts_response_payload": false,
        "payload": {
            "type": "block_actions",
            "user": {"id": user, "username": user.to_lowercase(), "team_id": "T1"},
            "api_app_id": "ABADGERAPP", "token": "legacy", "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": channel, "is_ephemeral": false},
            "team": {"id": "T1", "domain": "gds"},
            "channel": {"id": channel, "name": "govuk-deploy"},
            "message": {"type": "message", "ts": "1700000000.000100", "blocks": [{"type": "a_block_type_from_the_future"}]},
            "response_url": "https://hooks.slack.invalid/actions/1",
            "actions": [{"action_id": action_id, "block_id": "b1", "text": {"type": "plain_text", "text": "x"},
                         "value": value, "type": "button", "action_ts": "1700000001.000000"}]
        }
    })
}

/// An `events_api` envelope carrying an `event_callback`.
pub fn event_envelope(id: &str, event_id: &str, event: Value, retry_attempt: u64) -> Value {
    json!({
        "envelope_id": id, "type": "events_api", "accepts_response_payload": false,
        "retry_attempt": retry_attempt, "retry_reason": if retry_attempt > 0 { "timeout" } else { "" },
        "payload": {
            "token": "legacy", "team_id": "T1", "api_app_id": "ABADGERAPP", "type": "event_callback",
            "event_id": event_id, "event_time": 1_700_000_000, "event": event
        }
    })
}
