//! The Socket Mode client: asks `apps.connections.open` (with the app token) for a
//! websocket URL, connects, hands envelopes to `envelope::handle`, and reconnects with
//! backoff when the connection drops or Slack asks it to. A thin client of our own rather
//! than slack-morphism's listener; `spawn` says why.

use super::envelope::{self, Frame};
use crate::domain::retry;
use crate::service::Core;
use async_trait::async_trait;
use futures_util::{SinkExt, StreamExt};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// Every outbound call has a timeout: `apps.connections.open`, and the websocket handshake.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// No frame from Slack for this long: ping. Twice in a row: the connection is dead.
const QUIET: Duration = Duration::from_secs(20);
/// How long a closing connection waits for envelopes in hand to be acknowledged.
const DRAIN: Duration = Duration::from_secs(5);
const BACKOFF_MAX: Duration = Duration::from_secs(60);

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug)]
enum OpenError {
    RateLimited(Option<Duration>),
    /// Slack refused the token (invalid_auth, not_allowed_token_type, ...).
    Refused(String),
    Failed(String),
}

#[async_trait]
trait Open: Send + Sync {
    /// A fresh websocket URL (it carries a one-time ticket, so it is never logged).
    async fn open(&self) -> Result<String, OpenError>;
}

struct WebApiOpen<H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static> {
    client: SlackClient<SlackClientHyperConnector<H>>,
    token: SlackApiToken,
}

#[async_trait]
impl<H: Send + Sync + Clone + hyper_util::client::legacy::connect::Connect + 'static> Open
    for WebApiOpen<H>
{
    async fn open(&self) -> Result<String, OpenError> {
        let session = self.client.open_session(&self.token);
        match session
            .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
            .await
        {
            Ok(r) => Ok(r.url.0.to_string()),
            Err(SlackClientError::RateLimitError(r)) => Err(OpenError::RateLimited(r.retry_after)),
            Err(SlackClientError::ApiError(a)) if a.code == "ratelimited" => {
                Err(OpenError::RateLimited(None))
            }
            Err(SlackClientError::ApiError(a)) => Err(OpenError::Refused(a.code)),
            Err(e) => Err(OpenError::Failed(e.to_string())),
        }
    }
}

