//! One leased-work layer for the tables of background jobs (the Slack outbox, smoke checks,
//! GitHub jobs): claim with a lease, renew, release, retry later and finish, each written
//! once and described per table by a [`Leased`].
//!
//! Leases and retry times use the wall clock, not the injected domain clock: they are about
//! the network and the replicas, and must move on even when a test freezes time.

use super::batch::Wait;
use super::{millis, Backend, Result, Store, StoreError, Tx};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, FromRow};
use std::time::Duration;

/// A table of leased work: every row carries `claimed_by` and `claim_until`; tables that
/// retry also carry `attempts`, `next_attempt_at` and `last_error`.
pub(crate) struct Leased {
    pub table: &'static str,
    /// The key column.
    pub id: &'static str,
    /// True while a row's work is unfinished (unqualified column names).
    pub open: &'static str,
    /// Whether a row waits for its `next_attempt_at` (a backoff, a 429's Retry-After).
    pub retries: bool,
    /// Claim order, oldest first (unqualified column names).
    pub order: &'static str,
    /// On SQLite, what a claim and a finish of a row wait for once they join the open
    /// batch (`batch::Wait`). Only the outbox's queued rows are tracked by the batch, so
    /// only its claims may go on before the commit.
    pub claim_waits: Wait,
    pub finish_waits: Wait,
}

/// Whether running a leased row again counts as one more attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// It failed.
    Counted,
    /// It waited for something; nothing failed.
    NotCounted,
}

/// `col` is one of the values `select` gives. On PostgreSQL as `= ANY(ARRAY(...))`,
/// computed once and probed by key: as `IN (...)`, with statistics that call the table
/// small, it tests every unfinished row against the list (the whole backlog per claim).
pub(crate) fn one_of(backend: Backend, col: &str, select: &str) -> String {
    match backend {
        Backend::Postgres => format!("{col} = ANY(ARRAY({select}))"),
        Backend::Sqlite => format!("{col} IN ({select})"),
    }
}

/// What one claim asks for, beyond the worker and how many rows.
pub(crate) struct Claim<'a> {
    /// How long the claim lasts, in milliseconds: SQL over the row's columns, with `$4`,
    /// `$5`, ... bound to `lease_binds` in order.
    pub lease: &'a str,
    pub lease_binds: &'a [i64],
    /// More to set on a claimed row (`, runs = runs + 1`), or empty.
    pub also_set: &'a str,
    /// Common table expressions `only` may read, separated by `, ` (`keys AS (...), heads
    /// AS MATERIALIZED (...)`), or empty: computed once per claim, whatever the planner
    /// thinks of the table's size.
    pub first: &'a str,
    /// More that a candidate row `o` must meet (` AND ...`), or empty.
    pub only: &'a str,
    /// The table's `open`, written so that PostgreSQL cannot use a partial index over it,
    /// for a claim whose `only` names its candidates by key (the outbox's heads): they are
    /// then found by primary key. Just after a burst the statistics may call that index
    /// empty, and with it PostgreSQL tested every unfinished row against the few keys
    /// (`tests/suite/outbox_backlog.rs`). None: `open` as it is.
    pub open_by_key: Option<&'a str>,
    /// The columns returned for each claimed row.
    pub returning: &'a str,
}

/// How a claimed row ends: the time column stamped now, and an optional note column
/// (`last_error`, `outcome`) set with it.
pub(crate) struct Finish<'a> {
    pub stamp: &'static str,
    pub note: Option<(&'static str, Option<&'a str>)>,
}

/// A fixed lease of `lease` (bound as `$4`).
pub(crate) const FIXED_LEASE: &str = "$4";

pub(crate) fn lease_millis(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2)
}

impl Leased {
    /// Row may be claimed at time `$1`: unfinished (`open`), due, and without a live claim.
    fn claimable(&self, open: &str) -> String {
        let due = if self.retries {
            " AND next_attempt_at <= $1"
        } else {
            ""
        };
        format!("{open}{due} AND (claim_until IS NULL OR claim_until < $1)")
    }

    /// Stamps `how` on row `$2` if `$3` still holds its claim, through `e` (the pool, or a
    /// transaction that writes the row's results with it). True if it did.
    pub(crate) async fn finish_on<'c, E>(
        &self,
        e: E,
        id: i64,
        worker: &str,
        how: Finish<'_>,
    ) -> Result<bool>
    where
        E: sqlx::Executor<'c, Database = Any>,
    {
        let note = how
            .note
            .map(|(column, _)| format!(", {column} = $4"))
            .unwrap_or_default();
        let sql = format!(
            "UPDATE {} SET {} = $1, claim_until = NULL{note} WHERE {} = $2 AND claimed_by = $3 \
             AND {}",
            self.table, how.stamp, self.id, self.open
        );
        let mut q = sqlx::query(&sql)
            .bind(millis(Utc::now()))
            .bind(id)
            .bind(worker);
        if let Some((_, value)) = how.note {
            q = q.bind(value);
        }
        Ok(q.execute(e).await?.rows_affected() == 1)
    }
}

