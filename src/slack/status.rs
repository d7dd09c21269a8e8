//! `/deploy status` as Slack text, rendered from the status board (`domain::board`), the
//! one line on the deploy window that status and App Home start with, and `/deploy
//! windows`.

use super::blocks::{self, Message};
use crate::domain::board::{Board, EnvBoard, WindowNow};
use crate::domain::deployment::{format_duration, State};
use crate::domain::text::{count, escape, mention};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// One line on the window: open until when, or closed until when.
pub fn window_line(w: &WindowNow, tz: Tz) -> String {
    let light = if w.is_open() {
        ":large_green_circle:"
    } else {
        ":red_circle:"
    };
    // A freeze's name is the operator's text: escaped like any text badger did not write.
    format!("{light} {}", escape(&w.describe(tz)))
}

/// How many queued entries an environment lists; the rest are counted and the dashboard
/// (which lists them all) is named, so a long queue never outgrows Slack's limits.
pub const QUEUE_SHOWN: usize = 10;

/// The status answer: the window, each environment (or only `env`), then the holds.
pub fn status(b: &Board, env: Option<&str>, tz: Tz, dashboard: Option<&str>) -> Message {
    let mut first = window_line(&b.window, tz);
    // Closed, but not everywhere: say at once where deploying goes on.
    let always: Vec<&str> = b
        .environments
        .iter()
        .filter(|e| e.always_open)
        .map(|e| e.name)
        .collect();
    if !b.window.is_open() && !always.is_empty() {
        first += &format!(" Always open: *{}*.", always.join("*, *"));
    }
    let mut out = vec![first];
    for e in b
        .environments
        .iter()
        .filter(|e| env.is_none_or(|n| n == e.name))
    {
        out.push(environment(e, b.now, dashboard));
    }
    // With an environment, the holds that bind there (its own and every environment's);
    // the others are counted, not hidden.
    let (here, elsewhere): (Vec<_>, Vec<_>) = b
        .holds
        .iter()
        .copied()
        .partition(|h| env.is_none_or(|n| h.environment.as_deref().is_none_or(|e| e == n)));
    if here.is_empty() {
        out.push(match env {
            Some(n) => format!("No holds on *{}*.", escape(n)),
            None => "No holds.".into(),
        });
    } else {
        out.push(format!("*Holds* ({}):", here.len()));
        for h in &here {
            out.push(format!("• {}", blocks::hold_line(h, tz)));
        }
    }
    if !elsewhere.is_empty() {
        out.push(format!(
            "{} in other environments: `status` without an environment lists them.",
            count(
                i64::try_from(elsewhere.len()).unwrap_or(i64::MAX),
                "more hold"
            )
        ));
    }
    Message::lines(&out)
}

fn environment(e: &EnvBoard, now: DateTime<Utc>, dashboard: Option<&str>) -> String {
    let always = if e.always_open { " (always open)" } else { "" };
    let mut line = format!("*{}*{always}: ", escape(e.name));
    match e.active {
        Some(d) if d.state == State::Deploying => {
            // How long: a deployment forgotten since yesterday shows as such.
            let running = d
                .started_at
                .map(|t| format!(" for {}", format_duration(now - t)))
                .unwrap_or_default();
            line += &format!(
                "{} deploying {} `{}`{running}",
                mention(&d.requester),
                escape(&d.app),
                escape(&d.git_ref)
            )
        }
        Some(d) => {
            line += &format!(
                "waiting for {} to start {} `{}`",
                mention(&d.requester),
                escape(&d.app),
                escape(&d.git_ref)
            )
        }
        None => line += "free",
    }
    let mut queued: Vec<String> = e
        .queue
        .iter()
        .take(QUEUE_SHOWN)
        .enumerate()
        .map(|(i, d)| {
            let em = if d.is_emergency() {
                " :rotating_light:"
            } else {
                ""
            };
            format!(
                "{}. {} {} `{}` (#{}){em}",
                i + 1,
                mention(&d.requester),
                escape(&d.app),
                escape(&d.git_ref),
                d.id
            )
        })
        .collect();
    let rest = e.queue.len().saturating_sub(QUEUE_SHOWN);
    if rest > 0 {
        let see = match dashboard {
            Some(url) => format!("see {}", super::blocks::dashboard_link(url)),
            None => "the dashboard lists them all".to_owned(),
        };
        queued.push(format!("+{rest} more queued ({see})"));
    }
    if !queued.is_empty() {
        line += &format!("\n    queue: {}", queued.join("; "));
    }
    line
}

/// `/deploy windows`: the window now, the next openings, the closed days of the next
/// twelve months and the environments that are always open.
pub fn windows(policy: &crate::config::Policy, now: chrono::DateTime<chrono::Utc>) -> Message {
    use crate::domain::window::format_local;
    let cal = &policy.calendar;
    let tz = cal.tz;
    let mut out = vec![
        window_line(&WindowNow::at(cal, now), tz),
        "*Next openings*:".to_owned(),
    ];
    for o in cal.openings(now, 5) {
        out.push(format!(
            "• {} – {}",
            format_local(o.opens, tz),
            format_local(o.closes, tz)
        ));
    }
    let today = now.with_timezone(&tz).date_naive();
    let closed = cal.closed_days(today, today + chrono::Duration::days(365));
    if closed.is_empty() {
        out.push("No bank holidays or closed days in the next twelve months.".into());
    } else {
        out.push("*Closed days in the next twelve months*:".into());
        for c in closed {
            // A file's title or a freeze's name: escaped like any text badger did not write.
            let why = escape(c.reason.name());
            out.push(format!("• {} — {}", c.date.format("%a %-d %b %Y"), why));
        }
    }
    let always: Vec<&str> = policy
        .environments
        .iter()
        .filter(|e| e.window == crate::config::WindowKind::Always)
        .map(|e| e.name.as_str())
        .collect();
    if !always.is_empty() {
        out.push(format!("Always open: {}.", always.join(", ")));
    }
    Message::plain(out.join("\n"))
}

#[cfg(test)]
#[path = "freeze_ahead_tests.rs"]
mod freeze_ahead_tests;
