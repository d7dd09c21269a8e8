//! What a use case answers the person who typed a command or pressed a button: typed
//! values, worded for Slack in one place (`crate::slack::answers`).

use super::queue::Outcome;
use super::Snapshot;
use crate::domain::admission::Refused;
use crate::domain::deployment::Deployment;
use crate::domain::hold::Hold;
use crate::domain::queue::InLine;
use crate::domain::versions::VersionsView;
use std::sync::Arc;

/// A use case's answer (its refusals are [`super::Denied`]).
#[derive(Debug, Clone)]
pub enum Answer {
    /// The request started at once.
    Started(Deployment),
    /// The request queued: `ahead` is the first few in front (the active one first),
    /// `total_ahead` counts them all.
    Queued {
        deployment: Deployment,
        position: usize,
        ahead: Vec<InLine>,
        total_ahead: usize,
    },
    /// `/deploy done` or `failed` marked the caller's deployment.
    Finished {
        deployment: Deployment,
        outcome: Outcome,
    },
    /// A started deployment was called off (announced in the channel).
    CalledOff(Deployment),
    /// A waiting deployment left its queue.
    LeftQueue(Deployment),
    /// Someone else's waiting deployment taken out of its queue (by an admin); its
    /// requester was told in the channel.
    TookOutOfQueue(Deployment),
    /// `/deploy status [ENV]` from the status snapshot.
    Status {
        snapshot: Arc<Snapshot>,
        env: Option<String>,
    },
    /// `/deploy versions [APP]`; for an APP badger does not know ([`super::Core::knows_app`]),
    /// `unknown` holds the closest app it knows, if one is close (a typo is not "nothing
    /// deployed yet").
    Versions {
        view: VersionsView,
        app: Option<String>,
        unknown: Option<Unknown>,
    },
    /// `/deploy history APP [ENV]`: its latest finished deployments (in `env` only),
    /// newest first; `more`: older ones exist; `unknown`: badger knows no such app (asked
    /// only when there are none), said as `/deploy versions` says it, with the closest.
    History {
        app: String,
        env: Option<String>,
        deployments: Vec<Deployment>,
        more: bool,
        unknown: Option<Unknown>,
    },
    /// `/deploy windows`: the policy's calendar as of now.
    Windows,
    /// `/deploy diff`: the GitHub worker was asked; its answer follows.
    DiffAsked {
        repo: String,
        to: String,
        from: String,
        env: String,
    },
    /// `/deploy diff` with nothing to compare (nothing deployed, or the same ref).
    NothingToCompare {
        app: String,
        env: String,
        to: String,
        from: Option<String>,
    },
    /// A command's help (the parser words it).
    Help(String),
    /// With `Some` when it holds one app badger does not know (a typo holds nothing).
    HoldPlaced(Hold, Option<Unknown>),
    /// The caller already held that scope: the reason was updated.
    HoldUpdated(Hold),
    /// The standing holds.
    Holds(Vec<Hold>),
    /// `/hold release APP|all`: the ids released, and the matching holds left standing
    /// (others' holds, when the caller released their own).
    HoldsReleased {
        released: Vec<i64>,
        standing: Vec<Hold>,
    },
    HoldReleased(Hold),
    /// *Start* pressed when the rule no longer lets the turn start: it passed on.
    TurnPassedOn(Refused),
    /// *Skip* with nobody else waiting: the presser left the queue.
    SkippedAlone,
    /// *Skip*: `requester` goes first.
    LetGoFirst {
        requester: String,
    },
}

/// An app name badger does not know, asked about: the closest one it knows, if any is close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub closest: Option<String>,
}

/// A command typed outside the deploy channel: where its announcements are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Announced there now.
    Announced { channel: String },
    /// Starts and turns will be announced there.
    Follow { channel: String },
}

/// A slash command's answer and, typed elsewhere than the deploy channel, where to look.
#[derive(Debug, Clone)]
pub struct Reply {
    pub answer: Answer,
    pub note: Option<Note>,
}
