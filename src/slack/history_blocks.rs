//! `/deploy history APP [ENV]` in Slack: one line per finished deployment, newest first
//! (how it went, the ref, where, how long, when, who asked and who else started or ended
//! it, an emergency's reason, the notes), within one message's limits. What is left out,
//! older deployments or lines past those limits, is said, with where to see it: never cut.

use super::answers::Say;
use super::blocks::{section, Message};
use super::fit::{pack, MESSAGE_BLOCKS, MESSAGE_TEXT};
use crate::domain::deployment::{credits, format_duration, Deployment, State};
use crate::domain::text::{escape, mention};
use crate::domain::window::format_local_from;
use crate::service::Unknown;

/// Room kept for the closing "+ more" line.
const FOOTER_ROOM: usize = 1_000;

/// What `/deploy history` found: `more` when older finished deployments exist, `unknown`
/// when badger knows no such app (said when there are none).
pub struct Found<'a> {
    pub app: &'a str,
    pub env: Option<&'a str>,
    pub deployments: &'a [Deployment],
    pub more: bool,
    pub unknown: Option<&'a Unknown>,
}

/// The answer to `/deploy history APP [ENV]`.
pub fn history(say: &Say, f: &Found) -> Message {
    let app = escape(f.app);
    let in_env = f
        .env
        .map(|e| format!(" in *{}*", escape(e)))
        .unwrap_or_default();
    if f.deployments.is_empty() {
        return match f.unknown {
            Some(unknown) => super::answers::unknown_app(say, f.app, unknown),
            None => Message::plain(format!("No finished deployments of *{app}*{in_env} yet.")),
        };
    }
    let last = match f.deployments.len() {
        1 => "the last finished deployment".to_owned(),
        n => format!("the last {n} finished deployments, newest first"),
    };
    let mut lines = vec![format!("*{app}*{in_env}: {last}.")];
    lines.extend(f.deployments.iter().map(|d| line(say, d)));
    let packed = pack(&lines, MESSAGE_BLOCKS - 1, MESSAGE_TEXT - FOOTER_ROOM);
    let cut = lines.len() - packed.shown;
    let mut m = Message {
        text: packed.text.join("\n"),
        blocks: packed.sections,
    };
    if let Some(more) = footer(f, cut, say.dashboard_url) {
        m.blocks.push(section(&more));
        m.text = format!("{}\n{more}", m.text);
    }
    m
}

/// "• :white_check_mark: `release_42` to *production*: succeeded in 4m 10s, Tue 24 Nov
/// 10:05 GMT, asked by <@U0ALICE> (#12); started by <@U0ADMIN>, marked done by <@U0ADMIN>",
/// then an emergency's reason and the notes, each escaped.
fn line(say: &Say, d: &Deployment) -> String {
    let (icon, outcome) = match d.state {
        State::Succeeded => (":white_check_mark:", "succeeded"),
        State::Failed => (":x:", "failed"),
        State::Cancelled if d.started_at.is_some() => (":no_entry_sign:", "called off"),
        State::Cancelled => (":no_entry_sign:", "cancelled before it started"),
        State::Expired => (":hourglass:", "expired before it started"),
        _ => (":grey_question:", d.state.as_str()),
    };
    let took = d
        .duration()
        .map(|t| format!(" in {}", format_duration(t)))
        .unwrap_or_default();
    let when = d.finished_at.or(d.ended_at).unwrap_or(d.requested_at);
    let when = format_local_from(when, say.policy.calendar.tz, say.now);
    let mut line = format!(
        "• {icon} `{}` to *{}*: {outcome}{took}, {when}, asked by {} (#{})",
        escape(&d.git_ref),
        escape(&d.environment),
        mention(&d.requester),
        d.id
    );
    let credits = credits(d, &|user: &str| mention(user));
    if !credits.is_empty() {
        line += &format!("; {}", credits.join(", "));
    }
    if let Some(reason) = &d.emergency_reason {
        line += &format!(" · :rotating_light: *emergency*: {}", escape(reason));
    }
    if let Some(note) = d.note.as_deref().filter(|n| !n.is_empty()) {
        line += &format!(" · note: {}", escape(note));
    }
    if let Some(note) = d.outcome_note.as_deref().filter(|n| !n.is_empty()) {
        let label = if d.state == State::Failed {
            "why"
        } else {
            "at the end"
        };
        line += &format!(" · {label}: {}", escape(note));
    }
    line
}

/// "+ more: see the dashboard (<URL/apps/whitehall|whitehall's page>) or `GET
/// URL/api/v1/deployments?app=whitehall&environment=production`.", when older deployments
/// exist or `cut` lines did not fit in the message.
fn footer(f: &Found, cut: usize, dashboard: Option<&str>) -> Option<String> {
    let what = match (cut, f.more) {
        (0, false) => return None,
        (0, true) => "+ more".to_owned(),
        (n, true) => format!("+{n} more not shown here, and older ones"),
        (n, false) => format!("+{n} more not shown here"),
    };
    let app = escape(f.app);
    let env = f
        .env
        .map(|e| format!("&environment={e}"))
        .unwrap_or_default();
    let base = dashboard.unwrap_or("");
    let api = escape(&format!("{base}/api/v1/deployments?app={}{env}", f.app));
    let see = match dashboard {
        Some(url) => format!("see the dashboard (<{url}/apps/{app}|{app}'s page>)"),
        None => "see the dashboard".to_owned(),
    };
    Some(format!("{what}: {see} or `GET {api}`."))
}

#[cfg(test)]
#[path = "history_blocks_tests.rs"]
mod tests;
