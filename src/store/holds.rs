//! Hold rows, with who created, changed and released them.

use super::{from_millis, millis, opt_from_millis, Result, Tx};
use crate::domain::hold::Hold;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, FromRow};

macro_rules! columns {
    () => {
        "id, scope, environment, reason, owner, channel, until_at, created_at, \
         updated_at, updated_by, released_at, released_by, reminded_at"
    };
}

const COLUMNS: &str = columns!();

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    scope: String,
    environment: Option<String>,
    reason: String,
    owner: String,
    channel: String,
    until_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    updated_by: String,
    released_at: Option<i64>,
    released_by: Option<String>,
    reminded_at: Option<i64>,
}

impl Row {
    /// The hold of this row, its times read back from milliseconds.
    fn into_hold(self) -> Result<Hold> {
        Ok(Hold {
            id: self.id,
            scope: self.scope,
            environment: self.environment,
            reason: self.reason,
            owner: self.owner,
            channel: self.channel,
            until: opt_from_millis(self.until_at)?,
            created_at: from_millis(self.created_at)?,
            updated_at: from_millis(self.updated_at)?,
            updated_by: self.updated_by,
            released_at: opt_from_millis(self.released_at)?,
            released_by: self.released_by,
            reminded_at: opt_from_millis(self.reminded_at)?,
        })
    }
}

/// The holds not yet released, oldest first. No parameters, so it can ride in another
/// statement's round trip (`Store::begin_locked_reading_holds`).
pub(super) const ACTIVE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM holds WHERE released_at IS NULL ORDER BY id"
);

pub(super) async fn active<'e, E: Executor<'e, Database = Any>>(e: E) -> Result<Vec<Hold>> {
    let rows: Vec<Row> = sqlx::query_as(ACTIVE).fetch_all(e).await?;
    rows.into_iter().map(Row::into_hold).collect()
}

/// Holds from the rows of [`ACTIVE`].
pub(super) fn from_rows(rows: &[AnyRow]) -> Result<Vec<Hold>> {
    rows.iter().map(|r| Row::from_row(r)?.into_hold()).collect()
}

pub struct NewHold<'a> {
    pub scope: &'a str,
    pub environment: Option<&'a str>,
    pub reason: &'a str,
    pub owner: &'a str,
    pub channel: &'a str,
    pub until: Option<DateTime<Utc>>,
}

pub(super) async fn by_id<'e, E: Executor<'e, Database = Any>>(
    e: E,
    id: i64,
) -> Result<Option<Hold>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM holds WHERE id = $1"))
        .bind(id)
        .fetch_optional(e)
        .await?;
    row.map(Row::into_hold).transpose()
}

impl Tx {
    pub async fn insert_hold(&mut self, h: &NewHold<'_>, now: DateTime<Utc>) -> Result<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO holds (scope, environment, reason, owner, channel, until_at, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $4) RETURNING id",
        )
        .bind(h.scope)
        .bind(h.environment)
        .bind(h.reason)
        .bind(h.owner)
        .bind(h.channel)
        .bind(h.until.map(millis))
        .bind(millis(now))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    pub async fn update_hold(
        &mut self,
        id: i64,
        reason: &str,
        until: Option<DateTime<Utc>>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE holds SET reason = $1, until_at = $2, updated_at = $3, updated_by = $4, reminded_at = NULL \
             WHERE id = $5 AND released_at IS NULL",
        )
        .bind(reason)
        .bind(until.map(millis))
        .bind(millis(now))
        .bind(by)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Releases a standing hold; false if it was already released.
    pub async fn release_hold(&mut self, id: i64, by: &str, now: DateTime<Utc>) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE holds SET released_at = $1, released_by = $2, updated_at = $1, updated_by = $2 \
             WHERE id = $3 AND released_at IS NULL",
        )
        .bind(millis(now))
        .bind(by)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(r.rows_affected() == 1)
    }
}
