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
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

/// The bot's own user id, as answered by `auth.test` and used as the author of
/// posted messages and of topics the bot sets.
pub const BOT_USER_ID: &str = "UBADGERBOT";
/// The bot id, as answered by `auth.test` and put on posted messages.
pub const BOT_ID: &str = "BBADGERBOT";
/// The app id put on posted messages.
pub const APP_ID: &str = "ABADGERAPP";
/// The workspace id.
pub const TEAM_ID: &str = "TFAKETEAM";
/// The workspace name (`auth.test`'s `team`).
pub const TEAM_NAME: &str = "Fake Team";
/// The workspace URL (`auth.test`'s `url`).
pub const TEAM_URL: &str = "https://fake-team.slack.com/";
/// The user credited with topics set through [`FakeSlack::set_topic`].
pub const HUMAN_USER_ID: &str = "UHUMAN0001";
/// `created` of every channel, and the seconds part of every `ts` the fake
/// hands out.
pub const EPOCH_SECS: u64 = 1_700_000_000;
/// Slack's limit on a channel topic, counted in characters.
pub const TOPIC_MAX_CHARS: usize = 250;
/// Slack's limit on a message's `text`, counted in characters.
pub const TEXT_MAX_CHARS: usize = 40_000;

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

fn summaries(calls: &[Call]) -> String {
    if calls.is_empty() {
        return "(none)".to_owned();
    }
    calls
        .iter()
        .map(Call::summary)
        .collect::<Vec<_>>()
        .join("\n  ")
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

/// A standing fault for calls to one method (optionally only for one channel).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fault {
    /// Accept and never answer.
    Hang,
    /// Answer after this long; the call takes effect when answered.
    Slow(Duration),
}

