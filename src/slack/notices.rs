//! The one renderer of what the services announce: a [`Notice`] (a value the outbox
//! stored) becomes Slack text and Block Kit when the worker delivers it. Deployment
//! messages reuse the builders in `blocks.rs`; the rest are worded here.

use super::blocks::{self, button, what, Message};
use super::refusals::Wording;
use super::versions_blocks::{home, Mine};
use crate::domain::deployment::Deployment;
use crate::domain::hold::Hold;
use crate::domain::notice::{ChecklistItem, Notice};
use crate::domain::text::{count, escape, mention};
use crate::domain::window::{format_local, next_opens};
use crate::service::Action;
use crate::store::Body;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Text and blocks of a message body: a notice rendered now, or what was rendered when
/// it was queued.
pub fn body(b: &Body) -> Message {
    match b {
        Body::Say { say } => render(say),
        Body::Rendered { text, blocks } => Message {
            text: text.clone(),
            blocks: blocks.clone(),
        },
    }
}

pub fn render(n: &Notice) -> Message {
    match n {
        Notice::StartAlert { deployment, by } => blocks::start_alert(deployment, by.as_ref()),
        Notice::StartAlertClosed { deployment } => blocks::start_alert_closed(deployment),
        Notice::EndAlert { deployment, by } => blocks::end_alert(deployment, by.as_ref()),
        Notice::ReportedUnpromoted {
            deployment,
            previous,
            check,
        } => Message::plain(super::refusals::reported_unpromoted(
            deployment, previous, check,
        )),
        Notice::ReportedAfterCallOff { deployment } => reported_after_call_off(deployment),
        Notice::YourTurn {
            deployment,
            timeout_minutes,
            window_closes,
            tz,
        } => {
            let closes = window_closes.zip(*tz).map(|(at, tz)| format_local(at, tz));
            blocks::your_turn(deployment, *timeout_minutes, closes.as_deref())
        }
        Notice::YourTurnClosed {
            deployment,
            outcome,
            by,
        } => blocks::your_turn_closed(deployment, outcome, by.as_deref()),
        Notice::TurnGivenToEmergency {
            deployment,
            emergency,
        } => Message::plain(format!(
            "{} turn for {}: an emergency ({}, *{}* `{}`) goes first; you keep your place at the front of the queue.",
            mention(&deployment.requester),
            what(deployment),
            mention(&emergency.requester),
            escape(&emergency.app),
            escape(&emergency.git_ref)
        )),
        Notice::TakenOutOfQueue { deployment, by } => Message::plain(format!(
            ":no_entry_sign: {} took {}'s {} (#{}) out of the queue.",
            mention(by),
            mention(&deployment.requester),
            what(deployment),
            deployment.id
        )),
        Notice::TurnExpired {
            deployment,
            deploy_command,
        } => blocks::turn_expired(deployment, deploy_command.as_deref()),
        Notice::WindowClosedExpired {
            deployment,
            next_opening,
            tz,
            deploy_command,
            closure,
            skipping,
        } => blocks::window_closed_expired(
            deployment,
            next_opening.map(|o| next_opens(o, skipping, *tz)),
            deploy_command.as_deref(),
            closure.as_ref(),
        ),
        Notice::ClosingReminder {
            deployment,
            closes,
            tz,
        } => blocks::closing_reminder(deployment, &format_local(*closes, *tz)),
        Notice::DeployingAfterClose {
            deployment,
            closed,
            at,
            deploy_command,
            tz,
        } => blocks::deploying_after_close(
            deployment,
            &format_local(*closed, *tz),
            *at,
            deploy_command,
        ),
        Notice::HeldTurn { deployment, hold } => blocks::held_turn(deployment, hold),
        Notice::PassedOver {
            deployment,
            refused,
            deploy_command,
            admins,
            tz,
            at,
        } => {
            let wording = Wording {
                deploy_command,
                admins,
                tz: *tz,
                now: *at,
            };
            blocks::passed_over(deployment, &super::refusals::refused(refused, &wording))
        }
        Notice::EnvironmentGone { deployment } => Message::plain(format!(
            ":wastebasket: {} *{}* is no longer one of badger's environments, so your place for {} has ended.",
            mention(&deployment.requester),
            escape(&deployment.environment),
            what(deployment)
        )),
        Notice::EmergencyQueued {
            deployment,
            position,
            active,
        } => emergency_queued(deployment, *position, active.as_deref()),
        Notice::DispatchFailed { deployment, why } => dispatch_failed(deployment, why),
        Notice::Checklist { deployment, items } => checklist(deployment, items),
        Notice::StayReminder {
            deployment_id,
            requester,
            deployment,
        } => stay_reminder(*deployment_id, requester, deployment.as_ref()),
        Notice::RunOverdue {
            deployment,
            run_url,
            minutes,
        } => run_overdue(deployment, run_url.as_deref(), *minutes),
        Notice::AllWell { deployment, by } => all_well(deployment, by),
        Notice::HoldPlaced {
            hold,
            hold_command,
            tz,
        } => hold_placed(hold, hold_command, *tz),
        Notice::HoldReleased {
            hold,
            by,
            at,
            hold_command,
            tz,
        } => hold_released(hold, by, *at, hold_command, *tz),
        Notice::HoldReleasedNote { hold, by } => {
            // Someone else's hold (an admin's release): its owner hears of it.
            let whose = if *by == hold.owner {
                String::new()
            } else {
                format!(", placed by {}", mention(&hold.owner))
            };
            Message::plain(format!(
                ":white_check_mark: {} released the hold on {} (#{}{whose}).",
                mention(by),
                escape(&hold.describe_scope()),
                hold.id
            ))
        }
        Notice::HoldLapsed {
            hold,
            hold_command,
            tz,
        } => hold_lapsed(hold, hold_command, *tz),
        Notice::HoldLapsedNote { hold, tz } => Message::plain(format!(
            ":white_check_mark: {}'s hold on {} (#{}) ended at its `--until` time, {}.",
            mention(&hold.owner),
            escape(&hold.describe_scope()),
            hold.id,
            hold.until_shown(*tz).unwrap_or_default()
        )),
        Notice::HoldOverdue {
            hold,
            hold_command,
            tz,
        } => hold_overdue(hold, hold_command, *tz),
        Notice::Home {
            view,
            live,
            recent,
            window,
            tz,
            dashboard,
        } => {
            let mine = Mine {
                live: live.clone(),
                recent: recent.clone(),
            };
            let window = super::status::window_line(window, *tz);
            Message {
                text: String::new(),
                blocks: home(view, &mine, &window, *tz, dashboard.as_deref()),
            }
        }
        Notice::SmokeReport { deployment, checks } => {
            super::smoke_report::report(deployment, checks)
        }
        Notice::Release { release } => super::release::release(release),
        Notice::NothingToCompare { app, env, to, from } => {
            super::release::nothing_to_compare(app, env, to, from.as_deref())
        }
        Notice::CompareFailed { to, from, why } => super::release::compare_failed(to, from, why),
    }
}

