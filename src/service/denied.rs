//! Why a use case changed nothing for the person who asked (typed values; Slack words
//! them in `crate::slack::denied`, the CI API by [`Denied::code`]). The admission rule's
//! refusals are `ServiceError::Refused`.

use crate::domain::deployment::{Deployment, State};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub enum Denied {
    /// The command is neither the deploy nor the hold command.
    UnknownCommand {
        name: String,
    },
    /// The command did not parse: the parser's message and the usage to show.
    Unparsed {
        message: String,
        usage: String,
    },
    /// Typed in a direct message with no deploy channel configured.
    NoDeployChannel,
    UnknownEnvironment {
        env: String,
    },
    /// The caller already waits (or deploys) with the same app and ref there.
    AlreadyQueued {
        mine: Box<Deployment>,
    },
    /// `/deploy done|failed` with nothing of theirs deploying.
    NothingInProgress,
    /// `/deploy done|failed` with more than one of theirs deploying (in several
    /// environments): which one is not guessed.
    SeveralInProgress {
        mine: Vec<Deployment>,
    },
    /// Someone else finished it first.
    AlreadyFinished,
    UnknownDeployment {
        id: i64,
    },
    /// A deployment someone else asked for, which only they or an admin may cancel.
    NotYoursToCancel {
        id: i64,
        requester: String,
    },
    /// `/deploy cancel` with nothing of theirs waiting.
    NotWaiting,
    /// The deployment changed state under the command.
    AlreadyMovedOn {
        id: i64,
    },
    /// Cancelling something no longer waiting (`state` says what became of it).
    AlreadyEnded {
        id: i64,
        state: State,
    },
    /// A button whose value is not a record id.
    BadButtonValue,
    /// A button badger does not know.
    UnknownButton {
        action_id: String,
    },
    /// The deployment a button names is gone.
    DeploymentGone {
        id: i64,
    },
    /// A button on someone else's deployment.
    NotYours {
        requester: String,
    },
    /// A button pressed after its deployment moved on.
    PressedTooLate {
        id: i64,
        state: State,
    },
    /// *Leave the queue* (an ephemeral's Cancel) pressed after the deployment started.
    StartedSinceQueued {
        id: i64,
    },
    /// `/deploy done ID` (or `failed ID`) on a deployment still waiting: nothing to finish.
    NotStartedYet {
        id: i64,
    },
    /// *Start* on a turn a standing hold gave back: it is called again once released.
    TurnHeld {
        id: i64,
        hold: i64,
        owner: String,
    },
    /// The deployment's environment is no longer configured.
    EnvironmentGone {
        env: String,
    },
    /// *Skip* with others waiting, none of whom may go now.
    TurnStays,
    HoldNotSaved,
    /// `/hold release APP|all` with nothing of that scope standing (`app` None: all).
    NoHoldOn {
        app: Option<String>,
    },
    /// Holds owned by others: (owner, hold id).
    NotHoldOwner {
        owners: Vec<(String, i64)>,
    },
    /// Every matching hold was released by someone else first.
    HoldsAlreadyReleased,
    /// No hold has this id.
    HoldNotStanding {
        id: i64,
    },
    /// A hold placed by someone else.
    NotYourHold {
        id: i64,
        owner: String,
    },
    /// A hold that no longer stands; `ended` says how, when its row says so.
    HoldAlreadyReleased {
        id: i64,
        ended: Option<HoldEnded>,
    },
    /// `/deploy diff` for an app with no GitHub repository configured.
    UnknownRepository {
        app: String,
    },
    /// *All is well* with no reminder to confirm.
    NoCheck {
        id: i64,
    },
    /// *All is well* already pressed (by `by`, if known).
    AlreadyConfirmed {
        id: i64,
        by: Option<String>,
    },
}

/// How a hold that no longer stands ended.
#[derive(Debug, Clone, PartialEq)]
pub enum HoldEnded {
    /// Released by a person (its owner or an admin) at `at`.
    Released { by: String, at: DateTime<Utc> },
    /// Ended by badger at its `--until` time.
    AtItsTime { until: DateTime<Utc> },
}

impl Denied {
    /// A stable code, for logs and the CI API (which words nothing of Slack's).
    pub fn code(&self) -> &'static str {
        match self {
            Denied::UnknownCommand { .. } => "unknown_command",
            Denied::Unparsed { .. } => "unparsed",
            Denied::NoDeployChannel => "no_deploy_channel",
            Denied::UnknownEnvironment { .. } => "unknown_environment",
            Denied::AlreadyQueued { .. } => "already_queued",
            Denied::NothingInProgress => "nothing_in_progress",
            Denied::SeveralInProgress { .. } => "several_in_progress",
            Denied::AlreadyFinished => "already_finished",
            Denied::UnknownDeployment { .. } => "unknown_deployment",
            Denied::NotYoursToCancel { .. } | Denied::NotYours { .. } => "not_yours",
            Denied::NotWaiting => "not_waiting",
            Denied::AlreadyMovedOn { .. }
            | Denied::AlreadyEnded { .. }
            | Denied::PressedTooLate { .. }
            | Denied::StartedSinceQueued { .. } => "already_moved_on",
            Denied::NotStartedYet { .. } => "not_started",
            Denied::TurnHeld { .. } => "held",
            Denied::BadButtonValue | Denied::UnknownButton { .. } => "unknown_button",
            Denied::DeploymentGone { .. } => "unknown_deployment",
            Denied::EnvironmentGone { .. } => "environment_gone",
            Denied::TurnStays => "turn_stays",
            Denied::HoldNotSaved => "hold_not_saved",
            Denied::NoHoldOn { .. } | Denied::HoldNotStanding { .. } => "no_such_hold",
            Denied::NotHoldOwner { .. } | Denied::NotYourHold { .. } => "not_your_hold",
            Denied::HoldsAlreadyReleased | Denied::HoldAlreadyReleased { .. } => "already_released",
            Denied::UnknownRepository { .. } => "unknown_repository",
            Denied::NoCheck { .. } => "no_check",
            Denied::AlreadyConfirmed { .. } => "already_confirmed",
        }
    }
}