#[derive(Clone, Debug)]
struct FaultRule {
    method: String,
    channel: Option<String>,
    fault: Fault,
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

struct RandomFailures {
    rate: f64,
    rng: u64,
    next_is_rate_limit: bool,
}

impl RandomFailures {
    /// splitmix64: small, deterministic, good enough for a failure schedule.
    fn next_f64(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl FakeState {
    fn channel(&mut self, id: &str) -> &mut Channel {
        self.channels
            .entry(id.to_string())
            .or_insert_with(|| Channel {
                name: id.to_lowercase(),
                topic: String::new(),
                topic_creator: String::new(),
                topic_last_set: 0,
                not_in_channel: false,
            })
    }

    fn channel_json(&mut self, id: &str) -> Value {
        let ch = self.channel(id);
        json!({
            "id": id,
            "name": ch.name,
            "name_normalized": ch.name,
            "created": EPOCH_SECS,
            "creator": HUMAN_USER_ID,
            "is_channel": true,
            "is_group": false,
            "is_im": false,
            "is_mpim": false,
            "is_private": false,
            "is_archived": false,
            "is_general": false,
            "is_shared": false,
            "is_org_shared": false,
            "is_member": !ch.not_in_channel,
            "topic": {
                "value": ch.topic,
                "creator": ch.topic_creator,
                "last_set": ch.topic_last_set,
            },
            "purpose": { "value": "", "creator": "", "last_set": 0 },
            "previous_names": [],
        })
    }

    fn set_topic(&mut self, channel: &str, topic: &str, creator: &str) {
        self.clock += 1;
        let last_set = EPOCH_SECS + self.clock;
        let ch = self.channel(channel);
        ch.topic = topic.to_string();
        ch.topic_creator = creator.to_string();
        ch.topic_last_set = last_set;
    }

    /// Hands out "1700000000.000100", "1700000000.000200", ...
    fn allocate_ts(&mut self) -> String {
        self.next_ts += 1;
        let micros = EPOCH_SECS * 1_000_000 + self.next_ts * 100;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }

    fn is_not_in_channel(&self, channel: &str) -> bool {
        self.channels
            .get(channel)
            .map(|c| c.not_in_channel)
            .unwrap_or(false)
    }

    fn standing_fault(&self, method: &str, body: &Value) -> Option<Fault> {
        let channel = str_param(body, "channel");
        self.faults
            .iter()
            .find(|r| {
                r.method == method && (r.channel.is_none() || r.channel.as_deref() == channel)
            })
            .map(|r| r.fault.clone())
    }

    fn injected_failure(&mut self, method: &str) -> Option<Failure> {
        if let Some(queue) = self.scripted.get_mut(method) {
            if let Some(failure) = queue.pop_front() {
                return Some(failure);
            }
        }
        let retry_after_secs = self.random_retry_after_secs;
        let random = self.random.as_mut()?;
        if random.next_f64() < random.rate {
            let rate_limit = random.next_is_rate_limit;
            random.next_is_rate_limit = !rate_limit;
            Some(if rate_limit {
                Failure::RateLimited { retry_after_secs }
            } else {
                Failure::ServerError
            })
        } else {
            None
        }
    }
}

impl FakeSlack {
    /// Serves on 127.0.0.1:0 and returns once the socket is listening.
    pub async fn start() -> FakeSlack {
        let state = Arc::new(Mutex::new(FakeState {
            random_retry_after_secs: 1,
            ..FakeState::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake slack: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake slack: local_addr");
        let app = Router::new().fallback(handle).with_state(state.clone());
        let task = tokio::spawn(serve(listener, app));
        FakeSlack {
            state,
            server: Arc::new(ServerGuard(task.abort_handle())),
            base_url: format!("http://{addr}/api"),
        }
    }

    /// The base URL to give the client (`SLACK_API_URL`), without a trailing
    /// slash: `http://127.0.0.1:PORT/api`.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    fn lock(&self) -> MutexGuard<'_, FakeState> {
        // A panicking test thread must not hide the state from the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every call received (including ones answered with errors), in arrival order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The calls to one method, e.g. `"chat.postMessage"`, in arrival order.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Forgets the recorded calls (channel state is kept).
    pub fn clear_calls(&self) {
        let mut st = self.lock();
        st.calls.clear();
        st.read = 0;
    }

    /// The next call the test has not read yet, in arrival order, now read. Panics if
    /// every call was read, showing the last ones.
    pub fn next_call(&self) -> Call {
        let mut st = self.lock();
        let Some(call) = st.calls.get(st.read).cloned() else {
            let last: Vec<String> = st
                .calls
                .iter()
                .rev()
                .take(5)
                .rev()
                .map(Call::summary)
                .collect();
            drop(st);
            panic!(
                "expected another Slack call, but every call was read; the last ones were:\n  {}",
                last.join("\n  ")
            );
        };
        st.read += 1;
        call
    }

    /// [`FakeSlack::next_call`], which must be to `method`: otherwise panics with the
    /// unread calls, the first of which came instead.
    pub fn expect_call(&self, method: &str) -> Call {
        let unread = self.unread();
        match unread.first() {
            Some(call) if call.method == method => self.next_call(),
            _ => panic!(
                "expected a call to {method} next, but the unread calls were:\n  {}",
                summaries(&unread)
            ),
        }
    }

    /// The calls not read yet, in arrival order (they stay unread).
    pub fn unread(&self) -> Vec<Call> {
        let st = self.lock();
        st.calls[st.read.min(st.calls.len())..].to_vec()
    }

    /// Reads every call not read yet and returns them: for a test that does not care
    /// about these calls' order or number.
    pub fn read_all(&self) -> Vec<Call> {
        let mut st = self.lock();
        let from = st.read.min(st.calls.len());
        st.read = st.calls.len();
        st.calls[from..].to_vec()
    }

    /// Panics, listing them, if any call was not read.
    pub fn expect_no_more_calls(&self) {
        let unread = self.unread();
        assert!(
            unread.is_empty(),
            "{} Slack call(s) were left unread:\n  {}",
            unread.len(),
            summaries(&unread)
        );
    }

    /// Sets a channel's topic as if a person had set it.
    pub fn set_topic(&self, channel: &str, topic: &str) {
        self.lock().set_topic(channel, topic, HUMAN_USER_ID);
    }

    /// A channel's current topic ("" if never set).
    pub fn topic(&self, channel: &str) -> String {
        self.lock()
            .channels
            .get(channel)
            .map(|c| c.topic.clone())
            .unwrap_or_default()
    }

    /// Sets the `name` conversations.info answers (default: the id lowercased).
    pub fn set_channel_name(&self, channel: &str, name: &str) {
        self.lock().channel(channel).name = name.to_string();
    }

    /// The messages posted to a channel, in post order, in their current state
    /// (after any chat.update). Each is Slack's message object: `type`, `ts`,
    /// `text`, `user`, `bot_id`, `app_id`, `team`, and `blocks` /
    /// `attachments` / `thread_ts` / `metadata` when given, `edited` once updated.
    pub fn messages(&self, channel: &str) -> Vec<Value> {
        self.lock()
            .messages
            .iter()
            .filter(|(c, _)| c == channel)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// The ephemeral messages posted to a channel, in post order; each has
    /// `user` (the recipient), `message_ts`, `text` and `blocks` if given.
    pub fn ephemerals(&self, channel: &str) -> Vec<Value> {
        self.lock()
            .ephemerals
            .iter()
            .filter(|(c, _)| c == channel)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// The Home tab views published for `user` (views.publish), oldest first, each as
    /// Slack answered it (`id`, `hash`, `type`, `blocks`, ...).
    pub fn home_views(&self, user: &str) -> Vec<Value> {
        self.lock()
            .homes
            .iter()
            .filter(|(u, _)| u == user)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// While `yes`, chat.postMessage, chat.postEphemeral,
    /// conversations.setTopic and conversations.info for this channel answer
    /// `not_in_channel` (and conversations.info would say `is_member: false`).
    pub fn set_not_in_channel(&self, channel: &str, yes: bool) {
        self.lock().channel(channel).not_in_channel = yes;
    }

    /// The next `n` calls to `method` answer with `failure`, then normal
    /// service resumes. Calls add up: `fail_next(m, 1, A); fail_next(m, 1, B)`
    /// fails the next call with A and the one after with B. Scripted failures
    /// take precedence over the token check and the random failure rate.
    pub fn fail_next(&self, method: &str, n: usize, failure: Failure) {
        let mut state = self.lock();
        let queue = state.scripted.entry(method.to_string()).or_default();
        queue.extend(std::iter::repeat_n(failure, n));
    }

    /// Answers a fraction `rate` (0.0..=1.0) of all calls, whatever the method,
    /// with failures, alternating 429 (`Retry-After`, 1 s by default, see
    /// [`FakeSlack::set_failure_retry_after`]) and 500, starting with 429.
    /// The schedule is deterministic for a given `seed` and call order.
    /// `rate` 0 turns it off.
    pub fn set_failure_rate(&self, rate: f64, seed: u64) {
        self.lock().random = (rate > 0.0).then_some(RandomFailures {
            rate,
            rng: seed,
            next_is_rate_limit: true,
        });
    }

    /// The `Retry-After` the random 429s of [`FakeSlack::set_failure_rate`] carry.
    pub fn set_failure_retry_after(&self, secs: u64) {
        self.lock().random_retry_after_secs = secs;
    }

    /// Calls to `method` from now on wait, unanswered and unrecorded, until
    /// [`FakeSlack::resume`]: a way to hold the code under test in the middle
    /// of a Slack call without timing anything.
    pub fn pause(&self, method: &str) {
        self.lock().paused.send_modify(|p| {
            p.insert(method.to_string());
        });
    }

    /// Lets the paused calls to `method` (and later ones) through.
    pub fn resume(&self, method: &str) {
        self.lock().paused.send_modify(|p| {
            p.remove(method);
        });
    }

    /// `apps.connections.open` (called with an `xapp-` token) answers this websocket URL.
    pub fn set_socket_url(&self, url: &str) {
        self.lock().socket_url = Some(url.to_string());
    }

    /// How many calls are waiting at a pause right now.
    pub fn waiting(&self) -> usize {
        self.lock().waiting
    }

    /// From now on, calls to `method` (only those for `channel`, if given) are
    /// accepted and never answered: they take no effect and wait until the client
    /// gives up. Recorded on arrival with `answered == 0`. Lasts until
    /// [`FakeSlack::clear_faults`]; calls already hung stay unanswered.
    pub fn hang(&self, method: &str, channel: Option<&str>) {
        self.lock().faults.push(FaultRule {
            method: method.to_string(),
            channel: channel.map(str::to_string),
            fault: Fault::Hang,
        });
    }

    /// From now on, calls to `method` are answered only after `delay` (and take
    /// effect then). Lasts until [`FakeSlack::clear_faults`].
    pub fn slow(&self, method: &str, delay: Duration) {
        self.lock().faults.push(FaultRule {
            method: method.to_string(),
            channel: None,
            fault: Fault::Slow(delay),
        });
    }

    /// Ends the standing faults set by [`FakeSlack::hang`] and [`FakeSlack::slow`].
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// How many calls are hung right now (accepted, never to be answered).
    pub fn hanging(&self) -> usize {
        self.lock().hanging
    }

    /// How many calls the fake is answering right now (hung ones included).
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// The most calls the fake was answering at the same moment (hung ones included).
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    /// Polls every few milliseconds until `pred(&calls)` holds or `timeout`
    /// passes; returns whether it held.
    pub async fn wait_until(&self, timeout: Duration, pred: impl Fn(&[Call]) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if pred(&self.calls()) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// What the fake answers: status, extra headers, JSON body.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

impl Answer {
    fn ok(mut fields: Value) -> Answer {
        if let Value::Object(map) = &mut fields {
            map.insert("ok".into(), Value::Bool(true));
        }
        Answer {
            status: StatusCode::OK,
            retry_after: None,
            body: fields,
        }
    }

    fn error(code: &str) -> Answer {
        Answer {
            status: StatusCode::OK,
            retry_after: None,
            body: json!({ "ok": false, "error": code }),
        }
    }

    fn from_failure(failure: Failure) -> Answer {
        match failure {
            Failure::RateLimited { retry_after_secs } => Answer {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(retry_after_secs),
                body: json!({ "ok": false, "error": "ratelimited" }),
            },
            Failure::ServerError => Answer {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None,
                body: json!({ "ok": false, "error": "internal_error" }),
            },
            Failure::SlackError(code) => Answer::error(code),
            // Never answered (see `handle`); a 500 if it ever were.
            Failure::Reset => Answer {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None,
                body: json!({ "ok": false, "error": "reset" }),
            },
        }
    }
}

/// Serves connections one task each, so a [`Failure::Reset`] can drop its own
/// connection; `SO_LINGER` 0 makes that drop an RST rather than a FIN.
async fn serve(listener: tokio::net::TcpListener, app: Router) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        #[allow(deprecated)] // linger 0 closes at once: nothing to block on
        let _ = stream.set_linger(Some(Duration::ZERO));
        let reset = Arc::new(tokio::sync::Notify::new());
        let app = app.clone().layer(axum::Extension(Resetter(reset.clone())));
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            let service = hyper_util::service::TowerToHyperService::new(app);
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let conn = builder.serve_connection(io, service);
            tokio::select! {
                _ = conn => {}
                _ = reset.notified() => {}
            }
        });
    }
}

/// Drops the connection a request came on.
#[derive(Clone)]
struct Resetter(Arc<tokio::sync::Notify>);

/// Counts a call as in flight while it lives (also when the client gives up on it).
struct InFlight(Arc<Mutex<FakeState>>, bool);

impl InFlight {
    fn new(state: &Arc<Mutex<FakeState>>) -> InFlight {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        st.in_flight += 1;
        st.max_in_flight = st.max_in_flight.max(st.in_flight);
        InFlight(state.clone(), false)
    }
    fn hang(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).hanging += 1;
        self.1 = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut st = self.0.lock().unwrap_or_else(|e| e.into_inner());
        st.in_flight -= 1;
        if self.1 {
            st.hanging -= 1;
        }
    }
}

async fn handle(
    State(state): State<Arc<Mutex<FakeState>>>,
    axum::Extension(resetter): axum::Extension<Resetter>,
    http_method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let method = path
        .strip_prefix("/api")
        .unwrap_or(&path)
        .trim_matches('/')
        .to_string();
    let body = request_params(&uri, &headers, &bytes);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());

    let mut gate = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        let gate = st.paused.subscribe();
        if gate.borrow().contains(&method) {
            st.waiting += 1;
            Some(gate)
        } else {
            None
        }
    };
    if let Some(gate) = gate.as_mut() {
        let _ = gate.wait_for(|p| !p.contains(&method)).await;
        state.lock().unwrap_or_else(|e| e.into_inner()).waiting -= 1;
    }

    let mut in_flight = InFlight::new(&state);
    let fault = state
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .standing_fault(&method, &body);
    let unanswered = || Call {
        method: method.clone(),
        body: body.clone(),
        token: token.clone(),
        answered: 0,
        ok: false,
        http_method: http_method.to_string(),
        path: path.clone(),
        at: std::time::Instant::now(),
    };
    match fault {
        Some(Fault::Hang) => {
            {
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                let call = unanswered();
                st.calls.push(call);
            }
            in_flight.hang();
            std::future::pending::<()>().await;
        }
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }

    let answer = {
        let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
        let answer = match st.injected_failure(&method) {
            Some(Failure::Reset) => None,
            Some(failure) => Some(Answer::from_failure(failure)),
            // Socket Mode takes the app-level token, and only that.
            None if method == "apps.connections.open" => {
                Some(match (token.as_deref(), &st.socket_url) {
                    (Some(t), Some(url)) if t.starts_with("xapp-") => {
                        Answer::ok(json!({ "url": url }))
                    }
                    (Some(t), None) if t.starts_with("xapp-") => Answer::error("invalid_auth"),
                    (Some(t), _) if t.starts_with("xoxb-") => {
                        Answer::error("not_allowed_token_type")
                    }
                    _ => Answer::error("not_authed"),
                })
            }
            None if !token.as_deref().is_some_and(|t| t.starts_with("xoxb-")) => {
                Some(Answer::error("not_authed"))
            }
            None => Some(dispatch(&mut st, &method, &body)),
        };
        st.calls.push(Call {
            method,
            body,
            token,
            answered: answer.as_ref().map_or(0, |a| a.status.as_u16()),
            ok: answer
                .as_ref()
                .is_some_and(|a| a.body["ok"] == Value::Bool(true)),
            http_method: http_method.to_string(),
            path,
            at: std::time::Instant::now(),
        });
        answer
    };
    drop(in_flight);
    let Some(answer) = answer else {
        // Reset: drop the connection without a word.
        resetter.0.notify_one();
        return std::future::pending().await;
    };

    let mut response = (
        answer.status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        answer.body.to_string(),
    )
        .into_response();
    if let Some(secs) = answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.to_string().parse().unwrap());
    }
    response
}

/// The request's parameters as one JSON value: the JSON body, or the form
/// fields, with the query parameters merged in.
fn request_params(uri: &Uri, headers: &HeaderMap, bytes: &Bytes) -> Value {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut body = if bytes.is_empty() {
        Value::Object(Map::new())
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        form_to_json(bytes)
    } else {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    };
    if let (Some(query), Value::Object(map)) = (uri.query(), &mut body) {
        if let Value::Object(params) = form_to_json(query.as_bytes()) {
            for (k, v) in params {
                map.entry(k).or_insert(v);
            }
        }
    }
    body
}

fn form_to_json(bytes: &[u8]) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).unwrap_or_default();
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
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

fn has_content(body: &Value) -> bool {
    str_param(body, "text").is_some()
        || str_param(body, "markdown_text").is_some()
        || json_param(body, "blocks").is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()))
        || json_param(body, "attachments")
            .is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()))
}

