//! The Slack Web API port (`SlackWeb`) and its implementations: the slack-morphism
//! client, every call bounded by a connect and a total timeout, and local mode. The worker
//! that delivers the outbox through it is in `worker.rs`.

use super::blocks::Message;
use crate::store::{NewLocalMessage, Store};
use async_trait::async_trait;
use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How a Slack call failed, as far as retrying goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// 429: try again after this long.
    RateLimited(Option<Duration>),
    /// 5xx, timeouts, network: try again with backoff.
    Transient(String),
    /// Slack said no for good (not_in_channel, too_long, invalid_auth, ...).
    Permanent(String),
}

/// Slack's errors about the workspace's credentials, not the call: a token being rotated or
/// a scope being added is the operator's to fix. An announcement waits for it (retried like
/// a 5xx, for up to a day) instead of being dropped; see [`SendError::is_credentials`].
const CREDENTIAL_ERRORS: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "missing_scope",
    "no_permission",
    "team_access_not_granted",
    "ekm_access_denied",
];

impl SendError {
    /// A refusal of the workspace's credentials (retried, as [`CREDENTIAL_ERRORS`] says).
    pub fn is_credentials(&self) -> bool {
        matches!(self, SendError::Transient(code) if CREDENTIAL_ERRORS.contains(&code.as_str()))
    }

    /// The label of a failed delivery in `/metrics`: Slack's error code when it gave one,
    /// else a coarse class, so the label set stays small.
    pub fn metric_label(&self) -> String {
        let text = match self {
            SendError::RateLimited(_) => return "ratelimited".into(),
            SendError::Transient(t) | SendError::Permanent(t) => t.as_str(),
        };
        let is_code = !text.is_empty()
            && text.len() <= 48
            && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if is_code {
            text.to_owned()
        } else if let Some(code) = text.strip_prefix("HTTP ") {
            format!(
                "http_{}",
                code.chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>()
            )
        } else if text.starts_with("no answer") {
            "timeout".into()
        } else if matches!(self, SendError::Transient(_)) {
            "network".into()
        } else {
            "other".into()
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::RateLimited(d) => write!(f, "rate limited (retry after {d:?})"),
            SendError::Transient(e) => write!(f, "transient: {e}"),
            SendError::Permanent(e) => write!(f, "permanent: {e}"),
        }
    }
}

#[async_trait]
pub trait SlackWeb: Send + Sync + 'static {
    /// Returns the posted message's ts.
    async fn post(&self, channel: &str, m: &Message) -> Result<String, SendError>;
    async fn update(&self, channel: &str, ts: &str, m: &Message) -> Result<(), SendError>;
    async fn ephemeral(&self, channel: &str, user: &str, m: &Message) -> Result<(), SendError>;
    async fn topic(&self, channel: &str) -> Result<String, SendError>;
    async fn set_topic(&self, channel: &str, topic: &str) -> Result<(), SendError>;
    /// views.publish: `user`'s App Home tab becomes a `home` view of `blocks`.
    async fn publish_home(&self, user: &str, blocks: &[Value]) -> Result<(), SendError>;
    /// auth.test: who the bot token speaks as ("@badger in the workspace GDS (T0123)");
    /// `None` where nothing goes to Slack (local mode).
    async fn whoami(&self) -> Result<Option<String>, SendError> {
        Ok(None)
    }
    /// Posts in the thread of the message whose ts is `thread`; returns the reply's ts.
    /// Without a thread API of its own (local mode) it is an ordinary post.
    async fn reply(&self, channel: &str, thread: &str, m: &Message) -> Result<String, SendError> {
        let _ = thread;
        self.post(channel, m).await
    }
}

fn classify(e: SlackClientError) -> SendError {
    match e {
        SlackClientError::RateLimitError(r) => SendError::RateLimited(r.retry_after),
        SlackClientError::ApiError(a) => match a.code.as_str() {
            "ratelimited" => SendError::RateLimited(None),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                SendError::Transient(a.code)
            }
            code if CREDENTIAL_ERRORS.contains(&code) => SendError::Transient(a.code),
            _ => SendError::Permanent(a.code),
        },
        SlackClientError::HttpError(h)
            if h.status_code.is_server_error() || h.status_code.as_u16() == 408 =>
        {
            SendError::Transient(format!("HTTP {}", h.status_code))
        }
        SlackClientError::HttpError(h) => SendError::Permanent(format!("HTTP {}", h.status_code)),
        // Slack answered, so the call almost surely took effect, but the answer was not
        // understood: retrying would likely post twice, so it is not retried.
        SlackClientError::ProtocolError(p) => {
            SendError::Permanent(format!("unreadable answer: {p}"))
        }
        // No answer at all (connection refused or reset, ...): see `bounded`.
        other => SendError::Transient(other.to_string()),
    }
}

