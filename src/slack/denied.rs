//! How a use case's refusal ([`Denied`], the admission rule's `Refused`) and its failures
//! read in Slack: the one place their words live.

use super::answers::Say;
use super::blocks::{what, Message};
use crate::domain::deployment::State;
use crate::domain::text::{escape, mention};
use crate::domain::window::format_local;
use crate::service::{Core, Denied, HoldEnded, ServiceError};

/// What a failed use case tells the person; internal errors are logged and counted here,
/// and the person gets an apology that says nothing changed, or, when the connection was
/// lost during the COMMIT, that it may or may not have been saved.
pub fn failure(core: &Core, e: ServiceError) -> Message {
    if let ServiceError::Internal(err) = &e {
        core.metrics.internal_errors.inc();
        if err.is_commit_unknown() {
            tracing::warn!(error = %err, "the database connection was lost during a commit: the person is told it may or may not have been saved");
        } else if err.is_unavailable() {
            tracing::error!(error = %err, "the database is unavailable");
        } else {
            tracing::error!(error = %err, "internal error handling a Slack request");
        }
    }
    failure_message(&Say::of(core), &e)
}

/// [`failure`]'s words.
pub fn failure_message(say: &Say, e: &ServiceError) -> Message {
    Message::plain(match e {
        ServiceError::Denied(d) => denied(say, d),
        ServiceError::Refused(r) => super::refusals::refused(r, &say.wording()),
        ServiceError::Internal(e) if e.is_commit_unknown() => format!(
            ":warning: badger lost its database connection while saving this, so it may or may not have been saved. Check `{} status` (or the channel) before trying again.",
            say.policy.deploy_command
        ),
        ServiceError::Internal(e) if e.is_unavailable() => ":warning: badger can't reach its database right now, so nothing was changed. Please try again in a minute.".into(),
        ServiceError::Internal(_) => ":warning: Sorry, badger hit an internal error and changed nothing. Please try again in a moment.".into(),
    })
}