/// Checks shared by the message-posting methods.
fn check_message_content(body: &Value) -> Option<&'static str> {
    if !has_content(body) {
        return Some("no_text");
    }
    if let Some(blocks) = json_param(body, "blocks") {
        if !blocks.is_array() {
            return Some("invalid_blocks");
        }
    }
    if str_param(body, "text").is_some_and(|t| t.chars().count() > TEXT_MAX_CHARS) {
        return Some("msg_too_long");
    }
    None
}

fn dispatch(st: &mut FakeState, method: &str, body: &Value) -> Answer {
    match method {
        "auth.test" => Answer::ok(json!({
            "url": TEAM_URL,
            "team": TEAM_NAME,
            "user": "badger",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": false,
        })),
        "chat.postMessage" => post_message(st, body),
        "chat.update" => update_message(st, body),
        "chat.postEphemeral" => post_ephemeral(st, body),
        "views.publish" => publish_view(st, body),
        "conversations.info" => {
            let Some(channel) = str_param(body, "channel") else {
                return Answer::error("channel_not_found");
            };
            if st.is_not_in_channel(channel) {
                return Answer::error("not_in_channel");
            }
            Answer::ok(json!({ "channel": st.channel_json(channel) }))
        }
        "conversations.setTopic" => {
            let Some(channel) = str_param(body, "channel") else {
                return Answer::error("channel_not_found");
            };
            if st.is_not_in_channel(channel) {
                return Answer::error("not_in_channel");
            }
            // "" clears the topic; no `topic` at all is a malformed call (it is
            // what slack-morphism's conversations_unarchive sends, by mistake).
            let Some(topic) = body.get("topic").and_then(Value::as_str) else {
                return Answer::error("invalid_arguments");
            };
            if topic.chars().count() > TOPIC_MAX_CHARS {
                return Answer::error("too_long");
            }
            st.set_topic(channel, topic, BOT_USER_ID);
            Answer::ok(json!({ "channel": st.channel_json(channel) }))
        }
        _ => Answer::error("unknown_method"),
    }
}

