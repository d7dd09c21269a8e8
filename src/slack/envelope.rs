//! Socket Mode frames: what Slack sends over the socket, read loosely, and each envelope
//! handed to the same functions as the HTTP routes, then acknowledged within Slack's 3 s.

use super::handlers::{handle_command, handle_event_callback, handle_interaction};
use super::payload::{parse_interaction_json, Interaction, SlashCommand};
use crate::service::{Actor, Core};
use crate::slack::blocks::Message;
use crate::slack::deadline::{within_deadline, InTime};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// Slack wants an acknowledgement within 3 s: the same deadline as over HTTP.
pub const ACK_DEADLINE: Duration = super::deadline::REPLY_DEADLINE;

/// One text frame from Slack, as far as badger cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Hello {
        connections: Option<u64>,
    },
    /// `reason` is `warning`, `refresh_requested`, `link_disabled`, ...
    Disconnect {
        reason: String,
    },
    Envelope(Envelope),
    /// Not JSON, or neither a known control message nor an envelope.
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub id: String,
    /// `slash_commands`, `interactive`, `events_api`, or one badger does not handle.
    pub kind: String,
    pub accepts_response_payload: bool,
    pub retry_attempt: Option<u64>,
    pub payload: Value,
}

pub fn read_frame(text: &str) -> Frame {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return Frame::Unreadable(format!("not JSON: {e}")),
    };
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "hello" => Frame::Hello {
            connections: v.get("num_connections").and_then(Value::as_u64),
        },
        "disconnect" => Frame::Disconnect {
            reason: v
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
        },
        _ => match v.get("envelope_id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Frame::Envelope(Envelope {
                id: id.to_owned(),
                kind: kind.to_owned(),
                accepts_response_payload: v
                    .get("accepts_response_payload")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                retry_attempt: v.get("retry_attempt").and_then(Value::as_u64),
                payload: v.get("payload").cloned().unwrap_or(Value::Null),
            }),
            _ => Frame::Unreadable(format!("a frame of type {kind:?} without an envelope_id")),
        },
    }
}

/// The acknowledgement frame: the envelope id, and for a slash command its reply.
pub fn ack_frame(id: &str, payload: Option<Value>) -> String {
    match payload {
        Some(p) => json!({ "envelope_id": id, "payload": p }),
        None => json!({ "envelope_id": id }),
    }
    .to_string()
}

/// Handles one envelope and sends its acknowledgement on `acks`, never later than
/// [`ACK_DEADLINE`] after it arrived (work still running then carries on afterwards).
pub async fn handle(core: &Core, env: Envelope, acks: &UnboundedSender<String>) {
    handle_within(core, env, acks, ACK_DEADLINE).await
}

