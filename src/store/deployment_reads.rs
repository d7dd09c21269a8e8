//! Reading deployments outside a transaction: versions (current and rebuilt), history,
//! one app's and one person's recent deployments. (Questions a transaction asks too are in
//! questions.rs.)

use super::deployment_rows::{convert, Row};
use super::read_sql::{self, COLUMNS};
use super::{from_millis, Backend, Result, Store};
use crate::domain::deployment::Deployment;
use crate::domain::versions::Finished;
use chrono::{DateTime, Utc};

/// The ref an app last deployed successfully to an environment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Version {
    pub app: String,
    pub environment: String,
    pub git_ref: String,
    pub deployed_at: DateTime<Utc>,
    pub deployed_by: String,
    /// The latest finished deployment there when it is not this one: a failure after it.
    /// (The versions API shows it; `GET /api/v1/status` keeps its shape.)
    #[serde(skip_serializing)]
    pub latest_failed: Option<Finished>,
}

/// A row of [`read_sql::VERSIONS_ALL`]: the version, then the failure after it if any.
type VersionRow = (
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// Each app's latest successful deployment per environment, with the failure after it
    /// if one came after: apps x environments rows of `current_versions` and
    /// `latest_failures`, however long the history.
    pub async fn versions(&self, app: Option<&str>) -> Result<Vec<Version>> {
        let rows: Vec<VersionRow> = match app {
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
            .map(|(app, environment, git_ref, at, by, f_ref, f_at, f_by)| {
                let latest_failed = match (f_ref, f_at, f_by) {
                    (Some(git_ref), Some(at), Some(by)) => Some(Finished {
                        git_ref,
                        at: from_millis(at)?,
                        by,
                    }),
                    _ => None,
                };
                Ok(Version {
                    app,
                    environment,
                    git_ref,
                    deployed_at: from_millis(at)?,
                    deployed_by: by,
                    latest_failed,
                })
            })
            .collect()
    }

    /// Rebuilds `current_versions` and `latest_failures` from the history, for a database
    /// filled by bulk SQL (the load generator) rather than through the store.
    pub async fn rebuild_current_versions(&self) -> Result<()> {
        let _guard = self.write_guard().await;
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM current_versions",
            read_sql::REBUILD_VERSIONS,
            "DELETE FROM latest_failures",
            read_sql::REBUILD_FAILURES,
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await.map_err(super::commit_failed)?;
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
