//! A deployment's history as a list of state changes with their times, rebuilt from the
//! times the deployments table stamps (requested, called, started, finished, ended).

use super::deployment::{Deployment, State};
use chrono::{DateTime, Utc};

/// The deployment entered `state` at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Transition {
    pub state: State,
    pub at: DateTime<Utc>,
}

/// Where CI reports come from: they enter in the state CI reported (deploying or
/// finished), never through the queue.
const CI_SOURCE: &str = "ci";

/// Oldest first. A Slack request starts `queued`; a CI report starts where CI said. A
/// turn given back ("let the next go first") clears `called_at`, so only the latest call
/// shows.
pub fn transitions(d: &Deployment) -> Vec<Transition> {
    let mut out = Vec::new();
    let mut push = |state: State, at: Option<DateTime<Utc>>| {
        if let Some(at) = at {
            out.push(Transition { state, at });
        }
    };
    if d.source != CI_SOURCE {
        push(State::Queued, Some(d.requested_at));
    }
    push(State::Called, d.called_at);
    push(State::Deploying, d.started_at);
    match d.state {
        State::Succeeded | State::Failed => {
            // Called off while deploying, before its pipeline reported how it ended.
            if d.reported_after_call_off() {
                push(State::Cancelled, d.ended_at);
            }
            push(d.state, d.finished_at)
        }
        State::Cancelled | State::Expired => push(d.state, d.ended_at),
        State::Queued | State::Called | State::Deploying => {}
    }
    // A row older than its stamps (written by hand, or a CI report with no start) still
    // says where it is now.
    if out.last().map(|t| t.state) != Some(d.state) && d.state != State::Queued {
        out.push(Transition {
            state: d.state,
            at: d.finished_at.or(d.ended_at).unwrap_or(d.requested_at),
        });
    }
    out
}

/// From start to finish; none unless it both started and finished.
pub fn duration_seconds(d: &Deployment) -> Option<i64> {
    Some((d.finished_at? - d.started_at?).num_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deployment::sample;
    use chrono::TimeZone;

    fn t(min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 10, min, 0).unwrap()
    }

    fn states(d: &Deployment) -> Vec<(&'static str, DateTime<Utc>)> {
        transitions(d)
            .into_iter()
            .map(|x| (x.state.as_str(), x.at))
            .collect()
    }

    /// A deployment from `source` (`slack` or `ci`), asked for at `t(at)`, still queued.
    fn requested(source: &str, at: u32) -> Deployment {
        Deployment {
            source: source.into(),
            requested_at: t(at),
            ..sample(1, "api", "staging")
        }
    }

    #[test]
    fn a_slack_deployment_goes_through_the_queue() {
        let d = requested("slack", 0);
        assert_eq!(states(&d), [("queued", t(0))]);
        let d = Deployment {
            state: State::Succeeded,
            called_at: Some(t(1)),
            started_at: Some(t(2)),
            finished_at: Some(t(7)),
            ..d
        };
        assert_eq!(
            states(&d),
            [
                ("queued", t(0)),
                ("called", t(1)),
                ("deploying", t(2)),
                ("succeeded", t(7))
            ]
        );
        assert_eq!(duration_seconds(&d), Some(300));
    }

    #[test]
    fn cancelled_and_expired_end_at_ended_at() {
        let mut d = requested("slack", 0);
        d.ended_at = Some(t(3));
        d.state = State::Expired;
        assert_eq!(states(&d), [("queued", t(0)), ("expired", t(3))]);
        assert_eq!(duration_seconds(&d), None);
    }

    #[test]
    fn a_ci_report_starts_where_ci_said() {
        let mut d = requested("ci", 4);
        d.finished_at = Some(t(4));
        d.state = State::Failed;
        assert_eq!(states(&d), [("failed", t(4))]);
        d.started_at = Some(t(4));
        d.finished_at = Some(t(9));
        assert_eq!(states(&d), [("deploying", t(4)), ("failed", t(9))]);
    }

    #[test]
    fn called_off_then_reported_shows_both() {
        let d = Deployment {
            state: State::Succeeded,
            started_at: Some(t(0)),
            ended_at: Some(t(2)),
            finished_at: Some(t(6)),
            ..requested("ci", 0)
        };
        assert_eq!(
            states(&d),
            [
                ("deploying", t(0)),
                ("cancelled", t(2)),
                ("succeeded", t(6))
            ]
        );
        assert_eq!(duration_seconds(&d), Some(360));
    }
}
