//! The "stay around" checks after a success: when to remind the deployer, and their
//! confirmation that all is well (each happens once, whichever replica's tick sees it).

use super::stamp::Once;
use super::{millis, opt_from_millis, Result, Store, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StayCheck {
    pub deployment_id: i64,
    pub channel: String,
    pub requester: String,
    pub due_at: DateTime<Utc>,
    pub all_well_at: Option<DateTime<Utc>>,
    pub all_well_by: Option<String>,
}

impl Tx {
    pub async fn insert_stay_check(
        &mut self,
        deployment_id: i64,
        channel: &str,
        requester: &str,
        due_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO stay_checks (deployment_id, channel, requester, due_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (deployment_id) DO NOTHING",
        )
        .bind(deployment_id)
        .bind(channel)
        .bind(requester)
        .bind(millis(due_at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records the reminder; false if it was already sent (another replica's tick).
    pub async fn mark_stay_reminded(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        self.stamp_once(
            Once::new("stay_checks", "deployment_id", id, "reminded_at"),
            now,
        )
        .await
    }

    /// Records "all is well"; false if it was already confirmed.
    pub async fn confirm_all_well(
        &mut self,
        id: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.stamp_once(
            Once::new("stay_checks", "deployment_id", id, "all_well_at").by("all_well_by", by),
            now,
        )
        .await
    }
}

type StayRaw = (i64, String, String, i64, Option<i64>, Option<String>);

fn stay(r: StayRaw) -> Result<StayCheck> {
    Ok(StayCheck {
        deployment_id: r.0,
        channel: r.1,
        requester: r.2,
        due_at: super::from_millis(r.3)?,
        all_well_at: opt_from_millis(r.4)?,
        all_well_by: r.5,
    })
}

const STAY_COLUMNS: &str =
    "deployment_id, channel, requester, due_at, all_well_at, all_well_by FROM stay_checks";

impl Store {
    pub async fn due_stay_checks(&self, now: DateTime<Utc>) -> Result<Vec<StayCheck>> {
        let rows: Vec<StayRaw> = sqlx::query_as(&format!(
            "SELECT {STAY_COLUMNS} WHERE reminded_at IS NULL AND due_at <= $1 ORDER BY deployment_id"
        ))
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(stay).collect()
    }

    /// Who confirmed "all is well" and when, for each of `ids` that has it (the history
    /// API shows it): one query per page, in bounded batches.
    pub async fn all_well_for(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, (DateTime<Utc>, String)>> {
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(super::IN_LIST_MAX) {
            let sql = format!(
                "SELECT deployment_id, all_well_at, all_well_by FROM stay_checks \
                 WHERE all_well_at IS NOT NULL AND deployment_id IN ({})",
                super::in_list(chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, i64, Option<String>)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, at, by) in q.fetch_all(&self.pool).await? {
                out.insert(id, (super::from_millis(at)?, by.unwrap_or_default()));
            }
        }
        Ok(out)
    }

    pub async fn stay_check(&self, deployment_id: i64) -> Result<Option<StayCheck>> {
        let row: Option<StayRaw> =
            sqlx::query_as(&format!("SELECT {STAY_COLUMNS} WHERE deployment_id = $1"))
                .bind(deployment_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(stay).transpose()
    }
}