/// [`handle`] with the deadline given, so a test can make every envelope late.
pub async fn handle_within(
    core: &Core,
    env: Envelope,
    acks: &UnboundedSender<String>,
    deadline: Duration,
) {
    core.metrics.slack_requests.inc();
    let ack = |payload: Option<Value>| {
        // The connection may be gone; Slack then delivers the envelope again elsewhere.
        let _ = acks.send(ack_frame(&env.id, payload));
    };
    match env.kind.as_str() {
        "slash_commands" => {
            let cmd: SlashCommand = match serde_json::from_value(env.payload.clone()) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "malformed slash command over Socket Mode");
                    return ack(None);
                }
            };
            let actor = Actor {
                user: cmd.user_id.clone(),
                channel: cmd.channel_id.clone(),
            };
            let owned = core.clone();
            let work = async move { handle_command(&owned, &cmd).await };
            // Late: the reply follows as an ephemeral message.
            let (owned, who) = (core.clone(), actor.clone());
            let late = |reply: Message| async move { tell(&owned, &who, &reply).await };
            match within_deadline(core, "slash command", deadline, work, late).await {
                InTime::Done(reply) if env.accepts_response_payload => {
                    ack(Some(reply.ephemeral_response()))
                }
                InTime::Done(reply) => {
                    ack(None);
                    tell(core, &actor, &reply).await;
                }
                InTime::Failed(_) | InTime::Late => ack(None),
            }
        }
        "interactive" => {
            let presses = match parse_interaction_json(&env.payload) {
                Ok(Interaction::Buttons(p)) => p,
                Ok(Interaction::Other(kind)) => {
                    tracing::debug!(%kind, "ignoring an interaction badger does not handle");
                    return ack(None);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "malformed interaction over Socket Mode");
                    return ack(None);
                }
            };
            // A press tells its presser what came of it itself, late or not.
            let owned = core.clone();
            let work =
                async move { handle_interaction(&owned, Interaction::Buttons(presses)).await };
            within_deadline(core, "button press", deadline, work, |()| async {}).await;
            ack(None);
        }
        "events_api" => {
            if env.payload.get("type").and_then(Value::as_str) != Some("event_callback") {
                return ack(None);
            }
            let retry = env.retry_attempt.map(|n| n.to_string());
            let (owned, payload) = (core.clone(), env.payload.clone());
            let work =
                async move { handle_event_callback(&owned, &payload, retry.as_deref()).await };
            let late = |done: Result<(), _>| async move {
                if let Err(e) = done {
                    tracing::error!(error = %e, "cannot record an event");
                }
            };
            match within_deadline(core, "event", deadline, work, late).await {
                InTime::Done(Ok(())) | InTime::Late => ack(None),
                // Not acknowledged, as HTTP answers 500: Slack delivers it again.
                InTime::Done(Err(e)) => tracing::error!(error = %e, "cannot record an event"),
                InTime::Failed(_) => {}
            }
        }
        other => {
            tracing::debug!(
                kind = other,
                "acknowledging a Socket Mode envelope badger does not handle"
            );
            ack(None)
        }
    }
}

async fn tell(core: &Core, actor: &Actor, reply: &Message) {
    if let Err(e) = core.tell(actor, reply.body()).await {
        tracing::error!(error = %e, "could not queue a slash command's reply");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_loosely() {
        assert_eq!(
            read_frame(r#"{"type":"hello","num_connections":2,"debug_info":{"host":"x"}}"#),
            Frame::Hello {
                connections: Some(2)
            }
        );
        assert_eq!(
            read_frame(r#"{"type":"disconnect","reason":"refresh_requested"}"#),
            Frame::Disconnect {
                reason: "refresh_requested".into()
            }
        );
        let env = read_frame(
            r#"{"envelope_id":"e1","type":"slash_commands","accepts_response_payload":true,
                "payload":{"command":"/deploy"},"new_field":[1]}"#,
        );
        assert_eq!(
            env,
            Frame::Envelope(Envelope {
                id: "e1".into(),
                kind: "slash_commands".into(),
                accepts_response_payload: true,
                retry_attempt: None,
                payload: json!({"command": "/deploy"}),
            })
        );
        let Frame::Envelope(e) = read_frame(
            r#"{"envelope_id":"e2","type":"events_api","retry_attempt":1,"payload":{}}"#,
        ) else {
            panic!("an envelope")
        };
        assert_eq!(
            (e.retry_attempt, e.accepts_response_payload),
            (Some(1), false)
        );
        for junk in [
            "",
            "[]",
            "{not json",
            r#"{"type":"slash_commands"}"#,
            "\u{0}",
        ] {
            assert!(matches!(read_frame(junk), Frame::Unreadable(_)), "{junk:?}");
        }
    }

    #[test]
    fn acks_carry_the_envelope_id_and_any_reply() {
        let bare: Value = serde_json::from_str(&ack_frame("e1", None)).unwrap();
        assert_eq!(bare, json!({"envelope_id": "e1"}));
        let reply = Message::plain("hi <there>").ephemeral_response();
        let full: Value = serde_json::from_str(&ack_frame("e\"2", Some(reply.clone()))).unwrap();
        assert_eq!(full, json!({"envelope_id": "e\"2", "payload": reply}));
    }
}
