//! Snapshots of every notice as Slack shows it (text, then each block in brief), and the
//! outbox's stored shapes of a notice and of an old rendered row. This module holds the
//! deployment, hold and rendering the tests share.

use super::*;
use crate::domain::deployment::State;
use chrono::TimeZone;
use serde_json::Value;

mod deployments;
mod holds;
mod home;
mod release;
mod reported_after_call_off;
mod stored;

const TZ: Tz = chrono_tz::Europe::London;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap()
}

/// Alice deploying whitehall `release_1` to production (#7) since 10:00.
fn deployment() -> Deployment {
    Deployment {
        git_ref: "release_1".into(),
        requester: "U0ALICE".into(),
        channel: "C0DEPLOY".into(),
        state: State::Deploying,
        queue_key: 1,
        requested_at: at(9, 50),
        called_at: Some(at(9, 55)),
        started_at: Some(at(10, 0)),
        ..crate::domain::deployment::sample(7, "whitehall", "production")
    }
}

fn finished(state: State, note: Option<&str>) -> Deployment {
    Deployment {
        state,
        finished_at: Some(at(10, 12)),
        outcome_note: note.map(str::to_owned),
        ..deployment()
    }
}

fn hold() -> Hold {
    Hold {
        id: 3,
        scope: "whitehall".into(),
        environment: Some("production".into()),
        reason: "incident <!channel> review".into(),
        owner: "U0BOB".into(),
        channel: "C0DEPLOY".into(),
        until: Some(at(16, 0)),
        created_at: at(9, 0),
        updated_at: at(9, 0),
        updated_by: "U0BOB".into(),
        released_at: None,
        released_by: None,
        reminded_at: None,
    }
}

/// The text, then one line per block: its type and what it shows.
fn shown(n: Notice) -> String {
    let m = render(&n);
    let mut out = m.text.clone();
    for b in &m.blocks {
        let line = match b["type"].as_str() {
            Some("section") if b["text"]["text"] == m.text.as_str() => {
                "[section: the text]".to_owned()
            }
            Some("actions") => {
                let buttons: Vec<String> = b["elements"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        let style = e["style"]
                            .as_str()
                            .map(|s| format!(" {s}"))
                            .unwrap_or_default();
                        format!(
                            "{}={}{style}",
                            e["action_id"].as_str().unwrap_or(""),
                            e["value"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                format!("[actions: {}]", buttons.join(", "))
            }
            Some(kind) => format!("[{kind}: {}]", block_text(b)),
            None => format!("[?: {b}]"),
        };
        out.push('\n');
        out.push_str(&line);
    }
    out
}

fn block_text(b: &Value) -> String {
    b["text"]["text"]
        .as_str()
        .or_else(|| b["elements"][0]["text"].as_str())
        .unwrap_or("")
        .to_owned()
}