impl Tx {
    /// Queues one row of `t` (a table that retries), due at once: its `kind`, its JSON
    /// `payload`, and `key` (a column and its value) that ties it to what it is about.
    pub(crate) async fn enqueue_leased<K>(
        &mut self,
        t: &Leased,
        key: (&str, K),
        kind: &str,
        payload: &impl Serialize,
        now: DateTime<Utc>,
    ) -> Result<()>
    where
        K: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any> + Send + 'static,
    {
        let json =
            serde_json::to_string(payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sql = format!(
            "INSERT INTO {} ({}, kind, payload, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5)",
            t.table, key.0
        );
        sqlx::query(&sql)
            .bind(key.1)
            .bind(kind)
            .bind(json)
            .bind(millis(now))
            .bind(millis(Utc::now()))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Claims up to `limit` claimable rows of `t` for `worker`, in `t`'s order. One
    /// statement checks and claims, so a row is due *when it is claimed*: across replicas
    /// exactly one wins, and a row another replica has just rescheduled is not taken. On
    /// PostgreSQL rows another replica is claiming are skipped (`FOR UPDATE SKIP LOCKED`),
    /// and the outer conditions are checked again on the row's newest version. The rows
    /// come back in no particular order.
    /// The statement that claims up to `$2` rows of `t` for worker `$3` at time `$1`.
    pub(crate) fn claim_sql(&self, t: &Leased, c: &Claim<'_>) -> String {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let (table, id) = (t.table, t.id);
        let first = match c.first {
            "" => String::new(),
            ctes => format!("{ctes}, "),
        };
        let claimable = t.claimable(c.open_by_key.unwrap_or(t.open));
        // The candidates are picked once, in a materialised CTE: as `id IN (SELECT ...
        // LIMIT n FOR UPDATE SKIP LOCKED)` PostgreSQL may rescan the subquery for each row
        // it updates, skip the rows this statement has just claimed, and so claim more
        // than `limit`. The update then names them by key alone: they are locked (or, on
        // SQLite, the statement holds the write lock), so what picked them still holds,
        // and a test of it again could lead the planner to scan a partial index.
        format!(
            // RECURSIVE: the outbox's heads walk its keys (delivery.rs); no harm to the others.
            "WITH RECURSIVE {first}picked AS MATERIALIZED \
             (SELECT o.{id} AS picked_id FROM {table} o \
             WHERE {claimable}{} ORDER BY {} LIMIT $2{lock}) \
             UPDATE {table} SET claimed_by = $3, claim_until = $1 + {}{} \
             WHERE {} RETURNING {}",
            c.only,
            t.order,
            c.lease,
            c.also_set,
            one_of(self.backend, id, "SELECT picked_id FROM picked"),
            c.returning
        )
    }

    pub(crate) async fn claim_leased<R>(
        &self,
        t: &Leased,
        worker: &str,
        limit: i64,
        c: Claim<'_>,
    ) -> Result<Vec<R>>
    where
        R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let sql = self.claim_sql(t, &c);
        let mut w = self.outside().await?;
        // The time once the write lock is held: a row queued while this claim waited for
        // it is due too.
        let mut q = sqlx::query_as::<_, R>(&sql)
            .bind(millis(Utc::now()))
            .bind(limit)
            .bind(worker);
        for b in c.lease_binds {
            q = q.bind(*b);
        }
        let rows = q.fetch_all(w.conn()).await?;
        w.done_waiting(t.claim_waits).await?;
        Ok(rows)
    }

    /// Extends `worker`'s live claims on rows `ids` of `t` by `lease` from now (the
    /// heartbeat, for the work in flight). A claim another replica has taken over is not
    /// touched, nor one of this worker's whose work is not in flight (its result was lost,
    /// say with a failed commit): that one lapses and the row is done again. Returns how many.
    pub(crate) async fn renew_leased(
        &self,
        t: &Leased,
        worker: &str,
        lease: Duration,
        ids: &[i64],
    ) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let until = millis(Utc::now()).saturating_add(lease_millis(lease));
        // Whole numbers, so safe to splice in.
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "UPDATE {} SET claim_until = $1 WHERE claimed_by = $2 AND claim_until IS NOT NULL \
             AND {} AND {} IN ({})",
            t.table,
            t.open,
            t.id,
            ids.join(", ")
        );
        self.write_outside(sqlx::query(&sql).bind(until).bind(worker))
            .await
    }

    /// Gives up `worker`'s unfinished claims on `t` (all, or only row `only`) at once, so the
    /// rows run on another replica or the next start without waiting for the lease.
    pub(crate) async fn release_leased(
        &self,
        t: &Leased,
        worker: &str,
        only: Option<i64>,
    ) -> Result<u64> {
        let one = match only {
            Some(_) => format!(" AND {} = $2", t.id),
            None => String::new(),
        };
        let sql = format!(
            "UPDATE {} SET claimed_by = NULL, claim_until = NULL WHERE claimed_by = $1 \
             AND claim_until IS NOT NULL AND {}{one}",
            t.table, t.open
        );
        let mut q = sqlx::query(&sql).bind(worker);
        if let Some(id) = only {
            q = q.bind(id);
        }
        self.write_outside(q).await
    }

    /// Schedules another attempt of row `id` after `after` and releases its claim, if
    /// `worker` holds it. True if it did.
    pub(crate) async fn retry_leased(
        &self,
        t: &Leased,
        id: i64,
        worker: &str,
        after: Duration,
        error: &str,
    ) -> Result<bool> {
        self.reschedule_leased(t, (id, worker), after, error, Attempt::Counted)
            .await
    }

    /// Runs row `id` again after `after` and releases its claim, if `worker` holds it,
    /// noting `why`; `attempt` says whether this counts as one more attempt (not when the
    /// row waited for something and nothing failed). True if it did.
    pub(crate) async fn reschedule_leased(
        &self,
        t: &Leased,
        (id, worker): (i64, &str),
        after: Duration,
        why: &str,
        attempt: Attempt,
    ) -> Result<bool> {
        let attempts = match attempt {
            Attempt::Counted => "attempts + 1",
            Attempt::NotCounted => "attempts",
        };
        // `after` may be a server's Retry-After: capped, and no overflow however large.
        let at = crate::domain::retry::retry_at_millis(millis(Utc::now()), after);
        let sql = format!(
            "UPDATE {} SET attempts = {attempts}, next_attempt_at = $1, claimed_by = NULL, \
             claim_until = NULL, last_error = $2 WHERE {} = $3 AND claimed_by = $4 AND {}",
            t.table, t.id, t.open
        );
        let q = sqlx::query(&sql).bind(at).bind(why).bind(id).bind(worker);
        Ok(self.write_outside(q).await? == 1)
    }

    /// Ends row `id` as `how` says, if `worker` holds its claim (false if it does not: the
    /// lease lapsed and another replica took the row over, so this result is not saved).
    pub(crate) async fn finish_leased(
        &self,
        t: &Leased,
        id: i64,
        worker: &str,
        how: Finish<'_>,
    ) -> Result<bool> {
        let mut w = self.outside().await?;
        let finished = t.finish_on(w.conn(), id, worker, how).await?;
        w.done_waiting(t.finish_waits).await?;
        Ok(finished)
    }

    /// How many rows of `t` are unfinished (waiting or running).
    pub(crate) async fn open_leased(&self, t: &Leased) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {} WHERE {}", t.table, t.open);
        Ok(sqlx::query_scalar(&sql).fetch_one(&self.pool).await?)
    }

    /// Decodes claimed rows' JSON payloads and makes each row with `row` (its id, payload and
    /// other columns), oldest (lowest `id`) first; a row that does not decode is logged and
    /// ended with `undecodable` so it is not claimed again.
    pub(crate) async fn decode_claimed<T, R, Row>(
        &self,
        t: &Leased,
        worker: &str,
        mut rows: Vec<(i64, String, R)>,
        undecodable: &'static str,
        row: impl Fn(i64, T, R) -> Row,
    ) -> Result<Vec<Row>>
    where
        T: DeserializeOwned,
    {
        rows.sort_by_key(|r| r.0);
        let mut out = Vec::with_capacity(rows.len());
        for (id, payload, rest) in rows {
            match serde_json::from_str::<T>(&payload) {
                Ok(decoded) => out.push(row(id, decoded, rest)),
                Err(e) => {
                    tracing::error!(table = t.table, id, error = %e, "undecodable payload; dropping it");
                    let why = format!("undecodable: {e}");
                    let how = Finish {
                        stamp: undecodable,
                        note: Some(("last_error", Some(&why))),
                    };
                    self.finish_leased(t, id, worker, how).await?;
                }
            }
        }
        Ok(out)
    }
}
