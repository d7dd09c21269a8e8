//! A deployment and its state machine:
//! queued -> called -> deploying -> succeeded | failed, or cancelled / expired.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Queued,
    Called,
    Deploying,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Called => "called",
            State::Deploying => "deploying",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "queued" => State::Queued,
            "called" => State::Called,
            "deploying" => State::Deploying,
            "succeeded" => State::Succeeded,
            "failed" => State::Failed,
            "cancelled" => State::Cancelled,
            "expired" => State::Expired,
            _ => return None,
        })
    }
    /// Waiting for its turn or for its requester to press start.
    pub fn is_waiting(self) -> bool {
        matches!(self, State::Queued | State::Called)
    }
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            State::Succeeded | State::Failed | State::Cancelled | State::Expired
        )
    }
}

/// What can happen to a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Its turn has come; the requester is asked to start.
    Call,
    /// Deployment begins (from the button, or at once when the environment was free).
    Start,
    /// A hold now covers it, or its requester let the next one go first: back in the queue.
    Requeue,
    Succeed,
    Fail,
    Cancel,
    /// Turn timed out, or the window closed while it waited.
    Expire,
    /// CI reports how the run of a deployment called off while deploying really ended:
    /// calling it off in badger does not stop the pipeline. Only CI's report does this (a
    /// person's Done or Failed on it stays refused), and only for one that had started.
    SucceedAfterCallOff,
    FailAfterCallOff,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {} deployment cannot be {}", from.as_str(), verb(*event))]
pub struct TransitionError {
    pub from: State,
    pub event: Event,
}

fn verb(e: Event) -> &'static str {
    match e {
        Event::Call => "called",
        Event::Start => "started",
        Event::Requeue => "put back in the queue",
        Event::Succeed => "marked succeeded",
        Event::Fail => "marked failed",
        Event::Cancel => "cancelled",
        Event::Expire => "expired",
        Event::SucceedAfterCallOff => "reported succeeded",
        Event::FailAfterCallOff => "reported failed",
    }
}

/// The one place that says which transitions exist.
pub fn transition(from: State, event: Event) -> Result<State, TransitionError> {
    use State::{Called, Cancelled, Deploying, Expired, Failed, Queued, Succeeded};
    let to = match (from, event) {
        (Queued, Event::Call) => Called,
        (Queued | Called, Event::Start) => Deploying,
        (Called, Event::Requeue) => Queued,
        (Deploying, Event::Succeed) => Succeeded,
        (Deploying, Event::Fail) => Failed,
        // A deployment called off after it started (the start alert's Cancel button).
        (Queued | Called | Deploying, Event::Cancel) => Cancelled,
        (Queued | Called, Event::Expire) => Expired,
        // The caller checks it had started (`Deployment::called_off_while_deploying`).
        (Cancelled, Event::SucceedAfterCallOff) => Succeeded,
        (Cancelled, Event::FailAfterCallOff) => Failed,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    pub id: i64,
    pub app: String,
    pub git_ref: String,
    pub environment: String,
    pub requester: String,
    pub channel: String,
    pub source: String,
    /// Its place in its environment's queue: higher priority first, then by queue key.
    pub priority: i64,
    pub queue_key: i64,
    /// The refusal codes it was last told the turn passed it by for (not holds).
    pub passed_over: Option<String>,
    pub hold_notified: bool,
    /// Where it stands now; then when it reached each state, and when it was reminded.
    pub state: State,
    pub requested_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    /// When it was told, still deploying, that the window had closed on it (once).
    /// Absent from snapshots stored before it existed: those read as not told.
    #[serde(default)]
    pub after_close_reminded_at: Option<DateTime<Utc>>,
    /// What was said of it: its requester's note or emergency's reason, then how it ended.
    pub note: Option<String>,
    pub emergency_reason: Option<String>,
    pub outcome_note: Option<String>,
    pub ci_url: Option<String>,
    /// Who started it, when not its requester (an admin pressing Start on its turn, CI's
    /// `started` event). `None` too in rows and snapshots from before it was recorded.
    #[serde(default)]
    pub started_by: Option<Credit>,
    /// Who ended it, when not its requester: an admin's Done, Failed or Cancel, or taking
    /// it out of its queue; CI's report; badger marking failed a run GitHub would not
    /// start. Badger's own endings (a turn that expired, the window closing) name nobody:
    /// their note says why. `None` too in rows and snapshots from before it was recorded.
    #[serde(default)]
    pub ended_by: Option<Credit>,
}

/// Who started or ended someone's deployment for them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credit {
    /// A person (an admin), by Slack user id.
    Person(String),
    /// A CI pipeline, through the API.
    Ci,
    /// badger itself (GitHub would not start the workflow).
    Badger,
}

