//! The one place a use case's answer ([`Answer`], [`Reply`]) becomes the Slack message the
//! person sees; every Slack edge (HTTP, Socket Mode, the console) renders through here.
//! Refusals are worded in `denied.rs`.

use super::blocks::{button, what, Message};
use super::refusals::{self, Wording};
use crate::config::{Policy, WindowKind};
use crate::domain::deployment::{Deployment, State};
use crate::domain::queue::{InLine, NAMED_AHEAD};
use crate::domain::text::{escape, mention};
use crate::domain::window::format_local;
use crate::service::{board_of, Action, Answer, Core, Note, Outcome, Reply, Unknown};
use chrono::{DateTime, Utc};

/// What the wording needs besides the answer: the policy (commands, timezone, calendar),
/// the time, and the dashboard's address.
pub struct Say<'a> {
    pub policy: &'a Policy,
    pub now: DateTime<Utc>,
    pub dashboard_url: Option<&'a str>,
}

impl<'a> Say<'a> {
    pub fn of(core: &'a Core) -> Say<'a> {
        Say {
            policy: &core.policy,
            now: core.now(),
            dashboard_url: core.dashboard_url(),
        }
    }

    pub fn wording(&self) -> Wording<'a> {
        Wording {
            deploy_command: &self.policy.deploy_command,
            admins: &self.policy.admins,
            tz: self.policy.calendar.tz,
            now: self.now,
        }
    }
}

/// A slash command's answer, with where to look when typed outside the deploy channel.
pub fn reply(say: &Say, r: &Reply) -> Message {
    let m = answer(say, &r.answer);
    let Some(note) = &r.note else {
        return m;
    };
    let note = match note {
        Note::Follow { channel } => {
            format!("Follow it in <#{channel}>: starts and turns are announced there.")
        }
        Note::Announced { channel } => format!("Announced in <#{channel}>."),
    };
    let mut m = m.with_context(&note);
    m.text = format!("{}\n{note}", m.text);
    m
}

