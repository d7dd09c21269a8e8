//! Versions and drift as a use case: load the rows once, build the one [`VersionsView`]
//! (domain), and hand it to whichever edge renders it: `/deploy versions`, the API, App Home.
//! The rows come from the status snapshot (`board_cache.rs`), read again only after a commit.

use super::{Answer, Core, Result, Snapshot, Unknown};
use crate::domain::deployment::State;
use crate::domain::notice::Notice;
use crate::domain::versions::{self, Deployed, Env, VersionsView};
use crate::store::Payload;
use crate::store::{Body, StoreError};

/// How many of a person's finished deployments App Home lists.
const RECENT_OF_MINE: i64 = 5;

impl Core {
    /// Every app's versions and drift (or one app's: `apps` is then empty if nothing of it
    /// was deployed and the policy does not list it).
    pub async fn versions_view(
        &self,
        app: Option<&str>,
    ) -> std::result::Result<VersionsView, StoreError> {
        let snapshot = self.snapshot().await?;
        Ok(self.versions_view_of(&snapshot, app))
    }

    /// The versions view from a status snapshot's rows (the same rows `current_versions`
    /// holds, by app then environment).
    pub fn versions_view_of(&self, snapshot: &Snapshot, app: Option<&str>) -> VersionsView {
        let rows: Vec<Deployed> = snapshot
            .versions
            .iter()
            .filter(|v| app.is_none_or(|a| a == v.app))
            .map(|v| Deployed {
                app: v.app.clone(),
                environment: v.environment.clone(),
                git_ref: v.git_ref.clone(),
                at: v.deployed_at,
                by: v.deployed_by.clone(),
                latest_failed: v.latest_failed.clone(),
            })
            .collect();
        let known: Vec<String> = self
            .policy
            .apps
            .iter()
            .map(|a| a.as_str().to_owned())
            .filter(|a| app.is_none_or(|x| x == a))
            .collect();
        let live: Vec<_> = snapshot
            .live
            .iter()
            .filter(|d| d.state == State::Deploying && app.is_none_or(|a| a == d.app))
            .cloned()
            .collect();
        versions::build(&self.version_envs(), &known, &rows, &live, self.now())
    }

