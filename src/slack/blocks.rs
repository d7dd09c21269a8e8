//! Message rendering: Block Kit JSON with a plain-text fallback for every message.
//! Everything a user typed goes through `escape`, so nobody can inject `<!channel>`.

use crate::domain::deployment::{format_duration, Deployment, State};
use crate::domain::hold::Hold;
use crate::domain::notice::Credit;
use crate::domain::text::{count, escape, mention, truncate};
use crate::service::Action;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

pub use super::fit::section;
use super::fit::{pack, MESSAGE_BLOCKS, MESSAGE_TEXT, SECTION_TEXT};

/// Blocks a list may fill: the rest of Slack's 50 are kept for the closing "…and N more"
/// line and for the header, context and buttons a message adds around its text.
const LIST_BLOCKS: usize = MESSAGE_BLOCKS - 10;
/// Characters a list may fill, keeping room for its closing line.
const LIST_TEXT: usize = MESSAGE_TEXT - 1_000;

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Value>,
}

impl Message {
    /// A message of mrkdwn text: one section, or several when it is longer than one may
    /// hold (see [`Message::lines`]).
    pub fn plain(text: impl Into<String>) -> Self {
        let text = text.into();
        let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        Self::lines(&lines)
    }
    /// A message of many lines (a list): one text, and as many mrkdwn sections as it takes
    /// to show every line within Slack's limit per section (a line too long for one is
    /// split between words). Past what one message may hold, the lines left out are
    /// counted in a closing line: nothing is dropped without saying so.
    pub fn lines(lines: &[String]) -> Self {
        let packed = pack(lines, LIST_BLOCKS, LIST_TEXT);
        let mut blocks = packed.sections;
        let mut text = packed.text.join("\n");
        let rest = lines.len() - packed.shown;
        if rest > 0 {
            let more = format!(
                "_…and {rest} more line{} not shown: that is more than one Slack message holds. The dashboard shows everything._",
                if rest == 1 { "" } else { "s" }
            );
            blocks.push(section(&more));
            text = format!("{text}\n{more}");
        }
        Message { text, blocks }
    }
    pub fn with_buttons(mut self, buttons: Vec<Value>) -> Self {
        if !buttons.is_empty() {
            self.blocks
                .push(json!({"type": "actions", "elements": buttons}));
        }
        self
    }
    pub fn with_context(mut self, text: &str) -> Self {
        self.blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_TEXT)}]}));
        self
    }
    /// As queued in the outbox: already worded, delivered as it is.
    pub fn body(&self) -> crate::store::Body {
        crate::store::Body::text(self.text.clone(), self.blocks.clone())
    }
    /// The body of an ephemeral answer to a slash command.
    pub fn ephemeral_response(&self) -> Value {
        json!({"response_type": "ephemeral", "text": self.text, "blocks": self.blocks})
    }
}

/// A button on a deployment or hold `id`; its `action_id` comes from [`Action`], the one
/// place each is spelled.
pub fn button(action: Action, label: &str, id: i64, style: Option<&str>) -> Value {
    let mut b = json!({
        "type": "button",
        "action_id": action.action_id(),
        "text": {"type": "plain_text", "text": label},
        "value": id.to_string(),
    });
    if let Some(style) = style {
        b["style"] = json!(style);
    }
    b
}

/// A link to the dashboard at `url` (`BADGER_PUBLIC_URL`), for answers that show only part
/// of what it lists.
pub fn dashboard_link(url: &str) -> String {
    format!("<{url}/|the dashboard>")
}

/// "*whitehall* `release_123` to *staging*"
pub fn what(d: &Deployment) -> String {
    format!(
        "*{}* `{}` to *{}*",
        escape(&d.app),
        escape(&d.git_ref),
        escape(&d.environment)
    )
}

fn note_line(label: &str, text: Option<&str>) -> String {
    match text {
        Some(t) if !t.is_empty() => format!("\n{label}: {}", escape(t)),
        _ => String::new(),
    }
}

