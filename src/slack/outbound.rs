//! Delivering the outbox: the Web API port (`SlackWeb`), its slack-morphism client and
//! local-mode implementations, and the worker that retries.

use crate::domain::topic::{render_topic, TopicHold};
use crate::store::{OutboxRow, Payload, Store};
use async_trait::async_trait;
use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

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
    async fn post(&self, channel: &str, text: &str, blocks: &[Value]) -> Result<String, SendError>;
    async fn update(
        &self,
        channel: &str,
        ts: &str,
        text: &str,
        blocks: &[Value],
    ) -> Result<(), SendError>;
    async fn ephemeral(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        blocks: &[Value],
    ) -> Result<(), SendError>;
    async fn topic(&self, channel: &str) -> Result<String, SendError>;
    async fn set_topic(&self, channel: &str, topic: &str) -> Result<(), SendError>;
}

fn classify(e: SlackClientError) -> SendError {
    match e {
        SlackClientError::RateLimitError(r) => SendError::RateLimited(r.retry_after),
        SlackClientError::ApiError(a) => match a.code.as_str() {
            "ratelimited" => SendError::RateLimited(None),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                SendError::Transient(a.code)
            }
            _ => SendError::Permanent(a.code),
        },
        SlackClientError::HttpError(h)
            if h.status_code.is_server_error() || h.status_code.as_u16() == 408 =>
        {
            SendError::Transient(format!("HTTP {}", h.status_code))
        }
        SlackClientError::HttpError(h) => SendError::Permanent(format!("HTTP {}", h.status_code)),
        // The call may have gone through but its answer was not understood: retrying could
        // post twice, so it is not retried.
        SlackClientError::ProtocolError(p) => {
            SendError::Permanent(format!("unreadable answer: {p}"))
        }
        other => SendError::Transient(other.to_string()),
    }
}

fn to_blocks(blocks: &[Value]) -> Result<Vec<SlackBlock>, SendError> {
    serde_json::from_value(Value::Array(blocks.to_vec()))
        .map_err(|e| SendError::Permanent(format!("bad blocks: {e}")))
}

fn content(text: &str, blocks: &[Value]) -> Result<SlackMessageContent, SendError> {
    let c = SlackMessageContent::new().with_text(text.to_owned());
    Ok(if blocks.is_empty() {
        c
    } else {
        c.with_blocks(to_blocks(blocks)?)
    })
}

/// The real Web API, through slack-morphism. No library-level retries or throttling:
/// the outbox owns retries.
pub struct SlackWebClient<
    H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static,
> {
    client: SlackClient<SlackClientHyperConnector<H>>,
    token: SlackApiToken,
}

