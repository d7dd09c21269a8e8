//! CI's outcome of a deployment called off while it was deploying. Calling it off in
//! badger does not stop the pipeline, so what the pipeline then reports is what runs.

use super::{post, CiError, Core};
use crate::domain::deployment::{Deployment, Event, State};
use crate::domain::notice::Notice;
use crate::store::Tx;
use chrono::{DateTime, Utc};

impl Core {
    /// `d` was called off while deploying (`Deployment::called_off_while_deploying`); its
    /// pipeline reports how the run ended. The row takes that outcome, so versions and the
    /// promotion rule see what really runs, and keeps the call-off (`ended_at`,
    /// `ended_by`). The environment's slot, freed at the call-off, is not taken again:
    /// nobody is called.
    pub(super) async fn report_after_call_off(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        succeeded: bool,
        note: Option<&str>,
        url: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<State, CiError> {
        let (event, to) = match succeeded {
            true => (Event::SucceedAfterCallOff, State::Succeeded),
            false => (Event::FailAfterCallOff, State::Failed),
        };
        if !tx
            .transition(d.id, State::Cancelled, event, now, note, None)
            .await?
        {
            return Err(moved_on(d.id));
        }
        if let Some(u) = url {
            tx.set_ci_url(d.id, u).await?;
        }
        let Some(done) = tx.deployment(d.id).await? else {
            return Err(moved_on(d.id));
        };
        let say = Notice::ReportedAfterCallOff {
            deployment: done.clone(),
        };
        post(tx, now, &d.channel, say, None).await?;
        let called_off_by = d
            .ended_by
            .as_ref()
            .map_or(d.requester.as_str(), |c| c.as_str());
        tx.audit(
            now,
            super::ci::CI_ACTOR,
            &format!("deploy.{}", to.as_str()),
            &format!("deployment #{}", d.id),
            &format!("reported after it was called off by {called_off_by}"),
        )
        .await?;
        if succeeded {
            self.metrics.succeeded.inc();
            self.on_success(tx, &done, now).await?;
        } else {
            self.metrics.failed.inc();
        }
        Ok(to)
    }
}

/// Under the environment's lock nothing else moves it; said plainly all the same.
fn moved_on(id: i64) -> CiError {
    CiError::Conflict(format!(
        "deployment #{id} moved on meanwhile; look at it before trying again"
    ))
}
