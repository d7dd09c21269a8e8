//! The outbox worker: claims due rows and delivers them through [`SlackWeb`], several
//! ordering keys at once (bounded, in two lanes: channels, and people), renewing its
//! claims while calls are in flight, retrying 429s and failures with backoff, dropping
//! ephemerals that come too late (`expiry.rs`), and stopping within a grace period.

use super::expiry;
use super::heartbeat::heartbeat;
use super::in_flight::{slots, Ask, InFlight, LANES};
use super::notices;
use super::outbound::{SendError, SlackWeb};
use crate::clock::SharedClock;
use crate::domain::topic::{render_topic, TopicHold};
use crate::store::{Lane, OutboxRow, Payload, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Gives up on a transient failure (5xx, timeout, no connection) after this many attempts:
/// with the backoff below, a day. A Slack outage shorter than that loses no announcement
/// (an hour, the old figure, did); a call Slack refuses for good (4xx) is given up at once.
const MAX_ATTEMPTS: i64 = 1_450;

/// Further tries at storing a posted message's ts, pausing 100 ms and doubling.
const REMEMBER_TRIES: u32 = 6;
/// The pauses between those tries in all (6.3 s).
pub const REMEMBER_WINDOW: Duration = Duration::from_millis(100 * ((1 << REMEMBER_TRIES) - 1));

fn backoff(attempts: i64) -> Duration {
    let ms = 250u64.saturating_mul(1u64 << attempts.clamp(0, 8));
    Duration::from_millis(ms.min(60_000))
}

pub struct OutboxWorker {
    pub store: Store,
    pub web: Arc<dyn SlackWeb>,
    pub wake: Arc<Notify>,
    pub worker_id: String,
    /// How long a claim lasts unless renewed; renewed every third of it while held.
    pub lease: Duration,
    /// After `stop`, how long deliveries in flight may still take.
    pub grace: Duration,
    /// Failed deliveries are counted here, by Slack error.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The injected clock rows are stamped with: an ephemeral's age is judged by it.
    pub clock: SharedClock,
}

/// Delivers one claimed row; shared by the concurrent deliveries.
struct Courier {
    store: Store,
    web: Arc<dyn SlackWeb>,
    worker_id: String,
    metrics: Arc<crate::metrics::Metrics>,
    clock: SharedClock,
}

/// Starts delivering `row` with `courier`, in a slot of its lane.
fn start(flight: &mut InFlight, courier: &Arc<Courier>, row: OutboxRow) {
    let lane = Lane::of_key(&row.ordering_key);
    let row_id = row.id;
    let courier = courier.clone();
    let span = crate::telemetry::delivery_span(&row);
    let delivery = async move { courier.deliver_one(row).await };
    flight.start(
        lane,
        row_id,
        tracing::Instrument::instrument(delivery, span),
    );
}

impl OutboxWorker {
    /// Delivers until `stop` turns true, then gives deliveries in flight up to `grace` to
    /// finish, abandons the rest and releases their claims: those rows stay in the outbox
    /// and go out from another replica or on the next start.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let courier = Arc::new(Courier {
            store: self.store.clone(),
            web: self.web.clone(),
            worker_id: self.worker_id.clone(),
            metrics: self.metrics.clone(),
            clock: self.clock.clone(),
        });
        let (heartbeat_stop, heartbeat_rx) = watch::channel(false);
        let mut flight = InFlight::default();
        let mut ask = Ask::ALL;
        let heartbeat = tokio::spawn(heartbeat(
            self.store.clone(),
            self.worker_id.clone(),
            self.lease,
            flight.rows.clone(),
            heartbeat_rx,
        ));
        while !*stop.borrow() {
            flight.reap(&mut ask);
            let mut claimed = false;
            for lane in LANES {
                let free = slots(lane).saturating_sub(flight.busy(lane));
                if free == 0 || !*ask.lane(lane) {
                    continue;
                }
                let limit = i64::try_from(free).unwrap_or(1);
                match self
                    .store
                    .claim_lane(&self.worker_id, self.lease, limit, lane)
                    .await
                {
                    Ok(rows) => {
                        if rows.len() < free {
                            *ask.lane(lane) = false;
                        }
                        for row in rows {
                            claimed = true;
                            start(&mut flight, &courier, row);
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "outbox: cannot claim work"),
                }
            }
            if claimed {
                continue;
            }
            let wait = self.idle_wait(&flight).await;
            tokio::select! {
                _ = self.wake.notified() => ask = Ask::ALL,
                _ = tokio::time::sleep(wait) => ask = Ask::ALL,
                Some(done) = flight.tasks.join_next_with_id(), if !flight.tasks.is_empty() => {
                    ask.ended(flight.finished(done));
                }
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }

        let deadline = tokio::time::Instant::now() + self.grace;
        loop {
            tokio::select! {
                done = flight.tasks.join_next_with_id() => match done {
                    Some(done) => {
                        flight.finished(done);
                    }
                    None => break,
                },
                _ = tokio::time::sleep_until(deadline) => {
                    tracing::warn!(
                        deliveries = flight.tasks.len(),
                        grace = ?self.grace,
                        "shutting down: abandoning Slack calls still unanswered after the grace period; they stay in the outbox"
                    );
                    flight.tasks.abort_all();
                    while flight.tasks.join_next().await.is_some() {}
                    break;
                }
            }
        }
        let _ = heartbeat_stop.send(true);
        let _ = heartbeat.await;
        match self.store.release_claims(&self.worker_id).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                rows = n,
                "outbox: released undelivered claims for the next start"
            ),
            Err(e) => {
                tracing::error!(error = %e, "outbox: cannot release claims; they lapse after the lease")
            }
        }
    }

    /// One delivery pass driven from outside instead of by [`OutboxWorker::run`] (a test
    /// stepping badger): delivers the oldest due row through the same courier, one at a
    /// time, so Slack sees the calls in outbox order, until nothing due is left (rows
    /// waiting for a retry time stay). Returns how many rows it handled. A delivery that
    /// panics panics the caller.
    pub async fn deliver_due(&self) -> crate::store::Result<usize> {
        let courier = Courier {
            store: self.store.clone(),
            web: self.web.clone(),
            worker_id: self.worker_id.clone(),
            metrics: self.metrics.clone(),
            clock: self.clock.clone(),
        };
        let mut handled = 0;
        loop {
            // Every due head, then only the oldest: the oldest unfinished row is always
            // the head of its key, so this is outbox order. (A claim with a limit of one
            // is not enough: on PostgreSQL it may pick a later row, or more than one.)
            let mut rows = self
                .store
                .claim_outbox(&self.worker_id, self.lease, i64::MAX / 2)
                .await?;
            rows.sort_by_key(|r| r.id);
            let Some(oldest) = (!rows.is_empty()).then(|| rows.remove(0)) else {
                return Ok(handled);
            };
            courier.deliver_one(oldest).await;
            handled += 1;
            // The others go back, to be claimed again with whatever is due next.
            self.store.release_claims(&self.worker_id).await?;
        }
    }

    /// How long to sleep with nothing to claim: until the next row of a lane with a free
    /// slot is due (between 5 ms and 1 s; new work and finished deliveries wake it sooner).
    async fn idle_wait(&self, flight: &InFlight) -> Duration {
        let now = chrono::Utc::now().timestamp_millis();
        let mut due: Option<i64> = None;
        for lane in LANES {
            if flight.busy(lane) >= slots(lane) {
                continue;
            }
            if let Ok(Some(at)) = self.store.outbox_next_due(lane).await {
                due = Some(due.map_or(at, |d| d.min(at)));
            }
        }
        match due {
            Some(at) => Duration::from_millis(u64::try_from(at - now).unwrap_or(0).clamp(5, 1000)),
            None => Duration::from_secs(1),
        }
    }
}

