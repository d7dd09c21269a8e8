//! Versions and drift: which ref each app runs in each environment, and where an
//! environment lags the one before it (GOV.UK's Release app). Pure: the rows and `now` are
//! passed in. Slack, the API, App Home and the dashboard all render the one [`VersionsView`].

use super::deployment::{Deployment, State};
use super::promotion::{self, PromotionCheck};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One app's current version in one environment, as the store holds it (its latest
/// successful deployment there), and the failure after it, if one came after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub app: String,
    pub environment: String,
    pub git_ref: String,
    pub at: DateTime<Utc>,
    pub by: String,
    /// The latest finished deployment there when it is not this one: a failure after it.
    pub latest_failed: Option<Finished>,
}

/// A finished deployment: its ref, when it finished and who asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// An environment of the policy, in promotion order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Env<'a> {
    pub name: &'a str,
    /// The promotion rule guards it (`requires_previous`).
    pub requires_previous: bool,
}

/// `names` in promotion order with the policy's default rule: every environment but the
/// first requires the one before it.
pub fn default_order<'a>(names: &[&'a str]) -> Vec<Env<'a>> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| Env {
            name,
            requires_previous: i > 0,
        })
        .collect()
}

/// What runs in one environment: the ref, when it finished deploying and who deployed it;
/// and the failure after it, if the latest deployment there failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub at: DateTime<Utc>,
    /// Slack user id of whoever asked for the deployment (or the CI's reporter).
    pub by: String,
    /// The latest finished deployment here when it is not this version's: one that failed
    /// after it (another ref, or this one again). `None`: this version's was the latest.
    /// (Default: read from outbox rows written before it existed.)
    #[serde(default)]
    pub latest_failed: Option<Finished>,
}

impl Cell {
    /// The latest finished deployment here, as the promotion rule reads it: its ref and
    /// whether it succeeded.
    pub fn latest_finished(&self) -> (&str, State) {
        match &self.latest_failed {
            Some(f) => (&f.git_ref, State::Failed),
            None => (&self.git_ref, State::Succeeded),
        }
    }
}

/// Environment `env` lags `behind_env`, the environment before it in promotion order:
/// `behind_env` runs `ahead_ref` and `env` does not.
///
/// Decisions: drift is "the refs differ" (as the Release app flags it), not "older": refs
/// carry no order badger could trust. An environment with nothing deployed while the one
/// before it has something is drift too (`behind_ref` is `None`): that app still needs a
/// deploy to catch up. An environment with something while the one before has nothing is
/// not drift (there is nothing to catch up to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The environment that is behind.
    pub env: String,
    /// What `env` runs (`None`: nothing yet).
    pub behind_ref: Option<String>,
    /// The environment before it, which it is behind.
    pub behind_env: String,
    /// When `behind_env` got `ahead_ref`: the drift has lasted since then.
    pub since: DateTime<Utc>,
    /// What `behind_env` runs.
    pub ahead_ref: String,
    /// `now - since` in whole seconds (never negative), for readers without a clock.
    pub age_secs: i64,
    /// The promotion rule (`domain::promotion`) would refuse `ahead_ref` in `env` now:
    /// `behind_env`'s latest finished deployment failed (its cell's `latest_failed`).
    #[serde(default)]
    pub blocked: bool,
}

/// A deployment going out now in one environment: what will replace its cell's version
/// when it succeeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Underway {
    pub env: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// When it started deploying.
    pub since: DateTime<Utc>,
    /// Slack user id of whoever asked for it (or `ci`).
    pub by: String,
    pub id: i64,
}

/// One app across the environments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppVersions {
    pub app: String,
    /// One entry per environment, in [`VersionsView::environments`] order; `None`: nothing
    /// of this app has been deployed there.
    pub per_env: Vec<Option<Cell>>,
    /// Each environment that lags the one before it, in promotion order; empty: in step.
    pub drift: Vec<Drift>,
    /// What is deploying now, in environment order (one at most per environment: the
    /// queue's rule). (Default: read from outbox rows written before it existed.)
    #[serde(default)]
    pub deploying: Vec<Underway>,
}

impl AppVersions {
    pub fn is_drifted(&self) -> bool {
        !self.drift.is_empty()
    }

    /// What of this app is deploying in `env` now.
    pub fn deploying_in(&self, env: &str) -> Option<&Underway> {
        self.deploying.iter().find(|u| u.env == env)
    }

    /// Nothing of it runs anywhere and nothing is going out.
    pub fn is_blank(&self) -> bool {
        self.per_env.iter().all(Option::is_none) && self.deploying.is_empty()
    }
}

/// Every app's versions, drifted apps first, then by name. Also the JSON shape of
/// `GET /api/v1/versions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionsView {
    /// When it was computed (drift ages are counted to this instant).
    pub now: DateTime<Utc>,
    /// The policy's environments, in promotion order.
    pub environments: Vec<String>,
    pub apps: Vec<AppVersions>,
}

impl VersionsView {
    /// How many apps have drift.
    pub fn drifted(&self) -> usize {
        self.apps.iter().filter(|a| a.is_drifted()).count()
    }

