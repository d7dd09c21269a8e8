//! Versions and drift: which ref each app runs in each environment, and where an
//! environment lags the one before it (GOV.UK's Release app). Pure: the rows and `now` are
//! passed in. Slack, the API, App Home and the dashboard all render the one [`VersionsView`].

use super::deployment::State;
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
    /// The environment before it, which it is behind.
    pub behind_env: String,
    /// What `behind_env` runs.
    pub ahead_ref: String,
    /// What `env` runs (`None`: nothing yet).
    pub behind_ref: Option<String>,
    /// When `behind_env` got `ahead_ref`: the drift has lasted since then.
    pub since: DateTime<Utc>,
    /// `now - since` in whole seconds (never negative), for readers without a clock.
    pub age_secs: i64,
    /// The promotion rule (`domain::promotion`) would refuse `ahead_ref` in `env` now:
    /// `behind_env`'s latest finished deployment failed (its cell's `latest_failed`).
    #[serde(default)]
    pub blocked: bool,
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
}

impl AppVersions {
    pub fn is_drifted(&self) -> bool {
        !self.drift.is_empty()
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
/// list, possibly empty) are shown even if nothing of theirs was deployed yet; rows for
/// environments the policy no longer has are ignored.
pub fn build(
    environments: &[Env<'_>],
    known_apps: &[String],
    rows: &[Deployed],
    now: DateTime<Utc>,
) -> VersionsView {
    let mut by_app: BTreeMap<&str, Vec<Option<Cell>>> = BTreeMap::new();
    for a in known_apps {
        by_app
            .entry(a.as_str())
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
mod tests {
    use super::*;
    use chrono::TimeZone;

    const ENVS: &[&str] = &["integration", "staging", "production"];

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
    }

    /// `build` over rows written "app env ref HH:MM" (by U1, on 24 Nov 2026), separated by
    /// commas, then "; now HH:MM". A row may end in " failed REF@HH:MM": a failure there
    /// after that version (by U2).
    fn built(text: &str) -> VersionsView {
        built_knowing(&[], text)
    }

    fn built_knowing(known: &[String], text: &str) -> VersionsView {
        let time = |hm: &str| {
            let (h, m) = hm.split_once(':').expect("HH:MM");
            at(h.parse().unwrap(), m.parse().unwrap())
        };
        let (rows, now) = text.split_once("; now ").expect("rows; now HH:MM");
        let rows: Vec<Deployed> = rows
            .split(", ")
            .map(|row| {
                let (row, failed) = match row.split_once(" failed ") {
                    Some((row, f)) => (row, Some(f.split_once('@').expect("REF@HH:MM"))),
                    None => (row, None),
                };
                let [app, env, git_ref, hm] = row.split(' ').collect::<Vec<_>>()[..] else {
                    panic!("app env ref HH:MM: {row}")
                };
                Deployed {
                    app: app.into(),
                    environment: env.into(),
                    git_ref: git_ref.into(),
                    at: time(hm),
                    by: "U1".into(),
                    latest_failed: failed.map(|(r, hm)| Finished {
                        git_ref: r.into(),
                        at: time(hm),
                        by: "U2".into(),
                    }),
                }
            })
            .collect();
        build(&default_order(ENVS), known, &rows, time(now))
    }

    #[test]
    fn in_step_apps_have_no_drift() {
        let v =
            built("a integration r1 09:00, a staging r1 10:00, a production r1 11:00; now 12:00");
        assert_eq!(v.apps.len(), 1);
        assert!(v.apps[0].drift.is_empty());
        assert_eq!(v.drifted(), 0);
        assert_eq!(v.apps[0].per_env[2].as_ref().unwrap().at, at(11, 0));
    }

    #[test]
    fn staging_ahead_of_production_is_drift_since_staging_got_it() {
        let v = built(
            "whitehall integration release_42 09:00, whitehall staging release_42 10:15, \
             whitehall production release_40 08:00; now 13:45",
        );
        let d = &v.apps[0].drift;
        assert_eq!(
            d,
            &[Drift {
                env: "production".into(),
                behind_env: "staging".into(),
                ahead_ref: "release_42".into(),
                behind_ref: Some("release_40".into()),
                since: at(10, 15),
                age_secs: 3 * 3600 + 30 * 60,
                blocked: false,
            }]
        );
        assert_eq!(format_age(d[0].age_secs), "3h 30m");
    }

    #[test]
    fn nothing_deployed_behind_something_is_drift_but_not_the_reverse() {
        // staging has nothing; production has something staging lacks: not drift.
        let v = built("a integration r2 09:00, b production r9 09:00; now 09:00");
        let a = v.app("a").unwrap();
        assert_eq!(a.drift.len(), 1);
        assert_eq!(a.drift[0].env, "staging");
        assert_eq!(a.drift[0].behind_ref, None);
        assert_eq!(a.drift[0].age_secs, 0);
        assert!(v.app("b").unwrap().drift.is_empty());
    }

    #[test]
    fn each_lagging_environment_is_listed_in_order() {
        let v =
            built("a integration r3 11:00, a staging r2 10:00, a production r1 09:00; now 11:00");
        let envs: Vec<_> = v.apps[0].drift.iter().map(|d| d.env.as_str()).collect();
        assert_eq!(envs, ["staging", "production"]);
        assert_eq!(v.apps[0].drift[0].age_secs, 0);
        assert_eq!(v.apps[0].drift[1].since, at(10, 0));
    }

    #[test]
    fn drifted_first_then_by_name_and_known_apps_shown_empty() {
        let known = vec!["gamma".to_owned()];
        // beta's preview: an environment the policy no longer has is ignored.
        let v = built_knowing(
            &known,
            "zeta integration r1 09:00, alpha integration r1 09:00, alpha staging r1 09:00, \
             beta integration r1 09:00, beta preview r0 09:00; now 10:00",
        );
        let names: Vec<_> = v.apps.iter().map(|a| a.app.as_str()).collect();
        // alpha: production lags staging; beta, zeta: staging lags integration.
        assert_eq!(names, ["alpha", "beta", "zeta", "gamma"]);
        assert_eq!(v.drifted(), 3);
        assert!(v.app("gamma").unwrap().per_env.iter().all(Option::is_none));
        assert_eq!(v.environments, ENVS);
    }

    #[test]
    fn the_age_never_goes_negative_and_reads_well() {
        // A clock behind the row's time (another replica's skew) gives 0, not negative.
        let v = built("a integration r1 12:00; now 11:00");
        assert_eq!(v.apps[0].drift[0].age_secs, 0);
        assert_eq!(format_age(0), "under a minute");
        assert_eq!(format_age(59), "under a minute");
        assert_eq!(format_age(60), "1m");
        assert_eq!(format_age(3 * 86_400 + 4 * 3600 + 59), "3d 4h");
    }

    #[test]
    fn a_failure_after_the_version_is_on_its_cell_and_blocks_the_drift_behind_it() {
        // Staging runs r2, but r3 failed there since: production (r1) is behind staging,
        // and the promotion rule would refuse r2 there. Integration (r3) ahead of staging
        // (r2) is plain drift: integration's latest deployment is r3, succeeded.
        let v = built(
            "a integration r3 09:00, a staging r2 10:00 failed r3@10:30, \
             a production r1 08:00; now 11:00",
        );
        let a = v.app("a").unwrap();
        let staging = v.cell(a, "staging").unwrap();
        assert_eq!(staging.git_ref, "r2");
        let failed = staging.latest_failed.as_ref().unwrap();
        assert_eq!((failed.git_ref.as_str(), failed.at), ("r3", at(10, 30)));
        assert_eq!(staging.latest_finished(), ("r3", State::Failed));
        assert_eq!(v.cell(a, "integration").unwrap().latest_failed, None);
        let blocked: Vec<_> = a
            .drift
            .iter()
            .map(|d| (d.env.as_str(), d.blocked))
            .collect();
        assert_eq!(blocked, [("staging", false), ("production", true)]);
        assert_eq!(v.blocked_by(a, &a.drift[1]), Some(failed));
        assert_eq!(v.blocked_by(a, &a.drift[0]), None);
        // The same ref failing again blocks it too: the latest deployment there failed.
        let v = built("a staging r2 10:00 failed r2@10:30; now 11:00");
        assert!(v.apps[0].drift[0].blocked);
    }

    #[test]
    fn drift_is_blocked_only_where_the_promotion_rule_guards_the_environment() {
        let rows = [Deployed {
            app: "a".into(),
            environment: "staging".into(),
            git_ref: "r2".into(),
            at: at(10, 0),
            by: "U1".into(),
            latest_failed: Some(Finished {
                git_ref: "r3".into(),
                at: at(10, 30),
                by: "U1".into(),
            }),
        }];
        let mut envs = default_order(ENVS);
        let guarded = build(&envs, &[], &rows, at(11, 0));
        assert!(guarded.apps[0].drift[0].blocked);
        // `requires_previous = false` on production: nothing refuses r2 there.
        envs[2].requires_previous = false;
        let free = build(&envs, &[], &rows, at(11, 0));
        assert_eq!(free.apps[0].drift[0].env, "production");
        assert!(!free.apps[0].drift[0].blocked);
    }

    #[test]
    fn json_shape() {
        let v = built("a integration r1 09:00; now 09:01");
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(j["apps"][0]["per_env"][0]["ref"], "r1");
        assert_eq!(j["apps"][0]["per_env"][1], serde_json::Value::Null);
        assert_eq!(j["apps"][0]["drift"][0]["behind_env"], "integration");
        assert_eq!(j["apps"][0]["drift"][0]["age_secs"], 60);
        assert_eq!(j["apps"][0]["drift"][0]["blocked"], false);
        assert_eq!(
            j["apps"][0]["per_env"][0]["latest_failed"],
            serde_json::Value::Null
        );
        let v = built("a integration r1 09:00 failed r2@09:01; now 09:01");
        let j = serde_json::to_value(&v).unwrap();
        let failed = &j["apps"][0]["per_env"][0]["latest_failed"];
        assert_eq!(failed["ref"], "r2");
        assert_eq!(failed["by"], "U2");
        assert_eq!(failed["at"], "2026-11-24T09:01:00Z");
    }

    #[test]
    fn a_view_written_before_failures_were_shown_still_reads() {
        // An App Home notice waiting in the outbox across an upgrade.
        let old = r#"{"now":"2026-11-24T09:01:00Z","environments":["a","b"],"apps":[{"app":"x",
            "per_env":[{"ref":"r1","at":"2026-11-24T09:00:00Z","by":"U1"},null],
            "drift":[{"env":"b","behind_env":"a","ahead_ref":"r1","behind_ref":null,
            "since":"2026-11-24T09:00:00Z","age_secs":60}]}]}"#;
        let v: VersionsView = serde_json::from_str(old).unwrap();
        assert_eq!(v.apps[0].per_env[0].as_ref().unwrap().latest_failed, None);
        assert!(!v.apps[0].drift[0].blocked);
    }
}
