//! Everything that follows a success, whichever path recorded it (a person's done, the
//! Done button, CI's event or its one-shot report), in the success's transaction so a
//! success is never recorded without it: the smoke check (run by `crate::smoke`), the
//! environment's checklist in the end alert's thread, and the "stay around" reminder (to
//! a person: not for a pipeline's own report).

use super::{end_key, send, Core, Place, Result};
use crate::config::smoke_urls::substitute;
use crate::domain::deployment::Deployment;
use crate::domain::notice::{ChecklistItem, Notice};
use crate::store::{Body, Tx};
use chrono::{DateTime, Utc};
use std::time::Duration;

impl Core {
    pub(super) async fn on_success(
        &self,
        tx: &mut Tx,
        d: &Deployment,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(env) = self.policy.env(&d.environment) else {
            return Ok(());
        };
        if !env.smoke_urls.is_empty() {
            let urls: Vec<String> = env
                .smoke_urls
                .iter()
                .map(|t| substitute(t, &d.app, &d.git_ref))
                .collect();
            let timeout = Duration::from_secs(env.smoke_timeout_secs);
            tx.schedule_smoke(d.id, &d.environment, &urls, timeout, now)
                .await?;
        }
        if !env.checklist.is_empty() {
            let items = env
                .checklist
                .iter()
                .map(|c| ChecklistItem {
                    title: c.title.clone(),
                    url: c.url.clone(),
                })
                .collect();
            let say = Body::say(Notice::Checklist {
                deployment: d.clone(),
                items,
            });
            let end_alert = Place::Thread { key: end_key(d.id) };
            send(tx, now, &d.channel, say, end_alert).await?;
        }
        // A pipeline's own report has nobody in Slack to remind (only an admin could
        // press All is well): its pipeline owns its checks.
        if env.stay_minutes > 0 && !d.from_ci() {
            let due = now + chrono::Duration::minutes(env.stay_minutes);
            tx.insert_stay_check(d.id, &d.channel, &d.requester, due)
                .await?;
        }
        Ok(())
    }
}