    pub fn app(&self, name: &str) -> Option<&AppVersions> {
        self.apps.iter().find(|a| a.app == name)
    }

    /// `a`'s cell in `env`, if it has one there.
    pub fn cell<'a>(&self, a: &'a AppVersions, env: &str) -> Option<&'a Cell> {
        let i = self.environments.iter().position(|e| e == env)?;
        a.per_env.get(i)?.as_ref()
    }

    /// The failure that blocks drift `d` of `a`: the latest deployment in the environment
    /// ahead. `None` when `d` is not blocked.
    pub fn blocked_by<'a>(&self, a: &'a AppVersions, d: &Drift) -> Option<&'a Finished> {
        if !d.blocked {
            return None;
        }
        self.cell(a, &d.behind_env)?.latest_failed.as_ref()
    }
}

/// Builds the view. `environments` is the policy's order; `known_apps` (the policy's `apps`
/// list, possibly empty) are shown even if nothing of theirs was deployed yet; `live` are
/// the queues (only those deploying are read: an app's first deployment shows while it
/// goes out); rows for environments the policy no longer has are ignored.
pub fn build(
    environments: &[Env<'_>],
    known_apps: &[String],
    rows: &[Deployed],
    live: &[Deployment],
    now: DateTime<Utc>,
) -> VersionsView {
    let mut by_app: BTreeMap<&str, Vec<Option<Cell>>> = BTreeMap::new();
    for a in known_apps {
        by_app
            .entry(a.as_str())
            .or_insert_with(|| vec![None; environments.len()]);
    }
    let deploying = underway(environments, live);
    for u in &deploying {
        by_app
            .entry(u.0)
            .or_insert_with(|| vec![None; environments.len()]);
    }
    for r in rows {
        let Some(i) = environments.iter().position(|e| e.name == r.environment) else {
            continue;
        };
        let cells = by_app
            .entry(r.app.as_str())
            .or_insert_with(|| vec![None; environments.len()]);
        cells[i] = Some(Cell {
            git_ref: r.git_ref.clone(),
            at: r.at,
            by: r.by.clone(),
            latest_failed: r.latest_failed.clone(),
        });
    }
    let mut apps: Vec<AppVersions> = by_app
        .into_iter()
        .map(|(app, per_env)| AppVersions {
            app: app.to_owned(),
            drift: drift_of(environments, &per_env, now),
            per_env,
            deploying: deploying
                .iter()
                .filter(|u| u.0 == app)
                .map(|u| u.1.clone())
                .collect(),
        })
        .collect();
    // BTreeMap gave name order; a stable sort keeps it within each group.
    apps.sort_by_key(|a| !a.is_drifted());
    VersionsView {
        now,
        environments: environments.iter().map(|e| e.name.to_owned()).collect(),
        apps,
    }
}

/// The deployments of `live` going out in one of `environments`, with their app, in
/// environment order.
fn underway<'a>(environments: &[Env<'_>], live: &'a [Deployment]) -> Vec<(&'a str, Underway)> {
    let mut out: Vec<(usize, &str, Underway)> = live
        .iter()
        .filter(|d| d.state == State::Deploying)
        .filter_map(|d| {
            let i = environments.iter().position(|e| e.name == d.environment)?;
            let u = Underway {
                env: d.environment.clone(),
                git_ref: d.git_ref.clone(),
                since: d.started_at.unwrap_or(d.requested_at),
                by: d.requester.clone(),
                id: d.id,
            };
            Some((i, d.app.as_str(), u))
        })
        .collect();
    out.sort_by_key(|(i, _, u)| (*i, u.id));
    out.into_iter().map(|(_, app, u)| (app, u)).collect()
}

fn drift_of(environments: &[Env<'_>], cells: &[Option<Cell>], now: DateTime<Utc>) -> Vec<Drift> {
    let mut out = Vec::new();
    for k in 1..cells.len() {
        let Some(ahead) = &cells[k - 1] else {
            continue;
        };
        let behind = cells[k].as_ref();
        if behind.is_some_and(|b| b.git_ref == ahead.git_ref) {
            continue;
        }
        // The promotion rule itself, on what the cell ahead knows of its latest deployment.
        let blocked = environments[k].requires_previous
            && promotion::check_latest(Some(ahead.latest_finished()), &ahead.git_ref)
                != PromotionCheck::Allowed;
        out.push(Drift {
            env: environments[k].name.to_owned(),
            behind_env: environments[k - 1].name.to_owned(),
            ahead_ref: ahead.git_ref.clone(),
            behind_ref: behind.map(|b| b.git_ref.clone()),
            since: ahead.at,
            age_secs: (now - ahead.at).num_seconds().max(0),
            blocked,
        });
    }
    out
}

/// "3d 4h", "2h 5m", "7m", "under a minute": how long a drift has lasted.
pub fn format_age(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        "under a minute".to_owned()
    }
}

#[cfg(test)]
#[path = "versions_tests.rs"]
mod tests;
