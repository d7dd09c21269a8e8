//! What badger announces in Slack, as values: the outbox stores a `Notice` and the Slack
//! edge (`slack::notices`) renders it when it delivers, so a row queued before an upgrade
//! and one queued after it look alike.
//!
//! Stored in the database as JSON tagged by `notice`: a variant's name and fields are its
//! stored shape. Add variants or optional fields (`#[serde(default)]`); never rename or
//! remove one a waiting row may hold. The same goes for the fields of the `Deployment` and
//! `Hold` snapshots carried here.

use super::admission::Refused;
use super::board::WindowNow;
pub use super::deployment::Credit;
use super::deployment::Deployment;
use super::hold::Hold;
use super::promotion::PromotionCheck;
use super::release::ReleaseSummary;
use super::versions::VersionsView;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

// Built once per message and boxed in the outbox's `Body`: the variants' sizes matter not.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    /// A deployment started (with its buttons while it runs); `by` who started it, when
    /// not its requester.
    StartAlert {
        deployment: Deployment,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Credit>,
    },
    /// The start alert once the deployment has ended: same words (who started it, from
    /// `deployment.started_by`), no buttons.
    StartAlertClosed { deployment: Deployment },
    /// A deployment ended, with its outcome; `by` who ended it, when not its requester.
    EndAlert {
        deployment: Deployment,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Credit>,
    },
    /// CI reported `deployment` already finished, though the promotion rule would not have
    /// let it start: `previous` is the environment it skipped, `check` what the rule read
    /// there.
    ReportedUnpromoted {
        deployment: Deployment,
        previous: String,
        check: PromotionCheck,
    },
    /// CI reported how the run of `deployment` really ended (its state now) after it was
    /// called off while deploying (`ended_by` who called it off; none: its requester).
    ReportedAfterCallOff { deployment: Deployment },
    /// The one in line is called, and has `timeout_minutes` to press Start, or until
    /// `window_closes` (shown in `tz`) when the deploy window closes sooner.
    YourTurn {
        deployment: Deployment,
        timeout_minutes: i64,
        #[serde(default)]
        window_closes: Option<DateTime<Utc>>,
        #[serde(default)]
        tz: Option<Tz>,
    },
    /// The your-turn call is over; `outcome` says how ("started", "turn expired", ...),
    /// and `by` who did it when a person did ("cancelled" by an admin).
    YourTurnClosed {
        deployment: Deployment,
        outcome: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// The your-turn call is over because `emergency` took the turn before it was started:
    /// the called one waits again at the front, next after the emergency.
    TurnGivenToEmergency {
        deployment: Deployment,
        emergency: Deployment,
    },
    /// Someone other than its requester (an admin) took a waiting deployment out of its
    /// queue: the requester is told who.
    TakenOutOfQueue { deployment: Deployment, by: String },
    /// The called one never pressed Start. `deploy_command` (the policy's, when queued;
    /// none in rows queued before it was recorded) spells out how to queue again.
    TurnExpired {
        deployment: Deployment,
        #[serde(default)]
        deploy_command: Option<String>,
    },
    /// The deploy window closed on a waiting deployment; `deploy_command` as above.
    WindowClosedExpired {
        deployment: Deployment,
        next_opening: Option<DateTime<Utc>>,
        tz: Tz,
        #[serde(default)]
        deploy_command: Option<String>,
        /// What keeps the window shut, when that has a name (a freeze, a bank holiday).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        closure: Option<super::window::Closure>,
        /// What the next opening skips besides `closure` (none in rows from before it).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skipping: Vec<super::window::Skipped>,
    },
    /// Someone is still deploying when the window is about to close.
    ClosingReminder {
        deployment: Deployment,
        closes: DateTime<Utc>,
        tz: Tz,
    },
    /// The deploy window closed (at `closed`) on someone still deploying, who is told once,
    /// at `at`, to end it with the deploy command: their environment is blocked until then.
    DeployingAfterClose {
        deployment: Deployment,
        closed: DateTime<Utc>,
        at: DateTime<Utc>,
        deploy_command: String,
        tz: Tz,
    },
    /// A hold skips this deployment's turn; it keeps its place.
    HeldTurn { deployment: Deployment, hold: Hold },
    /// The turn passed it by for something other than a hold (`refused` says why), worded
    /// with the deploy command, admins and time zone as they were at `at`.
    PassedOver {
        deployment: Deployment,
        refused: Refused,
        deploy_command: String,
        admins: Vec<String>,
        tz: Tz,
        at: DateTime<Utc>,
    },
    /// A waiting deployment ended because its environment is no longer in the policy.
    EnvironmentGone { deployment: Deployment },
    /// An emergency queued behind whoever is deploying.
    EmergencyQueued {
        deployment: Deployment,
        /// Its place in line (1 = next); 0 in rows queued before this was recorded.
        #[serde(default)]
        position: usize,
        /// Who holds the environment (called or deploying), told an emergency waits.
        #[serde(default)]
        active: Option<String>,
    },
    /// GitHub would not start the deploy workflow (`why` is GitHub's answer).
    DispatchFailed { deployment: Deployment, why: String },
    /// The environment's checklist after a success.
    Checklist {
        deployment: Deployment,
        items: Vec<ChecklistItem>,
    },
    /// "Stay around": is all quiet after the deploy? (`deployment` may be gone.)
    StayReminder {
        deployment_id: i64,
        requester: String,
        deployment: Option<Deployment>,
    },
    /// A triggered run has not reported back after `minutes`.
    RunOverdue {
        deployment: Deployment,
        run_url: Option<String>,
        minutes: i64,
    },
    /// The stay-around reminder, once someone confirmed all is well.
    AllWell { deployment: Deployment, by: String },
    /// A hold is placed (or its reason updated).
    HoldPlaced {
        hold: Hold,
        hold_command: String,
        tz: Tz,
    },
    /// The hold's announcement once released.
    HoldReleased {
        hold: Hold,
        by: String,
        at: DateTime<Utc>,
        hold_command: String,
        tz: Tz,
    },
    /// The channel is told a hold was released.
    HoldReleasedNote { hold: Hold, by: String },
    /// A hold ended at its `--until` time: its announcement, updated (no button).
    HoldLapsed {
        hold: Hold,
        hold_command: String,
        tz: Tz,
    },
    /// The channel is told a hold ended at its `--until` time.
    HoldLapsedNote { hold: Hold, tz: Tz },
    /// An `--until` hold outlived its time; its owner is reminded. (Sent by earlier
    /// versions, which left such holds standing; kept so their queued notices render.)
    HoldOverdue {
        hold: Hold,
        hold_command: String,
        tz: Tz,
    },
    /// A person's App Home tab: their live and recent deployments, the window, and every
    /// app's versions.
    Home {
        view: VersionsView,
        live: Vec<Deployment>,
        recent: Vec<Deployment>,
        window: WindowNow,
        tz: Tz,
        dashboard: Option<String>,
    },
    /// How a deployment's smoke checks went, in its end alert's thread.
    SmokeReport {
        deployment: Deployment,
        checks: Vec<CheckedUrl>,
    },
    /// What a release adds over what its environment runs, from GitHub.
    Release { release: ReleaseSummary },
    /// Nothing to compare `to` with (`from` none: nothing recorded in `env`), or `to` is
    /// what `env` runs already.
    NothingToCompare {
        app: String,
        env: String,
        to: String,
        from: Option<String>,
    },
    /// GitHub could not say what `to` adds over `from`; `why` is for people.
    CompareFailed {
        to: String,
        from: String,
        why: String,
    },
}

/// One smoke-checked URL and how it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedUrl {
    pub url: String,
    pub passed: bool,
    /// What it answered ("HTTP 500", "no answer within 10 s", ...).
    pub detail: String,
    pub attempts: i64,
}

/// One line of an environment's after-deploy checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub title: String,
    pub url: String,
}
