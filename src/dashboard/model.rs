//! The dashboard's view model, pure (no I/O, the time passed in): where the shared versions
//! view marks drift, elapsed times and durations (the window now is the status board's,
//! `domain::board`). The templates in
//! `view.rs` only lay out what is decided here.

use crate::domain::deployment::{Deployment, State};
use crate::domain::versions::{AppVersions, Drift, VersionsView};
use chrono::{DateTime, Duration, Utc};

/// The drift of `app`'s cell in `env`, if that environment lags the one before it (the
/// shared rule of `domain::versions`: refs differ, or nothing where the one before has
/// something).
pub fn drift_in<'a>(app: &'a AppVersions, env: &str) -> Option<&'a Drift> {
    app.drift.iter().find(|d| d.env == env)
}

/// How many cells of the matrix are marked drifted.
pub fn drifted_cells(view: &VersionsView) -> usize {
    view.apps.iter().map(|a| a.drift.len()).sum()
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

pub use crate::domain::deployment::credits;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::versions::{build, default_order, Deployed};
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, minute, 0).unwrap()
    }

    fn row(app: &str, env: &str, git_ref: &str, minute: u32) -> Deployed {
        Deployed {
            app: app.into(),
            environment: env.into(),
            git_ref: git_ref.into(),
            at: at(minute),
            by: "U1".into(),
            latest_failed: None,
        }
    }

    const ENVS: &[&str] = &["integration", "staging", "production"];

    #[test]
    fn cells_are_marked_by_the_shared_rule() {
        let rows = [
            row("api", "integration", "r2", 30),
            row("api", "staging", "r1", 20),
            row("api", "production", "r1", 25),
            // A hotfix straight to production: differing refs are drift, whatever the times.
            row("web", "staging", "w1", 1),
            row("web", "production", "fix", 2),
            // Nothing in staging behind something in integration is drift too.
            row("cli", "integration", "c1", 3),
        ];
        let view = build(&default_order(ENVS), &[], &rows, &[], at(40));
        let api = view.app("api").unwrap();
        let d = drift_in(api, "staging").expect("staging lags integration");
        assert_eq!((d.behind_env.as_str(), d.age_secs), ("integration", 600));
        assert_eq!(drift_in(api, "integration"), None);
        assert_eq!(drift_in(api, "production"), None);
        let web = view.app("web").unwrap();
        assert_eq!(drift_in(web, "production").unwrap().ahead_ref, "w1");
        let cli = view.app("cli").unwrap();
        assert_eq!(drift_in(cli, "staging").unwrap().behind_ref, None);
        // A gap before something (web in integration) is not drift.
        assert_eq!(drift_in(web, "staging"), None);
        assert_eq!(drifted_cells(&view), 3);
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