fn post_message(st: &mut FakeState, body: &Value) -> Answer {
    let Some(channel) = str_param(body, "channel") else {
        return Answer::error("channel_not_found");
    };
    if st.is_not_in_channel(channel) {
        return Answer::error("not_in_channel");
    }
    if let Some(code) = check_message_content(body) {
        return Answer::error(code);
    }
    let ts = st.allocate_ts();
    let mut message = json!({
        "type": "message",
        "ts": ts,
        "text": body.get("text").and_then(Value::as_str).unwrap_or(""),
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
    });
    for key in ["blocks", "attachments", "metadata"] {
        if let Some(v) = json_param(body, key) {
            message[key] = v;
        }
    }
    for key in ["thread_ts", "username", "icon_emoji", "icon_url"] {
        if let Some(v) = str_param(body, key) {
            message[key] = Value::String(v.to_string());
        }
    }
    st.messages.push((channel.to_string(), message.clone()));
    Answer::ok(json!({ "channel": channel, "ts": ts, "message": message }))
}

fn update_message(st: &mut FakeState, body: &Value) -> Answer {
    let Some(channel) = str_param(body, "channel") else {
        return Answer::error("channel_not_found");
    };
    let Some(ts) = str_param(body, "ts") else {
        return Answer::error("message_not_found");
    };
    if let Some(code) = check_message_content(body) {
        return Answer::error(code);
    }
    st.clock += 1;
    let edited_ts = format!("{}.000000", EPOCH_SECS + st.clock);
    let Some((_, message)) = st
        .messages
        .iter_mut()
        .find(|(c, m)| c == channel && m["ts"] == ts)
    else {
        return Answer::error("message_not_found");
    };
    // As documented for chat.update: `text` replaces the text; `blocks` and
    // `attachments` replace the old ones when given (an empty array removes
    // them) and are kept otherwise.
    message["text"] = Value::String(
        body.get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    );
    let obj = message
        .as_object_mut()
        .expect("stored messages are objects");
    for key in ["blocks", "attachments"] {
        match json_param(body, key) {
            Some(Value::Array(a)) if a.is_empty() => {
                obj.remove(key);
            }
            Some(v) => {
                obj.insert(key.to_string(), v);
            }
            None => {}
        }
    }
    if let Some(v) = json_param(body, "metadata") {
        obj.insert("metadata".into(), v);
    }
    obj.insert(
        "edited".into(),
        json!({ "user": BOT_USER_ID, "ts": edited_ts }),
    );
    let message = message.clone();
    Answer::ok(json!({
        "channel": channel,
        "ts": ts,
        "text": message["text"],
        "message": message,
    }))
}