impl Courier {
    async fn deliver_one(&self, row: OutboxRow) {
        let stored = match expiry::too_late(&row, self.clock.now()) {
            Some(age) => {
                let (store, metrics) = (&self.store, &self.metrics);
                expiry::abandon(store, metrics, &self.worker_id, &row, age).await
            }
            None => self.attempt(&row).await,
        };
        match stored {
            Ok(true) => {}
            // Only if this replica could not renew its claim for a whole lease (database
            // unreachable) and another took the row over: that one's result stands.
            Ok(false) => tracing::warn!(
                outbox_id = row.id,
                "outbox: the claim on this row was lost to another replica; not saving this result"
            ),
            Err(e) => {
                tracing::error!(outbox_id = row.id, error = %e, "outbox: cannot record the delivery result")
            }
        }
    }

    /// Makes `row`'s call and records how it went (delivered, to retry, or given up).
    async fn attempt(&self, row: &OutboxRow) -> crate::store::Result<bool> {
        // A topic sync renders the holds as they are when it runs; a later one for the
        // same channel, already committed, will do the same, so this one can be skipped.
        let superseded = match row.payload {
            Payload::Topic { .. } => self
                .store
                .newer_topic_pending(row.id, &row.ordering_key)
                .await
                .unwrap_or(false),
            // A Home tab rendered later shows newer facts: only the newest is published.
            Payload::Home { .. } => self
                .store
                .newer_home_pending(row.id, &row.ordering_key)
                .await
                .unwrap_or(false),
            _ => false,
        };
        let result = if superseded {
            Ok(())
        } else {
            self.deliver(&row.payload).await
        };
        if let Err(e) = &result {
            let label = e.metric_label();
            self.metrics.operator.slack_delivery_failures.inc(&[&label]);
        }
        match result {
            Ok(()) => self.store.outbox_delivered(row.id, &self.worker_id).await,
            Err(SendError::RateLimited(after)) => {
                // The retry time caps it (store::lease): any server can send a Retry-After.
                let after = after.unwrap_or(Duration::from_secs(1));
                tracing::warn!(
                    outbox_id = row.id,
                    ?after,
                    "Slack rate limited a call; retrying after Retry-After"
                );
                self.store
                    .outbox_retry(row.id, &self.worker_id, after, "ratelimited")
                    .await
            }
            // A topic is written again with every hold change, and the person who held is
            // told at once why it could not be (a missing scope, say), not a day later.
            Err(e) if e.is_credentials() && matches!(row.payload, Payload::Topic { .. }) => {
                self.give_up(row, &e).await
            }
            Err(SendError::Transient(e)) if row.attempts + 1 < MAX_ATTEMPTS => {
                let after = backoff(row.attempts);
                tracing::warn!(outbox_id = row.id, attempts = row.attempts + 1, ?after, error = %e, "Slack call failed; retrying");
                self.store
                    .outbox_retry(row.id, &self.worker_id, after, &e)
                    .await
            }
            Err(e) => self.give_up(row, &e).await,
        }
    }