fn emergency_queued(d: &Deployment, position: usize, active: Option<&str>) -> Message {
    let next = match position {
        0 | 1 => " and goes next".to_owned(),
        n => format!(", number {n} in line (behind earlier emergencies)"),
    };
    let mut text = format!(
        ":rotating_light: *EMERGENCY* {} queued {}{next}. Reason: {}",
        mention(&d.requester),
        what(d),
        escape(d.emergency_reason.as_deref().unwrap_or(""))
    );
    if let Some(active) = active.filter(|a| *a != d.requester) {
        text += &format!(
            "\n{} an emergency is waiting behind you: please finish as soon as it is safe.",
            mention(active)
        );
    }
    Message::plain(text)
}

fn dispatch_failed(d: &Deployment, why: &str) -> Message {
    Message::plain(format!(
        ":x: {} I couldn't start the deploy workflow for {}: {}. I've marked it failed, so the environment is free; fix that and ask again.",
        mention(&d.requester),
        what(d),
        escape(why)
    ))
}

fn checklist(d: &Deployment, items: &[ChecklistItem]) -> Message {
    // A pipeline's own report names nobody ("ci" is no one to ask).
    let who = match d.from_ci() {
        true => "Now".to_owned(),
        false => format!("{} now", mention(&d.requester)),
    };
    let mut lines = vec![format!(
        ":clipboard: {who} check that {} is healthy:",
        what(d)
    )];
    lines.extend(
        items
            .iter()
            .map(|c| format!("• <{}|{}>", escape(&c.url), escape(&c.title))),
    );
    Message::lines(&lines)
}