fn post_ephemeral(st: &mut FakeState, body: &Value) -> Answer {
    let Some(channel) = str_param(body, "channel") else {
        return Answer::error("channel_not_found");
    };
    let Some(user) = str_param(body, "user") else {
        return Answer::error("user_not_found");
    };
    if st.is_not_in_channel(channel) {
        return Answer::error("not_in_channel");
    }
    if let Some(code) = check_message_content(body) {
        return Answer::error(code);
    }
    let message_ts = st.allocate_ts();
    let mut message = json!({
        "user": user,
        "message_ts": message_ts,
        "text": body.get("text").and_then(Value::as_str).unwrap_or(""),
    });
    for key in ["blocks", "attachments"] {
        if let Some(v) = json_param(body, key) {
            message[key] = v;
        }
    }
    if let Some(v) = str_param(body, "thread_ts") {
        message["thread_ts"] = Value::String(v.to_string());
    }
    st.ephemerals.push((channel.to_string(), message));
    Answer::ok(json!({ "message_ts": message_ts }))
}

/// Slack's limits on a view: blocks per view, characters of a section's text and of a
/// header's.
pub const VIEW_MAX_BLOCKS: usize = 100;
pub const SECTION_MAX_CHARS: usize = 3000;
pub const HEADER_MAX_CHARS: usize = 150;