pub fn answer(say: &Say, a: &Answer) -> Message {
    let tz = say.policy.calendar.tz;
    match a {
        Answer::Started(d) => started_reply(d, &say.policy.deploy_command),
        Answer::Queued {
            deployment,
            position,
            ahead,
            total_ahead,
        } => queued_reply(deployment, *position, ahead, *total_ahead, closes_soon(say, deployment)),
        Answer::Finished {
            deployment: d,
            outcome,
        } => {
            let word = match outcome {
                Outcome::Succeeded => "succeeded",
                Outcome::Failed => "failed",
                Outcome::Cancelled => "cancelled",
            };
            Message::plain(format!("Marked {} (#{}) as {word}.", what(d), d.id))
        }
        Answer::CalledOff(d) => Message::plain(format!(
            "Called off {} (#{}); the channel has been told.",
            what(d),
            d.id
        )),
        Answer::LeftQueue(d) => Message::plain(format!(
            "You left the queue for {} (#{}).",
            what(d),
            d.id
        )),
        Answer::TookOutOfQueue(d) => Message::plain(format!(
            "You took {}'s {} (#{}) out of the queue; they have been told in the channel.",
            mention(&d.requester),
            what(d),
            d.id
        )),
        Answer::Status { snapshot, env } => super::status::status(
            &board_of(say.policy, snapshot, say.now),
            env.as_deref(),
            tz,
            say.dashboard_url,
        ),
        Answer::Versions { view, app, unknown } => {
            use super::versions_blocks::{one_app, overview};
            let Some(app) = app else {
                return overview(view, tz, say.dashboard_url);
            };
            match (view.app(app), unknown) {
                (Some(a), _) if !a.is_blank() => one_app(view, a, tz),
                (_, Some(unknown)) => unknown_app(say, app, unknown),
                _ => Message::plain(format!(
                    "Nothing of *{}* has been deployed yet.",
                    escape(app)
                )),
            }
        }
        Answer::History {
            app,
            env,
            deployments,
            more,
            unknown,
        } => super::history_blocks::history(
            say,
            &super::history_blocks::Found {
                app,
                env: env.as_deref(),
                deployments,
                more: *more,
                unknown: unknown.as_ref(),
            },
        ),
        Answer::Windows => super::status::windows(say.policy, say.now),
        Answer::DiffAsked {
            repo,
            to,
            from,
            env,
        } => Message::plain(format!(
            ":mag: Asking GitHub ({}) what `{}` adds over `{}`, which *{}* runs now; the answer follows here.",
            escape(repo),
            escape(to),
            escape(from),
            escape(env)
        )),
        Answer::NothingToCompare { app, env, to, from } => {
            super::release::nothing_to_compare(app, env, to, from.as_deref())
        }
        Answer::Help(text) => Message::plain(text.clone()),
        Answer::HoldPlaced(h, unknown) => {
            let hold = &say.policy.hold_command;
            let everywhere = if h.environment.is_none() {
                " in every environment"
            } else {
                ""
            };
            let envs: Vec<&str> = say.policy.environments.iter().map(|e| e.name.as_str()).collect();
            let slip = match crate::command::env_slip_in_reason(&h.reason, &envs) {
                Some((typed, env)) if h.environment.is_none() => format!(
                    "\nIts reason starts with `{}`, so it holds every environment. To hold only *{env}*, release it and type `{hold} {} {env} REASON...`.",
                    escape(&typed),
                    h.scope_word(),
                ),
                _ => String::new(),
            };
            // The exact end, whichever way `--until` was written (a date alone is its 00:00).
            let ends = h
                .until_shown(tz)
                .map_or(String::new(), |u| format!(" It ends at {u}."));
            let unknown = match unknown {
                Some(u) => format!(
                    "\n:grey_question: badger knows no app called *{}*: it was never deployed and the policy does not list it, so this hold holds nothing yet.{}",
                    escape(&h.scope),
                    u.closest
                        .as_ref()
                        .map_or(String::new(), |c| format!(" Did you mean *{}*?", escape(c)))
                ),
                None => String::new(),
            };
            Message::plain(format!(
                "Hold #{id} on {}{everywhere} is in place and in the channel topic.{ends} Release it with `{hold} release {id}`.{slip}{unknown}",
                escape(&h.describe_scope()),
                id = h.id
            ))
        }
        Answer::HoldUpdated(h) => Message::plain(format!(
            "You already held {}; I updated the reason of hold #{}.{}",
            escape(&h.describe_scope()),
            h.id,
            h.until_shown(tz)
                .map_or(String::new(), |u| format!(" It ends at {u}."))
        )),
        Answer::Holds(holds) if holds.is_empty() => Message::plain("No holds stand."),
        Answer::Holds(holds) => {
            let lines: Vec<String> = std::iter::once(format!("*Holds* ({}):", holds.len()))
                .chain(
                    holds
                        .iter()
                        .map(|h| format!("• {}", super::blocks::hold_line(h, tz))),
                )
                .collect();
            Message::lines(&lines)
        }
        Answer::HoldsReleased { released, standing } => {
            let ids: Vec<String> = released.iter().map(|id| format!("#{id}")).collect();
            let mut lines = vec![format!("Released hold {}.", ids.join(", "))];
            if !standing.is_empty() {
                lines.push(format!(
                    "Still standing ({}), held by others: their owner or an admin can release each with `{} release ID`.",
                    standing.len(),
                    say.policy.hold_command
                ));
                lines.extend(
                    standing
                        .iter()
                        .map(|h| format!("• {}", super::blocks::hold_line(h, tz))),
                );
            }
            Message::lines(&lines)
        }
        Answer::HoldReleased(h) => Message::plain(format!(
            "Released hold #{} on {}.",
            h.id,
            escape(&h.describe_scope())
        )),
        Answer::TurnPassedOn(r) => Message::plain(format!(
            "{}\nThe turn has passed to the next in line; you keep your place in the queue.",
            refusals::refused(r, &say.wording())
        )),
        Answer::SkippedAlone => Message::plain(
            "Nobody else was waiting, so you left the queue. Ask again when you're ready.",
        ),
        Answer::LetGoFirst { requester } => Message::plain(format!(
            "You let {} go first; you are next after them.",
            mention(requester)
        )),
    }
}

