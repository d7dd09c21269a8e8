//! A stateful fake of the Slack Web API, served over HTTP on loopback, for
//! integration tests (in the spirit of rust-lang/bors's fake GitHub).
//!
//! Start one with [`FakeSlack::start`] and point the code under test at
//! [`FakeSlack::url`]. Every request is recorded as a [`Call`] (including the
//! ones answered with errors) so tests can assert on what was sent; the fake
//! also keeps per-channel state (posted messages, topic, membership).
//!
//! # Reading the calls in order
//!
//! Like rust-lang/bors's scripted tester, a test can read the calls one by one:
//! [`FakeSlack::next_call`] hands back the next call it has not read yet (and
//! [`FakeSlack::expect_call`] checks its method), panicking with what came instead;
//! [`FakeSlack::expect_no_more_calls`] fails on anything left unread. A stepped
//! `TestApp` runs that last check when it is dropped.
//!
//! # The URL to give badger as `SLACK_API_URL`
//!
//! slack-morphism 2.31 builds method URLs as `format!("{}/{}", slack_api_url,
//! method)` (see `SlackClientHyperConnector::create_method_uri_path`), and its
//! default base is `https://slack.com/api` — *no trailing slash*. So badger
//! must be given the base **without** a trailing slash:
//!
//! ```text
//! SLACK_API_URL=http://127.0.0.1:PORT/api      -> POST /api/chat.postMessage
//! SLACK_API_URL=http://127.0.0.1:PORT/api/     -> POST /api//chat.postMessage (wrong)
//! ```
//!
//! [`FakeSlack::url`] returns the form without the trailing slash. The fake
//! tolerates the double slash (it records the raw path in [`Call::path`] so a
//! test can catch it), but real Slack should not be relied on to.
//!
//! # How slack-morphism's hyper client reports the fake's answers
//!
//! * HTTP 200 with a JSON body whose `error` is set (`{"ok":false,"error":"x"}`)
//!   → `SlackClientError::ApiError(e)` with `e.code == "x"`. (It looks at
//!   `error`, not at `ok`.)
//! * HTTP 429 → `SlackClientError::RateLimitError(e)` with `e.retry_after`
//!   parsed from the `Retry-After` header (whole seconds) and `e.code` from the
//!   JSON body's `error` (`"ratelimited"`). The 429 body must still parse as
//!   `{ok, error?}` or the client reports a `ProtocolError` instead.
//! * Any other non-200/204 status (e.g. 500) → `SlackClientError::HttpError(e)`
//!   with `e.status_code`.
//! * A 200 body that doesn't fit the typed response (a missing required
//!   field) → `SlackClientError::ProtocolError`.
//!
//! `conversations.info`, `auth.test` (and the other read methods) are sent as
//! GET with query parameters; writes (`chat.*`, `conversations.setTopic`, ...)
//! are POSTed as JSON. Both carry `Authorization: Bearer <token>`.
//!
//! # Faults below the API
//!
//! Besides answers that say "no", the fake can misbehave the way a network or a
//! stuck Slack does: [`FakeSlack::hang`] accepts calls and never answers them,
//! [`FakeSlack::slow`] answers late, and [`Failure::Reset`] drops the connection
//! without an answer. A call that is never answered never takes effect (it is a
//! black hole, recorded with `answered == 0`), so a test can tell a retry that
//! delivers once from one that delivers twice.
//!
//! # Where things are
//!
//! This file holds the shared types (the recorded [`Call`], the state, the scripted
//! [`Failure`]) and the limits; `reader` reads the recorded calls (in order or all at
//! once), `channels` holds the channels' state as a test sees and sets it, `faults` the
//! scripted, random and standing failures and the pauses, `server` the HTTP side
//! ([`FakeSlack::start`], connections, the request handler, parameters) and `methods`
//! the Web API methods themselves.
#![allow(dead_code)]

mod channels;
mod faults;
mod methods;
mod reader;
mod server;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};

use faults::{FaultRule, RandomFailures};

/// The bot's own user id, as answered by `auth.test` and used as the author of
/// posted messages and of topics the bot sets.
pub const BOT_USER_ID: &str = "UBADGERBOT";
/// The bot id, as answered by `auth.test` and put on posted messages.
pub const BOT_ID: &str = "BBADGERBOT";
/// The app id put on posted messages.
pub const APP_ID: &str = "ABADGERAPP";
/// The user credited with topics set through [`FakeSlack::set_topic`].
pub const HUMAN_USER_ID: &str = "UHUMAN0001";
/// `created` of every channel, and the seconds part of every `ts` the fake
/// hands out.
pub const EPOCH_SECS: u64 = 1_700_000_000;
/// The workspace id.
pub const TEAM_ID: &str = "TFAKETEAM";
/// The workspace name (`auth.test`'s `team`).
pub const TEAM_NAME: &str = "Fake Team";
/// The workspace URL (`auth.test`'s `url`).
pub const TEAM_URL: &str = "https://fake-team.slack.com/";
/// Slack's limit on a channel topic, counted in characters.
pub const TOPIC_MAX_CHARS: usize = 250;
/// Slack's limit on a message's `text`, counted in characters.
pub const TEXT_MAX_CHARS: usize = 40_000;
/// Slack's limits on a view: blocks per view, characters of a section's text and of a
/// header's.
pub const VIEW_MAX_BLOCKS: usize = 100;
pub const SECTION_MAX_CHARS: usize = 3000;
pub const HEADER_MAX_CHARS: usize = 150;