impl Credit {
    /// As stored (`started_by`, `ended_by`) and as the history API shows it: the person's
    /// Slack user id, `ci` or `badger` (no Slack user id is spelled in lower case).
    pub fn as_str(&self) -> &str {
        match self {
            Credit::Person(user) => user,
            Credit::Ci => "ci",
            Credit::Badger => "badger",
        }
    }
    /// The stored form back ([`Credit::as_str`]).
    pub fn parse(stored: &str) -> Credit {
        match stored {
            "ci" => Credit::Ci,
            "badger" => Credit::Badger,
            user => Credit::Person(user.to_owned()),
        }
    }
}

impl Deployment {
    pub fn is_emergency(&self) -> bool {
        self.emergency_reason.is_some()
    }
    /// Reported by a pipeline (`POST /api/v1/deployments`), not asked for by a person: its
    /// pipeline reports the end, and nobody in Slack can finish it.
    pub fn from_ci(&self) -> bool {
        self.source == "ci"
    }
    /// A called turn not started within `timeout` is over from that instant, whether or
    /// not the scheduler has expired it yet: nobody may start it any more.
    pub fn turn_lapsed(&self, now: DateTime<Utc>, timeout: chrono::Duration) -> bool {
        self.state == State::Called && self.called_at.is_some_and(|c| c + timeout <= now)
    }
    /// Cancelled after it started: its pipeline may still report how the run ended.
    pub fn called_off_while_deploying(&self) -> bool {
        self.state == State::Cancelled && self.started_at.is_some()
    }
    /// Finished as its pipeline reported after it had been called off while deploying
    /// (the call-off keeps `ended_at` and `ended_by`; the report stamps `finished_at`).
    pub fn reported_after_call_off(&self) -> bool {
        matches!(self.state, State::Succeeded | State::Failed) && self.ended_at.is_some()
    }
    /// From start to end, including a deployment called off after it started.
    pub fn duration(&self) -> Option<chrono::Duration> {
        Some(self.finished_at.or(self.ended_at)? - self.started_at?)
    }
}

/// Who else started or ended a deployment for its requester, each as the history shows it
/// ("started by U0ADMIN"; how it ended in the end alert's words: "marked done by",
/// "marked failed by", "called off by", "cancelled by" for one taken out of its queue,
/// "reported by CI"; "called off by" then "then reported by CI" for one whose pipeline
/// reported after it was called off, its requester named when they called it off).
/// People through `person` (the dashboard's names, Slack's mentions); none for rows from
/// before it was recorded.
pub fn credits(d: &Deployment, person: &dyn Fn(&str) -> String) -> Vec<String> {
    let who = |c: &Credit| match c {
        Credit::Person(user) => person(user),
        Credit::Ci => "CI".to_owned(),
        Credit::Badger => "badger".to_owned(),
    };
    let started = d
        .started_by
        .iter()
        .map(|c| format!("started by {}", who(c)));
    let late = d.reported_after_call_off();
    // Called off by its requester (no `ended_by`), then reported: say who called it off,
    // or "then reported" would follow nothing.
    let own_call_off = (late && d.ended_by.is_none()).then(|| Credit::Person(d.requester.clone()));
    let ended = d.ended_by.iter().chain(own_call_off.iter()).map(|c| {
        let how = match (c, d.state) {
            // Who called it off; its pipeline reported the outcome after.
            _ if late => "called off by",
            (Credit::Ci, _) => "reported by",
            (_, State::Succeeded) => "marked done by",
            (_, State::Failed) => "marked failed by",
            (_, State::Cancelled) if d.started_at.is_some() => "called off by",
            (_, State::Cancelled) => "cancelled by",
            _ => "ended by",
        };
        format!("{how} {}", who(c))
    });
    let reported = late.then(|| "then reported by CI".to_owned());
    started.chain(ended).chain(reported).collect()
}

/// A queued deployment for unit tests elsewhere in the domain.
#[cfg(test)]
pub fn sample(id: i64, app: &str, env: &str) -> Deployment {
    let t = DateTime::from_timestamp(0, 0).unwrap_or_default();
    Deployment {
        id,
        app: app.into(),
        git_ref: "r1".into(),
        environment: env.into(),
        requester: format!("U{id}"),
        channel: "C1".into(),
        note: None,
        emergency_reason: None,
        source: "slack".into(),
        state: State::Queued,
        queue_key: id,
        priority: 0,
        outcome_note: None,
        ci_url: None,
        requested_at: t,
        called_at: None,
        started_at: None,
        finished_at: None,
        ended_at: None,
        reminded_at: None,
        after_close_reminded_at: None,
        hold_notified: false,
        passed_over: None,
        started_by: None,
        ended_by: None,
    }
}