pub fn client(api_url: &str, bot_token: &str) -> std::io::Result<Arc<dyn SlackWeb>> {
    let token = SlackApiToken::new(bot_token.to_owned().into());
    let base = api_url.trim_end_matches('/');
    if base.starts_with("https://") {
        let connector = SlackClientHyperConnector::new()?.with_slack_api_url(base);
        Ok(Arc::new(SlackWebClient {
            client: SlackClient::new(connector),
            token,
        }))
    } else {
        let connector = SlackClientHyperConnector::with_connector(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .with_slack_api_url(base);
        Ok(Arc::new(SlackWebClient {
            client: SlackClient::new(connector),
            token,
        }))
    }
}

#[async_trait]
impl<H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static> SlackWeb
    for SlackWebClient<H>
{
    async fn post(&self, channel: &str, text: &str, blocks: &[Value]) -> Result<String, SendError> {
        let req = SlackApiChatPostMessageRequest::new(channel.into(), content(text, blocks)?);
        let session = self.client.open_session(&self.token);
        let r = session.chat_post_message(&req).await.map_err(classify)?;
        Ok(r.ts.to_string())
    }
    async fn update(
        &self,
        channel: &str,
        ts: &str,
        text: &str,
        blocks: &[Value],
    ) -> Result<(), SendError> {
        let req = SlackApiChatUpdateRequest::new(
            channel.into(),
            content(text, blocks)?,
            ts.to_owned().into(),
        );
        let session = self.client.open_session(&self.token);
        session.chat_update(&req).await.map_err(classify)?;
        Ok(())
    }
    async fn ephemeral(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        blocks: &[Value],
    ) -> Result<(), SendError> {
        let req = SlackApiChatPostEphemeralRequest::new(
            channel.into(),
            user.to_owned().into(),
            content(text, blocks)?,
        );
        let session = self.client.open_session(&self.token);
        session.chat_post_ephemeral(&req).await.map_err(classify)?;
        Ok(())
    }
    async fn topic(&self, channel: &str) -> Result<String, SendError> {
        let req = SlackApiConversationsInfoRequest::new(channel.into());
        let session = self.client.open_session(&self.token);
        let r = session.conversations_info(&req).await.map_err(classify)?;
        Ok(r.channel.topic.map(|t| t.value).unwrap_or_default())
    }
    async fn set_topic(&self, channel: &str, topic: &str) -> Result<(), SendError> {
        let req = SlackApiConversationsSetTopicRequest::new(channel.into(), topic.to_owned());
        let session = self.client.open_session(&self.token);
        session
            .conversations_set_topic(&req)
            .await
            .map_err(classify)?;
        Ok(())
    }
}

/// Local mode: nothing reaches Slack; what would is logged and kept for the dashboard.
pub struct LocalWeb {
    store: Store,
    topics: std::sync::Mutex<std::collections::HashMap<String, String>>,
    next_ts: std::sync::atomic::AtomicU64,
}

impl LocalWeb {
    pub fn shared(store: Store) -> Arc<dyn SlackWeb> {
        Arc::new(LocalWeb {
            store,
            topics: Default::default(),
            next_ts: std::sync::atomic::AtomicU64::new(1),
        })
    }
    async fn record(&self, method: &str, channel: &str, text: &str) -> Result<(), SendError> {
        tracing::info!(target: "badger::local", method, channel, "{text}");
        self.store
            .record_local_message(method, channel, text)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))
    }
}

#[async_trait]
impl SlackWeb for LocalWeb {
    async fn post(&self, channel: &str, text: &str, _: &[Value]) -> Result<String, SendError> {
        self.record("chat.postMessage", channel, text).await?;
        let n = self
            .next_ts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(format!("{}.{n:06}", chrono::Utc::now().timestamp()))
    }
    async fn update(
        &self,
        channel: &str,
        _: &str,
        text: &str,
        _: &[Value],
    ) -> Result<(), SendError> {
        self.record("chat.update", channel, text).await
    }
    async fn ephemeral(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        _: &[Value],
    ) -> Result<(), SendError> {
        self.record(
            "chat.postEphemeral",
            channel,
            &format!("(to {user}) {text}"),
        )
        .await
    }
    async fn topic(&self, channel: &str) -> Result<String, SendError> {
        Ok(self
            .topics
            .lock()
            .map(|t| t.get(channel).cloned().unwrap_or_default())
            .unwrap_or_default())
    }
    async fn set_topic(&self, channel: &str, topic: &str) -> Result<(), SendError> {
        if let Ok(mut t) = self.topics.lock() {
            t.insert(channel.to_owned(), topic.to_owned());
        }
        self.record("conversations.setTopic", channel, topic).await
    }
}

/// Gives up on a transient failure after this many attempts (about an hour of backoff).
const MAX_ATTEMPTS: i64 = 60;

fn backoff(attempts: i64) -> Duration {
    let ms = 250u64.saturating_mul(1u64 << attempts.clamp(0, 8));
    Duration::from_millis(ms.min(60_000))
}

pub struct OutboxWorker {
    pub store: Store,
    pub web: Arc<dyn SlackWeb>,
    pub wake: Arc<Notify>,
    pub worker_id: String,
    pub lease: Duration,
}