/// Why Slack would refuse these blocks (as `invalid_arguments`), if it would.
fn block_problem(blocks: &[Value], max_blocks: usize) -> Option<String> {
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

/// views.publish: answered as Slack does, with the whole stateful view (slack-morphism
/// reads `view.id`, `team_id` and `hash` strictly).
fn publish_view(st: &mut FakeState, body: &Value) -> Answer {
    let Some(user) = str_param(body, "user_id") else {
        return Answer::error("invalid_arguments");
    };
    let Some(view) = json_param(body, "view").filter(Value::is_object) else {
        return Answer::error("invalid_arguments");
    };
    if view["type"] != "home" {
        return Answer::error("invalid_arguments");
    }
    let Some(blocks) = view["blocks"].as_array() else {
        return Answer::error("invalid_arguments");
    };
    if block_problem(blocks, VIEW_MAX_BLOCKS).is_some() {
        return Answer::error("invalid_arguments");
    }
    st.clock += 1;
    let n = st.homes.len() + 1;
    let id = format!("VHOME{n:06}");
    let stateful = json!({
        "id": id,
        "team_id": TEAM_ID,
        "type": "home",
        "blocks": blocks,
        "private_metadata": view.get("private_metadata").and_then(Value::as_str).unwrap_or(""),
        "callback_id": view.get("callback_id").and_then(Value::as_str).unwrap_or(""),
        "external_id": view.get("external_id").and_then(Value::as_str).unwrap_or(""),
        "state": { "values": {} },
        "hash": format!("{}.{n:08x}", EPOCH_SECS + st.clock),
        "title": null,
        "close": null,
        "submit": null,
        "clear_on_close": false,
        "notify_on_close": false,
        "previous_view_id": null,
        "root_view_id": id,
        "app_id": APP_ID,
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    });
    st.homes.push((user.to_string(), stateful.clone()));
    Answer::ok(json!({ "view": stateful }))
}
