//! Delivering the outbox: the worker's claims (in two lanes, and only the oldest unfinished
//! row of each ordering key, so a channel's messages go in order), their renewal and
//! release, and how a delivery ends; all through the leased-work layer (`store::lease`).

use super::OutboxRow;
use crate::store::batch::Wait;
use crate::store::lease::{lease_millis, one_of, Claim, Finish, Leased, FIXED_LEASE};
use crate::store::{Backend, Result, Store};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The outbox as leased work: a row is finished once delivered or dead.
pub(super) const OUTBOX: Leased = Leased {
    table: "outbox",
    id: "id",
    open: "delivered_at IS NULL AND dead_at IS NULL",
    retries: true,
    order: "id",
    claim_waits: Wait::CommitIfOutboxUnsaved,
    finish_waits: Wait::Nothing,
};

/// Which lane a row is delivered in. Answers to a person (ephemerals, direct messages)
/// have their own, so they never wait behind channel announcements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Channel,
    Person,
}

/// Rows for a person: ephemerals, App Home tabs, and posts to a user or IM id (U…, W…, D…) rather than
/// a channel (C…, G…). SQL text, constant, so safe to splice in.
const PERSON_KEY: &str =
    "(o.ordering_key LIKE 'ephemeral:%' OR o.ordering_key LIKE 'home:%' OR substr(o.ordering_key, 1, 1) IN ('U', 'W', 'D'))";

impl Lane {
    pub fn of_key(key: &str) -> Lane {
        if key.starts_with("ephemeral:")
            || key.starts_with("home:")
            || key.starts_with(['U', 'W', 'D'])
        {
            Lane::Person
        } else {
            Lane::Channel
        }
    }

    fn condition(self) -> String {
        match self {
            Lane::Person => PERSON_KEY.to_owned(),
            Lane::Channel => format!("NOT {PERSON_KEY}"),
        }
    }
}

/// The oldest unfinished row of each ordering key (order per channel), found by one probe
/// of the unfinished rows' index (`outbox_pending`: ordering_key, id) per key: `keys` walks
/// the distinct keys (each the smallest key above the last), `heads` takes each key's
/// first row. A claim so costs O(keys x log backlog), not the backlog: a `GROUP BY` read
/// every unfinished row per claim (18,000 behind one channel after a burst), and before
/// that a plain `IN (subquery)` that PostgreSQL re-ran per candidate was O(pending^2).
/// Materialised, so it runs once per claim. Needs `WITH RECURSIVE`. A head is the first row
/// from its key on in the index's order (`>=` and `ORDER BY ordering_key, id`): as `MIN(id)
/// ... WHERE ordering_key = k` PostgreSQL walked the primary key from the oldest row,
/// through every delivered one (5 ms a claim behind 20,000 delivered rows; 0.4 ms this way).
/// The first key is found as `MIN` on SQLite (a probe of the index) and as the first in
/// the index's order on PostgreSQL: as `MIN`, with statistics that call the unfinished rows
/// none (just after a burst), PostgreSQL aggregated every unfinished row instead.
macro_rules! heads {
    ($first_key:literal) => {
        concat!(
            "keys AS (SELECT ",
            $first_key,
            " AS k \
             UNION ALL SELECT (SELECT MIN(p.ordering_key) FROM outbox p \
             WHERE p.delivered_at IS NULL AND p.dead_at IS NULL AND p.ordering_key > keys.k) \
             FROM keys WHERE keys.k IS NOT NULL), \
             heads AS MATERIALIZED (SELECT (SELECT p.id FROM outbox p \
             WHERE p.delivered_at IS NULL AND p.dead_at IS NULL AND p.ordering_key >= keys.k \
             ORDER BY p.ordering_key, p.id LIMIT 1) AS head \
             FROM keys WHERE keys.k IS NOT NULL)"
        )
    };
    (Sqlite) => {
        heads!(
            "(SELECT MIN(p.ordering_key) FROM outbox p \
                WHERE p.delivered_at IS NULL AND p.dead_at IS NULL)"
        )
    };
    (Postgres) => {
        heads!(
            "(SELECT p.ordering_key FROM outbox p \
                WHERE p.delivered_at IS NULL AND p.dead_at IS NULL \
                ORDER BY p.ordering_key LIMIT 1)"
        )
    };
}

/// [`heads!`] on `backend`.
fn heads(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => heads!(Sqlite),
        Backend::Postgres => heads!(Postgres),
    }
}

/// `OUTBOX.open` as PostgreSQL cannot match it to `outbox_pending`, for the statements that
/// name their rows by id (the heads) and so find them by primary key ([`Claim`]). SQLite,
/// which keeps no statistics, probes by id either way and keeps `open` as it is.
fn open_by_key(backend: Backend) -> Option<&'static str> {
    (backend == Backend::Postgres).then_some("COALESCE(delivered_at, dead_at) IS NULL")
}

/// A candidate row `o` is the head of its ordering key.
fn is_head(backend: Backend) -> String {
    one_of(backend, "o.id", "SELECT head FROM heads")
}

/// What a claimed row must be besides claimable: a head, in `lane` if one is given.
fn heads_in(backend: Backend, lane: Option<Lane>) -> String {
    let lane = lane
        .map(|l| format!(" AND {}", l.condition()))
        .unwrap_or_default();
    format!(" AND {}{lane}", is_head(backend))
}

