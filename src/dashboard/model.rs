//! The dashboard's view model, pure (no I/O, the time passed in): the versions matrix with
//! its drift marks, the window now and next, elapsed times and durations. The templates in
//! `view.rs` only lay out what is decided here.

use crate::domain::deployment::{Deployment, State};
use crate::domain::window::Calendar;
use crate::store::Version;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// One cell of the matrix: the version an app runs in one environment, and the previous
/// environment when that one runs a newer, different ref (this cell lags behind it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub version: Version,
    pub behind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub app: String,
    /// One per environment, in the policy's order; `None` where the app never succeeded.
    pub cells: Vec<Option<Cell>>,
}

/// Apps (rows) x environments (columns, the policy's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub environments: Vec<String>,
    pub rows: Vec<Row>,
}

impl Matrix {
    pub fn drifted(&self) -> usize {
        self.rows
            .iter()
            .flat_map(|r| r.cells.iter().flatten())
            .filter(|c| c.behind.is_some())
            .count()
    }
}

/// Whether `cell` lags behind `previous` (the version in the environment before it): a
/// different ref, deployed there later. The one rule the lead may swap for the shared
/// `domain::versions` read model.
fn drifted(previous: Option<&Version>, cell: &Version) -> bool {
    previous.is_some_and(|p| p.git_ref != cell.git_ref && p.deployed_at > cell.deployed_at)
}

/// The matrix of `versions` over `environments`; apps are those with a version plus the
/// policy's `apps` (shown with empty cells until they deploy), sorted by name. Versions in
/// an environment the policy no longer names are left out.
pub fn matrix(environments: &[String], configured: &[String], versions: &[Version]) -> Matrix {
    let mut apps: Vec<String> = versions
        .iter()
        .map(|v| v.app.clone())
        .chain(configured.iter().cloned())
        .collect();
    apps.sort();
    apps.dedup();
    // Keyed once: hundreds of apps must not cost apps x versions lookups.
    let by_cell: HashMap<(&str, &str), &Version> = versions
        .iter()
        .map(|v| ((v.app.as_str(), v.environment.as_str()), v))
        .collect();
    let rows = apps
        .into_iter()
        .map(|app| {
            let mine: Vec<Option<&Version>> = environments
                .iter()
                .map(|e| by_cell.get(&(app.as_str(), e.as_str())).copied())
                .collect();
            let cells = mine
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = (*v)?;
                    let previous = i.checked_sub(1).and_then(|p| mine[p]);
                    Some(Cell {
                        version: v.clone(),
                        behind: drifted(previous, v).then(|| environments[i - 1].clone()),
                    })
                })
                .collect();
            Row { app, cells }
        })
        .collect();
    Matrix {
        environments: environments.to_vec(),
        rows,
    }
}

/// The deploy window at `now`: open until when, and when it next opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowNow {
    pub open_until: Option<DateTime<Utc>>,
    pub next_opening: Option<DateTime<Utc>>,
}

pub fn window_now(cal: &Calendar, now: DateTime<Utc>) -> WindowNow {
    WindowNow {
        open_until: cal.current(now).map(|o| o.closes),
        next_opening: cal.next_opening(now).map(|o| o.opens),
    }
}

/// A span for people: "40 s", "12 min", "2 h 05 min", "3 d 4 h". Never negative (a
/// clock behind the database's shows "0 s").
pub fn span(d: Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86400 => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86400, s % 86400 / 3600),
    }
}

/// Since when a live deployment is in its state: deploying since it started, called since
/// its turn came, queued since it was asked for.
pub fn since(d: &Deployment) -> DateTime<Utc> {
    match d.state {
        State::Deploying => d.started_at,
        State::Called => d.called_at,
        _ => None,
    }
    .unwrap_or(d.requested_at)
}

/// How long a finished deployment ran (start to finish); `None` when it never started.
pub fn duration(d: &Deployment) -> Option<Duration> {
    let end = d.finished_at.or(d.ended_at)?;
    Some(end - d.started_at?)
}

/// When a finished deployment ended.
pub fn ended(d: &Deployment) -> DateTime<Utc> {
    d.finished_at.or(d.ended_at).unwrap_or(d.requested_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn v(app: &str, env: &str, git_ref: &str, minute: u32) -> Version {
        Version {
            app: app.into(),
            environment: env.into(),
            git_ref: git_ref.into(),
            deployed_at: Utc.with_ymd_and_hms(2026, 11, 24, 10, minute, 0).unwrap(),
            deployed_by: "U1".into(),
        }
    }

    fn envs() -> Vec<String> {
        ["integration", "staging", "production"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_cell_behind_a_newer_different_ref_before_it_is_drifted() {
        let versions = [
            v("api", "integration", "r2", 30),
            v("api", "staging", "r1", 20),
            v("api", "production", "r1", 25),
            v("web", "integration", "w1", 1),
            v("web", "production", "w1", 2),
        ];
        let m = matrix(&envs(), &["zeta".into()], &versions);
        let apps: Vec<&str> = m.rows.iter().map(|r| r.app.as_str()).collect();
        assert_eq!(apps, ["api", "web", "zeta"]);
        let api = &m.rows[0].cells;
        assert_eq!(api[0].as_ref().unwrap().behind, None);
        assert_eq!(
            api[1].as_ref().unwrap().behind.as_deref(),
            Some("integration")
        );
        // Same ref as staging: not behind.
        assert_eq!(api[2].as_ref().unwrap().behind, None);
        // A gap (never in staging) compares with nothing.
        assert!(m.rows[1].cells[1].is_none());
        assert_eq!(m.rows[1].cells[2].as_ref().unwrap().behind, None);
        assert!(m.rows[2].cells.iter().all(Option::is_none));
        assert_eq!(m.drifted(), 1);
    }

    #[test]
    fn an_older_ref_before_a_hotfix_is_not_drift() {
        let versions = [
            v("api", "staging", "r1", 10),
            v("api", "production", "fix", 20),
        ];
        let m = matrix(&envs(), &[], &versions);
        assert_eq!(m.drifted(), 0);
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(Duration::seconds(-5)), "0 s");
        assert_eq!(span(Duration::seconds(59)), "59 s");
        assert_eq!(span(Duration::seconds(12 * 60 + 59)), "12 min");
        assert_eq!(span(Duration::seconds(2 * 3600 + 5 * 60)), "2 h 05 min");
        assert_eq!(span(Duration::seconds(3 * 86400 + 4 * 3600)), "3 d 4 h");
    }
}
