//! Deployment rows.

use super::deployment_rows::{convert, place, Ahead, Row};
use super::read_sql::{self, COLUMNS};
use super::stamp::Once;
use super::{millis, Backend, Result, StoreError, Tx};
use crate::domain::deployment::{transition, Credit, Deployment, Event, State};
use crate::domain::queue::{self, InLine};
use chrono::{DateTime, Utc};
use sqlx::{Any, Executor, FromRow};

/// Who did what to a new deployment, for the audit log (`insert_deployment_audited`).
#[derive(Debug, Clone, Copy)]
pub struct AuditLine<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub detail: &'a str,
}

/// What a new deployment is made of.
#[derive(Debug, Clone)]
pub struct NewDeployment<'a> {
    pub app: &'a str,
    pub git_ref: &'a str,
    pub environment: &'a str,
    /// Queued (asked for), or already deploying (CI reporting one it started).
    pub state: State,
    pub requester: &'a str,
    pub channel: &'a str,
    pub note: Option<&'a str>,
    pub emergency_reason: Option<&'a str>,
    pub source: &'a str,
    pub ci_url: Option<&'a str>,
}

pub(super) async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: i64,
) -> Result<Option<Deployment>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM deployments WHERE id = $1"))
            .bind(id)
            .fetch_optional(e)
            .await?;
    row.map(Deployment::try_from).transpose()
}

pub(super) async fn live<'e, E: Executor<'e, Database = Any>>(
    e: E,
    env: Option<&str>,
) -> Result<Vec<Deployment>> {
    // Two statements, not `$1 = '' OR environment = $1`, which no index can serve.
    let rows: Vec<Row> = match env {
        Some(env) => {
            sqlx::query_as(read_sql::LIVE_ENV)
                .bind(env)
                .fetch_all(e)
                .await?
        }
        None => sqlx::query_as(read_sql::LIVE_ALL).fetch_all(e).await?,
    };
    let mut v = convert(rows)?;
    // Active first, then the queue: the display order everyone sees.
    v.sort_by(|a, b| {
        a.environment
            .cmp(&b.environment)
            .then((a.state == State::Queued).cmp(&(b.state == State::Queued)))
            .then(queue::order(a, b))
    });
    Ok(v)
}

pub(super) async fn latest_finished<'e, E: Executor<'e, Database = Any>>(
    e: E,
    app: &str,
    env: &str,
) -> Result<Option<Deployment>> {
    let row: Option<Row> = sqlx::query_as(read_sql::LATEST_FINISHED)
        .bind(app)
        .bind(env)
        .fetch_optional(e)
        .await?;
    row.map(Deployment::try_from).transpose()
}

/// Where a newcomer stands in its queue: how many wait ahead of it, and the first of them.
pub type Place = (i64, Vec<InLine>);

