//! The audit trail: one row per action, written in the same transaction as the action.

use super::{from_millis, millis, Result, Store, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl Tx {
    pub async fn audit(
        &mut self,
        now: DateTime<Utc>,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        let insert = sqlx::query(
            "INSERT INTO audit (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(millis(now))
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail);
        self.exec(insert).await
    }
}

impl Store {
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT at, actor, action, subject, detail FROM audit ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(at, actor, action, subject, detail)| {
                Ok(AuditEntry {
                    at: from_millis(at)?,
                    actor,
                    action,
                    subject,
                    detail,
                })
            })
            .collect()
    }
}