/// `by`: who started it, when not its requester.
pub fn start_alert(d: &Deployment, by: Option<&Credit>) -> Message {
    let head = if let Some(reason) = &d.emergency_reason {
        format!(
            ":rotating_light: *EMERGENCY deployment* started: {} by {}\nReason: {}",
            what(d),
            mention(&d.requester),
            escape(reason)
        )
    } else {
        format!(
            ":rocket: {} started deploying {}",
            mention(&d.requester),
            what(d)
        )
    };
    let by = by
        .map(|by| format!("\nStarted by {}.", credited(by)))
        .unwrap_or_default();
    let text = format!("{head}{by}{}", note_line("Note", d.note.as_deref()));
    let buttons = if d.source == "slack" {
        vec![
            button(Action::Done, "Done", d.id, Some("primary")),
            button(Action::Failed, "Failed", d.id, Some("danger")),
            button(Action::Cancel, "Cancel", d.id, None),
        ]
    } else {
        vec![]
    };
    with_ci_link(Message::plain(text).with_buttons(buttons), d)
}

/// `m` with the CI run's link (escaped text, never a Slack link) when CI gave one.
fn with_ci_link(m: Message, d: &Deployment) -> Message {
    match &d.ci_url {
        Some(url) => m.with_context(&format!("CI: {}", escape(url))),
        None => m,
    }
}

/// The start alert once the deployment has ended: same words (who started it, when not its
/// requester, as recorded on the row), no buttons.
pub fn start_alert_closed(d: &Deployment) -> Message {
    let outcome = match d.state {
        State::Succeeded => "finished: succeeded",
        State::Failed => "finished: failed",
        State::Cancelled => "called off",
        _ => "finished",
    };
    let mut m = start_alert(d, d.started_by.as_ref());
    m.blocks.retain(|b| b["type"] != "actions");
    m.with_context(outcome)
}

/// Who did it, as shown: a person as a mention.
fn credited(by: &Credit) -> String {
    match by {
        Credit::Person(user) => mention(user),
        Credit::Ci => "CI".to_owned(),
        Credit::Badger => "badger".to_owned(),
    }
}

/// `by`: who ended it, when not its requester.
pub fn end_alert(d: &Deployment, by: Option<&Credit>) -> Message {
    let took = d
        .duration()
        .map(|t| format!(" in {}", format_duration(t)))
        .unwrap_or_default();
    let (icon, outcome) = match d.state {
        State::Succeeded => (":white_check_mark:", "succeeded"),
        State::Failed => (":x:", "failed"),
        State::Cancelled => (":no_entry_sign:", "was called off"),
        _ => (":grey_question:", d.state.as_str()),
    };
    let emergency = if d.is_emergency() { " (emergency)" } else { "" };
    // A deployment reported already finished had no start alert to show its note.
    let note = match d.started_at {
        None => note_line("Note", d.note.as_deref()),
        Some(_) => String::new(),
    };
    let by = match (by, d.state) {
        (None, _) => String::new(),
        (Some(Credit::Ci), _) => "; reported by CI".to_owned(),
        (Some(by), State::Succeeded) => format!("; marked done by {}", credited(by)),
        (Some(by), State::Failed) => format!("; marked failed by {}", credited(by)),
        (Some(by), State::Cancelled) => format!("; called off by {}", credited(by)),
        (Some(by), _) => format!("; by {}", credited(by)),
    };
    let text = format!(
        "{icon} {}{emergency} {outcome}{took} ({}{by})",
        what(d),
        mention(&d.requester),
    ) + &note
        + &note_line("Note", d.outcome_note.as_deref());
    with_ci_link(Message::plain(text), d)
}