fn opener(api_url: &str, app_token: &str) -> std::io::Result<Arc<dyn Open>> {
    let token = SlackApiToken::new(app_token.to_owned().into());
    let base = api_url.trim_end_matches('/');
    Ok(if base.starts_with("https://") {
        let connector = SlackClientHyperConnector::new()?.with_slack_api_url(base);
        Arc::new(WebApiOpen {
            client: SlackClient::new(connector),
            token,
        })
    } else {
        // http:// is for a fake Slack in tests (SLACK_API_URL allows it).
        let connector = SlackClientHyperConnector::with_connector(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .with_slack_api_url(base);
        Arc::new(WebApiOpen {
            client: SlackClient::new(connector),
            token,
        })
    })
}

/// Starts the Socket Mode client; it runs until `shutdown`, then acknowledges what it holds.
///
/// Why not slack-morphism's `SlackClientSocketModeListener`: it hands over typed models
/// (our handlers read Slack's JSON loosely, as the HTTP routes do), runs each handler
/// inside its read loop (one slow envelope delays the acks behind it), retries at a fixed
/// interval, notices a connection that ended without a close frame only through its ping
/// watchdog, logs reconnections at trace level with no hook for ours, and its tasks cannot
/// be joined on shutdown. The protocol is small; tokio-tungstenite is already in the build.
pub fn spawn(
    core: Core,
    api_url: &str,
    app_token: &str,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<JoinHandle<()>> {
    let client = SocketClient {
        core,
        open: opener(api_url, app_token)?,
    };
    Ok(tokio::spawn(client.run(shutdown)))
}

struct SocketClient {
    core: Core,
    open: Arc<dyn Open>,
}

enum Ended {
    Shutdown,
    /// Slack asked for a new connection (`warning`, `refresh_requested`).
    Refresh(String),
    /// Socket Mode is turned off in the app's settings.
    Disabled,
    Dropped(String),
}

/// Resolves once shutdown is asked for (and holds no watch borrow across an await).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

/// 1 s, 2 s, 4 s, ... up to a minute, by consecutive failures.
fn backoff(failures: u32) -> Duration {
    let secs = 1u64 << failures.saturating_sub(1).min(6);
    Duration::from_secs(secs).min(BACKOFF_MAX)
}

/// Up to a tenth more, so replicas dropped together do not come back in step.
fn jitter(d: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(d.as_nanos());
    let tenth = (d.as_millis() / 10) as u64;
    d + Duration::from_millis(h.finish() % tenth.max(1))
}

/// Counts one more failure in a row and says how long to wait before the next attempt.
fn failed(failures: &mut u32) -> Duration {
    *failures += 1;
    jitter(backoff(*failures))
}

impl SocketClient {
    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut failures: u32 = 0;
        let mut wait = Duration::ZERO;
        loop {
            if !wait.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stopped(&mut shutdown) => return,
                }
            }
            if *shutdown.borrow() {
                return;
            }
            let opened = tokio::select! {
                r = tokio::time::timeout(OPEN_TIMEOUT, self.open.open()) => r,
                _ = stopped(&mut shutdown) => return,
            };
            let url = match opened {
                Ok(Ok(url)) => url,
                Ok(Err(e)) => {
                    failures += 1;
                    wait = match &e {
                        OpenError::RateLimited(after) => {
                            // Slack's Retry-After, capped: any server can send one.
                            retry::capped(after.unwrap_or(BACKOFF_MAX)).max(backoff(failures))
                        }
                        _ => jitter(backoff(failures)),
                    };
                    match e {
                        OpenError::Refused(code) => tracing::error!(
                            %code, retry_in = ?wait,
                            "Socket Mode: Slack refused SLACK_APP_TOKEN at apps.connections.open (it needs an app-level token with connections:write)"
                        ),
                        OpenError::RateLimited(_) => tracing::warn!(
                            retry_in = ?wait,
                            "Socket Mode: apps.connections.open is rate limited"
                        ),
                        OpenError::Failed(error) => tracing::warn!(
                            %error, retry_in = ?wait,
                            "Socket Mode: apps.connections.open failed"
                        ),
                    }
                    continue;
                }
                Err(_) => {
                    wait = failed(&mut failures);
                    tracing::warn!(retry_in = ?wait, "Socket Mode: apps.connections.open did not answer in time");
                    continue;
                }
            };
            let connected = tokio::select! {
                r = tokio::time::timeout(OPEN_TIMEOUT, tokio_tungstenite::connect_async(url.as_str())) => r,
                _ = stopped(&mut shutdown) => return,
            };
            let ws = match connected {
                Ok(Ok((ws, _))) => ws,
                Ok(Err(e)) => {
                    wait = failed(&mut failures);
                    tracing::warn!(error = %e, retry_in = ?wait, "Socket Mode: cannot open the websocket");
                    continue;
                }
                Err(_) => {
                    wait = failed(&mut failures);
                    tracing::warn!(retry_in = ?wait, "Socket Mode: the websocket handshake did not finish in time");
                    continue;
                }
            };
            let mut hello = false;
            let ended = self.serve(ws, &mut shutdown, &mut hello).await;
            if hello {
                failures = 0;
            }
            match ended {
                Ended::Shutdown => {
                    tracing::info!("Socket Mode: connection closed for shutdown");
                    return;
                }
                // A connection Slack refreshes right after hello is normal; one refreshed
                // before hello is not, and backs off like a drop.
                Ended::Refresh(reason) if hello => {
                    wait = Duration::ZERO;
                    tracing::info!(%reason, "Socket Mode: Slack asked for a new connection; reconnecting now");
                }
                Ended::Refresh(reason) | Ended::Dropped(reason) => {
                    wait = failed(&mut failures);
                    tracing::warn!(%reason, attempt = failures, retry_in = ?wait, "Socket Mode: connection dropped; reconnecting");
                }
                Ended::Disabled => {
                    failures += 1;
                    wait = BACKOFF_MAX;
                    tracing::error!(retry_in = ?wait, "Socket Mode is turned off in the Slack app's settings (link_disabled): turn it on, or unset SLACK_APP_TOKEN");
                }
            }
        }
    }

    /// Reads frames until the connection ends; each envelope is handled in its own task
    /// so a slow one never delays another's acknowledgement.
    async fn serve(&self, ws: Ws, shutdown: &mut watch::Receiver<bool>, hello: &mut bool) -> Ended {
        let (mut sink, mut stream) = ws.split();
        let (acks, mut outgoing) = mpsc::unbounded_channel::<String>();
        let mut tasks = JoinSet::new();
        let mut quiet = 0u32;
        let ended = loop {
            tokio::select! {
                _ = stopped(shutdown) => break Ended::Shutdown,
                Some(frame) = outgoing.recv() => {
                    if let Err(e) = sink.send(WsMessage::text(frame)).await {
                        break Ended::Dropped(format!("cannot send an acknowledgement: {e}"));
                    }
                }
                Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                    // Unacknowledged, so Slack delivers the envelope again.
                    if let Err(e) = joined {
                        tracing::error!(error = %e, "Socket Mode: an envelope's handler failed");
                    }
                }
                next = tokio::time::timeout(QUIET, stream.next()) => match next {
                    Err(_) => {
                        quiet += 1;
                        if quiet >= 2 {
                            break Ended::Dropped("no frame from Slack, not even a pong".into());
                        }
                        if let Err(e) = sink.send(WsMessage::Ping(Default::default())).await {
                            break Ended::Dropped(format!("cannot ping: {e}"));
                        }
                    }
                    Ok(None) => break Ended::Dropped("the connection ended".into()),
                    Ok(Some(Err(e))) => break Ended::Dropped(e.to_string()),
                    Ok(Some(Ok(WsMessage::Close(frame)))) => {
                        let why = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                        let why = format!("Slack closed the connection {why}");
                        break Ended::Dropped(why.trim_end().to_owned());
                    }
                    Ok(Some(Ok(WsMessage::Text(text)))) => {
                        quiet = 0;
                        match envelope::read_frame(text.as_str()) {
                            Frame::Hello { connections } => {
                                *hello = true;
                                tracing::info!(?connections, "Socket Mode: connected");
                            }
                            Frame::Disconnect { reason } if reason == "link_disabled" => {
                                break Ended::Disabled;
                            }
                            Frame::Disconnect { reason } => break Ended::Refresh(reason),
                            Frame::Envelope(env) => {
                                let core = self.core.clone();
                                let acks = acks.clone();
                                tasks.spawn(async move {
                                    envelope::handle(&core, env, &acks).await
                                });
                            }
                            Frame::Unreadable(why) => {
                                tracing::warn!(%why, "Socket Mode: ignoring an unreadable frame");
                            }
                        }
                    }
                    // Pings are answered by tungstenite; pongs and the rest only show life.
                    Ok(Some(Ok(_))) => quiet = 0,
                },
            }
        };
        match ended {
            Ended::Shutdown | Ended::Refresh(_) => {
                // The connection still works: acknowledge what is in hand before closing.
                let deadline = tokio::time::sleep(DRAIN);
                tokio::pin!(deadline);
                loop {
                    tokio::select! {
                        Some(frame) = outgoing.recv() => {
                            let _ = sink.send(WsMessage::text(frame)).await;
                        }
                        joined = tasks.join_next() => if joined.is_none() { break },
                        _ = &mut deadline => {
                            tasks.detach_all();
                            break;
                        }
                    }
                }
                while let Ok(frame) = outgoing.try_recv() {
                    let _ = sink.send(WsMessage::text(frame)).await;
                }
                let _ = sink.close().await;
            }
            // Acks cannot reach Slack any more (it redelivers); the work itself carries on.
            Ended::Disabled | Ended::Dropped(_) => tasks.detach_all(),
        }
        ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_minute() {
        let secs: Vec<u64> = (0..10).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
        for n in 1..8 {
            let d = backoff(n);
            let j = jitter(d);
            assert!(j >= d && j <= d + d / 10, "{d:?} -> {j:?}");
        }
    }
}