impl Tx {
    pub async fn insert_deployment(
        &mut self,
        n: &NewDeployment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Deployment> {
        Ok(self.insert(n, now, None, None).await?.0)
    }

    /// Inserts a deployment and its audit line (subject "deployment #ID") in one round
    /// trip: SQLite runs the two statements as one query, PostgreSQL as one statement.
    pub async fn insert_deployment_audited(
        &mut self,
        n: &NewDeployment<'_>,
        now: DateTime<Utc>,
        line: &AuditLine<'_>,
    ) -> Result<Deployment> {
        Ok(self.insert(n, now, Some(line), None).await?.0)
    }

    /// Inserts a request that queues behind someone (the caller holds the environment's
    /// lock and saw its active deployment), with its audit line, and says where it stands
    /// ([`Tx::ahead_of_newest`], the first `shown` of those ahead), in one round trip.
    pub async fn queue_audited(
        &mut self,
        n: &NewDeployment<'_>,
        now: DateTime<Utc>,
        line: &AuditLine<'_>,
        shown: i64,
    ) -> Result<(Deployment, Place)> {
        // With an audit line and `shown`, the insert always reads the place.
        let (d, place) = self.insert(n, now, Some(line), Some(shown)).await?;
        let place = place.ok_or_else(|| StoreError::Corrupt("no place read".into()))?;
        Ok((d, place))
    }

    /// The insert, with its audit line and the place of the new entry when
    /// `shown` is given.
    async fn insert(
        &mut self,
        n: &NewDeployment<'_>,
        now: DateTime<Utc>,
        line: Option<&AuditLine<'_>>,
        shown: Option<i64>,
    ) -> Result<(Deployment, Option<Place>)> {
        let t = millis(now);
        let started = (n.state == State::Deploying).then_some(t);
        let finished = n.state.is_finished().then_some(t);
        // The queue key follows the environment's last one (the caller holds the
        // environment's lock), so order is the order requests were acknowledged.
        let insert = format!(
            "INSERT INTO deployments (app, git_ref, environment, requester, channel, note, emergency_reason, \
             source, state, priority, queue_key, ci_url, requested_at, started_at, finished_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             (SELECT COALESCE(MAX(queue_key), 0) FROM deployments WHERE environment = $3) + $15, \
             $11, $12, $13, $14, $12) RETURNING {COLUMNS}"
        );
        // The place comes with the insert (limit `$19`, after the audit line's `$16`-`$18`).
        let place_limit = shown.filter(|_| line.is_some());
        let sql = match (line, self.backend) {
            (None, _) => insert,
            // $12 is the time, $16-$18 the audit line. SQLite reads the place between the
            // insert and the audit line, while `last_insert_rowid()` is still the new id.
            (Some(_), Backend::Sqlite) => {
                let place_sql = match place_limit {
                    Some(_) => read_sql::FIRST_AHEAD_OF_INSERTED,
                    None => "",
                };
                format!(
                    "{insert}; {place_sql}; INSERT INTO audit (at, actor, action, subject, detail) \
                     VALUES ($12, $16, $17, 'deployment #' || last_insert_rowid(), $18)"
                )
            }
            (Some(_), Backend::Postgres) => {
                let audited = format!(
                    "WITH d AS ({insert}), a AS (INSERT INTO audit (at, actor, action, subject, detail) \
                     SELECT $12, $16, $17, 'deployment #' || d.id, $18 FROM d)"
                );
                match place_limit {
                    None => format!("{audited} SELECT {COLUMNS} FROM d"),
                    // The new row with its place, in one statement: it reads the queue as it
                    // was before the insert (so the new row is not among those ahead, nor in
                    // their `waiting`).
                    Some(_) => format!(
                        "{audited} SELECT {COLUMNS}, p.waiting, p.ahead FROM d, ({}) p",
                        read_sql::FIRST_AHEAD_OF_INSERTING
                    ),
                }
            }
        };
        let mut q = sqlx::query(&sql)
            .bind(n.app)
            .bind(n.git_ref)
            .bind(n.environment)
            .bind(n.requester)
            .bind(n.channel)
            .bind(n.note)
            .bind(n.emergency_reason)
            .bind(n.source)
            .bind(n.state.as_str())
            .bind(i64::from(n.emergency_reason.is_some()))
            .bind(n.ci_url)
            .bind(t)
            .bind(started)
            .bind(finished)
            .bind(queue::KEY_SPACING);
        if let Some(l) = line {
            q = q.bind(l.actor).bind(l.action).bind(l.detail);
        }
        if let Some(limit) = place_limit {
            q = q.bind(limit);
        }
        // fetch_all: a fetch of one row would stop SQLite before the later statements.
        let rows = q.fetch_all(&mut *self.inner).await?;
        let mut rows = rows.iter();
        let first = rows
            .next()
            .ok_or_else(|| StoreError::Corrupt("an insert returned no row".into()))?;
        let d = Deployment::try_from(Row::from_row(first)?)?;
        // The place: on SQLite the next statement's row, on PostgreSQL the insert's own.
        let place = match place_limit {
            Some(limit) => {
                let row = match self.backend {
                    Backend::Sqlite => rows.next(),
                    Backend::Postgres => Some(first),
                };
                let row = row.ok_or_else(|| StoreError::Corrupt("no place read".into()))?;
                let mut ahead = Ahead::from_row(row)?;
                if self.backend == Backend::Postgres {
                    // Counted before the insert: `place` expects the newcomer among them.
                    ahead.waiting += i64::from(d.state == State::Queued);
                }
                Some(place(&d, ahead, limit)?)
            }
            None => None,
        };
        self.record_latest(d.id, d.state).await?;
        Ok((d, place))
    }

    /// Keeps `current_versions` (a success) and `latest_failures` (a failure) in the
    /// transaction that records the outcome, so every path to it (Slack, buttons, CI)
    /// keeps them. Nothing for the other states.
    async fn record_latest(&mut self, id: i64, state: State) -> Result<()> {
        let sql = match state {
            State::Succeeded => read_sql::RECORD_VERSION,
            State::Failed => read_sql::RECORD_FAILURE,
            _ => return Ok(()),
        };
        sqlx::query(sql).bind(id).execute(&mut *self.inner).await?;
        Ok(())
    }

    /// The environment's called/deploying deployment and its queue, in order.
    pub async fn env_live(&mut self, env: &str) -> Result<Vec<Deployment>> {
        self.live_deployments(Some(env)).await
    }

    /// The environment's called or deploying deployment (at most one: a unique index) and
    /// the requester's own live entry for the same app and ref, if any: what a new request
    /// needs to know, in one statement.
    pub async fn env_active_and_duplicate(
        &mut self,
        env: &str,
        user: &str,
        app: &str,
        git_ref: &str,
    ) -> Result<(Option<Deployment>, Option<Deployment>)> {
        // Two index lookups in one statement: the environment's active entry, and the
        // requester's own live entries (never a walk of the whole queue).
        let rows: Vec<Row> = sqlx::query_as(read_sql::ACTIVE_AND_DUPLICATE)
            .bind(env)
            .bind(user)
            .bind(app)
            .bind(git_ref)
            .fetch_all(&mut *self.inner)
            .await?;
        let rows = convert(rows)?;
        let active = rows.iter().find(|d| d.state != State::Queued).cloned();
        let mine = rows
            .into_iter()
            .find(|d| d.requester == user && d.app == app && d.git_ref == git_ref);
        Ok((active, mine))
    }

    /// The environment's called or deploying deployment (at most one: a unique index).
    pub async fn env_active(&mut self, env: &str) -> Result<Option<Deployment>> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM deployments WHERE environment = $1 AND state IN ('called', 'deploying')"
        ))
        .bind(env)
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(Deployment::try_from).transpose()
    }

    /// How many queued entries are ahead of `newest`, the entry just added to its queue
    /// (so the last of its priority), and the first `limit` of them in order. The count
    /// comes from `queue_counts` (kept by triggers), so a long queue costs nothing more.
    pub async fn ahead_of_newest(&mut self, newest: &Deployment, limit: i64) -> Result<Place> {
        let sql = match self.backend {
            Backend::Sqlite => read_sql::FIRST_AHEAD_SQLITE,
            Backend::Postgres => read_sql::FIRST_AHEAD_POSTGRES,
        };
        let row: Ahead = sqlx::query_as(sql)
            .bind(&newest.environment)
            .bind(newest.priority)
            .bind(newest.id)
            .bind(limit)
            .fetch_one(&mut *self.inner)
            .await?;
        place(newest, row, limit)
    }

    /// Applies `event` to a deployment that is still in `from`, stamping the time of the
    /// transition and, when it starts or ends, `by`: who did it when not its requester
    /// (`started_by` or `ended_by`). The domain's transition function says where it goes: an
    /// impossible transition is an error, never a write. Returns false when someone else
    /// moved it first.
    pub async fn transition(
        &mut self,
        id: i64,
        from: State,
        event: Event,
        now: DateTime<Utc>,
        outcome_note: Option<&str>,
        by: Option<&Credit>,
    ) -> Result<bool> {
        let to = transition(from, event)?;
        let (stamp, by_column) = match to {
            // CI's outcome of a run called off while deploying: `ended_at` and `ended_by`
            // keep the call-off.
            State::Succeeded | State::Failed if from == State::Cancelled => {
                ("finished_at = $1,", None)
            }
            State::Called => ("called_at = $1, passed_over = NULL,", None),
            State::Deploying => ("started_at = $1,", Some("started_by")),
            State::Succeeded | State::Failed => ("finished_at = $1,", Some("ended_by")),
            State::Cancelled | State::Expired => ("ended_at = $1,", Some("ended_by")),
            State::Queued => ("called_at = NULL,", None),
        };
        // Only a start or an end says who; PostgreSQL refuses a parameter left unused.
        let by_set = by_column.map_or(String::new(), |c| format!(" {c} = $6,"));
        let sql = format!(
            "UPDATE deployments SET {stamp}{by_set} state = $2, updated_at = $1, \
             outcome_note = COALESCE($3, outcome_note) WHERE id = $4 AND state = $5"
        );
        let mut query = sqlx::query(&sql)
            .bind(millis(now))
            .bind(to.as_str())
            .bind(outcome_note)
            .bind(id)
            .bind(from.as_str());
        if by_column.is_some() {
            query = query.bind(by.map(Credit::as_str));
        }
        let done = query.execute(&mut *self.inner).await?;
        let moved = done.rows_affected() == 1;
        if moved {
            self.record_latest(id, to).await?;
        }
        Ok(moved)
    }

    /// Sets one column of one deployment (`column` is always one of this file's literals;
    /// values are owned, so they outlive the statement built here).
    async fn set_column<T>(&mut self, column: &str, value: T, id: i64) -> Result<()>
    where
        T: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any> + Send,
    {
        let sql = format!("UPDATE deployments SET {column} = $1 WHERE id = $2");
        sqlx::query(&sql)
            .bind(value)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn set_hold_notified(&mut self, id: i64, yes: bool) -> Result<()> {
        self.set_column("hold_notified", i64::from(yes), id).await
    }

    /// Which refusals a waiting deployment was last told it is passed over for.
    pub async fn set_passed_over(&mut self, id: i64, codes: Option<&str>) -> Result<()> {
        self.set_column("passed_over", codes.map(str::to_owned), id)
            .await
    }

    /// Where a deployment stands in its queue: "let the next go first" moves it.
    pub async fn set_queue_position(&mut self, id: i64, priority: i64, key: i64) -> Result<()> {
        let update =
            sqlx::query("UPDATE deployments SET priority = $1, queue_key = $2 WHERE id = $3");
        self.exec(update.bind(priority).bind(key).bind(id)).await
    }

    /// Marks an emergency on a deployment CI starts with `"emergency": "reason"`.
    pub async fn set_emergency(&mut self, id: i64, reason: &str) -> Result<()> {
        self.set_column("emergency_reason", reason.to_owned(), id)
            .await
    }

    /// Marks the pre-close reminder sent; false if another replica sent it.
    pub async fn mark_reminded(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        self.stamp_once(Once::new("deployments", "id", id, "reminded_at"), now)
            .await
    }

    /// Marks the after-close reminder sent; false if another replica sent it.
    pub async fn mark_reminded_after_close(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let once = Once::new("deployments", "id", id, "after_close_reminded_at");
        self.stamp_once(once, now).await
    }

    pub async fn set_ci_url(&mut self, id: i64, url: &str) -> Result<()> {
        self.set_column("ci_url", url.to_owned(), id).await
    }

    /// A user's deployments in the given states, newest first.
    pub async fn user_deployments(
        &mut self,
        user: &str,
        states: &[State],
    ) -> Result<Vec<Deployment>> {
        let list = states
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM deployments WHERE requester = $1 AND state IN ({list}) ORDER BY id DESC"
        ))
        .bind(user)
        .fetch_all(&mut *self.inner)
        .await?;
        convert(rows)
    }
}
