//! Versions and drift as a use case: load the rows once, build the one [`VersionsView`]
//! (domain), and hand it to whichever edge renders it: `/deploy versions`, the API, App Home.

use super::{Core, Result};
use crate::domain::text::escape;
use crate::domain::versions::{self, Deployed, VersionsView};
use crate::slack::blocks::Message;
use crate::slack::versions_blocks::{self, Mine};
use crate::store::{Payload, StoreError};

/// How many of a person's finished deployments App Home lists.
const RECENT_OF_MINE: i64 = 5;

impl Core {
    /// Every app's versions and drift (or one app's: `apps` is then empty if nothing of it
    /// was deployed and the policy does not list it).
    pub async fn versions_view(
        &self,
        app: Option<&str>,
    ) -> std::result::Result<VersionsView, StoreError> {
        let rows = self.store.versions(app).await?;
        let rows: Vec<Deployed> = rows
            .into_iter()
            .map(|v| Deployed {
                app: v.app,
                environment: v.environment,
                git_ref: v.git_ref,
                at: v.deployed_at,
                by: v.deployed_by,
            })
            .collect();
        let envs: Vec<&str> = self
            .policy
            .environments
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let known: Vec<String> = self
            .policy
            .apps
            .iter()
            .map(|a| a.as_str().to_owned())
            .filter(|a| app.is_none_or(|x| x == a))
            .collect();
        Ok(versions::build(&envs, &known, &rows, self.now()))
    }

    /// The dashboard's address for links, if `BADGER_PUBLIC_URL` is set.
    pub fn dashboard_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// `/deploy versions [APP]`.
    pub async fn versions(&self, app: Option<&str>) -> Result<Message> {
        let view = self.versions_view(app).await?;
        let tz = self.policy.calendar.tz;
        let Some(app) = app else {
            return Ok(versions_blocks::overview(&view, tz, self.dashboard_url()));
        };
        match view.app(app) {
            Some(a) if a.per_env.iter().any(Option::is_some) => {
                Ok(versions_blocks::one_app(&view, a, tz))
            }
            _ => Ok(Message::plain(format!(
                "Nothing of *{}* has been deployed yet.",
                escape(app)
            ))),
        }
    }

    /// Queues `user`'s App Home tab: their own deployments, then every app's versions.
    pub async fn publish_home(&self, user: &str) -> Result<()> {
        let (view, live, recent) = tokio::try_join!(
            self.versions_view(None),
            self.store.live_deployments(None),
            self.store.recent_of(user, RECENT_OF_MINE),
        )?;
        let mine = Mine {
            live: live.into_iter().filter(|d| d.requester == user).collect(),
            recent,
        };
        let blocks = versions_blocks::home(
            &view,
            &mine,
            &self.window_line(),
            self.policy.calendar.tz,
            self.dashboard_url(),
        );
        let mut tx = self.store.begin().await?;
        tx.enqueue(
            &Payload::Home {
                user: user.to_owned(),
                blocks,
            },
            self.now(),
        )
        .await?;
        self.commit(tx).await
    }
}