/// Runs one Web API call under the total timeout.
///
/// The trade-off: a call that got no answer (timed out, or its connection reset) may or may
/// not have reached Slack. Retrying it, like a 5xx, can in the rare case it did post twice;
/// not retrying would silently drop an announcement someone is waiting for, and a hung
/// call must not hold its channel for ever. badger chooses "at least once" here, and
/// "at most once" only where Slack did answer (`ProtocolError` above).
async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = Result<T, SlackClientError>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result.map_err(classify),
        Err(_) => Err(SendError::Transient(format!(
            "no answer from Slack within {} s",
            timeout.as_secs_f32()
        ))),
    }
}

fn to_blocks(blocks: &[Value]) -> Result<Vec<SlackBlock>, SendError> {
    serde_json::from_value(Value::Array(blocks.to_vec()))
        .map_err(|e| SendError::Permanent(format!("bad blocks: {e}")))
}

fn content(m: &Message) -> Result<SlackMessageContent, SendError> {
    let c = SlackMessageContent::new().with_text(m.text.clone());
    Ok(if m.blocks.is_empty() {
        c
    } else {
        c.with_blocks(to_blocks(&m.blocks)?)
    })
}

/// The real Web API, through slack-morphism. No library-level retries or throttling:
/// the outbox owns retries. Every call is bounded by `timeout` (connect and total).
pub struct SlackWebClient<
    H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static,
> {
    client: SlackClient<SlackClientHyperConnector<H>>,
    token: SlackApiToken,
    timeout: Duration,
}

pub fn client(
    api_url: &str,
    bot_token: &str,
    timeout: Duration,
) -> std::io::Result<Arc<dyn SlackWeb>> {
    let token = SlackApiToken::new(bot_token.to_owned().into());
    let base = api_url.trim_end_matches('/');
    let mut tcp = hyper_util::client::legacy::connect::HttpConnector::new();
    tcp.set_connect_timeout(Some(timeout));
    if base.starts_with("https://") {
        // As SlackClientHyperConnector::new() builds it, over a TCP connector with a timeout.
        tcp.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_only()
            .enable_http2()
            .wrap_connector(tcp);
        let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(base);
        Ok(Arc::new(SlackWebClient {
            client: SlackClient::new(connector),
            token,
            timeout,
        }))
    } else {
        let connector = SlackClientHyperConnector::with_connector(tcp).with_slack_api_url(base);
        Ok(Arc::new(SlackWebClient {
            client: SlackClient::new(connector),
            token,
            timeout,
        }))
    }
}

impl<H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static>
    SlackWebClient<H>
{
    /// chat.postMessage, in the thread of `thread_ts` if given; returns the message's ts.
    async fn post_message(
        &self,
        channel: &str,
        thread_ts: Option<&str>,
        m: &Message,
    ) -> Result<String, SendError> {
        let mut req = SlackApiChatPostMessageRequest::new(channel.into(), content(m)?);
        if let Some(ts) = thread_ts {
            req = req.with_thread_ts(ts.to_owned().into());
        }
        let session = self.client.open_session(&self.token);
        let r = bounded(self.timeout, session.chat_post_message(&req)).await?;
        Ok(r.ts.to_string())
    }
}

#[async_trait]
impl<H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static> SlackWeb
    for SlackWebClient<H>
{
    async fn post(&self, channel: &str, m: &Message) -> Result<String, SendError> {
        self.post_message(channel, None, m).await
    }
    async fn whoami(&self) -> Result<Option<String>, SendError> {
        let session = self.client.open_session(&self.token);
        let r = bounded(self.timeout, session.auth_test()).await?;
        let user = r.user.unwrap_or_else(|| r.user_id.to_string());
        Ok(Some(format!(
            "@{user} in the workspace {} ({})",
            r.team, r.team_id
        )))
    }
    async fn reply(&self, channel: &str, thread: &str, m: &Message) -> Result<String, SendError> {
        self.post_message(channel, Some(thread), m).await
    }
    async fn update(&self, channel: &str, ts: &str, m: &Message) -> Result<(), SendError> {
        let req = SlackApiChatUpdateRequest::new(channel.into(), content(m)?, ts.to_owned().into());
        let session = self.client.open_session(&self.token);
        bounded(self.timeout, session.chat_update(&req)).await?;
        Ok(())
    }
    async fn ephemeral(&self, channel: &str, user: &str, m: &Message) -> Result<(), SendError> {
        let req = SlackApiChatPostEphemeralRequest::new(
            channel.into(),
            user.to_owned().into(),
            content(m)?,
        );
        let session = self.client.open_session(&self.token);
        bounded(self.timeout, session.chat_post_ephemeral(&req)).await?;
        Ok(())
    }
    async fn topic(&self, channel: &str) -> Result<String, SendError> {
        let req = SlackApiConversationsInfoRequest::new(channel.into());
        let session = self.client.open_session(&self.token);
        let r = bounded(self.timeout, session.conversations_info(&req)).await?;
        Ok(r.channel.topic.map(|t| t.value).unwrap_or_default())
    }
    async fn set_topic(&self, channel: &str, topic: &str) -> Result<(), SendError> {
        let req = SlackApiConversationsSetTopicRequest::new(channel.into(), topic.to_owned());
        let session = self.client.open_session(&self.token);
        bounded(self.timeout, session.conversations_set_topic(&req)).await?;
        Ok(())
    }
    async fn publish_home(&self, user: &str, blocks: &[Value]) -> Result<(), SendError> {
        let view = SlackView::Home(SlackHomeView::new(to_blocks(blocks)?));
        let req = SlackApiViewsPublishRequest::new(user.to_owned().into(), view);
        let session = self.client.open_session(&self.token);
        bounded(self.timeout, session.views_publish(&req)).await?;
        Ok(())
    }
}

