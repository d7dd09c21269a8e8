//! The local console's routes (local mode only, loopback only) and its guard.
//!
//! Who may use it: only a client on this machine (the peer address is loopback), with a
//! request addressed to a loopback name (so a web page cannot reach it by DNS rebinding)
//! and, when a browser says where the request comes from, from the console's own page (so
//! another site cannot post commands through a visitor's browser).

use crate::console::{channel_of, person, view, DEFAULT_PERSON};
use crate::http::AppState;
use crate::service::Core;
use crate::slack::handlers::{handle_command, handle_interaction};
use crate::slack::payload::{ButtonPress, Interaction, SlashCommand};
use crate::store::{NewLocalMessage, COMMAND_RESPONSE};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// Slack's own limit on a slash command's text is about this.
const TEXT_LIMIT: usize = 4000;

/// The console's routes; none at all in connected mode (they answer 404 there).
pub fn routes(local_mode: bool) -> Router<AppState> {
    if !local_mode {
        return Router::new();
    }
    Router::new()
        .route("/console/state", get(state))
        .route("/console/command", post(command))
        .route("/console/press", post(press))
}

/// The client's address, when the server was started with connection info.
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

fn loopback_host(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Why a request may not use the console, if it may not.
pub fn refusal(peer: &Peer, headers: &HeaderMap) -> Option<String> {
    match peer.0 {
        Some(addr) if addr.ip().to_canonical().is_loopback() => {}
        Some(addr) => {
            return Some(format!(
                "The console is served only to this machine (loopback clients); this request came from {}. Run badger where your browser is (`cargo run`), or reach it through an SSH tunnel. In a container, requests from the host arrive from the container network, never loopback: there, connect badger to Slack instead (SLACK_BOT_TOKEN).",
                addr.ip()
            ))
        }
        None => return Some("The console is served only to loopback clients, and this request's address is unknown.".into()),
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !loopback_host(host) {
        return Some(format!(
            "The console answers only requests addressed to localhost or 127.0.0.1 (this one was addressed to {:?}).",
            host
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        // Its own page exactly (host and port): a page another local server serves (a dev
        // server on another port) is another site too.
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| o.eq_ignore_ascii_case(host));
        if !ok {
            return Some(
                "Refused: the console takes commands only from its own page, not from another site."
                    .into(),
            );
        }
    }
    None
}

/// A console request refused: the status and a message for the person.
pub struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

fn bad(message: impl Into<String>) -> Refused {
    Refused(StatusCode::BAD_REQUEST, message.into())
}

fn guard(peer: &Peer, headers: &HeaderMap) -> Result<(), Refused> {
    match refusal(peer, headers) {
        Some(why) => Err(Refused(StatusCode::FORBIDDEN, why)),
        None => Ok(()),
    }
}

/// The core as `user` acts through it: with the console's admin box ticked, they are an
/// admin for this action (on top of the policy's `admins`).
fn core_for(core: &Core, user: &str, admin: bool) -> Core {
    if !admin || core.policy.is_admin(user) {
        return core.clone();
    }
    let mut policy = (*core.policy).clone();
    policy.admins.push(user.to_owned());
    Core {
        policy: Arc::new(policy),
        ..core.clone()
    }
}

async fn state(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Refused> {
    guard(&peer, &headers)?;
    let user = person(q.get("as").map_or(DEFAULT_PERSON, String::as_str)).map_err(bad)?;
    match view(&s.core, &user).await {
        Ok(v) => Ok(([(header::CACHE_CONTROL, "no-store")], Json(v)).into_response()),
        Err(e) => {
            tracing::error!(error = %e, "console view");
            Err(Refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error reading the record".into(),
            ))
        }
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refused> {
    serde_json::from_slice(body).map_err(|e| bad(format!("malformed request: {e}")))
}

/// A console POST's JSON: who it acts as (`as`, `admin`) and the rest, `T`.
#[derive(Deserialize)]
struct Acting<T> {
    #[serde(rename = "as")]
    who: String,
    #[serde(default)]
    admin: bool,
    #[serde(flatten)]
    req: T,
}

/// A console POST, guarded and read: the person it acts as, whether as an admin, and `T`.
struct Posted<T> {
    user: String,
    admin: bool,
    req: T,
}

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Posted<T> {
    type Rejection = Response;
    async fn from_request(r: Request, state: &S) -> Result<Self, Response> {
        let (mut parts, body) = r.into_parts();
        let Ok(peer) = Peer::from_request_parts(&mut parts, state).await;
        let headers = parts.headers.clone();
        // The body is read before the guard looks, as when it was a handler's argument.
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let refused = |r: Refused| r.into_response();
        guard(&peer, &headers).map_err(refused)?;
        let acting: Acting<T> = parse_json(&body).map_err(refused)?;
        let user = person(&acting.who).map_err(|e| refused(bad(e)))?;
        Ok(Posted {
            user,
            admin: acting.admin,
            req: acting.req,
        })
    }
}

#[derive(Deserialize)]
struct CommandRequest {
    text: String,
}

async fn command(
    State(s): State<AppState>,
    Posted { user, admin, req }: Posted<CommandRequest>,
) -> Result<Response, Refused> {
    let typed = req.text.trim();
    if typed.chars().count() > TEXT_LIMIT {
        return Err(bad(format!(
            "That is too long for a slash command (at most {TEXT_LIMIT} characters)."
        )));
    }
    let (name, args) = typed.split_once(char::is_whitespace).unwrap_or((typed, ""));
    let core = &s.core;
    let known = [&core.policy.deploy_command, &core.policy.hold_command];
    if !name.starts_with('/') {
        return Err(bad(format!(
            "The console takes slash commands only: start with {} or {} (try {} help).",
            known[0], known[1], known[0]
        )));
    }
    if !known.iter().any(|k| k.as_str() == name) {
        return Err(bad(format!(
            "{} is not a command here: badger has {} and {}.",
            crate::domain::text::truncate(name, 40),
            known[0],
            known[1]
        )));
    }
    let channel = channel_of(core);
    // What Slack would send: the text with `&`, `<`, `>` as entities.
    let cmd = SlashCommand {
        command: name.to_owned(),
        text: crate::domain::text::escape(args.trim()),
        user_id: user.clone(),
        channel_id: channel.clone(),
        team_id: "T0LOCAL".to_owned(),
    };
    let reply = handle_command(&core_for(core, &user, admin), &cmd).await;
    let recorded = core
        .store
        .record_local(&NewLocalMessage {
            method: COMMAND_RESPONSE,
            channel: &channel,
            text: &reply.text,
            blocks: &reply.blocks,
            user: Some(&user),
            typed: Some(typed),
            ..Default::default()
        })
        .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "console: could not record a command's answer");
    }
    Ok(Json(json!({ "ok": true, "reply": reply.ephemeral_response() })).into_response())
}

#[derive(Deserialize)]
struct PressRequest {
    channel: String,
    action_id: String,
    #[serde(default)]
    value: String,
    /// The button sat on an answer only the presser sees, as Slack's payload tells.
    #[serde(default)]
    ephemeral: bool,
}

async fn press(
    State(s): State<AppState>,
    Posted { user, admin, req }: Posted<PressRequest>,
) -> Result<Response, Refused> {
    for (what, v) in [
        ("channel", &req.channel),
        ("action_id", &req.action_id),
        ("value", &req.value),
    ] {
        if v.len() > 255 {
            return Err(bad(format!("The button's {what} is too long.")));
        }
    }
    if req.channel.is_empty() || req.action_id.is_empty() {
        return Err(bad("A press needs the button's channel and action_id."));
    }
    let interaction = Interaction::Buttons(vec![ButtonPress {
        user: user.clone(),
        channel: req.channel,
        action_id: req.action_id,
        value: req.value,
        ephemeral: req.ephemeral,
    }]);
    handle_interaction(&core_for(&s.core, &user, admin), interaction).await;
    Ok(Json(json!({ "ok": true })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts() {
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "127.1.2.3",
            "LOCALHOST",
        ] {
            assert!(loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "10.0.0.1:3000",
            "",
            "[::2]:1",
            "localhost.evil.example",
        ] {
            assert!(!loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn refusals() {
        let lo = Peer(Some("127.0.0.1:5000".parse().unwrap()));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        assert_eq!(refusal(&lo, &h), None);
        let far = Peer(Some("192.0.2.7:5000".parse().unwrap()));
        let why = refusal(&far, &h).unwrap();
        assert!(why.contains("came from 192.0.2.7"), "{why}");
        assert!(why.contains("In a container"), "{why}");
        assert!(refusal(&Peer(None), &h).is_some());
        let mapped = Peer(Some("[::ffff:127.0.0.1]:5000".parse().unwrap()));
        assert_eq!(refusal(&mapped, &h), None);
        let mut cross = h.clone();
        cross.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(refusal(&lo, &cross).unwrap().contains("another site"));
        cross.insert(header::ORIGIN, "http://127.0.0.1:3000".parse().unwrap());
        assert_eq!(refusal(&lo, &cross), None);
        // Another page on this machine (another port, another name) is another site.
        for other in ["http://127.0.0.1:8080", "http://localhost:3000"] {
            cross.insert(header::ORIGIN, other.parse().unwrap());
            assert!(refusal(&lo, &cross).is_some(), "{other}");
        }
        let mut rebound = HeaderMap::new();
        rebound.insert(header::HOST, "evil.example:3000".parse().unwrap());
        assert!(refusal(&lo, &rebound)
            .unwrap()
            .contains("localhost or 127.0.0.1"));
    }
}