pub fn denied(say: &Say, d: &Denied) -> String {
    let deploy = &say.policy.deploy_command;
    let hold = &say.policy.hold_command;
    match d {
        Denied::UnknownCommand { name } => format!(
            "badger doesn't know the command `{}`; it answers `{deploy}` and `{hold}`.",
            escape(name)
        ),
        // Parse errors quote what the person typed, so they are escaped like any user text.
        Denied::Unparsed { message, usage } => {
            format!(":warning: {}\n```{}```", escape(message), escape(usage))
        }
        Denied::NoDeployChannel => format!(
            "badger has no deploy channel configured (`channel` in the policy file), so it announces in the channel where a command is typed, and this is a direct message. Type this in your deploy channel, or ask an operator to set `channel`. (`{deploy} status` and `{hold} list` work anywhere.)"
        ),
        Denied::UnknownEnvironment { env } => {
            format!("There is no environment called {}.", escape(env))
        }
        // Deploying, it can no longer leave the queue: it is finished instead.
        Denied::AlreadyQueued { mine } if mine.state == State::Deploying => format!(
            "You already have {} (#{}, deploying). When it ends, press *Done* or *Failed* on its start alert, or say `{deploy} done` or `{deploy} failed`.",
            what(mine),
            mine.id,
        ),
        Denied::AlreadyQueued { mine } => format!(
            "You already have {} (#{}, {}). Use `{deploy} cancel {}` to leave the queue.",
            what(mine),
            mine.id,
            mine.state.as_str(),
            mine.id
        ),
        Denied::NothingInProgress => format!(
            "You have no deployment in progress. `{deploy} status` shows what is deploying."
        ),
        Denied::SeveralInProgress { mine } => {
            let which: Vec<String> = mine
                .iter()
                .map(|d| format!("{} (#{})", super::blocks::what(d), d.id))
                .collect();
            format!(
                "You have {} deployments in progress: {}. Press *Done* or *Failed* on the start alert of the one you mean; nothing was changed.",
                mine.len(),
                which.join(", ")
            )
        }
        Denied::AlreadyFinished => "That deployment has already finished.".into(),
        Denied::UnknownDeployment { id } => format!("There is no deployment #{id}."),
        Denied::NotYoursToCancel { id, requester } => format!(
            "#{id} is {}'s deployment; only they or an admin can cancel it.",
            mention(requester)
        ),
        Denied::NotWaiting => "You are not waiting in any queue.".into(),
        Denied::AlreadyMovedOn { id } => format!("#{id} has already moved on."),
        Denied::AlreadyEnded { id, state } => format!("#{id} has already {}.", past(*state)),
        Denied::BadButtonValue => {
            "That button is not one badger understands (its value is not a record id).".into()
        }
        Denied::UnknownButton { action_id } => format!(
            "That button ({}) is not one badger knows.",
            escape(action_id)
        ),
        Denied::DeploymentGone { id } => format!("Deployment #{id} no longer exists."),
        Denied::NotYours { requester } => format!(
            "Only {} (who asked for this deployment) or an admin can press that. Nothing was changed.",
            mention(requester)
        ),
        // A turn given back (to an emergency, or paused by a hold): its old message's
        // buttons no longer act, and the turn comes again.
        Denied::PressedTooLate {
            id,
            state: State::Queued,
        } => format!(
            "#{id} is waiting in the queue again: its turn was given back, and you keep your place and are called again when it comes; nothing was changed."
        ),
        Denied::PressedTooLate { id, state } => format!(
            "#{id} has already {}; nothing was changed.",
            past(*state)
        ),
        Denied::NotStartedYet { id } => format!(
            "#{id} has not started yet, so there is nothing to finish; nothing was changed. `{deploy} cancel {id}` takes it out of the queue."
        ),
        Denied::StartedSinceQueued { id } => format!(
            "#{id} has started, so it can't leave the queue: finish it with *Done* or *Failed* on its start alert, or `{deploy} done` / `{deploy} failed`. Nothing was changed."
        ),
        Denied::TurnHeld { id, hold, owner } => format!(
            "#{id}'s turn is paused by {}'s hold #{hold}; it keeps its place and will be called again when the hold is released. Nothing was changed.",
            mention(owner)
        ),
        Denied::EnvironmentGone { env } => format!(
            "{} is no longer configured, so this turn can't start.",
            escape(env)
        ),
        Denied::TurnStays => "Nobody else in the queue can go now, so your turn stays yours. Press *Start* when you're ready, or cancel.".into(),
        Denied::HoldNotSaved => "The hold could not be saved; please try again.".into(),
        Denied::NoHoldOn { app } => format!(
            "No hold on {} stands. `{hold} list` shows the holds.",
            app.as_deref().map_or_else(|| "all applications".into(), escape)
        ),
        Denied::NotHoldOwner { owners } => {
            let owners: Vec<String> = owners
                .iter()
                .map(|(owner, id)| format!("{} (#{id})", mention(owner)))
                .collect();
            format!(
                "Only the owner of a hold or an admin can release it. This one is held by {}. Nothing was changed.",
                owners.join(", ")
            )
        }
        Denied::HoldsAlreadyReleased => {
            "Those holds were already released; nothing was changed.".into()
        }
        Denied::HoldNotStanding { id } => format!(
            "There is no hold #{id}; nothing was changed. `{hold} list` shows the holds."
        ),
        Denied::NotYourHold { id, owner } => format!(
            "Only {} (who placed hold #{id}) or an admin can release it. Nothing was changed.",
            mention(owner)
        ),
        Denied::HoldAlreadyReleased { id, ended } => {
            let tz = say.policy.calendar.tz;
            let how = match ended {
                Some(HoldEnded::Released { by, at }) => format!(
                    "was already released by {} at {}",
                    mention(by),
                    format_local(*at, tz)
                ),
                Some(HoldEnded::AtItsTime { until }) => format!(
                    "already ended at its `--until` time, {}",
                    format_local(*until, tz)
                ),
                None => "was already released".into(),
            };
            format!("Hold #{id} {how}. Nothing was changed.")
        }
        Denied::UnknownRepository { app } => format!(
            "badger doesn't know *{}*'s GitHub repository (`[github.repos]` in the policy file), so it can't compare refs.",
            escape(app)
        ),
        Denied::NoCheck { id } => format!("#{id} has no check to confirm."),
        Denied::AlreadyConfirmed { id, by } => format!(
            "#{id} was already confirmed by {}; nothing was changed.",
            by.as_deref().map(mention).unwrap_or_default()
        ),
    }
}

/// What became of a deployment, after "has already".
pub fn past(s: State) -> &'static str {
    match s {
        State::Succeeded => "succeeded",
        State::Failed => "failed",
        State::Cancelled => "been cancelled",
        State::Expired => "expired",
        State::Deploying => "started",
        State::Called => "been called",
        State::Queued => "been queued",
    }
}

#[cfg(test)]
#[path = "denied_tests.rs"]
mod tests;