/// Local mode: nothing reaches Slack; every call is logged and recorded whole (ts, text,
/// Block Kit) so the console can show it as Slack would. The topic is read back from that
/// record, so it survives a restart like a real channel's.
pub struct LocalWeb {
    store: Store,
    /// The last ts handed out, in microseconds: Slack's ts is `seconds.micros`, unique per
    /// channel; keeping it increasing keeps it unique even within one microsecond.
    last_ts: std::sync::atomic::AtomicI64,
}

impl LocalWeb {
    pub fn shared(store: Store) -> Arc<dyn SlackWeb> {
        Arc::new(LocalWeb {
            store,
            last_ts: std::sync::atomic::AtomicI64::new(0),
        })
    }

    fn next_ts(&self) -> String {
        use std::sync::atomic::Ordering;
        let now = chrono::Utc::now().timestamp_micros();
        let prev = self
            .last_ts
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
                Some(now.max(last + 1))
            })
            .unwrap_or(now);
        let micros = now.max(prev + 1);
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }

    async fn record(&self, m: NewLocalMessage<'_>) -> Result<(), SendError> {
        tracing::info!(target: "badger::local", method = m.method, channel = m.channel, user = m.user, "{}", m.text);
        self.store
            .record_local(&m)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))
    }
}

#[async_trait]
impl SlackWeb for LocalWeb {
    async fn post(&self, channel: &str, m: &Message) -> Result<String, SendError> {
        let ts = self.next_ts();
        self.record(NewLocalMessage {
            method: "chat.postMessage",
            channel,
            ts: Some(&ts),
            text: &m.text,
            blocks: &m.blocks,
            ..Default::default()
        })
        .await?;
        Ok(ts)
    }
    async fn update(&self, channel: &str, ts: &str, m: &Message) -> Result<(), SendError> {
        self.record(NewLocalMessage {
            method: "chat.update",
            channel,
            ts: Some(ts),
            text: &m.text,
            blocks: &m.blocks,
            ..Default::default()
        })
        .await
    }
    async fn ephemeral(&self, channel: &str, user: &str, m: &Message) -> Result<(), SendError> {
        self.record(NewLocalMessage {
            method: "chat.postEphemeral",
            channel,
            text: &m.text,
            blocks: &m.blocks,
            user: Some(user),
            ..Default::default()
        })
        .await
    }
    async fn topic(&self, channel: &str) -> Result<String, SendError> {
        self.store
            .local_topic(channel)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))
    }
    async fn set_topic(&self, channel: &str, topic: &str) -> Result<(), SendError> {
        self.record(NewLocalMessage {
            method: "conversations.setTopic",
            channel,
            text: topic,
            ..Default::default()
        })
        .await
    }
    async fn publish_home(&self, user: &str, blocks: &[Value]) -> Result<(), SendError> {
        // Only logged: the console has no Home tab (and nothing opens one in local mode).
        tracing::info!(target: "badger::local", method = "views.publish", user, blocks = blocks.len(), "App Home");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::SendError;

    #[test]
    fn delivery_errors_get_few_labels() {
        let label = |e: SendError| e.metric_label();
        assert_eq!(
            label(SendError::Permanent("not_in_channel".into())),
            "not_in_channel"
        );
        assert_eq!(label(SendError::RateLimited(None)), "ratelimited");
        assert_eq!(
            label(SendError::Transient("HTTP 503 Service Unavailable".into())),
            "http_503"
        );
        assert_eq!(
            label(SendError::Transient(
                "no answer from Slack within 2 s".into()
            )),
            "timeout"
        );
        assert_eq!(
            label(SendError::Transient(
                "error trying to connect: refused".into()
            )),
            "network"
        );
        assert_eq!(
            label(SendError::Permanent("bad blocks: x at line 1".into())),
            "other"
        );
    }
}