/// An outbox claim: the heads that are also `only`, for a fixed lease (`lease`: its
/// milliseconds, one bind).
fn outbox_claim<'a>(backend: Backend, only: &'a str, lease: &'a [i64; 1]) -> Claim<'a> {
    Claim {
        lease: FIXED_LEASE,
        lease_binds: lease,
        also_set: "",
        first: heads(backend),
        only,
        open_by_key: open_by_key(backend),
        returning: "id, payload, ordering_key, attempts, created_at",
    }
}

impl Store {
    /// Claims up to `limit` deliverable rows in any lane (see [`Store::claim_lane`]).
    pub async fn claim_outbox(
        &self,
        worker: &str,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        self.claim(worker, lease, limit, None).await
    }

    /// Claims up to `limit` deliverable rows of one lane, oldest first: the oldest
    /// unfinished row of each ordering key, if it is due (a 429's Retry-After or a backoff
    /// has passed) and nobody holds a live claim; checked and claimed in one statement
    /// ([`Store::claim_leased`]). A claim lasts `lease` unless renewed
    /// ([`Store::renew_claims`]).
    pub async fn claim_lane(
        &self,
        worker: &str,
        lease: Duration,
        limit: i64,
        lane: Lane,
    ) -> Result<Vec<OutboxRow>> {
        self.claim(worker, lease, limit, Some(lane)).await
    }

    /// The claim statement of `lane` (binds: `$1` now in ms, `$2` the limit, `$3` the
    /// worker, `$4` the lease in ms), for the tests that check its plan.
    #[doc(hidden)]
    pub fn outbox_claim_sql(&self, lane: Lane) -> String {
        self.claim_sql(
            &OUTBOX,
            &outbox_claim(self.backend, &heads_in(self.backend, Some(lane)), &[0]),
        )
    }

    async fn claim(
        &self,
        worker: &str,
        lease: Duration,
        limit: i64,
        lane: Option<Lane>,
    ) -> Result<Vec<OutboxRow>> {
        let only = heads_in(self.backend, lane);
        let lease = [lease_millis(lease)];
        let claim = outbox_claim(self.backend, &only, &lease);
        let rows: Vec<(i64, String, String, i64, i64)> =
            self.claim_leased(&OUTBOX, worker, limit, claim).await?;
        let rows = rows
            .into_iter()
            .map(|(id, payload, key, attempts, queued)| (id, payload, (key, attempts, queued)))
            .collect();
        let outbox_row = |id, payload, (ordering_key, attempts, queued)| OutboxRow {
            id,
            ordering_key,
            payload,
            attempts,
            // A time out of range reads as the latest possible: never too old to send.
            queued_at: DateTime::from_timestamp_millis(queued).unwrap_or(DateTime::<Utc>::MAX_UTC),
        };
        self.decode_claimed(&OUTBOX, worker, rows, "dead_at", outbox_row)
            .await
    }

    /// Extends `worker`'s live claims on rows `in_flight` by `lease` from now (the
    /// heartbeat while calls are in flight). A claim another replica has taken over is not
    /// touched, nor one whose call is over: if its result was lost (a failed commit), the
    /// claim lapses and the row is delivered again. Returns how many.
    pub async fn renew_claims(
        &self,
        worker: &str,
        lease: Duration,
        in_flight: &[i64],
    ) -> Result<u64> {
        self.renew_leased(&OUTBOX, worker, lease, in_flight).await
    }

    /// Gives up `worker`'s unfinished claims at once (shutting down), so the rows go out
    /// from another replica or the next start without waiting for the lease.
    pub async fn release_claims(&self, worker: &str) -> Result<u64> {
        self.release_leased(&OUTBOX, worker, None).await
    }

    /// Records a delivery, if `worker` still holds the claim. False if it does not (the
    /// lease lapsed and another replica took the row over): the result is not saved.
    pub async fn outbox_delivered(&self, id: i64, worker: &str) -> Result<bool> {
        let how = Finish {
            stamp: "delivered_at",
            note: None,
        };
        self.finish_leased(&OUTBOX, id, worker, how).await
    }

    /// Schedules another attempt after `after` and releases the claim, if `worker` holds it.
    pub async fn outbox_retry(
        &self,
        id: i64,
        worker: &str,
        after: Duration,
        error: &str,
    ) -> Result<bool> {
        self.retry_leased(&OUTBOX, id, worker, after, error).await
    }

    /// Gives up on a row for good, if `worker` holds the claim.
    pub async fn outbox_dead(&self, id: i64, worker: &str, error: &str) -> Result<bool> {
        let how = Finish {
            stamp: "dead_at",
            note: Some(("last_error", Some(error))),
        };
        self.finish_leased(&OUTBOX, id, worker, how).await
    }

    /// When a row of `lane` can next be claimed (its retry time, or when a live claim on it
    /// lapses), so the worker can sleep until then. Only heads count: a row behind an
    /// unfinished one waits for it.
    pub async fn outbox_next_due(&self, lane: Lane) -> Result<Option<i64>> {
        let n: Option<i64> = sqlx::query_scalar(&self.outbox_next_due_sql(lane))
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// The statement of [`Store::outbox_next_due`], for the tests that check its plan. Its
    /// rows are the heads, named by id: found by primary key ([`open_by_key`]).
    #[doc(hidden)]
    pub fn outbox_next_due_sql(&self, lane: Lane) -> String {
        format!(
            "WITH RECURSIVE {} SELECT MIN(CASE WHEN o.claim_until IS NOT NULL \
             AND o.claim_until > o.next_attempt_at THEN o.claim_until ELSE o.next_attempt_at END) \
             FROM outbox o WHERE {} AND {} AND {}",
            heads(self.backend),
            open_by_key(self.backend).unwrap_or(OUTBOX.open),
            is_head(self.backend),
            lane.condition()
        )
    }
}