/// Why Slack would refuse these blocks (the fake answers `invalid_arguments`), if it
/// would: more than `max_blocks`, or a section or header text over its limit.
pub fn block_problem(blocks: &[Value], max_blocks: usize) -> Option<String> {
    if blocks.len() > max_blocks {
        return Some(format!("{} blocks, more than {max_blocks}", blocks.len()));
    }
    for (i, b) in blocks.iter().enumerate() {
        let text = b
            .pointer("/text/text")
            .and_then(Value::as_str)
            .unwrap_or("");
        let max = match b["type"].as_str() {
            Some("section") => SECTION_MAX_CHARS,
            Some("header") => HEADER_MAX_CHARS,
            _ => continue,
        };
        if text.chars().count() > max {
            return Some(format!("block {i}: text longer than {max}"));
        }
    }
    None
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    /// The Web API method, e.g. `"chat.postMessage"`.
    pub method: String,
    /// The JSON body, or the form / query parameters as a JSON object of
    /// strings (query parameters are merged in for every request).
    pub body: Value,
    /// The bearer token from the `Authorization` header, without `Bearer `.
    pub token: Option<String>,
    /// The HTTP status the fake answered with.
    pub answered: u16,
    /// The `ok` field of the fake's answer (false for 429/500 too).
    pub ok: bool,
    /// The HTTP verb, `"GET"` or `"POST"`.
    pub http_method: String,
    /// The raw request path, e.g. `"/api/chat.postMessage"`.
    pub path: String,
    /// When the fake answered it (or, for a call it never answers, when it arrived).
    pub at: std::time::Instant,
}

impl Call {
    /// One line for failure messages: method, channel or user, text (shortened), status.
    pub fn summary(&self) -> String {
        let param = |k: &str| self.body.get(k).and_then(Value::as_str).unwrap_or("");
        let mut text: String = param("text").chars().take(100).collect();
        if text.is_empty() {
            text = param("topic").chars().take(100).collect();
        }
        let whom = [param("channel"), param("user"), param("user_id")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        format!("{} {whom} {text:?} -> {}", self.method, self.answered)
    }
}

/// A scripted failure for [`FakeSlack::fail_next`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 429 with `Retry-After: <secs>` and `{"ok":false,"error":"ratelimited"}`.
    RateLimited { retry_after_secs: u64 },
    /// HTTP 500.
    ServerError,
    /// HTTP 200 with `{"ok":false,"error":<code>}`, e.g. `"not_in_channel"`.
    SlackError(&'static str),
    /// The connection is reset (RST) after the request arrives, with no answer; the
    /// call takes no effect. Recorded with `answered == 0`.
    Reset,
}

/// A fake Slack Web API. Cloning shares the same server and state; the server
/// stops when the last clone is dropped (or when the test's runtime ends).
#[derive(Clone)]
pub struct FakeSlack {
    state: Arc<Mutex<FakeState>>,
    server: Arc<ServerGuard>,
    base_url: String,
}

struct ServerGuard(tokio::task::AbortHandle);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Default)]
struct FakeState {
    calls: Vec<Call>,
    /// How many of `calls` the test has read (see [`FakeSlack::next_call`]).
    read: usize,
    channels: BTreeMap<String, Channel>,
    /// Every posted message in post order, with the channel it was posted to.
    messages: Vec<(String, Value)>,
    /// Every ephemeral message, with the channel it was posted to.
    ephemerals: Vec<(String, Value)>,
    /// Every view published with views.publish, with the user whose Home tab it is.
    homes: Vec<(String, Value)>,
    next_ts: u64,
    clock: u64,
    scripted: HashMap<String, VecDeque<Failure>>,
    random: Option<RandomFailures>,
    random_retry_after_secs: u64,
    /// Methods whose calls wait (before being answered or recorded) until resumed.
    paused: tokio::sync::watch::Sender<std::collections::BTreeSet<String>>,
    /// How many calls are waiting at a pause right now.
    waiting: usize,
    /// What `apps.connections.open` answers (Socket Mode); unset, it refuses.
    socket_url: Option<String>,
    /// Standing faults, see [`FakeSlack::hang`] and [`FakeSlack::slow`].
    faults: Vec<FaultRule>,
    /// How many calls are hung (never to be answered) right now.
    hanging: usize,
    /// How many calls are being answered (or hung) right now, and the most at once.
    in_flight: usize,
    max_in_flight: usize,
}

struct Channel {
    name: String,
    topic: String,
    topic_creator: String,
    topic_last_set: u64,
    not_in_channel: bool,
}

impl FakeSlack {
    /// The base URL to give the client (`SLACK_API_URL`), without a trailing
    /// slash: `http://127.0.0.1:PORT/api`.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    fn lock(&self) -> MutexGuard<'_, FakeState> {
        // A panicking test thread must not hide the state from the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn str_param<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Slack accepts `blocks`/`attachments` as arrays (JSON) or JSON text (form).
fn json_param(body: &Value, key: &str) -> Option<Value> {
    match body.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Null => None,
        v => Some(v.clone()),
    }
}