    /// Stores a posted message's ts, which later edits and thread replies need. The post
    /// went out, so it is not retried; a brief database hiccup is outlasted here instead
    /// (a lost ts would leave its buttons unclosed and its replies out of the thread).
    async fn remember(&self, key: &str, channel: &str, ts: &str) -> Result<(), SendError> {
        let mut pause = Duration::from_millis(100);
        let mut tries = 0;
        loop {
            match self.store.remember_message(key, channel, ts).await {
                Ok(()) => return Ok(()),
                Err(e) if tries < REMEMBER_TRIES => {
                    tracing::warn!(%key, error = %e, "posted, but storing its ts failed; trying again");
                }
                Err(e) => {
                    return Err(SendError::Permanent(format!(
                        "posted, but could not store its ts: {e}"
                    )))
                }
            }
            tries += 1;
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }

    async fn deliver(&self, p: &Payload) -> Result<(), SendError> {
        match p {
            Payload::Post { channel, body, key } => {
                let m = notices::body(body);
                let ts = self.web.post(channel, &m).await?;
                if let Some(key) = key {
                    self.remember(key, channel, &ts).await?;
                }
                Ok(())
            }
            Payload::Update { channel, key, body } => {
                match self
                    .store
                    .message_ts(key)
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?
                {
                    Some((ch, ts)) => {
                        let m = notices::body(body);
                        self.web.update(&ch, &ts, &m).await
                    }
                    None => {
                        tracing::warn!(%channel, %key, "no posted message to update (its post failed, or its record was pruned); skipping");
                        Ok(())
                    }
                }
            }
            Payload::Ephemeral {
                channel,
                user,
                body,
            } => {
                let m = notices::body(body);
                self.web.ephemeral(channel, user, &m).await
            }
            Payload::Reply {
                channel,
                thread_key,
                body,
            } => {
                let m = notices::body(body);
                let parent = self
                    .store
                    .message_ts(thread_key)
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                match parent {
                    Some((ch, ts)) => self.web.reply(&ch, &ts, &m).await.map(drop),
                    None => {
                        tracing::warn!(%channel, %thread_key, "the message to reply to is unknown (never posted, or its record was pruned); posting in the channel instead");
                        self.web.post(channel, &m).await.map(drop)
                    }
                }
            }
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
            Payload::Home { user, body } => {
                self.web
                    .publish_home(user, &notices::body(body).blocks)
                    .await
            }
        }
    }

    /// Marks `row` dead after a refusal Slack will not change its mind on, telling the
    /// person who held when it was their topic.
    async fn give_up(&self, row: &OutboxRow, e: &SendError) -> crate::store::Result<bool> {
        tracing::error!(outbox_id = row.id, kind = row.payload.kind(), key = %row.ordering_key, error = %e, "Slack refused a call for good; giving up on it");
        if let Payload::Topic {
            channel,
            notify: Some(user),
        } = &row.payload
        {
            super::topic_refused::tell(self.web.as_ref(), channel, user, e).await;
        }
        self.store
            .outbox_dead(row.id, &self.worker_id, &e.to_string())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_failures_are_retried_for_a_day_then_given_up() {
        let waited: Duration = (0..MAX_ATTEMPTS - 1).map(backoff).sum();
        let hours = waited.as_secs_f64() / 3600.0;
        assert!((24.0..25.0).contains(&hours), "{hours} hours");
        // Quick at first, then once a minute.
        assert_eq!(backoff(0), Duration::from_millis(250));
        assert_eq!(backoff(20), Duration::from_secs(60));
    }
}