    /// The policy's environments, in order, as the versions view reads them.
    fn version_envs(&self) -> Vec<Env<'_>> {
        self.policy
            .environments
            .iter()
            .map(|e| Env {
                name: e.name.as_str(),
                requires_previous: self.policy.previous_env(&e.name).is_some(),
            })
            .collect()
    }

    /// Whether badger knows `app`: the policy lists it, it runs in an environment the
    /// policy lists (`view`, this app's versions), it is live anywhere, or it has finished
    /// deployments (`has_history`). The dashboard's app page and `GET /api/v1/versions?app=`
    /// answer 404 by this one rule.
    pub fn knows_app(
        &self,
        snapshot: &Snapshot,
        view: &VersionsView,
        app: &str,
        has_history: bool,
    ) -> bool {
        self.policy.apps.iter().any(|a| a.as_str() == app)
            || view
                .app(app)
                .is_some_and(|a| a.per_env.iter().any(Option::is_some))
            || snapshot.live.iter().any(|d| d.app == app)
            || has_history
    }

    /// One app's versions for the API, or `None` if badger does not know it
    /// ([`Core::knows_app`]); an app known only by its history or a live deployment has a
    /// row of empty cells.
    pub async fn app_versions(
        &self,
        app: &str,
    ) -> std::result::Result<Option<VersionsView>, StoreError> {
        let (snapshot, view) = self.versions_of_app(app).await?;
        if !view.apps.is_empty() {
            return Ok(Some(view));
        }
        let has_history = !self.store.app_history(app, 1).await?.is_empty();
        if !self.knows_app(&snapshot, &view, app, has_history) {
            return Ok(None);
        }
        Ok(Some(versions::build(
            &self.version_envs(),
            &[app.to_owned()],
            &[],
            &[],
            self.now(),
        )))
    }

    /// The dashboard's address for links, if `BADGER_PUBLIC_URL` is set.
    pub fn dashboard_url(&self) -> Option<&str> {
        self.public_url.as_deref()
    }

    /// `/deploy versions [APP]`. An APP with nothing to show is looked up by the rule of
    /// `GET /api/v1/versions?app=` ([`Core::knows_app`]): one badger does not know is said
    /// so, with the closest app it knows.
    pub async fn versions(&self, app: Option<&str>) -> Result<Answer> {
        let snapshot = self.snapshot().await?;
        let view = self.versions_view_of(&snapshot, app);
        let unknown = match app {
            Some(a) if view.app(a).is_none_or(|v| v.is_blank()) => {
                self.unknown_app(&snapshot, &view, a).await?
            }
            _ => None,
        };
        Ok(Answer::Versions {
            view,
            app: app.map(str::to_owned),
            unknown,
        })
    }

    /// `app`, if badger does not know it ([`Core::knows_app`]; `view` is its versions), with
    /// the closest app it does know.
    async fn unknown_app(
        &self,
        snapshot: &Snapshot,
        view: &VersionsView,
        app: &str,
    ) -> std::result::Result<Option<Unknown>, StoreError> {
        let has_history = !self.store.app_history(app, 1).await?.is_empty();
        Ok(
            (!self.knows_app(snapshot, view, app, has_history)).then(|| Unknown {
                closest: self.closest_app(snapshot, app),
            }),
        )
    }

    /// [`Core::unknown_app`] for an app named by a command other than `versions`.
    pub async fn unknown_app_named(
        &self,
        app: &str,
    ) -> std::result::Result<Option<Unknown>, StoreError> {
        let (snapshot, view) = self.versions_of_app(app).await?;
        if view.app(app).is_some_and(|v| !v.is_blank()) {
            return Ok(None);
        }
        self.unknown_app(&snapshot, &view, app).await
    }

    /// The snapshot now, and `app`'s versions in it.
    async fn versions_of_app(
        &self,
        app: &str,
    ) -> std::result::Result<(std::sync::Arc<Snapshot>, VersionsView), StoreError> {
        let snapshot = self.snapshot().await?;
        let view = self.versions_view_of(&snapshot, Some(app));
        Ok((snapshot, view))
    }

    /// The app badger knows (listed, or with a version or a live deployment) whose name is
    /// closest to `given`, if one is close enough to be a typo.
    fn closest_app(&self, snapshot: &Snapshot, given: &str) -> Option<String> {
        let mut known: Vec<&str> = self.policy.apps.iter().map(|a| a.as_str()).collect();
        known.extend(snapshot.versions.iter().map(|v| v.app.as_str()));
        known.extend(snapshot.live.iter().map(|d| d.app.as_str()));
        known.sort_unstable();
        known.dedup();
        crate::command::closest(given, &known).map(|i| known[i].to_owned())
    }

    /// Queues `user`'s App Home tab: their own deployments, then every app's versions.
    pub async fn publish_home(&self, user: &str) -> Result<()> {
        let (snapshot, recent) =
            tokio::try_join!(self.snapshot(), self.store.recent_of(user, RECENT_OF_MINE),)?;
        let board = self.board(&snapshot);
        let view = self.versions_view_of(&snapshot, None);
        // Every live one of theirs, in the store's order, even in an environment the
        // policy no longer lists.
        let live = snapshot
            .live
            .iter()
            .filter(|d| d.requester == user)
            .cloned()
            .collect();
        let say = Notice::Home {
            view,
            live,
            recent,
            window: board.window,
            tz: self.policy.calendar.tz,
            dashboard: self.dashboard_url().map(str::to_owned),
        };
        let (user, body) = (user.to_owned(), Body::say(say));
        let mut tx = self.store.begin().await?;
        tx.enqueue(&Payload::Home { user, body }, self.now())
            .await?;
        self.commit(tx).await
    }
}