/// `window_closes`: the close of the deploy window, when it comes before the timeout.
pub fn your_turn(d: &Deployment, timeout_minutes: i64, window_closes: Option<&str>) -> Message {
    let by_when = match window_closes {
        Some(at) => format!("by {at}, when the deploy window closes,"),
        None => format!("within {}", count(timeout_minutes, "minute")),
    };
    let text = format!(
        ":wave: {} it's your turn to deploy {}. Press *Start* {by_when} or the turn passes on.",
        mention(&d.requester),
        what(d),
    );
    Message::plain(text).with_buttons(vec![
        button(Action::Start, "Start", d.id, Some("primary")),
        button(Action::Skip, "Let the next go first", d.id, None),
    ])
}

/// The your-turn call once it is over: no buttons, with what happened (and who did it).
pub fn your_turn_closed(d: &Deployment, outcome: &str, by: Option<&str>) -> Message {
    let by = by
        .map(|by| format!(" by {}", mention(by)))
        .unwrap_or_default();
    Message::plain(format!(
        "{} turn for {}: {}{by}",
        mention(&d.requester),
        what(d),
        escape(outcome)
    ))
}

/// The command that queues `d` again, as the person would type it with `deploy_command`:
/// `/deploy whitehall r2 to production` (an emergency's reason is theirs to give again).
pub fn queue_again(d: &Deployment, deploy_command: &str) -> String {
    let (emergency, reason) = if d.is_emergency() {
        ("emergency ", " REASON...")
    } else {
        ("", "")
    };
    format!(
        "To queue again: `{deploy_command} {emergency}{} {} to {}{reason}`",
        escape(&d.app),
        escape(&d.git_ref),
        escape(&d.environment)
    )
}

/// A turn that ran out; `deploy_command` is none in rows queued before it was recorded,
/// which then say only to ask again.
pub fn turn_expired(d: &Deployment, deploy_command: Option<&str>) -> Message {
    let again = deploy_command.map_or_else(
        || "Ask again when you're ready.".to_owned(),
        |cmd| queue_again(d, cmd),
    );
    Message::plain(format!(
        ":hourglass: {}'s turn for {} expired: it was not started in time. {again}",
        mention(&d.requester),
        what(d)
    ))
}

pub fn window_closed_expired(
    d: &Deployment,
    next_opening: Option<String>,
    deploy_command: Option<&str>,
    closure: Option<&crate::domain::window::Closure>,
) -> Message {
    // It may name a freeze or holiday ahead: the operator's text, escaped.
    let next = next_opening
        .map(|n| format!(" It next opens {}.", escape(&n)))
        .unwrap_or_default();
    let again = deploy_command
        .map(|cmd| format!(" {}", queue_again(d, cmd)))
        .unwrap_or_default();
    let why = closure
        .map(|c| format!(" ({})", escape(&c.words())))
        .unwrap_or_default();
    Message::plain(format!(
        ":lock: {} the deploy window for *{}* has closed{why}, so your place in the queue for {} has expired.{next}{again}",
        mention(&d.requester),
        escape(&d.environment),
        what(d)
    ))
}

pub fn closing_reminder(d: &Deployment, closes: &str) -> Message {
    let (requester, deployment) = (mention(&d.requester), what(d));
    Message::plain(format!(
        ":alarm_clock: {requester} the deploy window closes at {closes} and {deployment} is still deploying. Please finish it, or press *Failed*."
    ))
}

/// The window closed on `d`, still deploying at `at`: its person is told how to end it.
pub fn deploying_after_close(
    d: &Deployment,
    closed: &str,
    at: DateTime<Utc>,
    deploy_command: &str,
) -> Message {
    let how_long = d
        .started_at
        .map(|s| format!(" (for {})", format_duration(at - s)))
        .unwrap_or_default();
    let cmd = deploy_command;
    let (requester, deployment) = (mention(&d.requester), what(d));
    let env = escape(&d.environment);
    Message::plain(format!(
        ":warning: {requester} the deploy window closed at {closed}, and your deployment of {deployment} is still marked as deploying{how_long}. When it ends, say `{cmd} done` or `{cmd} failed`: nothing else can deploy to *{env}* until then."
    ))
}

