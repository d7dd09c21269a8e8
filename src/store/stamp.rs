//! Once-only marks: a time column set on one row only while it is still empty, so of two
//! replicas (or two clicks) exactly one is told it was first.

use super::{millis, Result, Tx};
use chrono::{DateTime, Utc};

/// Which row's which column to stamp.
pub(crate) struct Once<'a> {
    table: &'static str,
    /// The key column, and the row's key.
    key: (&'static str, i64),
    /// The time column, set only while NULL.
    stamp: &'static str,
    /// Who did it: a column and a name, set with the stamp.
    by: Option<(&'static str, &'a str)>,
}

impl<'a> Once<'a> {
    /// Stamp `stamp` on the row of `table` whose `key_column` is `id`.
    pub(crate) fn new(
        table: &'static str,
        key_column: &'static str,
        id: i64,
        stamp: &'static str,
    ) -> Self {
        Once {
            table,
            key: (key_column, id),
            stamp,
            by: None,
        }
    }

    /// Also set `column` to `who`.
    pub(crate) fn by(self, column: &'static str, who: &'a str) -> Self {
        Once {
            by: Some((column, who)),
            ..self
        }
    }
}

impl Tx {
    /// Stamps `now` as `o` says; true if this call did (false: already stamped).
    pub(crate) async fn stamp_once(&mut self, o: Once<'_>, now: DateTime<Utc>) -> Result<bool> {
        let by =
            o.by.map(|(column, _)| format!(", {column} = $3"))
                .unwrap_or_default();
        let sql = format!(
            "UPDATE {} SET {} = $1{by} WHERE {} = $2 AND {} IS NULL",
            o.table, o.stamp, o.key.0, o.stamp
        );
        let mut q = sqlx::query(&sql).bind(millis(now)).bind(o.key.1);
        if let Some((_, who)) = o.by {
            q = q.bind(who);
        }
        Ok(q.execute(&mut *self.inner).await?.rows_affected() == 1)
    }
}