impl OutboxWorker {
    /// Runs until `shutdown` turns true, then finishes the row in hand and returns.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let rows = match self
                .store
                .claim_outbox(&self.worker_id, self.lease, 32)
                .await
            {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "outbox: cannot claim work");
                    Vec::new()
                }
            };
            if rows.is_empty() {
                let wait = match self.store.outbox_next_due().await {
                    Ok(Some(due)) => Duration::from_millis(
                        u64::try_from(due - chrono::Utc::now().timestamp_millis())
                            .unwrap_or(0)
                            .clamp(5, 1000),
                    ),
                    _ => Duration::from_secs(1),
                };
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            for row in rows {
                let span = crate::telemetry::delivery_span(&row);
                tracing::Instrument::instrument(self.deliver_one(row), span).await;
            }
        }
    }

    async fn deliver_one(&self, row: OutboxRow) {
        let result = self.deliver(&row.payload).await;
        let stored = match result {
            Ok(()) => self.store.outbox_delivered(row.id).await,
            Err(SendError::RateLimited(after)) => {
                let after = after.unwrap_or(Duration::from_secs(1));
                tracing::warn!(
                    outbox_id = row.id,
                    ?after,
                    "Slack rate limited a call; retrying after Retry-After"
                );
                self.store.outbox_retry(row.id, after, "ratelimited").await
            }
            Err(SendError::Transient(e)) if row.attempts + 1 < MAX_ATTEMPTS => {
                let after = backoff(row.attempts);
                tracing::warn!(outbox_id = row.id, attempts = row.attempts + 1, ?after, error = %e, "Slack call failed; retrying");
                self.store.outbox_retry(row.id, after, &e).await
            }
            Err(e) => {
                tracing::error!(outbox_id = row.id, kind = row.payload.kind(), key = %row.ordering_key, error = %e, "Slack refused a call for good; giving up on it");
                if let Payload::Topic {
                    channel,
                    notify: Some(user),
                } = &row.payload
                {
                    self.tell_topic_failure(channel, user, &e).await;
                }
                self.store.outbox_dead(row.id, &e.to_string()).await
            }
        };
        if let Err(e) = stored {
            tracing::error!(outbox_id = row.id, error = %e, "outbox: cannot record the delivery result");
        }
    }

    async fn deliver(&self, p: &Payload) -> Result<(), SendError> {
        match p {
            Payload::Post {
                channel,
                text,
                blocks,
                key,
            } => {
                let ts = self.web.post(channel, text, blocks).await?;
                if let Some(key) = key {
                    self.store
                        .remember_message(key, channel, &ts)
                        .await
                        .map_err(|e| {
                            SendError::Permanent(format!("posted, but could not store its ts: {e}"))
                        })?;
                }
                Ok(())
            }
            Payload::Update {
                channel,
                key,
                text,
                blocks,
            } => {
                match self
                    .store
                    .message_ts(key)
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?
                {
                    Some((ch, ts)) => self.web.update(&ch, &ts, text, blocks).await,
                    None => {
                        tracing::warn!(%channel, %key, "no posted message to update (its post failed); skipping");
                        Ok(())
                    }
                }
            }
            Payload::Ephemeral {
                channel,
                user,
                text,
                blocks,
            } => self.web.ephemeral(channel, user, text, blocks).await,
            Payload::Topic { channel, .. } => {
                let holds = self
                    .store
                    .active_holds()
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                let mine: Vec<_> = holds.iter().filter(|h| &h.channel == channel).collect();
                let topic_holds: Vec<TopicHold> = mine
                    .iter()
                    .map(|h| TopicHold {
                        scope: h.scope_word(),
                        env: h.environment.as_deref(),
                        owner: &h.owner,
                        reason: &h.reason,
                    })
                    .collect();
                // Read first, so edits people made since our last write survive.
                let current = self.web.topic(channel).await?;
                let wanted = render_topic(&current, &topic_holds);
                if wanted != current {
                    self.web.set_topic(channel, &wanted).await?;
                }
                Ok(())
            }
        }
    }

    async fn tell_topic_failure(&self, channel: &str, user: &str, e: &SendError) {
        let why = match e {
            SendError::Permanent(code) if code == "not_in_channel" || code == "channel_not_found" => {
                "badger is not a member of this channel. Invite it with `/invite @badger` so it can keep the holds in the topic.".to_owned()
            }
            SendError::Permanent(code) if code == "too_long" => "Slack said the topic would be too long.".to_owned(),
            other => format!("Slack refused ({other})."),
        };
        let text = format!(":warning: I couldn't update the channel topic with the holds: {why} The holds themselves are in place (`/hold list`).");
        // Straight to Slack, once: queuing it could repeat the same failure.
        if let Err(err) = self.web.ephemeral(channel, user, &text, &[]).await {
            // An ephemeral needs the bot in the channel too; a direct message does not.
            tracing::warn!(%channel, %user, error = %err, "ephemeral failed; sending a direct message instead");
            if let Err(err) = self.web.post(user, &text, &[]).await {
                tracing::error!(%channel, %user, error = %err, "could not tell the user the topic update failed");
            }
        }
    }
}