pub fn held_turn(d: &Deployment, h: &Hold) -> Message {
    Message::plain(format!(
        ":pause_button: {} your turn for {} is skipped while {}'s hold on {} stands ({}). You keep your place in the queue.",
        mention(&d.requester),
        what(d),
        mention(&h.owner),
        escape(&h.describe_scope()),
        escape(&h.reason)
    ))
}

/// The turn passed a waiting deployment by for something other than a hold (the
/// promotion rule, a permission); `why` is the refusal already worded for Slack.
pub fn passed_over(d: &Deployment, why: &str) -> Message {
    Message::plain(format!(
        ":fast_forward: {} your turn for {} is passed to the next in line, because it can't start now:\n{why}\nYou keep your place in the queue.",
        mention(&d.requester),
        what(d),
    ))
}

pub fn hold_line(h: &Hold, tz: Tz) -> String {
    let until = h
        .until_shown(tz)
        .map(|u| format!(", until {u}"))
        .unwrap_or_default();
    format!(
        "#{} {} held by {}: {}{until}",
        h.id,
        escape(&h.describe_scope()),
        mention(&h.owner),
        escape(&h.reason)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` numbered lines of `width` more characters each.
    fn numbered(n: usize, width: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("{i:04} {}", "y".repeat(width)))
            .collect()
    }

    #[test]
    fn long_lists_are_split_into_sections_without_losing_lines() {
        let lines = numbered(40, 150);
        let m = Message::lines(&lines);
        assert_eq!(m.text, lines.join("\n"));
        assert!(m.blocks.len() > 1);
        let shown: Vec<&str> = m
            .blocks
            .iter()
            .map(|b| b["text"]["text"].as_str().unwrap())
            .collect();
        for s in &shown {
            assert!(s.chars().count() <= SECTION_TEXT);
        }
        assert_eq!(shown.join("\n"), m.text);
        // A short list is one section, like Message::plain.
        let short = ["a".to_owned(), "b".to_owned()];
        assert_eq!(Message::lines(&short), Message::plain("a\nb"));
    }

    #[test]
    fn an_emergency_start_alert_shows_a_long_reason_and_note_whole() {
        let mut d = crate::domain::deployment::sample(9, "whitehall", "production");
        d.emergency_reason = Some(format!("r {}", "<&>".repeat(160)));
        d.note = Some(format!("n {}", "&<>".repeat(160)));
        let m = start_alert(&d, None);
        let shown: Vec<&str> = m
            .blocks
            .iter()
            .filter_map(|b| b.pointer("/text/text").and_then(Value::as_str))
            .collect();
        assert!(shown.iter().all(|s| s.chars().count() <= SECTION_TEXT));
        let all = shown.join("\n");
        assert!(all.contains(&format!("Reason: r {}", "&lt;&amp;&gt;".repeat(160))));
        assert!(all.contains(&format!("Note: n {}", "&amp;&lt;&gt;".repeat(160))));
    }

    #[test]
    fn a_list_longer_than_a_message_holds_says_how_many_lines_it_left_out() {
        let lines = numbered(2000, 95);
        let m = Message::lines(&lines);
        assert!(m.blocks.len() <= LIST_BLOCKS + 1, "{}", m.blocks.len());
        assert!(m.text.chars().count() <= MESSAGE_TEXT);
        let shown = m.text.lines().filter(|l| l.ends_with('y')).count();
        assert!(shown > 300 && shown < 2000, "{shown}");
        let more = format!("_…and {} more lines not shown: that is more than one Slack message holds. The dashboard shows everything._", 2000 - shown);
        assert!(m.text.ends_with(&more), "{}", &m.text[m.text.len() - 200..]);
    }
}
