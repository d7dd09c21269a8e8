//! `/deploy status` as Slack text, rendered from the status board (`domain::board`), and
//! the one line on the deploy window that status and App Home start with.

use super::blocks::{self, Message};
use crate::domain::board::{Board, EnvBoard, WindowNow};
use crate::domain::deployment::State;
use crate::domain::text::{escape, mention};
use chrono_tz::Tz;

/// One line on the window: open until when, or closed until when.
pub fn window_line(w: &WindowNow, tz: Tz) -> String {
    let light = if w.is_open() {
        ":large_green_circle:"
    } else {
        ":red_circle:"
    };
    format!("{light} {}", w.describe(tz))
}

/// The status answer: the window, each environment (or only `env`), then the holds.
pub fn status(b: &Board, env: Option<&str>, tz: Tz) -> Message {
    let mut out = vec![window_line(&b.window, tz)];
    for e in b
        .environments
        .iter()
        .filter(|e| env.is_none_or(|n| n == e.name))
    {
        out.push(environment(e));
    }
    if b.holds.is_empty() {
        out.push("No holds.".into());
    } else {
        out.push(format!("*Holds* ({}):", b.holds.len()));
        for h in &b.holds {
            out.push(format!("• {}", blocks::hold_line(h, tz)));
        }
    }
    Message::lines(&out)
}

fn environment(e: &EnvBoard) -> String {
    let always = if e.always_open { " (always open)" } else { "" };
    let mut line = format!("*{}*{always}: ", escape(e.name));
    match e.active {
        Some(d) if d.state == State::Deploying => {
            line += &format!(
                "{} deploying {} `{}`",
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
    let queued: Vec<String> = e
        .queue
        .iter()
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
    if !queued.is_empty() {
        line += &format!("\n    queue: {}", queued.join("; "));
    }
    line
}
