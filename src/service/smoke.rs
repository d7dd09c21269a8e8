//! Scheduling a deployment's smoke checks when it succeeds (in the same transaction, so a
//! success is never recorded without them); the worker in `crate::smoke` runs them.

use super::{Core, Result};
use crate::config::smoke_urls::substitute;
use crate::domain::deployment::Deployment;
use crate::store::Tx;
use chrono::{DateTime, Utc};
use std::time::Duration;

impl Core {
    /// Everything that follows a success, whichever path recorded it (a person's done,
    /// the Done button, CI's event or its one-shot report), in the success's transaction:
    /// the smoke check, then the checklist and the stay-around reminder.
    pub(super) async fn on_success(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.schedule_smoke(tx, d, now).await?;
        self.after_success(tx, d, now).await
    }

    /// Queues the smoke check of `d`, just succeeded, if its environment lists URLs.
    pub(super) async fn schedule_smoke(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(env) = self.policy.env(&d.environment) else {
            return Ok(());
        };
        if env.smoke_urls.is_empty() {
            return Ok(());
        }
        let urls: Vec<String> = env
            .smoke_urls
            .iter()
            .map(|t| substitute(t, &d.app, &d.git_ref))
            .collect();
        let timeout = Duration::from_secs(env.smoke_timeout_secs);
        tx.schedule_smoke(d.id, &d.environment, &urls, timeout, now)
            .await?;
        Ok(())
    }
}
