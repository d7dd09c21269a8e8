//! What badger does with a slash command, a button press or an event once it is known to
//! be genuine. Every way in shares these: the signed HTTP routes (in `src/http/`), Socket
//! Mode, and the local console (after its loopback check), so the console behaves exactly
//! as Slack would.

use super::payload::{Interaction, SlashCommand};
use crate::service::{Action, Actor, Core, Denied, Press, ServiceError, Shown};
use crate::slack::blocks::Message;

/// Runs a slash command; the answer is the ephemeral reply to the person who typed it.
/// `cmd.text` is as Slack sends it (`&`, `<`, `>` as entities).
pub async fn handle_command(core: &Core, cmd: &SlashCommand) -> Message {
    let (actor, text) = actor_and_text(cmd);
    super::slash::run(core, &actor, &cmd.command, &text).await
}

/// [`handle_command`], answered within `deadline` (Slack's 3 seconds over HTTP): a late
/// command is not cut short; the person is told it is late and its answer follows.
pub async fn handle_command_within(
    core: &Core,
    cmd: &SlashCommand,
    deadline: std::time::Duration,
) -> Message {
    let (actor, text) = actor_and_text(cmd);
    super::slash::run_within(core, &actor, &cmd.command, &text, deadline).await
}

fn actor_and_text(cmd: &SlashCommand) -> (Actor, String) {
    let actor = Actor {
        user: cmd.user_id.clone(),
        channel: cmd.channel_id.clone(),
    };
    // Keep what the person typed; it is escaped again on output.
    (actor, crate::domain::text::unescape(&cmd.text))
}

/// Acts on button presses; each person who needs an answer gets it as an ephemeral
/// (queued, like every other Slack call).
pub async fn handle_interaction(core: &Core, interaction: Interaction) {
    let presses = match interaction {
        Interaction::Buttons(p) => p,
        Interaction::Other(kind) => {
            tracing::debug!(%kind, "ignoring an interaction badger does not handle");
            return;
        }
    };
    for p in presses {
        crate::telemetry::record("action", &p.action_id);
        crate::telemetry::record("user", &p.user);
        let action = Action::parse(&p.action_id);
        if let (Ok(id), Some(a)) = (p.value.parse::<i64>(), action) {
            match a {
                Action::HoldRelease => {
                    tracing::Span::current().record("hold", id);
                }
                _ => crate::telemetry::record_deployment(id),
            }
        }
        let actor = Actor {
            user: p.user.clone(),
            channel: p.channel.clone(),
        };
        let answer = match action {
            Some(action) => {
                let shown = if p.ephemeral {
                    Shown::Ephemeral
                } else {
                    Shown::InChannel
                };
                let press = Press {
                    action,
                    value: p.value.clone(),
                    shown,
                };
                core.press(&actor, press).await
            }
            None => Err(ServiceError::Denied(Denied::UnknownButton {
                action_id: p.action_id.clone(),
            })),
        };
        let message: Option<Message> = match answer {
            Ok(a) => a.map(|a| super::answers::answer(&super::answers::Say::of(core), &a)),
            Err(e) => Some(super::denied::failure(core, e)),
        };
        if let Some(m) = message {
            if let Err(e) = core.tell(&actor, m.body()).await {
                tracing::error!(error = %e, "could not queue an ephemeral answer");
            }
        }
    }
}

/// An `event_callback`, over HTTP or Socket Mode, handled once per `event_id`. An error
/// means it could not be recorded or its work could not be queued: Slack should deliver
/// it again, and the retry is then handled as the first delivery was.
pub async fn handle_event_callback(
    core: &Core,
    v: &serde_json::Value,
    retry: Option<&str>,
) -> Result<(), ServiceError> {
    let id = v.get("event_id").and_then(|e| e.as_str()).unwrap_or("");
    if id.is_empty() {
        return Ok(());
    }
    if !core.store.first_sighting(id, core.now()).await? {
        core.metrics.slack_duplicate_events.inc();
        tracing::debug!(event_id = id, "duplicate event delivery ignored");
        return Ok(());
    }
    core.metrics.slack_events.inc();
    let kind = v
        .pointer("/event/type")
        .and_then(|t| t.as_str())
        .unwrap_or("");
    crate::telemetry::record("event", kind);
    if let Some(user) = v.pointer("/event/user").and_then(|u| u.as_str()) {
        crate::telemetry::record("user", user);
    }
    tracing::debug!(event_id = id, %kind, ?retry, "event received");
    if let Err(e) = event_work(core, kind, v).await {
        // Seen but not done: forget the sighting, or Slack's retry would be dropped as a
        // duplicate and the Home tab or topic would stay stale.
        if let Err(forget) = core.store.forget_sighting(id).await {
            tracing::error!(error = %forget, event_id = id, "cannot forget an event id");
        }
        return Err(e);
    }
    Ok(())
}

/// What an event asks of badger: both are idempotent, so a retry redoes them safely.
async fn event_work(core: &Core, kind: &str, v: &serde_json::Value) -> Result<(), ServiceError> {
    if kind == super::needs::APP_HOME_OPENED {
        // Only the Home tab; opening the Messages or About tab sends the event too.
        let tab = v.pointer("/event/tab").and_then(|t| t.as_str());
        if let (Some(user), None | Some("home")) =
            (v.pointer("/event/user").and_then(|u| u.as_str()), tab)
        {
            core.publish_home(user).await?;
        }
    }
    if kind == super::needs::MEMBER_JOINED_CHANNEL {
        // Perhaps badger itself was just invited: bring the topic up to date with the
        // standing holds (a no-op when it already is).
        if let Some(channel) = v.pointer("/event/channel").and_then(|c| c.as_str()) {
            core.sync_topic_now(channel).await?;
        }
    }
    Ok(())
}