/// "1h 5m", "4m 10s", "12s": how long a deployment took, for the end alert.
pub fn format_duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds().max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::{Called, Cancelled, Deploying, Expired, Failed, Queued, Succeeded};

    #[test]
    fn the_happy_path() {
        let s = transition(Queued, Event::Call).unwrap();
        let s = transition(s, Event::Start).unwrap();
        assert_eq!(transition(s, Event::Succeed), Ok(Succeeded));
        assert_eq!(transition(Deploying, Event::Fail), Ok(Failed));
        assert_eq!(transition(Queued, Event::Start), Ok(Deploying));
    }

    #[test]
    fn finished_deployments_do_not_move() {
        for s in [Succeeded, Failed, Cancelled, Expired] {
            for e in [
                Event::Call,
                Event::Start,
                Event::Requeue,
                Event::Succeed,
                Event::Fail,
                Event::Cancel,
                Event::Expire,
            ] {
                assert!(transition(s, e).is_err(), "{s:?} {e:?}");
            }
        }
    }

    #[test]
    fn only_a_called_off_one_takes_its_pipelines_outcome() {
        assert_eq!(
            transition(Cancelled, Event::SucceedAfterCallOff),
            Ok(Succeeded)
        );
        assert_eq!(transition(Cancelled, Event::FailAfterCallOff), Ok(Failed));
        for s in [Queued, Called, Deploying, Succeeded, Failed, Expired] {
            for e in [Event::SucceedAfterCallOff, Event::FailAfterCallOff] {
                assert!(transition(s, e).is_err(), "{s:?} {e:?}");
            }
        }
        // A person's Done or Failed stays refused on it.
        assert!(transition(Cancelled, Event::Succeed).is_err());
        assert!(transition(Cancelled, Event::Fail).is_err());
    }

    #[test]
    fn deploying_can_be_called_off_but_never_expires() {
        assert_eq!(transition(Deploying, Event::Cancel), Ok(Cancelled));
        assert!(transition(Deploying, Event::Expire).is_err());
        assert!(transition(Queued, Event::Succeed).is_err());
        assert_eq!(
            transition(Succeeded, Event::Succeed)
                .unwrap_err()
                .to_string(),
            "a succeeded deployment cannot be marked succeeded"
        );
    }

    #[test]
    fn states_round_trip() {
        for s in [
            Queued, Called, Deploying, Succeeded, Failed, Cancelled, Expired,
        ] {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::parse("nope"), None);
    }

    #[test]
    fn credits_name_who_started_and_ended_it() {
        let person = |id: &str| format!("<{id}>");
        let mut d = sample(1, "api", "integration");
        assert_eq!(credits(&d, &person), Vec::<String>::new());
        // Taken out of its queue by an admin.
        d.state = State::Cancelled;
        d.ended_by = Some(Credit::Person("U0ADMIN".into()));
        assert_eq!(credits(&d, &person), ["cancelled by <U0ADMIN>"]);
        // Started by an admin, called off by them.
        d.started_at = Some(DateTime::from_timestamp(60, 0).unwrap());
        d.started_by = Some(Credit::Person("U0ADMIN".into()));
        assert_eq!(
            credits(&d, &person),
            ["started by <U0ADMIN>", "called off by <U0ADMIN>"]
        );
        d.state = State::Failed;
        d.ended_by = Some(Credit::Ci);
        assert_eq!(credits(&d, &person)[1], "reported by CI");
        d.ended_by = Some(Credit::Badger);
        assert_eq!(credits(&d, &person)[1], "marked failed by badger");
        d.state = State::Succeeded;
        d.started_by = Some(Credit::Ci);
        d.ended_by = Some(Credit::Person("U0ADMIN".into()));
        assert_eq!(
            credits(&d, &person),
            ["started by CI", "marked done by <U0ADMIN>"]
        );
        // Called off while deploying, then its pipeline reported how it really ended.
        d.ended_at = Some(DateTime::from_timestamp(120, 0).unwrap());
        assert_eq!(
            credits(&d, &person),
            [
                "started by CI",
                "called off by <U0ADMIN>",
                "then reported by CI"
            ]
        );
        // Called off by its requester (nobody else, so no `ended_by`): named all the same.
        d.ended_by = None;
        assert_eq!(
            credits(&d, &person),
            ["started by CI", "called off by <U1>", "then reported by CI"]
        );
    }

    #[test]
    fn credits_round_trip_as_stored() {
        for c in [Credit::Person("U0ADMIN".into()), Credit::Ci, Credit::Badger] {
            assert_eq!(Credit::parse(c.as_str()), c);
        }
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(chrono::Duration::seconds(12)), "12s");
        assert_eq!(format_duration(chrono::Duration::seconds(250)), "4m 10s");
        assert_eq!(format_duration(chrono::Duration::seconds(3900)), "1h 5m");
    }
}
