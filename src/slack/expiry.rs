//! Answers to one person that come too late to help: an ephemeral Slack could not take
//! within [`EPHEMERAL_MAX_AGE`] of being queued is dropped, not sent. "You're number 2 in
//! line" or "The deploy window is closed" hours after the question, once a Slack outage
//! is over, is no longer true and only confuses. Announcements (channel posts, their
//! edits and replies, topics, direct messages, Home tabs) are never dropped this way.

use crate::metrics::Metrics;
use crate::store::{OutboxRow, Payload, Store};
use chrono::{DateTime, Duration, Utc};

/// How long an ephemeral may wait for delivery: Slack's own `response_url` (the way an
/// app answers a command or a press later) lives 30 minutes, so an answer this late is
/// one Slack itself would not let an app send that way. Long enough for a brief outage,
/// a rate limit or a restart; an answer to a command or a press older than this has
/// usually been overtaken by what the channel shows.
pub const EPHEMERAL_MAX_AGE: Duration = Duration::minutes(30);

/// How long `row` has waited, if it is an ephemeral older than [`EPHEMERAL_MAX_AGE`] at
/// `now` (the injected clock, which stamped `queued_at`); None: deliver it.
pub fn too_late(row: &OutboxRow, now: DateTime<Utc>) -> Option<Duration> {
    let age = now.signed_duration_since(row.queued_at);
    (matches!(row.payload, Payload::Ephemeral { .. }) && age > EPHEMERAL_MAX_AGE).then_some(age)
}

/// Gives up on `row` for good (it ends dead, with why), logs it with its id and age (not
/// what it said) and counts it. True if `worker` still held the row.
pub async fn abandon(
    store: &Store,
    metrics: &Metrics,
    worker: &str,
    row: &OutboxRow,
    age: Duration,
) -> crate::store::Result<bool> {
    let minutes = age.num_minutes();
    tracing::warn!(
        outbox_id = row.id,
        age_minutes = minutes,
        limit_minutes = EPHEMERAL_MAX_AGE.num_minutes(),
        attempts = row.attempts,
        "an ephemeral answer could not be delivered in time; dropping it (it may no longer be true)"
    );
    metrics.slack_ephemerals_expired.inc();
    let why = format!(
        "expired: undelivered after {}",
        crate::domain::text::count(minutes, "minute")
    );
    store.outbox_dead(row.id, worker, &why).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Body;

    fn row(payload: Payload, queued_at: DateTime<Utc>) -> OutboxRow {
        OutboxRow {
            id: 1,
            ordering_key: payload.ordering_key(),
            payload,
            attempts: 3,
            queued_at,
        }
    }

    #[test]
    fn only_an_ephemeral_past_the_limit_is_too_late() {
        let queued = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let body = Body::text("x", vec![]);
        let ephemeral = row(
            Payload::Ephemeral {
                channel: "C1".into(),
                user: "U1".into(),
                body: body.clone(),
            },
            queued,
        );
        let post = row(
            Payload::Post {
                channel: "C1".into(),
                body: body.clone(),
                key: None,
            },
            queued,
        );
        let dm = row(
            Payload::Post {
                channel: "U1".into(),
                body,
                key: None,
            },
            queued,
        );
        let at = |m: i64| queued + Duration::minutes(m);
        assert_eq!(too_late(&ephemeral, at(30)), None, "30 minutes is in time");
        assert_eq!(too_late(&ephemeral, at(31)), Some(Duration::minutes(31)));
        assert_eq!(too_late(&ephemeral, at(-5)), None, "a clock set back");
        for announcement in [&post, &dm] {
            assert_eq!(too_late(announcement, at(24 * 60)), None);
        }
    }

    #[test]
    fn the_metric_says_the_limit_that_applies() {
        let text = Metrics::default().render(0);
        let help = text
            .lines()
            .find(|l| l.starts_with("# HELP badger_slack_ephemerals_expired_total"))
            .expect("the metric's help");
        let limit = format!("within {} minutes", EPHEMERAL_MAX_AGE.num_minutes());
        assert!(help.contains(&limit), "{help}");
    }
}