/// `ahead` is the first few in front (the active one first); `total_ahead` counts them all.
fn queued_reply(
    d: &Deployment,
    position: usize,
    ahead: &[InLine],
    total_ahead: usize,
    closes_soon: Option<String>,
) -> Message {
    let names: Vec<String> = ahead
        .iter()
        .take(NAMED_AHEAD)
        .map(|a| {
            let doing = match a.state {
                State::Deploying => "deploying",
                State::Called => "called",
                _ => "queued",
            };
            format!(
                "{} ({} `{}`, {doing})",
                mention(&a.requester),
                escape(&a.app),
                escape(&a.git_ref)
            )
        })
        .collect();
    let more = total_ahead.saturating_sub(names.len());
    let ahead_text = if names.is_empty() {
        String::new()
    } else if more > 0 {
        format!("\nAhead of you: {} and {more} more", names.join(", "))
    } else {
        format!("\nAhead of you: {}", names.join(", "))
    };
    let emergency = if d.is_emergency() {
        " (emergency: at the front)"
    } else {
        ""
    };
    Message::plain(format!(
        ":hourglass_flowing_sand: Queued {} (#{}): you are number {position} in line{emergency}. I'll call you when it's your turn.{}{ahead_text}",
        what(d),
        d.id,
        closes_soon.unwrap_or_default()
    ))
    .with_buttons(vec![button(Action::Cancel, "Leave the queue", d.id, None)])
}

/// How near the close a place in the queue is worth a warning.
const CLOSES_SOON_MINUTES: i64 = 60;

/// Queued in the window's last hour: a place not reached by the close lapses (the
/// scheduler's rule), so say when that is rather than let it come as a surprise.
fn closes_soon(say: &Say, d: &Deployment) -> Option<String> {
    let env = say.policy.env(&d.environment)?;
    if d.is_emergency() || env.window != WindowKind::OfficeHours {
        return None;
    }
    let closes = say.policy.calendar.closes_after(say.now)?;
    (closes - say.now <= chrono::Duration::minutes(CLOSES_SOON_MINUTES)).then(|| {
        format!(
            " The deploy window closes at {}: if your turn has not come by then, your place lapses.",
            format_local(closes, say.policy.calendar.tz)
        )
    })
}

fn started_reply(d: &Deployment, deploy: &str) -> Message {
    Message::plain(format!(
        ":rocket: You're deploying {} (#{}). I've announced it in the channel; press *Done* or *Failed* there, or type `{deploy} done` or `{deploy} failed`, when it's over.",
        what(d),
        d.id
    ))
}

#[cfg(test)]
#[path = "answers_queue_tests.rs"]
mod queue_tests;
#[cfg(test)]
#[path = "answers_tests.rs"]
mod tests;

/// An app badger never knew (never deployed, not in the policy), with the closest it
/// knows: `/deploy versions APP` and `/deploy history APP` say it alike.
pub(super) fn unknown_app(say: &Say, app: &str, unknown: &Unknown) -> Message {
    let guess = match &unknown.closest {
        Some(c) => format!(" Did you mean *{}*?", escape(c)),
        None => String::new(),
    };
    Message::plain(format!(
        "badger knows no app called *{}*: nothing of it was ever deployed, and the policy \
         does not list it.{guess} `{} versions` lists the apps it knows.",
        escape(app),
        say.policy.deploy_command
    ))
}
