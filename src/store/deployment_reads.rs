//! Reading deployments outside a transaction: versions (current and rebuilt), history,
//! one app's and one person's recent deployments. (Questions a transaction asks too are in
//! questions.rs.)

use super::deployment_rows::{convert, Row};
use super::read_sql::{self, COLUMNS};
use super::{from_millis, Backend, Result, Store};
use crate::domain::deployment::Deployment;
use chrono::{DateTime, Utc};

/// The ref an app last deployed successfully to an environment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    pub app: String,
    pub environment: String,
    pub git_ref: String,
    pub deployed_at: DateTime<Utc>,
    pub deployed_by: String,
}

impl Store {
    /// Each app's latest successful deployment per environment: apps x environments rows
    /// of `current_versions`, however long the history.
    pub async fn versions(&self, app: Option<&str>) -> Result<Vec<Version>> {
        let rows: Vec<(String, String, String, i64, String)> = match app {
            Some(app) => {
                sqlx::query_as(read_sql::VERSIONS_APP)
                    .bind(app)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query_as(read_sql::VERSIONS_ALL)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.into_iter()
            .map(|(app, environment, git_ref, at, by)| {
                Ok(Version {
                    app,
                    environment,
                    git_ref,
                    deployed_at: from_millis(at)?,
                    deployed_by: by,
                })
            })
            .collect()
    }

    /// Rebuilds `current_versions` from the history, for a database filled by bulk SQL (the
    /// load generator) rather than through the store.
    pub async fn rebuild_current_versions(&self) -> Result<()> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM current_versions")
            .execute(&mut *tx)
            .await?;
        sqlx::query(read_sql::REBUILD_VERSIONS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finished deployments, newest first.
    pub async fn history(&self, limit: i64) -> Result<Vec<Deployment>> {
        let sql = match self.backend {
            Backend::Sqlite => read_sql::HISTORY_SQLITE,
            Backend::Postgres => read_sql::HISTORY,
        };
        let rows: Vec<Row> = sqlx::query_as(sql)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        convert(rows)
    }

    /// One app's finished deployments, newest first (the dashboard's page per app).
    pub async fn app_history(&self, app: &str, limit: i64) -> Result<Vec<Deployment>> {
        let rows: Vec<Row> = sqlx::query_as(read_sql::HISTORY_APP)
            .bind(app)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        convert(rows)
    }

    /// One person's finished deployments, newest first (App Home): walks their rows of
    /// `deployments_requester`, not the whole history.
    pub async fn recent_of(&self, requester: &str, limit: i64) -> Result<Vec<Deployment>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM deployments WHERE requester = $1 \
             AND state IN ('succeeded', 'failed', 'cancelled', 'expired') \
             ORDER BY updated_at DESC, id DESC LIMIT $2"
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(requester)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        convert(rows)
    }
}