fn stay_reminder(id: i64, requester: &str, d: Option<&Deployment>) -> Message {
    let what = d.map(what).unwrap_or_default();
    Message::plain(format!(
        ":eyes: {} it's been a while since {what} went out. Are errors, alerts and smoke tests quiet? Press *All is well* once you've checked.",
        mention(requester)
    ))
    .with_buttons(vec![button(
        Action::AllWell,
        "All is well",
        id,
        Some("primary"),
    )])
}

fn run_overdue(d: &Deployment, run_url: Option<&str>, minutes: i64) -> Message {
    let link = match run_url {
        Some(u) => format!("<{}|the workflow run>", escape(u)),
        None => "the workflow run (GitHub never listed it)".to_owned(),
    };
    Message::plain(format!(
        ":hourglass: {} {} has not reported back after {}. Check {link}, then tell me how it went.",
        mention(&d.requester),
        what(d),
        count(minutes, "minute"),
    ))
    .with_buttons(vec![
        button(Action::Done, "Done", d.id, Some("primary")),
        button(Action::Failed, "Failed", d.id, Some("danger")),
    ])
}

fn all_well(d: &Deployment, by: &str) -> Message {
    Message::plain(format!(
        ":white_check_mark: {} after the deploy: all is well, confirmed by {}.",
        what(d),
        mention(by)
    ))
}

fn hold_placed(h: &Hold, hold_command: &str, tz: Tz) -> Message {
    let until = h
        .until_shown(tz)
        .map(|u| format!("\nUntil: {u}"))
        .unwrap_or_default();
    let text = format!(
        ":octagonal_sign: {} is holding deployments of *{}*{}\nReason: {}{until}",
        mention(&h.owner),
        escape(if h.is_all() {
            "all applications"
        } else {
            &h.scope
        }),
        h.environment
            .as_ref()
            .map(|e| format!(" in *{}*", escape(e)))
            .unwrap_or_default(),
        escape(&h.reason),
    );
    Message::plain(text)
        .with_context(&format!(
            "Hold #{} · release with `{hold_command} release {}`",
            h.id, h.id
        ))
        .with_buttons(vec![button(
            Action::HoldRelease,
            "Release hold",
            h.id,
            None,
        )])
}

fn hold_released(h: &Hold, by: &str, at: DateTime<Utc>, hold_command: &str, tz: Tz) -> Message {
    let mut m = hold_placed(h, hold_command, tz);
    m.blocks.retain(|b| b["type"] != "actions");
    let released = format!(
        ":white_check_mark: Released by {} at {}",
        mention(by),
        format_local(at, tz)
    );
    // The plain-text fallback (notifications, screen readers) says so too.
    m.text = format!("{}\n{released}", m.text);
    m.with_context(&released)
}

fn hold_lapsed(h: &Hold, hold_command: &str, tz: Tz) -> Message {
    let mut m = hold_placed(h, hold_command, tz);
    m.blocks.retain(|b| b["type"] != "actions");
    let ended = ":white_check_mark: Ended at its `--until` time";
    m.text = format!("{}\n{ended}", m.text);
    m.with_context(ended)
}

fn hold_overdue(h: &Hold, hold_command: &str, tz: Tz) -> Message {
    Message::plain(format!(
        ":alarm_clock: {} your hold on {} (#{}) was meant to last until {}. Release it with `{hold_command} release {}` or the button on the hold message, if you're done.",
        mention(&h.owner),
        escape(&h.describe_scope()),
        h.id,
        h.until_shown(tz).unwrap_or_default(),
        h.id
    ))
}

/// CI's outcome of a deployment called off while deploying: recorded, and said.
fn reported_after_call_off(d: &Deployment) -> Message {
    use crate::domain::deployment::Credit;
    let by = match &d.ended_by {
        Some(Credit::Person(user)) => mention(user),
        Some(Credit::Ci) => "CI".to_owned(),
        Some(Credit::Badger) => "badger".to_owned(),
        None => mention(&d.requester),
    };
    let state = d.state.as_str();
    let versions = match d.state {
        crate::domain::deployment::State::Succeeded => ", so versions show it",
        _ => "",
    };
    let note = match d.outcome_note.as_deref() {
        Some(n) if !n.is_empty() => format!("\nNote: {}", escape(n)),
        _ => String::new(),
    };
    Message::plain(format!(
        ":information_source: CI reports #{} ({}) {state} after it was called off by {by}. badger records it as {state}{versions}.{note}",
        d.id,
        what(d)
    ))
}

#[cfg(test)]
#[path = "notices_tests/mod.rs"]
mod tests;
