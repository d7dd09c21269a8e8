//! Socket Mode frames: what Slack sends over the socket, read loosely, and each envelope
//! handed to the same functions as the HTTP routes, then acknowledged within Slack's 3 s.

use super::handlers::{handle_command, handle_event_callback, handle_interaction};
use super::payload::{parse_interaction_json, Interaction, SlashCommand};
use crate::service::{Actor, Core};
use crate::slack::blocks::Message;
use crate::slack::deadline::LATE_LIMIT;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
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

/// A future that finished within the limit, or the rest of it.
pub enum Within<F: Future> {
    Done(F::Output),
    Late(Pin<Box<F>>),
}

/// Runs `fut` for at most `limit`; if it is not done by then, hands back the rest so the
/// caller can acknowledge first and finish the work afterwards.
pub async fn within<F: Future>(limit: Duration, fut: F) -> Within<F> {
    let mut fut = Box::pin(fut);
    match tokio::time::timeout(limit, &mut fut).await {
        Ok(out) => Within::Done(out),
        Err(_) => Within::Late(fut),
    }
}

/// Finishes work that missed the deadline, within `limit` (the HTTP routes' [`LATE_LIMIT`]);
/// past that it is dropped (its transaction rolled back), so a database that never answers
/// does not pile up work. `None` if it was.
pub async fn finish_late<F: Future>(
    what: &'static str,
    limit: Duration,
    rest: Pin<Box<F>>,
) -> Option<F::Output> {
    match tokio::time::timeout(limit, rest).await {
        Ok(out) => Some(out),
        Err(_) => {
            tracing::error!(what, ?limit, "late Socket Mode work given up");
            None
        }
    }
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
            match within(deadline, async move { handle_command(core, &cmd).await }).await {
                Within::Done(reply) if env.accepts_response_payload => {
                    ack(Some(reply.ephemeral_response()))
                }
                Within::Done(reply) => {
                    ack(None);
                    tell(core, &actor, &reply).await;
                }
                Within::Late(rest) => {
                    ack(None);
                    tracing::warn!("a slash command took longer than Slack allows; its reply follows as an ephemeral message");
                    if let Some(reply) = finish_late("a slash command", LATE_LIMIT, rest).await {
                        tell(core, &actor, &reply).await;
                    }
                }
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
            match within(
                deadline,
                handle_interaction(core, Interaction::Buttons(presses)),
            )
            .await
            {
                Within::Done(()) => ack(None),
                Within::Late(rest) => {
                    ack(None);
                    finish_late("a button press", LATE_LIMIT, rest).await;
                }
            }
        }
        "events_api" => {
            if env.payload.get("type").and_then(Value::as_str) != Some("event_callback") {
                return ack(None);
            }
            let retry = env.retry_attempt.map(|n| n.to_string());
            let work = handle_event_callback(core, &env.payload, retry.as_deref());
            let outcome = within(deadline, work).await;
            match outcome {
                Within::Done(Ok(())) => ack(None),
                // Not acknowledged, as HTTP answers 500: Slack delivers it again.
                Within::Done(Err(e)) => tracing::error!(error = %e, "cannot record an event"),
                Within::Late(rest) => {
                    ack(None);
                    if let Some(Err(e)) = finish_late("an event", LATE_LIMIT, rest).await {
                        tracing::error!(error = %e, "cannot record an event");
                    }
                }
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

    /// Late work that never ends is given up at the limit (not awaited for ever); work
    /// that ends is finished.
    #[tokio::test]
    async fn late_work_is_given_up_at_the_limit() {
        let limit = Duration::from_millis(20);
        let never = Box::pin(std::future::pending::<()>());
        assert_eq!(finish_late("a test", limit, never).await, None);
        let soon = Box::pin(async { 7 });
        assert_eq!(finish_late("a test", limit, soon).await, Some(7));
    }

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

    #[tokio::test]
    async fn work_past_the_deadline_is_handed_back_unfinished() {
        assert!(matches!(
            within(Duration::from_secs(60), async { 7 }).await,
            Within::Done(7)
        ));
        let (tx, rx) = tokio::sync::oneshot::channel::<u8>();
        let Within::Late(rest) = within(Duration::ZERO, rx).await else {
            panic!("a pending future cannot be done")
        };
        tx.send(9).unwrap();
        assert_eq!(rest.await, Ok(9));
    }
}
