//! Read-only answers: status, windows (versions: `versions.rs`).

use super::{Core, Result};
use crate::config::WindowKind;
use crate::domain::deployment::State;
use crate::domain::text::{escape, mention};
use crate::domain::window::{format_local, ClosedReason};
use crate::slack::blocks::{self, Message};
use chrono::Duration;

impl Core {
    /// One line on the window: open until when, or closed until when.
    pub fn window_line(&self) -> String {
        let now = self.now();
        let cal = &self.policy.calendar;
        let tz = cal.tz;
        match cal.current(now) {
            Some(o) => format!(
                ":large_green_circle: The deploy window is open until {}.",
                format_local(o.closes, tz)
            ),
            None => match cal.next_opening(now) {
                Some(o) => format!(
                    ":red_circle: The deploy window is closed; it next opens {}.",
                    format_local(o.opens, tz)
                ),
                None => {
                    ":red_circle: The deploy window is closed with no opening scheduled.".into()
                }
            },
        }
    }

    pub async fn status(&self, env: Option<&str>) -> Result<Message> {
        let live = self.store.live_deployments(env).await?;
        let holds = self.store.active_holds().await?;
        let mut out = vec![self.window_line()];
        for e in self
            .policy
            .environments
            .iter()
            .filter(|e| env.is_none_or(|n| n == e.name.as_str()))
        {
            let name = e.name.as_str();
            let always = if e.window == WindowKind::Always {
                " (always open)"
            } else {
                ""
            };
            let mine: Vec<_> = live.iter().filter(|d| d.environment == name).collect();
            let mut line = format!("*{}*{always}: ", escape(name));
            match mine
                .iter()
                .find(|d| matches!(d.state, State::Deploying | State::Called))
            {
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
            let queued: Vec<String> = mine
                .iter()
                .filter(|d| d.state == State::Queued)
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
            out.push(line);
        }
        if holds.is_empty() {
            out.push("No holds.".into());
        } else {
            out.push(format!("*Holds* ({}):", holds.len()));
            for h in &holds {
                out.push(format!(
                    "• {}",
                    blocks::hold_line(h, self.policy.calendar.tz)
                ));
            }
        }
        Ok(Message::lines(&out))
    }

    pub fn windows(&self) -> Message {
        let now = self.now();
        let cal = &self.policy.calendar;
        let tz = cal.tz;
        let mut out = vec![self.window_line(), "*Next openings*:".to_owned()];
        for o in cal.openings(now, 5) {
            out.push(format!(
                "• {} – {}",
                format_local(o.opens, tz),
                format_local(o.closes, tz)
            ));
        }
        let today = now.with_timezone(&tz).date_naive();
        let closed = cal.closed_days(today, today + Duration::days(365));
        if closed.is_empty() {
            out.push("No bank holidays or closed days in the next twelve months.".into());
        } else {
            out.push("*Closed days in the next twelve months*:".into());
            for c in closed {
                let why = match c.reason {
                    ClosedReason::BankHoliday(name) => name.to_owned(),
                    // From the operator's file: escaped like any text badger did not write.
                    ClosedReason::Listed(title) => crate::domain::text::escape(&title),
                    ClosedReason::ClosedDate => "closed by policy".to_owned(),
                };
                out.push(format!("• {} — {}", c.date.format("%a %-d %b %Y"), why));
            }
        }
        let always: Vec<&str> = self
            .policy
            .environments
            .iter()
            .filter(|e| e.window == WindowKind::Always)
            .map(|e| e.name.as_str())
            .collect();
        if !always.is_empty() {
            out.push(format!("Always open: {}.", always.join(", ")));
        }
        Message::plain(out.join("\n"))
    }
}
