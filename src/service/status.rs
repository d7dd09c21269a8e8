//! Read-only answers: status (from the status board, `board_cache.rs`), windows (versions:
//! `versions.rs`).

use super::{Core, Result};
use crate::config::WindowKind;
use crate::domain::board::WindowNow;
use crate::domain::window::{format_local, ClosedReason};
use crate::slack::blocks::Message;
use chrono::Duration;

impl Core {
    /// One line on the window: open until when, or closed until when.
    pub fn window_line(&self) -> String {
        let w = WindowNow::at(&self.policy.calendar, self.now());
        crate::slack::status::window_line(&w, self.policy.calendar.tz)
    }

    /// `/deploy status [ENV]`, from the status snapshot (no query while it is fresh).
    pub async fn status(&self, env: Option<&str>) -> Result<Message> {
        let snapshot = self.snapshot().await?;
        let board = self.board(&snapshot);
        Ok(crate::slack::status::status(
            &board,
            env,
            self.policy.calendar.tz,
        ))
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
