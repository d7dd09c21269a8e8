//! Slack's HTTP routes. They only authenticate, parse into typed values and hand over to
//! the shared handlers (`crate::slack::handlers`, which Socket Mode calls too); every
//! answer to a person is ephemeral, and Slack is answered within its 3 seconds whatever
//! the database does (`crate::slack::deadline`).

use crate::http::AppState;
use crate::slack::deadline::{within_deadline, InTime};
use crate::slack::handlers::{handle_command_within, handle_event_callback, handle_interaction};
use crate::slack::payload::{parse_interaction, SlashCommand};
use crate::slack::verify::verify;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Slack request bodies larger than this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// 401 unless the request carries a valid, fresh Slack signature.
fn authenticate(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), Box<Response>> {
    let Some(secret) = state.signing_secret.as_deref() else {
        state.core.metrics.slack_rejected.inc();
        let refusal = (
            StatusCode::UNAUTHORIZED,
            "no SLACK_SIGNING_SECRET is configured",
        );
        return Err(Box::new(refusal.into_response()));
    };
    let now = state.core.now();
    match verify(
        secret,
        header(headers, "x-slack-request-timestamp"),
        header(headers, "x-slack-signature"),
        body,
        now,
    ) {
        Ok(()) => {
            state.core.metrics.slack_requests.inc();
            Ok(())
        }
        Err(e) => {
            state.core.metrics.slack_rejected.inc();
            tracing::warn!(reason = %e, "rejected a Slack request");
            // The reason is safe to give (it says nothing of the secret) and tells an
            // operator a skewed clock from a wrong signing secret.
            Err(Box::new(
                (
                    StatusCode::UNAUTHORIZED,
                    format!("invalid Slack request: {e}"),
                )
                    .into_response(),
            ))
        }
    }
}

pub async fn commands(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authenticate(&state, &headers, &body) {
        return *r;
    }
    // Slack checks the certificate of a command URL now and then with `ssl_check=1`;
    // it needs a 200 and nothing else.
    if form_urlencoded::parse(&body).any(|(k, v)| k == "ssl_check" && v == "1") {
        return StatusCode::OK.into_response();
    }
    let cmd: SlashCommand = match serde_urlencoded::from_bytes(&body) {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("malformed slash command: {e}"),
            )
                .into_response()
        }
    };
    // The command and its first word ("/deploy done"): what was asked, without the rest
    // of what was typed.
    let first_word = cmd.text.split_whitespace().next().unwrap_or("");
    let first_word: String = first_word.chars().take(32).collect();
    crate::telemetry::record("command", format!("{} {first_word}", cmd.command).trim());
    crate::telemetry::record("user", &cmd.user_id);
    let reply = handle_command_within(&state.core, &cmd, state.reply_deadline).await;
    Json(reply.ephemeral_response()).into_response()
}

pub async fn interactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = authenticate(&state, &headers, &body) {
        return *r;
    }
    let interaction = match parse_interaction(&body) {
        Ok(i) => i,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    // A press tells its presser what came of it itself (an ephemeral), late or not, so a
    // late one needs nothing more: Slack gets its 200 in time either way.
    let core = state.core.clone();
    let work = async move { handle_interaction(&core, interaction).await };
    let late = |()| async {};
    within_deadline(
        &state.core,
        "button press",
        state.reply_deadline,
        work,
        late,
    )
    .await;
    StatusCode::OK.into_response()
}

pub async fn events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authenticate(&state, &headers, &body) {
        return *r;
    }
    // Parsed loosely: unknown event types must not break anything.
    let v: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, format!("malformed event: {e}")).into_response()
        }
    };
    let kind = v.get("type").and_then(|t| t.as_str()).map(str::to_owned);
    match kind.as_deref() {
        Some("url_verification") => {
            let challenge = v.get("challenge").and_then(|c| c.as_str()).unwrap_or("");
            Json(json!({ "challenge": challenge })).into_response()
        }
        Some("event_callback") => {
            let core = state.core.clone();
            let retry = header(&headers, "x-slack-retry-num").map(str::to_owned);
            let work = async move { handle_event_callback(&core, &v, retry.as_deref()).await };
            // Acknowledged once late: Slack would only deliver it again, to the same wait.
            let late = |done: Result<(), _>| async move {
                if let Err(e) = done {
                    tracing::error!(error = %e, "cannot record an event");
                }
            };
            match within_deadline(&state.core, "event", state.reply_deadline, work, late).await {
                InTime::Done(Ok(())) | InTime::Late => StatusCode::OK.into_response(),
                InTime::Done(Err(e)) => {
                    tracing::error!(error = %e, "cannot record an event");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
                InTime::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        _ => StatusCode::OK.into_response(),
    }
}
